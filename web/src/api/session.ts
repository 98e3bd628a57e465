import { useSyncExternalStore } from 'react';
import type { paths } from './schema';

type SessionResponse = paths['/api/v1/auth/login']['post']['responses'][200]['content']['application/json'];
export type Role = SessionResponse['role'];
export type Session = SessionResponse & { expiresAt: number };

// The access token lives in memory only: a page reload restores it from the httpOnly refresh cookie.
let current: Session | null = null;
let renewTimer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<() => void>();

export const getSession = () => current;

export function setSession(next: SessionResponse | null, renew?: () => Promise<unknown>) {
  clearTimeout(renewTimer);
  current = next ? { ...next, expiresAt: Date.now() + next.expiresIn * 1000 } : null;
  // Renewing a minute early keeps long-lived connections (the event stream) on a valid token.
  if (next && renew) renewTimer = setTimeout(() => void renew(), Math.max(10, next.expiresIn - 60) * 1000);
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, getSession);
}

/** Only for places that render inside the signed-in shell. */
export function useRequiredSession(): Session {
  const session = useSession();
  if (!session) throw new Error('useRequiredSession outside a session');
  return session;
}
