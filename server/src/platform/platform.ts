import { resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import type { Env } from './config/env.ts';
import { openDatabase, type Database } from './db/database.ts';
import { createKeyring, parseOldKeys } from './secrets/crypto.ts';
import type { Keyring } from './secrets/keyring.ts';
import { resolveMasterKey } from './secrets/master-key.ts';
import { createStorage, type Storage } from './storage/index.ts';
import { createEventBus, type EventBus } from './events/index.ts';
import { Jobs } from './jobs/jobs.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { loggerOptions } from './observability/logger.ts';
import { AuthService } from './auth/auth.service.ts';
import { createRateLimits, type RateLimits } from './http/rate-limit.ts';

/** The platform floor: everything a capability may use, built once per process. */
export interface Platform {
  env: Env;
  log: Logger;
  db: Database;
  keyring: Keyring;
  storage: Storage;
  events: EventBus;
  jobs: Jobs;
  metrics: Metrics;
  auth: AuthService;
  rateLimits: RateLimits;
  /** Capabilities register what they opened (connections, timers) to be released on close. */
  onClose(fn: () => Promise<void> | void): void;
  close(): Promise<void>;
}

export async function createPlatform(env: Env, overrides: { log?: Logger } = {}): Promise<Platform> {
  const log = overrides.log ?? pino(loggerOptions(env.LOG_LEVEL));
  const dataDir = resolve(env.ATELIER_DATA_DIR);
  const masterKey = await resolveMasterKey({ envKey: env.ATELIER_MASTER_KEY, dataDir, production: env.NODE_ENV === 'production' });
  const keyring = createKeyring({ current: masterKey, older: parseOldKeys(env.ATELIER_OLD_MASTER_KEYS) });
  const db = await openDatabase(
    env.DATABASE_URL
      ? { kind: 'postgres', url: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX }
      : { kind: 'pglite', dataDir: resolve(dataDir, 'db') },
  );
  const storage = createStorage({
    dataDir,
    urlSecret: keyring.derive('media-url'),
    defaultTtlSeconds: env.SIGNED_URL_TTL_SECONDS,
    s3: {
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      bucket: env.S3_BUCKET,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
    },
  });
  const events = createEventBus({
    redisUrl: env.REDIS_URL,
    prefix: 'atelier',
    onListenerError: (err) => log.warn({ err }, 'event listener failed'),
    onConnectionError: (err) => log.warn({ err }, 'event bus connection error'),
  });
  const metrics = createMetrics();
  const closers: (() => Promise<void> | void)[] = [];
  const jobs = new Jobs(db, log, { onOutcome: (queue, outcome) => metrics.jobsCompleted.inc({ queue, outcome }) });
  metrics.setQueueDepthCollector(() => jobs.depth());
  if (!env.S3_BUCKET) metrics.setStorageDir(dataDir);
  const auth = new AuthService(db, env, keyring);
  const rateLimits = createRateLimits({ redisUrl: env.REDIS_URL, authPerMinute: env.AUTH_RATE_LIMIT_PER_MINUTE });
  return {
    env,
    log,
    db,
    keyring,
    storage,
    events,
    jobs,
    metrics,
    auth,
    rateLimits,
    onClose(fn) {
      closers.push(fn);
    },
    async close() {
      await jobs.stop();
      for (const fn of closers.splice(0)) await fn();
      await rateLimits.close();
      await events.close();
      await db.close();
    },
  };
}
