import { describe, expect, it } from 'vitest';
import { createRateLimits, consumeOrThrow } from '../../src/platform/http/rate-limit.ts';
import { TEST_REDIS_URL } from '../helpers/runtime.ts';

describe.each([
  ['in-process', undefined],
  ['redis', TEST_REDIS_URL],
])('auth rate limit (%s)', (_name, redisUrl) => {
  it('answers 429 with a retry delay past the limit, per address', async () => {
    const a = createRateLimits({ redisUrl, authPerMinute: 3 });
    const b = createRateLimits({ redisUrl, authPerMinute: 3 });
    const ip = `198.51.100.${Math.floor(Math.random() * 250)}-${Date.now()}`;
    try {
      // With Redis, two API instances share one count; in-process, each counts its own.
      const second = redisUrl ? b : a;
      await consumeOrThrow(a.auth, ip);
      await consumeOrThrow(second.auth, ip);
      await consumeOrThrow(a.auth, ip);
      await expect(consumeOrThrow(second.auth, ip)).rejects.toMatchObject({ status: 429, code: 'rate_limited' });
      await expect(consumeOrThrow(a.auth, `${ip}-other`)).resolves.toBeUndefined();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
