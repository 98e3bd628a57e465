import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';

describe.each(backends)('chat profile settings (%s)', (backend) => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let personaId: string;
  const put = (body: Record<string, unknown>) => owner.call('PUT', `/api/v1/personas/${personaId}/chat-profile`, { card: { name: 'Mila' }, ...body });

  beforeAll(async () => {
    rt = await testRuntime(backend);
    owner = (await ownerClient(rt.app, rt.platform, 'Profile')).client;
    personaId = (await owner.post('/api/v1/personas', personaBody('Mila'))).body.id;
  }, 120_000);
  afterAll(() => rt?.stop());

  it('refuses a mistyped setting in params, params.pacing or selling, naming it, and stores nothing', async () => {
    const saved = await put({ params: { maxTokens: 200 } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    for (const [body, key, path] of [
      [{ params: { maxToken: 5 } }, 'maxToken', 'body.params'],
      [{ params: { pacing: { enable: false } } }, 'enable', 'body.params.pacing'],
      [{ selling: { maxOffersPerDay: 1, pushy: 'eager' } }, 'pushy', 'body.selling'],
    ] as const) {
      const r = await put(body);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.code).toBe('validation_failed');
      const errors = r.body.errors as { path: string; message: string }[];
      expect(errors.some((e) => e.path === path && e.message.includes(key)), JSON.stringify(errors)).toBe(true);
    }
    expect((await owner.get(`/api/v1/personas/${personaId}/chat-profile`)).body.params.maxTokens).toBe(200);
  });

  it('keeps what other tools put on the card (extensions) and takes known settings as before', async () => {
    const card = { name: 'Mila', description: 'A fictional travel photographer.', extensions: { 'other/tool': { mood: 'sunny', depth: 3 } } };
    const r = await put({ card, params: { maxTokens: 256, pacing: { enabled: false } }, selling: { pushiness: 'balanced' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const got = (await owner.get(`/api/v1/personas/${personaId}/chat-profile`)).body;
    expect(got.card.extensions).toEqual(card.extensions);
    expect(got.params).toMatchObject({ maxTokens: 256, pacing: { enabled: false, msPerChar: 30, maxMs: 6000 } });
    expect(got.selling).toMatchObject({ pushiness: 'balanced', enabled: true });
    // What GET answers goes back unchanged (the web edits it and sends it whole).
    const { personaId: _p, updatedAt: _u, ...body } = got;
    const again = await owner.call('PUT', `/api/v1/personas/${personaId}/chat-profile`, body);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
  });
});
