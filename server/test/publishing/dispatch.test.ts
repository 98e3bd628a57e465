import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { eq } from 'drizzle-orm';
import { mediaAssets } from '../../src/platform/db/schema/index.ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import { ConnectorError, type ChannelAccount, type Connector, type PublishRequest, type PublishResult } from '../../src/publishing/connectors/types.ts';

type Step = 'ok' | 'unknown' | 'auth' | { rateLimited: number } | 'unavailable' | 'rejected';

/** A scripted platform: each publish takes the next step; what "landed" is recorded like a real server would. */
class ScriptedConnector implements Connector {
  readonly platform = 'x' as const;
  steps: Step[] = [];
  landed: PublishRequest[] = [];
  refreshes = 0;
  refreshRevoked = false;
  policy() {
    return { accepts: ['sfw', 'suggestive'] as ('sfw' | 'suggestive')[], disclosureRequired: true, maxMedia: 4, maxTextLength: 280, flagsAdultMedia: true, needsPublicMediaUrl: false };
  }
  async publish(account: ChannelAccount, request: PublishRequest): Promise<PublishResult> {
    const step = this.steps.shift() ?? 'ok';
    if (step === 'auth') throw new ConnectorError('x', 'auth', 'token expired');
    if (step === 'rejected') throw new ConnectorError('x', 'rejected', 'duplicate content');
    if (step === 'unavailable') throw new ConnectorError('x', 'unavailable', 'HTTP 503');
    if (typeof step === 'object') throw new ConnectorError('x', 'rate_limited', 'HTTP 429', { retryAfterSeconds: step.rateLimited });
    expect(account.credentials.access_token).toBeTruthy();
    this.landed.push(request);
    if (step === 'unknown') throw new ConnectorError('x', 'unknown_outcome', 'timed out after sending');
    return { remoteId: `tw-${this.landed.length}` };
  }
  async find(_account: ChannelAccount, request: Pick<PublishRequest, 'idempotencyKey'>) {
    const i = this.landed.findIndex((r) => r.idempotencyKey === request.idempotencyKey);
    return i >= 0 ? { remoteId: `tw-${i + 1}` } : null;
  }
  async refresh(account: ChannelAccount) {
    this.refreshes++;
    if (this.refreshRevoked) throw new ConnectorError('x', 'auth', 'invalid_grant');
    return { access_token: `fresh-${this.refreshes}`, refresh_token: '' };
  }
}

describe('publishing: calendar → dispatch, exactly once', () => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let personaId: string;
  let assetId: string;
  let sandboxId: string;
  let xId: string;
  const x = new ScriptedConnector();

  beforeAll(async () => {
    rt = await testRuntime('pglite', {}, { workers: true });
    publishingServices(rt.platform).connectors.set(x);
    owner = (await ownerClient(rt.app, rt.platform, 'Publishing')).client;
    personaId = (await owner.post('/api/v1/personas', personaBody('Nora'))).body.id;
    const png = await sharp({ create: { width: 300, height: 300, channels: 3, background: { r: 240, g: 200, b: 40 } } }).png().toBuffer();
    const form = new FormData();
    form.set('personaId', personaId);
    form.set('file', new Blob([png], { type: 'image/png' }), 'sun.png');
    const req = new Request('http://x/', { method: 'POST', body: form });
    const up = await rt.app.inject({ method: 'POST', url: '/api/v1/media/upload', headers: { authorization: `Bearer ${owner.token}`, 'content-type': req.headers.get('content-type')! }, payload: Buffer.from(await req.arrayBuffer()) });
    expect(up.statusCode, up.body).toBe(201);
    assetId = up.json().id;
    sandboxId = (await owner.post('/api/v1/channels', { personaId, platform: 'sandbox', handle: 'outbox' })).body.id;
    xId = (await owner.post('/api/v1/channels', { personaId, platform: 'x', handle: '@nora', credentials: { access_token: 'old', refresh_token: 'keep-me' } })).body.id;
  }, 60_000);
  afterAll(() => rt?.stop());

  const post = async (channelId: string, caption = 'Sunny day') => {
    const created = await owner.post('/api/v1/posts', { personaId, caption, assetId, targets: [{ channelId, variant: 'square' }] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await owner.post(`/api/v1/posts/${created.body.id}/approve`)).status).toBe(200);
    return created.body as { id: string; targets: { id: string; text: string }[] };
  };
  const schedule = async (id: string, inMs = 500) => {
    const res = await owner.post(`/api/v1/posts/${id}/schedule`, { at: new Date(Date.now() + inMs).toISOString() });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const targetOf = async (id: string) => (await owner.get(`/api/v1/posts/${id}`)).body.targets[0];
  const settle = (id: string, statuses: string[]) =>
    vi.waitFor(
      async () => {
        const t = await targetOf(id);
        expect(statuses, `target still ${t.status}: ${JSON.stringify(t.error)}`).toContain(t.status);
        return t;
      },
      { timeout: 20_000, interval: 200 },
    );

  it('a scheduled post lands once in the sandbox outbox, with the AI disclosure', async () => {
    const p = await post(sandboxId);
    expect(p.targets[0]!.text).toContain('AI-generated persona');
    await schedule(p.id);
    const t = await settle(p.id, ['published']);
    const outbox = JSON.parse(await readFile(join(rt.dataDir, 'outbox', sandboxId, t.remoteId.replace('sandbox:', ''), 'post.json'), 'utf8'));
    expect(outbox.text).toContain('Sunny day');
    expect(outbox.files).toHaveLength(1);
    // Dispatching the same target again (a duplicate job) sends nothing.
    const { dispatcher } = publishingServices(rt.platform);
    await dispatcher.dispatch({ data: { orgId: t.orgId ?? (await owner.get('/api/v1/me')).body.org.id, targetId: t.id, version: 1 } });
    expect((await targetOf(p.id)).status).toBe('published');
    expect((await owner.get(`/api/v1/posts/${p.id}`)).body.status).toBe('published');
  });

  it('429 with Retry-After waits and then succeeds', async () => {
    x.steps = [{ rateLimited: 1 }, 'ok'];
    const p = await post(xId, 'Rate limited once');
    await schedule(p.id);
    const t = await settle(p.id, ['published']);
    expect(t.attempts).toBe(2);
    expect(x.landed.filter((r) => r.text.startsWith('Rate limited once'))).toHaveLength(1);
  });

  it('an expired token is refreshed, the refresh token kept, and the post succeeds', async () => {
    x.steps = ['auth', 'ok'];
    const p = await post(xId, 'After refresh');
    await schedule(p.id);
    await settle(p.id, ['published']);
    const creds = await publishingServices(rt.platform).channels.account((await owner.get('/api/v1/me')).body.org.id, xId);
    expect(creds.credentials).toMatchObject({ access_token: expect.stringMatching(/^fresh-/), refresh_token: 'keep-me' });
  });

  it('a timeout after sending is an unknown outcome: found on the platform, never sent twice', async () => {
    x.steps = ['unknown'];
    const before = x.landed.length;
    const p = await post(xId, 'Slow answer');
    await schedule(p.id);
    const t = await settle(p.id, ['published', 'needs_review']);
    expect(t.status).toBe('published');
    expect(x.landed.length - before).toBe(1);
  });

  it('editing a published post never republishes unless asked', async () => {
    const p = await post(sandboxId, 'Edit me');
    await schedule(p.id);
    await settle(p.id, ['published']);
    const edited = await owner.call('PUT', `/api/v1/posts/${p.id}`, { caption: 'Edited caption' });
    expect(edited.status).toBe(200);
    expect(edited.body.targets[0].status).toBe('published');
    expect(edited.body.targets[0].text).not.toContain('Edited caption');
  });

  it('a revoked grant flags the channel once and fails the target', async () => {
    x.steps = ['auth', 'auth'];
    x.refreshRevoked = true;
    const p = await post(xId, 'Revoked');
    await schedule(p.id);
    const t = await settle(p.id, ['failed']);
    expect(t.error.kind).toBe('auth');
    expect((await owner.get(`/api/v1/channels/${xId}`)).body.status).toBe('reconnect_needed');
    const alerts = await owner.get('/api/v1/audit?action=channel.reconnect_needed');
    expect(alerts.body.items).toHaveLength(1);
  });

  it('refuses explicit media for a channel that forbids it, at scheduling time', async () => {
    await rt.platform.db.withSystem((tx) => tx.update(mediaAssets).set({ rating: 'explicit' }).where(eq(mediaAssets.id, assetId)));
    const res = await owner.post('/api/v1/posts', { personaId, caption: 'nope', assetId, targets: [{ channelId: xId }] });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('rating_not_allowed');
    expect(res.body.detail).toMatch(/accepts sfw, suggestive content only; this media is rated explicit/);
  });
});

describe('publishing: content checks before scheduling', () => {
  let rt: TestRuntime;
  let owner: ApiClient;
  beforeAll(async () => {
    rt = await testRuntime('pglite');
    owner = (await ownerClient(rt.app, rt.platform, 'Checks')).client;
  });
  afterAll(() => rt?.stop());

  const upload = async (personaId: string, png: Buffer) => {
    const form = new FormData();
    form.set('personaId', personaId);
    form.set('file', new Blob([png], { type: 'image/png' }), 'a.png');
    const req = new Request('http://x/', { method: 'POST', body: form });
    const res = await rt.app.inject({ method: 'POST', url: '/api/v1/media/upload', headers: { authorization: `Bearer ${owner.token}`, 'content-type': req.headers.get('content-type')! }, payload: Buffer.from(await req.arrayBuffer()) });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };

  it('refuses the same picture on a second persona, and Instagram without a public media URL', async () => {
    const png = await sharp({ create: { width: 320, height: 320, channels: 3, background: { r: 20, g: 140, b: 90 } } }).png().toBuffer();
    const [a, b] = await Promise.all([owner.post('/api/v1/personas', personaBody('Ada')), owner.post('/api/v1/personas', personaBody('Bea'))]);
    const [assetA, assetB] = [await upload(a.body.id, png), await upload(b.body.id, png)];
    const chanA = (await owner.post('/api/v1/channels', { personaId: a.body.id, platform: 'sandbox', handle: 'a' })).body.id;
    const chanB = (await owner.post('/api/v1/channels', { personaId: b.body.id, platform: 'sandbox', handle: 'b' })).body.id;
    expect((await owner.post('/api/v1/posts', { personaId: a.body.id, caption: 'one', assetId: assetA, targets: [{ channelId: chanA }] })).status).toBe(201);
    const copy = await owner.post('/api/v1/posts', { personaId: b.body.id, caption: 'two', assetId: assetB, targets: [{ channelId: chanB }] });
    expect(copy.status).toBe(409);
    expect(copy.body.code).toBe('near_duplicate_across_personas');

    const ig = (await owner.post('/api/v1/channels', { personaId: a.body.id, platform: 'instagram', handle: '@ada', settings: { igUserId: '17841400000000000' }, credentials: { access_token: 't' } })).body.id;
    const insta = await owner.post('/api/v1/posts', { personaId: a.body.id, caption: 'insta', assetId: assetA, targets: [{ channelId: ig }] });
    expect(insta.status).toBe(422);
    expect(insta.body.code).toBe('no_public_url');
  });
});
