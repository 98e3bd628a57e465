import type { Permission } from '../app/me';

export type Section = 'personas' | 'studio' | 'calendar' | 'inbox' | 'sales' | 'analytics' | 'settings';

/** Navigation, in order; a section shows only when the member may read what it holds. */
export const sections: { id: Section; path: string; needs: Permission | null }[] = [
  { id: 'personas', path: '/personas', needs: 'personas:read' },
  { id: 'studio', path: '/studio', needs: 'media:read' },
  { id: 'calendar', path: '/calendar', needs: 'posts:read' },
  { id: 'inbox', path: '/inbox', needs: 'inbox:read' },
  { id: 'sales', path: '/sales', needs: 'sales:read' },
  { id: 'analytics', path: '/analytics', needs: 'analytics:read' },
  { id: 'settings', path: '/settings', needs: null },
];

export const sectionOf = (path: string) => sections.find((s) => path === s.path || path.startsWith(`${s.path}/`));
