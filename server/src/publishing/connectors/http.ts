/**
 * A small fetch helper for connectors that speak plain HTTP (no SDK). It owns the parts every
 * connector gets wrong in the same way:
 *
 * - a per-request timeout layered on the caller's `ctx.signal`;
 * - network failures split into "never sent" (connection refused, DNS → `unavailable`, safe to retry)
 *   and "may have landed" (timeout, reset after sending → `unknown_outcome`, but only when the request
 *   `sendsPost`, i.e. it is the call that creates the post; otherwise nothing was created → `unavailable`);
 * - HTTP statuses mapped to ConnectorError kinds (see `kindForStatus`), `Retry-After` (seconds or an
 *   HTTP date) read into `retryAfterSeconds`;
 * - JSON / urlencoded bodies, JSON answers parsed when they look like JSON.
 *
 * Error messages never contain URLs with their query (tokens travel in queries on some platforms).
 */
import { ConnectorError, type ConnectorErrorKind, type PlatformName } from './types.ts';

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Default per-request timeout when the caller gives none. */
export const DEFAULT_CONNECTOR_TIMEOUT_MS = 30_000;

export interface ConnectorFetchInit extends Omit<RequestInit, 'signal' | 'body'> {
  /** The caller's signal (the dispatcher's deadline); the request is bounded by it and by `timeoutMs`. */
  signal: AbortSignal;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** True for the request that creates the post: a timeout/reset after sending is then an unknown outcome. */
  sendsPost?: boolean;
  body?: RequestInit['body'];
  /** JSON body (sets Content-Type). */
  json?: unknown;
  /** application/x-www-form-urlencoded body; undefined values are skipped. */
  form?: Record<string, string | number | boolean | undefined | null>;
  /** Return non-2xx answers instead of throwing (the caller maps the platform's error body itself). */
  allowErrorStatus?: boolean;
  /** Pulls a readable message out of an error answer (default: common JSON error shapes, else the text). */
  describe?: (response: ConnectorResponse) => string | undefined;
  /** Platform-specific kind for an error answer (default: kindForStatus). Return undefined to use the default. */
  classify?: (response: ConnectorResponse) => ConnectorErrorKind | undefined;
  /** Seconds to wait, when the platform says so somewhere other than Retry-After (e.g. x-ratelimit-reset). */
  retryAfter?: (response: ConnectorResponse) => number | undefined;
  /** The fetch to use (tests, proxies). Default: global fetch. */
  fetch?: FetchLike;
}

export interface ConnectorResponse<T = unknown> {
  status: number;
  ok: boolean;
  headers: Headers;
  /** The raw body text ('' when empty). */
  text: string;
  /** Parsed JSON when the body is JSON, else the text. */
  data: T;
  /** The request's path (no query), for messages. */
  path: string;
}

/** Reads `Retry-After`: delta-seconds or an HTTP date → whole seconds from now (≥ 0), undefined if absent/garbled. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.max(0, Math.ceil(Number(trimmed)));
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * Default mapping of an error status:
 * 401 → auth; 429 → rate_limited; 408 and 5xx → unavailable, except that a 500/502/504 (or 408) answer to
 * the request that creates the post is an unknown outcome (a gateway may have timed out after the
 * platform accepted it); other 4xx (403 included: platforms use it for "not allowed here") → rejected.
 * Connectors refine 403 etc. with `classify`.
 */
export function kindForStatus(status: number, sendsPost = false): ConnectorErrorKind {
  if (status === 401) return 'auth';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status === 500 || status === 502 || status === 504) return sendsPost ? 'unknown_outcome' : 'unavailable';
  if (status >= 500) return 'unavailable';
  return 'rejected';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function truncate(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A readable message from the usual JSON error shapes (`{error:{message}}`, `{message}`, `{error_description}`, `{errors:[…]}`). */
export function defaultErrorMessage(data: unknown, text: string): string | undefined {
  if (isRecord(data)) {
    const error = data.error;
    if (isRecord(error) && typeof error.message === 'string') return error.message;
    if (typeof data.error_description === 'string') return data.error_description;
    if (typeof data.message === 'string') return data.message;
    if (typeof data.detail === 'string') return data.detail;
    if (typeof error === 'string') return error;
    if (Array.isArray(data.errors) && data.errors.length > 0) {
      const first = data.errors[0];
      if (typeof first === 'string') return first;
      if (isRecord(first) && typeof first.message === 'string') return first.message;
      if (Array.isArray(first)) return first.filter((x) => typeof x === 'string').join(': ');
    }
  }
  return text ? truncate(text) : undefined;
}

/** Builds the ConnectorError for an error answer (also usable by connectors that got a 2xx with an error body). */
export function errorFromResponse(
  platform: PlatformName,
  response: ConnectorResponse,
  options: { sendsPost?: boolean; kind?: ConnectorErrorKind; message?: string; retryAfterSeconds?: number } = {},
): ConnectorError {
  const kind = options.kind ?? kindForStatus(response.status, options.sendsPost);
  const detail = options.message ?? defaultErrorMessage(response.data, response.text) ?? `HTTP ${response.status}`;
  const retryAfterSeconds = options.retryAfterSeconds ?? parseRetryAfter(response.headers.get('retry-after'));
  return new ConnectorError(platform, kind, `${platform} ${response.path}: HTTP ${response.status}: ${detail}`, {
    retryAfterSeconds,
    details: { status: response.status, body: response.data },
  });
}

/** Error codes (undici/Node) that mean the request never reached the server. */
const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
]);

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (isRecord(current) || current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      if (typeof code === 'string') return code;
      const errors = (current as { errors?: unknown }).errors;
      if (Array.isArray(errors) && errors.length > 0) {
        current = errors[0];
        continue;
      }
      current = (current as { cause?: unknown }).cause;
    } else break;
  }
  return undefined;
}

function describeNetworkError(error: unknown): string {
  const code = errorCode(error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  const base = error instanceof Error ? error.message : String(error);
  return [base, cause, code].filter((x, i, all) => x && all.indexOf(x) === i).join(' / ');
}

/**
 * Maps a thrown fetch error. `started`: the request was handed to fetch (false when the signal was
 * already aborted before we sent anything).
 */
export function networkError(platform: PlatformName, error: unknown, context: { path: string; sendsPost: boolean; started: boolean; timedOut: boolean; callerAborted: boolean }): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const code = errorCode(error);
  const what = context.timedOut ? 'timed out' : context.callerAborted ? 'was cancelled' : `failed (${describeNetworkError(error)})`;
  const neverSent = !context.started || (code !== undefined && NEVER_SENT_CODES.has(code));
  const kind: ConnectorErrorKind = !neverSent && context.sendsPost ? 'unknown_outcome' : 'unavailable';
  const suffix = kind === 'unknown_outcome' ? ' after the request was sent: the post may exist' : '';
  return new ConnectorError(platform, kind, `${platform} ${context.path}: request ${what}${suffix}`, { cause: error, details: { code } });
}

function pathOf(url: string | URL): string {
  try {
    return new URL(url).pathname;
  } catch {
    return String(url).split('?')[0] ?? '';
  }
}

function encodeForm(form: Record<string, string | number | boolean | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) if (value !== undefined && value !== null) params.append(key, String(value));
  return params.toString();
}

function parseBody(text: string, contentType: string | null): unknown {
  if (text === '') return undefined;
  const looksJson = (contentType ?? '').includes('json') || /^\s*[[{"]/.test(text);
  if (!looksJson) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * One request. Resolves with the parsed answer for 2xx (and for any status with `allowErrorStatus`);
 * throws ConnectorError otherwise, and for every network failure.
 */
export async function connectorFetch<T = unknown>(platform: PlatformName, url: string | URL, init: ConnectorFetchInit): Promise<ConnectorResponse<T>> {
  const { signal, timeoutMs = DEFAULT_CONNECTOR_TIMEOUT_MS, sendsPost = false, json, form, allowErrorStatus, describe, classify, retryAfter, fetch: fetchImpl, ...rest } = init;
  const path = pathOf(url);
  const headers = new Headers(rest.headers);
  let body = rest.body;
  if (json !== undefined) {
    body = JSON.stringify(json);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  } else if (form !== undefined) {
    body = encodeForm(form);
    if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded');
  }
  if (!headers.has('accept')) headers.set('accept', 'application/json');

  if (signal.aborted) throw networkError(platform, signal.reason, { path, sendsPost, started: false, timedOut: false, callerAborted: true });
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = AbortSignal.any([signal, timeout]);
  const doFetch = fetchImpl ?? fetch;
  let response: Response;
  let text: string;
  try {
    response = await doFetch(url, { ...rest, headers, body, signal: combined });
    text = await response.text();
  } catch (error) {
    throw networkError(platform, error, { path, sendsPost, started: true, timedOut: timeout.aborted && !signal.aborted, callerAborted: signal.aborted });
  }
  const result: ConnectorResponse<T> = {
    status: response.status,
    ok: response.ok,
    headers: response.headers,
    text,
    data: parseBody(text, response.headers.get('content-type')) as T,
    path,
  };
  if (response.ok || allowErrorStatus) return result;
  throw errorFromResponse(platform, result, {
    sendsPost,
    kind: classify?.(result),
    message: describe?.(result),
    retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')) ?? retryAfter?.(result),
  });
}

/** True when `error` is a ConnectorError (of one of `kinds`, when given). */
export function isConnectorError(error: unknown, ...kinds: ConnectorErrorKind[]): error is ConnectorError {
  return error instanceof ConnectorError && (kinds.length === 0 || kinds.includes(error.kind));
}

/** Sleeps, rejecting with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** ISO time `seconds` from now, for `expires_at`. */
export function expiresAtFrom(seconds: unknown, now: number = Date.now()): string | undefined {
  const n = typeof seconds === 'string' ? Number(seconds) : seconds;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return undefined;
  return new Date(now + n * 1000).toISOString();
}

/** True when an ISO `expires_at` is missing-safe and within `marginMs` of now (or past). */
export function expiresWithin(expiresAt: string | undefined, marginMs: number, now: number = Date.now()): boolean {
  if (!expiresAt) return false;
  const at = Date.parse(expiresAt);
  return !Number.isNaN(at) && at - now <= marginMs;
}

/** Merges refreshed credentials into the old ones; never blanks a refresh token the answer left out. */
export function mergeCredentials(previous: Record<string, string>, next: Record<string, string | undefined>): Record<string, string> {
  const merged: Record<string, string> = { ...previous };
  for (const [key, value] of Object.entries(next)) {
    if (value === undefined || value === '') continue;
    merged[key] = value;
  }
  return merged;
}
