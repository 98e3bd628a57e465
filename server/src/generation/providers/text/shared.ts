/** Small plumbing shared by the text-model clients. */

/** How long a health probe may take when the caller gives no signal. */
export const HEALTH_TIMEOUT_MS = 5_000;

export function healthSignal(signal?: AbortSignal): AbortSignal {
  return signal ?? AbortSignal.timeout(HEALTH_TIMEOUT_MS);
}

/**
 * A fetch that also obeys `signal`, combined with whatever signal the SDK passes itself. SDKs that create their own
 * AbortController (or pass none) still stop when the job is cancelled or times out.
 */
export function signalledFetch(base: typeof fetch, signal: AbortSignal | undefined): typeof fetch {
  if (!signal) return base;
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const own = init?.signal ?? undefined;
    return base(input, { ...init, signal: own ? AbortSignal.any([own, signal]) : signal });
  }) as typeof fetch;
}
