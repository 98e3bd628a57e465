import type { LoggerOptions } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

// Field names that hold a credential wherever they appear.
const SECRET_KEYS = [
  'password',
  'newPassword',
  'currentPassword',
  'oldPassword',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'apiKey',
  'secret',
  'clientSecret',
  'privateKey',
  'masterKey',
  'totp',
  'totpCode',
  'recoveryCode',
];

// Redaction paths are explicit, so the depth has to be too: top level (`log.info({ password })`), and
// one or two objects down (`{ user: { password } }`, `{ req: { body: { password } } }`). Deeper
// nesting is not covered; log a summary rather than whole provider payloads.
const secretPaths = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

const headerPaths = ['authorization', 'cookie', '["set-cookie"]', '["x-api-key"]', '["proxy-authorization"]'].flatMap(
  (h) => {
    const access = h.startsWith('[') ? h : `.${h}`;
    return [`headers${access}`, `*.headers${access}`];
  },
);

// `code` is only a secret as a TOTP/OAuth code in a request body or query; elsewhere it is an error code
// (ECONNREFUSED, 23505…) that debugging needs.
const codePaths = ['body.code', 'query.code', '*.body.code', '*.query.code'];

// Query parameters that carry credentials in URLs (signed media links, OAuth callbacks, SSE auth).
const SECRET_QUERY_PARAMS = new Set([
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'sig',
  'signature',
  'code',
  'state',
  'code_verifier',
  'api_key',
  'apikey',
  'key',
  'password',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
]);

const CENSOR = '[redacted]';

/** Options for `pino()` or Fastify's `logger`. */
export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    redact: { paths: [...secretPaths, ...headerPaths, ...codePaths], censor: CENSOR },
    // Both set explicitly: Fastify only adds its own when it builds the logger, not for a `loggerInstance`.
    serializers: { req: serializeRequest, res: serializeResponse },
  };
}

interface RequestLike {
  id?: unknown;
  method?: unknown;
  url?: unknown;
  ip?: unknown;
  socket?: { remoteAddress?: unknown } | null;
}

/** Fastify request (or raw Node request) to the few fields worth a log line; no headers, no body. */
export function serializeRequest(req: RequestLike): Record<string, unknown> {
  return {
    id: req.id,
    method: req.method,
    url: typeof req.url === 'string' ? stripSecretQuery(req.url) : req.url,
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
  };
}

export function serializeResponse(res: { statusCode?: unknown }): Record<string, unknown> {
  return { statusCode: res.statusCode };
}

export function stripSecretQuery(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const hashAt = url.indexOf('#', q);
  const query = url.slice(q + 1, hashAt === -1 ? undefined : hashAt);
  // Rewritten by hand instead of through URLSearchParams so the rest of the query keeps its encoding.
  const cleaned = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      return SECRET_QUERY_PARAMS.has(safeDecode(name).toLowerCase()) ? `${name}=${CENSOR}` : pair;
    })
    .join('&');
  // A fragment never reaches the server, but a logged URL built elsewhere might carry one.
  return `${url.slice(0, q)}?${cleaned}${hashAt === -1 ? '' : url.slice(hashAt)}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
