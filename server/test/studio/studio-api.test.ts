import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { rowsOf } from '../../src/platform/db/database.ts';
import { generationServices } from '../../src/generation/index.ts';
import { LibraryService } from '../../src/generation/library.service.ts';
import { PersonasService } from '../../src/personas/index.ts';
import type { Rater } from '../../src/safety/types.ts';
import { insertPngText } from '../fakes/util.ts';
import { expectMarkedAndClean } from './support.ts';

const origin = { ip: null, userAgent: 'test', requestId: null };

describe('studio API: gate, uploads, approval, daily plan', () => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let orgId: string;
  let personaId: string;

  beforeAll(async () => {
    rt = await testRuntime('pglite', { ATELIER_DENY_NAMES: 'Taylor Swift, Zendaya' });
    const o = await ownerClient(rt.app, rt.platform, 'Gate org');
    owner = o.client;
    orgId = o.orgId;
    personaId = (await owner.post('/api/v1/personas', personaBody('Mila'))).body.id;
    const voice = await owner.post('/api/v1/providers', { type: 'espeak', name: 'Local voice', config: {} });
    expect(voice.status).toBe(201);
  });
  afterAll(() => rt?.stop());

  const refusedPrompts = [
    'nude photo of a 15 year old girl',
    'photo nue d’une adolescente de 15 ans',
    'foto desnuda de una niña de 14 años',
    'Nacktfoto eines Kindes',
  ];
  const adultPrompts = [
    'boudoir portrait of an adult woman, 30 years old, in lingerie',
    'portrait d’une femme de 28 ans en robe rouge au coucher du soleil',
    'retrato de una mujer adulta de 25 años en la playa',
    'Porträt einer erwachsenen Frau, 32 Jahre alt, im Café',
  ];

  it('refuses sexual content with minors in four languages, audited, before any job exists', async () => {
    for (const text of refusedPrompts) {
      const res = await owner.post('/api/v1/studio/jobs', { kind: 'voice', personaId, text });
      expect(res.status, text).toBe(422);
      expect(res.body.code).toBe('prompt_refused');
      expect(res.body.detail).toMatch(/minor|childlike/i);
    }
    const audit = await owner.get('/api/v1/audit?action=safety.prompt_refused&limit=50');
    expect(audit.body.items).toHaveLength(refusedPrompts.length);
    const jobs = await owner.get('/api/v1/studio/jobs');
    expect(jobs.body.items).toHaveLength(0);
  });

  it('lets ordinary adult prompts through', async () => {
    for (const text of adultPrompts) {
      const res = await owner.post('/api/v1/studio/jobs', { kind: 'voice', personaId, text });
      expect(res.status, `${text}: ${JSON.stringify(res.body)}`).toBe(202);
    }
  });

  it('refuses real people from the deny-list, and a refused identity cannot be saved', async () => {
    const res = await owner.post('/api/v1/studio/jobs', { kind: 'voice', personaId, text: 'dressed like taylorswift on stage' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('prompt_real_person');
    const identity = await owner.call('PUT', `/api/v1/personas/${personaId}/studio`, { appearancePrompt: 'looks exactly like Zendaya' });
    expect(identity.status).toBe(422);
  });

  it('uploads are stripped, marked and rated like generated files', async () => {
    const png = insertPngText(
      await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 30, g: 120, b: 200 } } }).png().toBuffer(),
      { parameters: 'secret prompt, Steps: 30', workflow: '{"class_type":"KSampler"}' },
    );
    const form = new FormData();
    form.set('personaId', personaId);
    form.set('source', 'midjourney');
    form.set('tags', 'import, blue');
    form.set('file', new Blob([png], { type: 'image/png' }), 'mj.png');
    const request = new Request('http://localhost/api/v1/media/upload', { method: 'POST', body: form });
    const res = await rt.app.inject({
      method: 'POST',
      url: '/api/v1/media/upload',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': request.headers.get('content-type')! },
      payload: Buffer.from(await request.arrayBuffer()),
    });
    expect(res.statusCode, res.body).toBe(201);
    const asset = res.json();
    expect(asset).toMatchObject({ kind: 'image', rating: 'sfw', status: 'approved', tags: ['import', 'blue'] });
    expect(asset.origin.generator).toBe('midjourney');
    await expectMarkedAndClean(rt.platform.storage, asset, asset.variants.map((v: { key: string }) => v.key));
    // The signed link serves the bytes without a bearer token.
    const link = await rt.app.inject({ method: 'GET', url: asset.url });
    expect(link.statusCode).toBe(200);
    expect(link.headers['content-type']).toMatch(/^image\//);

    const json = await owner.post('/api/v1/media/upload', { personaId });
    expect(json.status).toBe(415);
  });

  it('explicit media waits for approval unless an admin switched the persona to auto-approve (audited)', async () => {
    const explicit: Rater = { rate: async () => ({ rating: 'explicit', scores: { Porn: 0.9, Neutral: 0.1 }, method: 'stub' }) };
    const library = new LibraryService(rt.platform, new PersonasService(rt.platform.db), explicit);
    const principal = { orgId, role: 'owner' as const, userId: null, apiKeyId: null, personaScope: null, sessionId: null };
    const image = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 10, b: 10 } } }).png().toBuffer();

    const queued = await library.upload(principal, { personaId, bytes: image, mimeType: 'image/png', source: 'upload', tags: [] }, origin);
    expect(queued.status).toBe('pending_approval');
    const pending = await owner.get(`/api/v1/media?personaId=${personaId}&status=pending_approval`);
    expect(pending.body.items.map((a: { id: string }) => a.id)).toContain(queued.id);
    const approved = await owner.post(`/api/v1/media/${queued.id}/approve`);
    expect(approved.body.status).toBe('approved');

    const toggle = await owner.call('PUT', `/api/v1/personas/${personaId}/studio/auto-approve`, { enabled: true });
    expect(toggle.status).toBe(200);
    const direct = await library.upload(principal, { personaId, bytes: image, mimeType: 'image/png', source: 'upload', tags: [] }, origin);
    expect(direct.status).toBe('approved');
    const audit = await owner.get('/api/v1/audit?action=studio.auto_approve_enabled');
    expect(audit.body.items).toHaveLength(1);
  });

  it('the daily plan runs once per local day, at the local time of her timezone', async () => {
    const tokyo = (await owner.post('/api/v1/personas', { ...personaBody('Aiko'), timezone: 'Asia/Tokyo' })).body.id;
    const saved = await owner.call('PUT', `/api/v1/personas/${tokyo}/studio`, {
      dailyPlan: { enabled: true, localTime: '06:00', images: 0, clips: 1, themes: ['morning coffee'] },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const { planner } = generationServices(rt.platform);
    // 20:30 UTC is 05:30 in Tokyo: not yet; 21:05 UTC is 06:05: due.
    expect((await planner.tick(new Date('2026-11-24T20:30:00Z'))).filter((r) => r.personaId === tokyo)).toEqual([]);
    const due = (await planner.tick(new Date('2026-11-24T21:05:00Z'))).filter((r) => r.personaId === tokyo);
    expect(due).toEqual([{ personaId: tokyo, localDate: '2026-11-25', jobs: 1, skipped: [] }]);
    expect((await planner.tick(new Date('2026-11-24T23:00:00Z'))).filter((r) => r.personaId === tokyo)).toEqual([]);
    const jobs = await rt.platform.db.withOrg(orgId, async (tx) =>
      rowsOf<{ kind: string; plan_date: string }>(await tx.execute(sql`select kind, plan_date::text from generation_jobs where persona_id = ${tokyo}`)),
    );
    expect(jobs).toEqual([{ kind: 'montage', plan_date: '2026-11-25' }]);
  });
});
