import createClient from 'openapi-fetch';
import type { paths } from './schema';
import { getSession, setSession } from './session';
import { ApiError, unwrap } from './problem';

/** For public endpoints (login, refresh, setup): no bearer, no retry. */
export const publicApi = createClient<paths>({ credentials: 'same-origin' });

/** Everything else: sends the access token and, on an expired one, refreshes once and retries. */
export const api = createClient<paths>({ credentials: 'same-origin', fetch: authFetch });

async function authFetch(request: Request): Promise<Response> {
  // Cloned first: a request body can be read only once, and the retry needs it again.
  const retry = request.clone();
  const response = await send(request);
  if (response.status !== 401 || !getSession()) return response;
  const problem = (await response.clone().json().catch(() => null)) as { code?: string } | null;
  if (problem?.code !== 'invalid_token') return response;
  if (!(await refreshSession())) return response;
  return send(retry);
}

function send(request: Request) {
  const token = getSession()?.accessToken;
  if (token) request.headers.set('Authorization', `Bearer ${token}`);
  return fetch(request);
}

let inflight: Promise<boolean> | null = null;

/**
 * Rotates the refresh cookie. Single-flight, and serialized across tabs with a Web Lock: the server
 * treats a refresh token presented twice as stolen and ends the whole session family.
 */
export function refreshSession(): Promise<boolean> {
  inflight ??= withLock(async () => {
    try {
      const session = await unwrap(publicApi.POST('/api/v1/auth/refresh'));
      setSession(session, refreshSession);
      return true;
    } catch (error) {
      // Only a refused refresh ends the session; a network blip leaves it for the next attempt.
      if (error instanceof ApiError) setSession(null);
      return false;
    }
  }).finally(() => {
    inflight = null;
  });
  return inflight;
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  // navigator.locks exists only in secure contexts (https, localhost); elsewhere, one tab at a time is best effort.
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? await locks.request('atelier-refresh', fn) : await fn();
}

export type SessionResponse = Parameters<typeof setSession>[0];

/** Stores a session just issued by login, setup or switch-org. */
export function startSession(session: NonNullable<SessionResponse>) {
  setSession(session, refreshSession);
}

export async function logout() {
  const token = getSession()?.accessToken;
  await publicApi.POST('/api/v1/auth/logout', token ? { headers: { Authorization: `Bearer ${token}` } } : {}).catch(() => undefined);
  setSession(null);
}
