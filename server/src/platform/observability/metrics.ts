import { statfs } from 'node:fs/promises';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface QueueDepthRow {
  queue: string;
  state: 'queued' | 'active' | 'failed';
  count: number;
}

export type QueueDepthCollector = () => Promise<QueueDepthRow[]>;

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  jobsCompleted: Counter<'queue' | 'outcome'>;
  queueDepth: Gauge<'queue' | 'state'>;
  providerLatency: Histogram<'provider' | 'operation'>;
  publishOutcomes: Counter<'platform' | 'outcome'>;
  chatLatency: Histogram<'channel'>;
  storageFreeRatio: Gauge<'volume'>;
  /** Queue depth is read from the job store at scrape time rather than tracked on every transition. */
  setQueueDepthCollector(fn: QueueDepthCollector): void;
  /** The folder media is stored in when storage is local (S3 capacity is the bucket owner's concern). */
  setStorageDir(dir: string): void;
}

export type JobOutcome = 'completed' | 'failed' | 'retried';

/**
 * A fresh registry per call, never prom-client's global one: tests build several apps in one process
 * and a global registry would throw on the second registration of each name.
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'atelier_' });
  const registers = [registry];

  let collector: QueueDepthCollector | undefined;
  let storageDir: string | undefined;

  const httpDuration = new Histogram({
    name: 'atelier_http_request_duration_seconds',
    help: 'HTTP request duration by route pattern',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers,
  });
  const jobsCompleted = new Counter({
    name: 'atelier_jobs_completed_total',
    help: 'Jobs that finished an attempt, by outcome (completed, failed, retried)',
    labelNames: ['queue', 'outcome'] as const,
    registers,
  });
  const queueDepth = new Gauge({
    name: 'atelier_queue_depth',
    help: 'Jobs per queue and state at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      // Reset first so a queue that drained or disappeared stops reporting its last value.
      this.reset();
      if (!collector) return;
      let rows: QueueDepthRow[];
      try {
        rows = await collector();
      } catch {
        // One unreachable job store must not fail the whole scrape; the series go absent instead.
        return;
      }
      for (const row of rows) this.set({ queue: row.queue, state: row.state }, row.count);
    },
  });
  const providerLatency = new Histogram({
    name: 'atelier_provider_latency_seconds',
    help: 'Latency of calls to AI providers',
    labelNames: ['provider', 'operation'] as const,
    // Generation calls run from sub-second (text) to minutes (video), beyond the default buckets.
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300],
    registers,
  });
  const publishOutcomes = new Counter({
    name: 'atelier_publish_outcomes_total',
    help: 'Attempts to publish to a platform, by outcome',
    labelNames: ['platform', 'outcome'] as const,
    registers,
  });
  const chatLatency = new Histogram({
    name: 'atelier_chat_latency_seconds',
    help: 'Time from an incoming chat message to the reply being sent',
    labelNames: ['channel'] as const,
    buckets: [0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120],
    registers,
  });

  const storageFreeRatio = new Gauge({
    name: 'atelier_storage_free_ratio',
    help: 'Free share of the file system holding local media storage (0–1)',
    // A label, so that "unknown" is an absent series rather than an unlabelled gauge's default 0 (= "full").
    labelNames: ['volume'] as const,
    registers,
    async collect() {
      this.reset();
      if (!storageDir) return;
      try {
        const fs = await statfs(storageDir);
        if (fs.blocks > 0) this.set({ volume: 'data' }, fs.bavail / fs.blocks);
      } catch {
        // Folder not created yet: absent rather than a false "full".
      }
    },
  });

  return {
    registry,
    storageFreeRatio,
    setStorageDir(dir) {
      storageDir = dir;
    },
    httpDuration,
    jobsCompleted,
    queueDepth,
    providerLatency,
    publishOutcomes,
    chatLatency,
    setQueueDepthCollector(fn) {
      collector = fn;
    },
  };
}
