import { PgBoss, fromDrizzle, fromPglite, type Job, type JobWithMetadata, type QueueOptions } from 'pg-boss';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { asOwner, type Database, type Tx } from '../db/database.ts';

/** Every job names its organization: the handler works inside withOrg(orgId) for its writes. */
export interface JobPayload {
  orgId: string | null;
  [key: string]: unknown;
}

export interface JobContext<T extends JobPayload> {
  id: string;
  data: T;
  /** 0 on the first attempt. */
  retryCount: number;
  signal: AbortSignal;
}

export interface JobDefinition<T extends JobPayload = JobPayload> {
  name: string;
  /** Defaults: 3 retries with exponential backoff from 5 s, 15 min before an active job counts as dead. */
  options?: Pick<QueueOptions, 'retryLimit' | 'retryDelay' | 'retryBackoff' | 'retryDelayMax' | 'expireInSeconds' | 'retentionSeconds'>;
  /** Cron (UTC) on which pg-boss enqueues this job by itself, once across all processes. */
  schedule?: string;
  /** Jobs of one queue run at most this many at once per process. */
  concurrency?: number;
  // Long external calls must not hold a transaction open (PGlite has one connection): handlers open
  // short withOrg transactions themselves.
  handler: (job: JobContext<T>) => Promise<unknown>;
}

export const DEAD_LETTER_QUEUE = 'atelier.dead-letter';

export interface JobEvents {
  onOutcome?: (queue: string, outcome: 'completed' | 'failed' | 'retried') => void;
}

/**
 * The durable queue (pg-boss on the same database). Enqueue inside the transaction that writes the row a
 * job acts on (`enqueue(tx, …)`): a rollback then also drops the job.
 */
export class Jobs {
  readonly boss: PgBoss;
  readonly #log: Logger;
  readonly #definitions = new Map<string, JobDefinition<any>>();
  readonly #events: JobEvents;
  #started = false;
  #working = false;

  constructor(db: Database, log: Logger, events: JobEvents = {}) {
    this.#log = log;
    this.#events = events;
    this.boss = db.pglite
      ? new PgBoss({ db: fromPglite(db.pglite), backend: 'pglite', schema: 'pgboss' })
      : new PgBoss({ db: poolAdapter(db), schema: 'pgboss' });
    this.boss.on('error', (error) => this.#log.error({ err: error }, 'job queue error'));
  }

  register<T extends JobPayload>(definition: JobDefinition<T>) {
    if (this.#definitions.has(definition.name)) throw new Error(`job ${definition.name} registered twice`);
    this.#definitions.set(definition.name, definition);
  }

  get names() {
    return [...this.#definitions.keys()];
  }

  /** Installs/migrates pg-boss's schema and creates every registered queue. */
  async start() {
    if (this.#started) return;
    await this.boss.start();
    await this.boss.createQueue(DEAD_LETTER_QUEUE, { retentionSeconds: 30 * 86_400, deleteAfterSeconds: 30 * 86_400 });
    for (const def of this.#definitions.values()) {
      await this.boss.createQueue(def.name, {
        retryLimit: 3,
        retryDelay: 5,
        retryBackoff: true,
        // pg-boss refuses a delay cap without backoff: the default cap only goes with the default backoff.
        ...(def.options?.retryBackoff === false ? {} : { retryDelayMax: 600 }),
        expireInSeconds: 900,
        ...def.options,
        deadLetter: DEAD_LETTER_QUEUE,
      });
      if (def.schedule) await this.boss.schedule(def.name, def.schedule, { orgId: null }, { tz: 'UTC' });
    }
    this.#started = true;
  }

  /** Starts consuming every registered queue in this process. */
  async work() {
    if (this.#working) return;
    this.#working = true;
    for (const def of this.#definitions.values()) {
      const size = def.concurrency ?? 1;
      await this.boss.work<JobPayload>(
        def.name,
        // A batch of up to `concurrency` jobs runs at once; while batches come back full, the next fetch
        // follows immediately instead of waiting for the poll.
        { batchSize: size, pollingIntervalSeconds: 1, ...(size > 1 ? { burstWhenBatchFull: true } : {}) },
        async (jobs: Job<JobPayload>[]) => {
          // Each job settles on its own: one failure must not fail (and retry) its batch neighbours.
          await Promise.all(
            jobs.map(async (job) => {
              try {
                await this.#run(def, job);
                await this.boss.complete(def.name, job.id);
              } catch (error) {
                await this.boss.fail(def.name, job.id, { message: error instanceof Error ? error.message : String(error) });
              }
            }),
          );
        },
      );
    }
  }

  async #run(def: JobDefinition<any>, job: Job<JobPayload>) {
    const retryCount = (job as Job<JobPayload> & { retryCount?: number }).retryCount ?? 0;
    try {
      await def.handler({ id: job.id, data: job.data, retryCount, signal: (job as { signal?: AbortSignal }).signal ?? new AbortController().signal });
      this.#events.onOutcome?.(def.name, 'completed');
    } catch (error) {
      const last = retryCount >= (def.options?.retryLimit ?? 3);
      this.#events.onOutcome?.(def.name, last ? 'failed' : 'retried');
      this.#log.warn({ err: error, job: def.name, jobId: job.id, retryCount }, last ? 'job failed for good' : 'job failed, will retry');
      throw error;
    }
  }

  /** Enqueues in the caller's transaction. */
  async enqueue<T extends JobPayload>(tx: Tx, name: string, data: T, options: { singletonKey?: string; startAfter?: Date | number } = {}) {
    this.#assertKnown(name);
    // pg-boss's tables belong to the owner, not to the tenant role the transaction runs as.
    return asOwner(tx, () => this.boss.send(name, data, { ...options, db: fromDrizzle(tx as never, sql) }));
  }

  /** Enqueues on its own, for work not tied to a row (schedules, retries by hand). */
  async send<T extends JobPayload>(name: string, data: T, options: { singletonKey?: string; startAfter?: Date | number } = {}) {
    this.#assertKnown(name);
    return this.boss.send(name, data, options);
  }

  /** Jobs that exhausted their retries, newest first, limited to one organization. */
  async deadLetters(orgId: string, limit = 100) {
    // findJobs answers oldest first, 1000 at most by default: filtering by org in the database and
    // reading every page keeps other organizations' (or older) letters from hiding the newest ones.
    const page = 1000;
    const jobs: JobWithMetadata<JobPayload & { __source?: unknown }>[] = [];
    for (let after: string | undefined; ; ) {
      const batch = await this.boss.findJobs<JobPayload & { __source?: unknown }>(DEAD_LETTER_QUEUE, { data: { orgId }, limit: page, ...(after ? { after } : {}) });
      jobs.push(...batch);
      if (batch.length < page) break;
      after = batch[batch.length - 1]!.id;
    }
    return jobs
      .filter((j) => j.data?.orgId === orgId)
      .sort((a, b) => +new Date(b.createdOn) - +new Date(a.createdOn))
      .slice(0, limit);
  }

  async depth(): Promise<{ queue: string; state: 'queued' | 'active' | 'failed'; count: number }[]> {
    if (!this.#started) return [];
    const out: { queue: string; state: 'queued' | 'active' | 'failed'; count: number }[] = [];
    for (const q of await this.boss.getQueues()) {
      out.push({ queue: q.name, state: 'queued', count: q.queuedCount }, { queue: q.name, state: 'active', count: q.activeCount });
      if (q.name === DEAD_LETTER_QUEUE) out.push({ queue: q.name, state: 'failed', count: q.totalCount });
    }
    return out;
  }

  async ping() {
    await this.boss.getQueue(DEAD_LETTER_QUEUE);
  }

  async stop() {
    if (!this.#started) return;
    this.#started = false;
    await this.boss.stop({ graceful: true, timeout: 5_000, close: false });
  }

  #assertKnown(name: string) {
    if (!this.#definitions.has(name)) throw new Error(`unknown job ${name}`);
  }
}

function poolAdapter(db: Database) {
  const pool = db.pool!;
  return { executeSql: (text: string, values?: unknown[]) => pool.query(text, values as unknown[]) };
}
