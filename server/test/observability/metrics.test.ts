import { tmpdir } from 'node:os';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerHttpMetrics } from '../../src/platform/observability/http-metrics.ts';
import { createMetrics } from '../../src/platform/observability/metrics.ts';

describe('metrics', () => {
  it('serves /metrics with request durations labelled by route pattern', async () => {
    const metrics = createMetrics();
    const app = Fastify();
    registerHttpMetrics(app, metrics);
    app.get('/personas/:id', async () => ({ ok: true }));

    await app.inject({ method: 'GET', url: '/personas/0b7c6a1e?x=1' });
    await app.inject({ method: 'GET', url: '/no/such/path' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    await app.close();

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('atelier_http_request_duration_seconds');
    expect(res.body).toContain(
      'atelier_http_request_duration_seconds_count{method="GET",route="/personas/:id",status_code="200"} 1',
    );
    expect(res.body).toContain('route="unmatched",status_code="404"');
    expect(res.body).not.toContain('0b7c6a1e');
    expect(res.body).not.toContain('/no/such/path');
    // Default Node metrics, on this registry and prefixed.
    expect(res.body).toContain('atelier_process_cpu_user_seconds_total');
  });

  it('reads queue depth from the collector at scrape time', async () => {
    const metrics = createMetrics();
    let rows = [
      { queue: 'generate', state: 'queued' as const, count: 3 },
      { queue: 'publish', state: 'failed' as const, count: 1 },
    ];
    metrics.setQueueDepthCollector(async () => rows);

    let text = await metrics.registry.metrics();
    expect(text).toContain('atelier_queue_depth{queue="generate",state="queued"} 3');
    expect(text).toContain('atelier_queue_depth{queue="publish",state="failed"} 1');

    rows = [{ queue: 'generate', state: 'queued', count: 0 }];
    text = await metrics.registry.metrics();
    expect(text).toContain('atelier_queue_depth{queue="generate",state="queued"} 0');
    expect(text).not.toContain('queue="publish"');

    metrics.setQueueDepthCollector(async () => {
      throw new Error('job store down');
    });
    text = await metrics.registry.metrics();
    expect(text).not.toContain('atelier_queue_depth{');
  });

  it('reports the free share of the local storage file system, absent when unknown', async () => {
    const metrics = createMetrics();
    expect(await metrics.registry.metrics()).not.toMatch(/^atelier_storage_free_ratio\{/m);
    metrics.setStorageDir(tmpdir());
    const value = Number(/^atelier_storage_free_ratio\{volume="data"\} (\S+)$/m.exec(await metrics.registry.metrics())?.[1]);
    expect(value).toBeGreaterThan(0);
    expect(value).toBeLessThanOrEqual(1);
    metrics.setStorageDir('/no/such/folder/anywhere');
    expect(await metrics.registry.metrics()).not.toMatch(/^atelier_storage_free_ratio\{/m);
  });

  it('gives each app its own registry', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.jobsCompleted.inc({ queue: 'generate', outcome: 'completed' });
    a.publishOutcomes.inc({ platform: 'x', outcome: 'published' });
    a.providerLatency.observe({ provider: 'openai', operation: 'image' }, 4.2);
    a.chatLatency.observe({ channel: 'telegram' }, 1.1);

    expect(await a.registry.metrics()).toContain('atelier_jobs_completed_total{queue="generate",outcome="completed"} 1');
    expect(await b.registry.metrics()).not.toContain('queue="generate"');
  });
});
