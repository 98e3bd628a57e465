/**
 * One token refresh per spent token, in this process.
 *
 * Several jobs use one channel at once (dispatch, the engagement pull, metrics, the sales syncs, the chat
 * poller). When the token nears expiry each of them would refresh it, and X's and Fanvue's refresh tokens
 * are single-use: the second refresh fails with invalid_grant and the channel would be flagged "reconnect
 * needed" although the first one stored valid tokens. So callers refreshing the same token of the same
 * channel share the first refresh's answer, and a caller that still holds the old token a few minutes later
 * (it read the credentials before they were stored) gets that answer too, without asking the platform
 * again. A failed refresh is not kept: the next caller tries again.
 *
 * Across processes, ChannelsService.authRefused re-reads the stored credentials before any caller flags a channel.
 */
import { createHash } from 'node:crypto';

/** How long an answer serves callers that still hold the token it replaced. */
export const REFRESH_ANSWER_KEEP_MS = 5 * 60_000;

interface Flight {
  promise: Promise<Record<string, string>>;
  /** Infinity while in flight. */
  keepUntil: number;
}

/** Held by each connector instance (one per process: the registry's), shared by every job that uses it. */
export class RefreshFlights {
  readonly #flights = new Map<string, Flight>();

  /**
   * Runs `refresh` unless a refresh of the same `spent` token (for the same channel and token endpoint)
   * is in flight or just succeeded, in which case its answer is returned.
   */
  once(scope: { accountId: string; endpoint: string }, spent: string, refresh: () => Promise<Record<string, string>>): Promise<Record<string, string>> {
    const now = Date.now();
    for (const [key, flight] of this.#flights) if (flight.keepUntil < now) this.#flights.delete(key);
    // Hashed: the map never holds a token as a key.
    const key = createHash('sha256').update(JSON.stringify([scope.accountId, scope.endpoint, spent])).digest('base64url');
    const existing = this.#flights.get(key);
    if (existing) return existing.promise.then((answer) => ({ ...answer }));
    const promise = refresh();
    const flight: Flight = { promise, keepUntil: Number.POSITIVE_INFINITY };
    this.#flights.set(key, flight);
    promise.then(
      () => {
        flight.keepUntil = Date.now() + REFRESH_ANSWER_KEEP_MS;
      },
      () => {
        if (this.#flights.get(key) === flight) this.#flights.delete(key);
      },
    );
    return promise.then((answer) => ({ ...answer }));
  }
}
