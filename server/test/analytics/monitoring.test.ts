import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.ts';
import { startFakeX, type FakeX } from '../fakes/x.ts';
import { publishNow, xChannel } from './support.ts';
import { serveMetrics } from '../../src/platform/observability/metrics-server.ts';

/** /metrics on the whole product: every family the issue names is exposed, and the ones fed by work are fed. */
describe('/metrics carries HTTP, job, queue-depth, provider-latency, publish-outcome and chat-latency metrics', () => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let orgId: string;
  let ollama: FakeOllama;
  let fake: FakeX;

  beforeAll(async () => {
    ollama = await startFakeOllama();
    fake = await startFakeX();
    rt = await testRuntime('pglite');
    const o = await ownerClient(rt.app, rt.platform, 'Metrics');
    owner = o.client;
    orgId = o.orgId;
  }, 120_000);
  afterAll(async () => {
    await rt?.stop();
    await ollama?.close();
    await fake?.close();
  });

  it('exposes every family and observes provider calls, publications, requests and queues', async () => {
    const provider = await owner.post('/api/v1/providers', { type: 'ollama', name: 'Local', config: { baseUrl: ollama.url, model: 'llama3.2' } });
    expect(provider.status).toBe(201);
    expect((await owner.post(`/api/v1/providers/${provider.body.id}/check`)).status).toBe(200);
    const personaId = (await owner.post('/api/v1/personas', personaBody('Mira'))).body.id;
    const channelId = await xChannel(owner, fake, personaId, '@mira_notes');
    await publishNow(rt, owner, orgId, personaId, [channelId], 'Rainy window study');

    const res = await rt.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    const text = res.body;
    for (const family of ['atelier_http_request_duration_seconds', 'atelier_jobs_completed_total', 'atelier_queue_depth', 'atelier_provider_latency_seconds', 'atelier_publish_outcomes_total', 'atelier_chat_latency_seconds']) {
      expect(text).toContain(`# TYPE ${family}`);
    }
    expect(text).toMatch(/atelier_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/providers\/:id\/check",status_code="200"\} 1/);
    expect(text).toMatch(/atelier_provider_latency_seconds_count\{provider="ollama",operation="health"\} 1/);
    expect(text).toMatch(/atelier_publish_outcomes_total\{platform="x",outcome="published"\} 1/);
    // Queues are read from pg-boss at scrape time: the analytics jobs are among them.
    expect(text).toMatch(/atelier_queue_depth\{queue="analytics.deliver",state="queued"\} 0/);
  });

  it('serves the same registry from a worker process (cli worker, WORKER_METRICS_PORT)', async () => {
    const server = await serveMetrics(rt.platform.metrics.registry, { host: '127.0.0.1', port: 0 });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/atelier_publish_outcomes_total\{platform="x",outcome="published"\} 1/);
      expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
