import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { HttpError } from './problem.ts';

export interface RateLimits {
  /** Sign-in, refresh and setup attempts per client address (account lockout is separate, per user). */
  auth: RateLimiterAbstract;
  close(): Promise<void>;
}

/** In-process by default; in Redis when REDIS_URL is set, so every API instance counts together. */
export function createRateLimits(opts: { redisUrl?: string | undefined; authPerMinute?: number }): RateLimits {
  const points = opts.authPerMinute ?? 30;
  if (!opts.redisUrl) {
    return { auth: new RateLimiterMemory({ keyPrefix: 'auth', points, duration: 60 }), close: async () => {} };
  }
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  const memory = new RateLimiterMemory({ keyPrefix: 'auth-fallback', points, duration: 60 });
  return {
    // While Redis is unreachable, each instance keeps limiting on its own rather than letting all through.
    auth: new RateLimiterRedis({ storeClient: redis, keyPrefix: 'atelier:rl:auth', points, duration: 60, insuranceLimiter: memory }),
    close: async () => {
      redis.disconnect();
    },
  };
}

export async function consumeOrThrow(limiter: RateLimiterAbstract, key: string) {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new HttpError(429, 'rate_limited', 'Too many attempts from this address: wait a moment', { retryAfterSeconds });
    }
    throw rejection;
  }
}
