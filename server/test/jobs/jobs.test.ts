import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { PgBoss, fromPglite } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv, type Env } from '../../src/platform/config/env.ts';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import { DEAD_LETTER_QUEUE, Jobs, type JobDefinition } from '../../src/platform/jobs/jobs.ts';
import { createPlatform, type Platform } from '../../src/platform/platform.ts';
import { backends, scratchDatabase } from '../helpers/runtime.ts';

/** Polls `probe` until it returns something truthy, or fails with `what` after `ms`. */
async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 20_000, every = 100): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

const ORIGIN = { ip: null, userAgent: null, requestId: null };
const Q = {
  echo: 'test.echo',
  crash: 'test.crash',
  fail: 'test.fail',
} as const;

interface Run {
  queue: string;
  id: string;
  marker: string;
  retryCount: number;
  orgId: string | null;
}

describe.each(backends)('jobs on %s', (backend) => {
  let env: Env;
  let platform: Platform;
  let dataDir: string;
  let dropDb: (() => Promise<void>) | null = null;
  let orgA: string;
  let orgB: string;
  const runs: Run[] = [];
  const ran = (marker: string) => runs.filter((r) => r.marker === marker);

  const definitions: JobDefinition<{ orgId: string | null; marker: string }>[] = [
    {
      name: Q.echo,
      options: { retryLimit: 0 },
      handler: async ({ id, data, retryCount }) => {
        runs.push({ queue: Q.echo, id, marker: data.marker, retryCount, orgId: data.orgId });
      },
    },
    {
      name: Q.crash,
      // Short expiry: an attempt whose worker vanished counts as dead after 1 s; retried at once.
      options: { retryLimit: 2, retryDelay: 0, retryBackoff: false, expireInSeconds: 1 },
      handler: async ({ id, data, retryCount }) => {
        runs.push({ queue: Q.crash, id, marker: data.marker, retryCount, orgId: data.orgId });
      },
    },
    {
      name: Q.fail,
      options: { retryLimit: 1, retryDelay: 0, retryBackoff: false },
      handler: async ({ id, data, retryCount }) => {
        runs.push({ queue: Q.fail, id, marker: data.marker, retryCount, orgId: data.orgId });
        throw new Error(`always fails (${data.marker})`);
      },
    },
  ];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'atelier-jobs-'));
    const scratch = backend === 'postgres' ? await scratchDatabase() : null;
    dropDb = scratch?.drop ?? null;
    env = loadEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      ATELIER_DATA_DIR: dataDir,
      ATELIER_MASTER_KEY: randomBytes(32).toString('base64'),
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    });
    platform = await createPlatform(env);
    // Definitions before start(): start() creates their queues.
    for (const def of definitions) platform.jobs.register(def);
    await platform.jobs.start();
    await platform.jobs.work();
    orgA = (await platform.auth.createOrgWithOwner({ orgName: 'A', email: `a-${randomUUID()}@example.test`, password: 'a long enough password' }, ORIGIN)).orgId;
    orgB = (await platform.auth.createOrgWithOwner({ orgName: 'B', email: `b-${randomUUID()}@example.test`, password: 'a long enough password' }, ORIGIN)).orgId;
  });

  afterAll(async () => {
    await platform?.close();
    await dropDb?.();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('drops a job enqueued in a rolled-back transaction and runs one from a committed transaction', async () => {
    const rolledBack = `rolled-back-${randomUUID()}`;
    const committed = `committed-${randomUUID()}`;
    await expect(
      platform.db.withOrg(orgA, async (tx) => {
        const id = await platform.jobs.enqueue(tx, Q.echo, { orgId: orgA, marker: rolledBack });
        expect(id).toBeTruthy();
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const committedId = await platform.db.withOrg(orgA, (tx) => platform.jobs.enqueue(tx, Q.echo, { orgId: orgA, marker: committed }));
    expect(committedId).toBeTruthy();

    const run = await eventually('the committed job to run', () => ran(committed)[0]);
    expect(run).toMatchObject({ id: committedId, orgId: orgA, retryCount: 0 });
    // A later job on the same queue (concurrency 1, oldest first) has run: so would the rolled-back one.
    const barrier = `barrier-${randomUUID()}`;
    await platform.jobs.send(Q.echo, { orgId: orgA, marker: barrier });
    await eventually('a later job to run', () => ran(barrier)[0]);
    expect(ran(rolledBack)).toEqual([]);
    const stored = await platform.jobs.boss.findJobs<{ marker: string }>(Q.echo, { data: { marker: rolledBack } });
    expect(stored).toEqual([]);
    expect(await platform.jobs.boss.findJobs(Q.echo, { id: committedId! })).toMatchObject([{ state: 'completed' }]);
  });

  it('retries a job whose worker died, on another worker', { timeout: 60_000 }, async () => {
    const marker = `crash-${randomUUID()}`;
    // Held back an hour so this process's worker leaves it alone; the "crashing" worker fetches it anyway.
    const id = await platform.db.withOrg(orgA, (tx) => platform.jobs.enqueue(tx, Q.crash, { orgId: orgA, marker }, { startAfter: new Date(Date.now() + 3_600_000) }));
    expect(id).toBeTruthy();

    // The worker that dies: on PostgreSQL another process (its own pool and Jobs); PGlite has one process.
    let crashedDb: Database | null = null;
    let crashed: Jobs;
    if (backend === 'postgres') {
      crashedDb = await openDatabase({ kind: 'postgres', url: env.DATABASE_URL!, poolMax: 2 });
      crashed = new Jobs(crashedDb, pino({ level: 'silent' }));
      for (const def of definitions) crashed.register(def);
      await crashed.start();
    } else {
      crashed = platform.jobs;
    }
    const fetched = await crashed.boss.fetch<{ marker: string }>(Q.crash, { ignoreStartAfter: true });
    expect(fetched.map((j) => j.id)).toEqual([id]);
    expect(fetched[0]!.retryCount).toBe(0);
    expect(await platform.jobs.boss.findJobs(Q.crash, { id: id! })).toMatchObject([{ state: 'active' }]);
    // ...and never completes it: the process is gone.
    if (crashedDb) {
      await crashed.stop();
      await crashedDb.close();
    }

    // Maintenance expires the attempt once expireInSeconds have passed. The product's own supervisor
    // checks each queue once a minute; a supervisor that checks every second stands in for waiting.
    const supervisor =
      backend === 'postgres'
        ? new PgBoss({ connectionString: env.DATABASE_URL!, schema: 'pgboss', supervise: false, schedule: false, migrate: false, monitorIntervalSeconds: 1, max: 2 })
        : new PgBoss({ db: fromPglite(platform.db.pglite!), backend: 'pglite', schema: 'pgboss', supervise: false, schedule: false, migrate: false, monitorIntervalSeconds: 1 });
    supervisor.on('error', () => {});
    await supervisor.start();
    try {
      const retried = await eventually(
        'the expired job to be retried and completed',
        async () => {
          const done = ran(marker).find((r) => r.retryCount >= 1);
          if (done) return done;
          await supervisor.supervise(Q.crash);
          return null;
        },
        20_000,
        250,
      );
      expect(retried).toMatchObject({ id, orgId: orgA, queue: Q.crash });
      expect(retried.retryCount).toBeGreaterThanOrEqual(1);
      await eventually('the job to be marked completed', async () => {
        const [job] = await platform.jobs.boss.findJobs(Q.crash, { id: id! });
        return job?.state === 'completed' ? job : null;
      });
      // The crashed attempt never ran the handler: exactly one run, on the retry.
      expect(ran(marker)).toHaveLength(1);
    } finally {
      // Its own pool on PostgreSQL; on PGlite the instance belongs to the platform.
      await supervisor.stop({ graceful: false, close: backend === 'postgres' });
    }
  });

  it('dead-letters a job that always fails after its retries, visible to its organization only', { timeout: 60_000 }, async () => {
    // Plenty of other organizations' dead letters first: listing must not stop at the oldest page.
    const noise = Array.from({ length: 1_050 }, (_, i) => ({ data: { orgId: orgB, marker: `noise-${i}` } }));
    await platform.jobs.boss.insert(DEAD_LETTER_QUEUE, noise);

    const marker = `doomed-${randomUUID()}`;
    const id = await platform.db.withOrg(orgA, (tx) => platform.jobs.enqueue(tx, Q.fail, { orgId: orgA, marker }));
    expect(id).toBeTruthy();

    const letter = await eventually(
      'the failed job in the dead-letter queue',
      async () => (await platform.jobs.deadLetters(orgA)).find((j) => (j.data as { marker?: string }).marker === marker),
      20_000,
      250,
    );
    // One first attempt and one retry (retryLimit 1), both failed.
    expect(ran(marker).map((r) => r.retryCount)).toEqual([0, 1]);
    expect(letter).toMatchObject({ name: DEAD_LETTER_QUEUE, sourceName: Q.fail, sourceId: id, data: { orgId: orgA, marker } });
    const [original] = await platform.jobs.boss.findJobs(Q.fail, { id: id! });
    expect(original).toMatchObject({ state: 'failed', retryCount: 1 });

    // Organization filter: B sees its own (the noise), never A's.
    const forB = await platform.jobs.deadLetters(orgB, 5_000);
    expect(forB.length).toBe(noise.length);
    expect(forB.every((j) => j.data.orgId === orgB)).toBe(true);
    expect(forB.some((j) => (j.data as { marker?: string }).marker === marker)).toBe(false);
    const forA = await platform.jobs.deadLetters(orgA);
    expect(forA.every((j) => j.data.orgId === orgA)).toBe(true);
    expect(await platform.jobs.deadLetters(randomUUID())).toEqual([]);
    // Newest first, limited.
    const limited = await platform.jobs.deadLetters(orgB, 10);
    expect(limited).toHaveLength(10);
    const times = limited.map((j) => +new Date(j.createdOn));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    // The outcomes reached the metrics: one retry, then one final failure.
    const text = await platform.metrics.registry.metrics();
    expect(text).toContain(`atelier_jobs_completed_total{queue="${Q.fail}",outcome="retried"} 1`);
    expect(text).toContain(`atelier_jobs_completed_total{queue="${Q.fail}",outcome="failed"} 1`);
  });
});
