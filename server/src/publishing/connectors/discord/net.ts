/**
 * Network-failure classification for connectors using Node's fetch (undici): a failure while connecting
 * means nothing was sent (safe to retry); anything later (reset, abort, timeout) may have landed.
 */
const CONNECT_PHASE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID']);

/** Walks an error's cause chain (and AggregateErrors) for a connect-phase error code. */
export function isConnectPhaseError(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECT_PHASE_CODES.has(code)) return true;
  if (error instanceof AggregateError && error.errors.some((e) => isConnectPhaseError(e, depth + 1))) return true;
  return isConnectPhaseError((error as { cause?: unknown }).cause, depth + 1);
}
