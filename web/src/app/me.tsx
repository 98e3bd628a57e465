import { createContext, useContext } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import type { paths } from '../api/schema';
import { useRequiredSession } from '../api/session';

export type Me = paths['/api/v1/me']['get']['responses'][200]['content']['application/json'];

/** Names the permissions the dashboard checks, so a typo is a type error rather than a hidden button. */
export type Permission =
  | 'team:read'
  | 'team:manage'
  | 'apikeys:manage'
  | 'audit:read'
  | 'personas:read'
  | 'personas:write'
  | 'personas:delete'
  | 'settings:manage'
  | 'posts:read'
  | 'posts:write'
  | 'channels:read'
  | 'channels:manage'
  | 'media:read'
  | 'media:write'
  | 'inbox:read'
  | 'inbox:write'
  | 'sales:read'
  | 'sales:write'
  | 'ledger:read'
  | 'fans:export'
  | 'jobs:read'
  | 'jobs:manage'
  | 'analytics:read'
  | 'analytics:manage';

/** Server state is keyed by organization, so switching org never shows the previous org's data. */
export function useOrgKey() {
  const { orgId } = useRequiredSession();
  return (...rest: unknown[]) => ['org', orgId, ...rest];
}

export function useMeQuery() {
  const key = useOrgKey();
  return useQuery({ queryKey: key('me'), queryFn: () => unwrap(api.GET('/api/v1/me')) });
}

export const MeContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside the signed-in shell');
  return me;
}

export function useCan() {
  const me = useMe();
  return (permission: Permission) => me.permissions.includes(permission);
}
