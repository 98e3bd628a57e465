/**
 * What the four OAuth connect flows (X, Fanvue, Reddit, Instagram) share: PKCE, base URLs read from the
 * org's platform-app settings, the code-exchange call and the shape of its answer.
 *
 * Errors never carry the code, the verifier or a token: only the platform's `error`/`error_description`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connectorFetch, expiresAtFrom } from './http.ts';
import { ConnectorError, type PlatformName } from './types.ts';

/** 256 random bits, base64url (43 characters: within RFC 7636's 43–128). */
export function pkceVerifier(): string {
  return randomBytes(32).toString('base64url');
}

/** S256: base64url(sha256(verifier)). */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/**
 * An origin from the app settings (`baseUrl`, `authBaseUrl`: self-hosters and tests point them elsewhere;
 * checked to be http(s) when saved), else the platform's own. A trailing slash is dropped.
 */
export function baseFrom(settings: Record<string, unknown>, key: 'baseUrl' | 'authBaseUrl', fallback: string): string {
  const value = settings[key];
  return typeof value === 'string' && value.trim() ? value.trim().replace(/\/+$/, '') : fallback;
}

/** True when the app overrides `key` (the channel then keeps the override so the connector talks to the same host). */
export function overridden(settings: Record<string, unknown>, key: 'baseUrl' | 'authBaseUrl'): boolean {
  return typeof settings[key] === 'string' && (settings[key] as string).trim() !== '';
}

export function urlWith(base: string, path: string, query: Record<string, string | undefined>): string {
  const url = new URL(`${base}${path}`);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}

/** RFC 6749 §2.3.1: client id and secret form-encoded, then Basic. */
export function basicAuth(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
}

export interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
  [key: string]: unknown;
}

/**
 * One call to a token endpoint. A refusal (4xx, or a 2xx without access_token) is `auth`: the code is
 * spent or the client is wrong, asking again will not help; 429/5xx and network failures are `unavailable`.
 */
export async function tokenRequest(
  platform: PlatformName,
  url: string,
  init: { method?: 'GET' | 'POST'; form?: Record<string, string | undefined>; headers?: Record<string, string>; signal: AbortSignal },
): Promise<TokenAnswer> {
  const response = await connectorFetch<Record<string, unknown>>(platform, url, {
    method: init.method ?? 'POST',
    signal: init.signal,
    headers: init.headers,
    form: init.form,
    allowErrorStatus: true,
  });
  const data = typeof response.data === 'object' && response.data !== null && !Array.isArray(response.data) ? response.data : {};
  // Instagram Login answers `{data: [{access_token, user_id, permissions}]}`; older apps a flat object.
  const flat = Array.isArray((data as { data?: unknown }).data) ? ((data as { data: Record<string, unknown>[] }).data[0] ?? {}) : data;
  if (response.ok && typeof flat.access_token === 'string' && flat.access_token) return flat as TokenAnswer;
  const reason = [flat.error, flat.error_description, (flat.error as { message?: unknown } | undefined)?.message, flat.error_message, flat.message]
    .filter((x): x is string => typeof x === 'string' && x.length > 0)
    .join(': ')
    .slice(0, 300);
  const kind = response.status === 429 || response.status >= 500 ? 'unavailable' : 'auth';
  throw new ConnectorError(platform, kind, `${platform} token endpoint refused the request (HTTP ${response.status}${reason ? `: ${reason}` : ''})`, { details: { status: response.status } });
}

/** access_token, refresh_token (when sent), expires_at (ISO) and scope out of a token answer. */
export function tokenCredentials(answer: TokenAnswer): Record<string, string> {
  const out: Record<string, string> = { access_token: answer.access_token };
  if (typeof answer.refresh_token === 'string' && answer.refresh_token) out.refresh_token = answer.refresh_token;
  const expiresAt = expiresAtFrom(answer.expires_in);
  if (expiresAt) out.expires_at = expiresAt;
  if (typeof answer.scope === 'string' && answer.scope) out.scope = answer.scope;
  else if (Array.isArray(answer.scope)) out.scope = answer.scope.join(' ');
  return out;
}
