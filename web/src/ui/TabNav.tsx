import { useEffect, type ReactNode } from 'react';
import { useCan, type Permission } from '../app/me';
import { navigate, onLinkClick } from '../app/router';

export interface TabDef<T extends string> {
  id: T;
  path: string;
  needs: Permission;
}

/**
 * The tabs of a page that the member may open, and the one the path points at. A path to a tab the
 * role cannot see redirects to the first it can.
 */
export function usePermittedTab<T extends string>(tabs: TabDef<T>[], path: string) {
  const can = useCan();
  const visible = tabs.filter((tab) => can(tab.needs));
  const current = visible.find((tab) => tab.path === path);
  useEffect(() => {
    if (!current && visible[0]) navigate(visible[0].path, { replace: true });
  }, [current, visible]);
  return { visible, current };
}

export function TabNav<T extends string>(props: { label: string; tabs: TabDef<T>[]; current: TabDef<T> | undefined; title: (id: T) => string; extra?: (id: T) => ReactNode }) {
  return (
    <nav className="tabs" aria-label={props.label}>
      {props.tabs.map((tab) => (
        <a key={tab.id} href={tab.path} onClick={onLinkClick} aria-current={props.current?.id === tab.id ? 'page' : undefined}>
          {props.title(tab.id)}
          {props.extra?.(tab.id)}
        </a>
      ))}
    </nav>
  );
}
