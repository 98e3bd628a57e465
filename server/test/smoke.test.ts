import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, testRuntime, type TestRuntime } from './helpers/runtime.ts';
import { ownerClient, personaBody } from './helpers/api.ts';

describe.each(backends)('smoke on %s', (backend) => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await testRuntime(backend);
  });
  afterAll(() => rt?.stop());

  it('answers /healthz and serves personas', async () => {
    const health = await rt.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok' });
    const { client } = await ownerClient(rt.app, rt.platform);
    const created = await client.post('/api/v1/personas', personaBody());
    expect(created.status).toBe(201);
    const listed = await client.get('/api/v1/personas');
    expect(listed.body.items.map((p: { name: string }) => p.name)).toEqual(['Lina']);
  });
});

describe('web API client', () => {
  it('is generated from the current OpenAPI document (run `npm run gen:api` after changing routes)', async () => {
    const rt = await testRuntime('pglite');
    try {
      const spec = (await rt.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      const committed = JSON.parse(readFileSync(new URL('../../web/src/api/openapi.json', import.meta.url), 'utf8'));
      expect(committed).toEqual(spec);
    } finally {
      await rt.stop();
    }
  });
});
