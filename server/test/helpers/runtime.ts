import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadEnv, type Env } from '../../src/platform/config/env.ts';
import { startRuntime, type Runtime } from '../../src/entry/runtime.ts';
import type { App } from '../../src/platform/http/app.ts';

export type Backend = 'pglite' | 'postgres';
export const backends: Backend[] = ['pglite', 'postgres'];

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A database of its own on the real PostgreSQL, so test files can run in parallel. */
export async function scratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `atelier_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface TestRuntime extends Runtime {
  app: App;
  env: Env;
  dataDir: string;
}

/** The whole product in-process (no listening socket and no dashboard unless asked), on a fresh database and data dir. */
export async function testRuntime(
  backend: Backend,
  overrides: Record<string, string> = {},
  opts: { workers?: boolean; listen?: boolean; webDist?: string | null } = {},
): Promise<TestRuntime> {
  const dataDir = await mkdtemp(join(tmpdir(), 'atelier-test-'));
  const db = backend === 'postgres' ? await scratchDatabase() : null;
  const env = loadEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ATELIER_DATA_DIR: dataDir,
    ATELIER_MASTER_KEY: randomBytes(32).toString('base64'),
    PORT: '0',
    // Tests sign in many times from one address; the limiter has its own test.
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    ...(db ? { DATABASE_URL: db.url } : {}),
    ...overrides,
  });
  const runtime = await startRuntime(env, { http: true, workers: opts.workers ?? false, webDist: opts.webDist ?? null, listen: opts.listen ?? false });
  return {
    ...runtime,
    app: runtime.app!,
    env,
    dataDir,
    async stop() {
      await runtime.stop();
      await db?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
