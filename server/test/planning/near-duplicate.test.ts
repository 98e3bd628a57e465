/**
 * "The same content across accounts" is refused whether the other persona's picture is the post's own
 * or one of its A/B variants' (a target carrying its own media).
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';

describe('near-identical pictures across personas', () => {
  let rt: TestRuntime;
  let owner: ApiClient;
  beforeAll(async () => {
    rt = await testRuntime('pglite');
    owner = (await ownerClient(rt.app, rt.platform, 'Copies')).client;
  }, 60_000);
  afterAll(() => rt?.stop());

  const upload = async (personaId: string, png: Buffer) => {
    const form = new FormData();
    form.set('personaId', personaId);
    form.set('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'a.png');
    const req = new Request('http://x/', { method: 'POST', body: form });
    const res = await rt.app.inject({ method: 'POST', url: '/api/v1/media/upload', headers: { authorization: `Bearer ${owner.token}`, 'content-type': req.headers.get('content-type')! }, payload: Buffer.from(await req.arrayBuffer()) });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };

  it('refuses a picture another persona carries as an A/B variant', async () => {
    const picture = await sharp({ create: { width: 320, height: 320, channels: 3, background: { r: 200, g: 60, b: 120 } } })
      .composite([{ input: await sharp({ create: { width: 120, height: 120, channels: 3, background: { r: 250, g: 240, b: 10 } } }).png().toBuffer(), left: 40, top: 150 }])
      .png()
      .toBuffer();
    const ada = (await owner.post('/api/v1/personas', personaBody('Ada'))).body.id as string;
    const bea = (await owner.post('/api/v1/personas', personaBody('Bea'))).body.id as string;
    const [assetAda, assetBea] = [await upload(ada, picture), await upload(bea, picture)];
    const adaChannels = [
      (await owner.post('/api/v1/channels', { personaId: ada, platform: 'sandbox', handle: 'ada-1' })).body.id,
      (await owner.post('/api/v1/channels', { personaId: ada, platform: 'sandbox', handle: 'ada-2' })).body.id,
    ];
    const beaChannel = (await owner.post('/api/v1/channels', { personaId: bea, platform: 'sandbox', handle: 'bea' })).body.id;

    // Ada's post has no picture of its own; its variant B carries the picture.
    const post = await owner.post('/api/v1/posts', { personaId: ada, caption: 'A walk by the canal', targets: adaChannels.map((channelId) => ({ channelId })) });
    expect(post.status, JSON.stringify(post.body)).toBe(201);
    const variants = await owner.call('PUT', `/api/v1/posts/${post.body.id}/variants`, { mode: 'channels', variants: [{ caption: 'Canal at noon' }, { caption: 'Canal colours', assetId: assetAda }] });
    expect(variants.status, JSON.stringify(variants.body)).toBe(200);

    const copy = await owner.post('/api/v1/posts', { personaId: bea, caption: 'Same picture', assetId: assetBea, targets: [{ channelId: beaChannel }] });
    expect(copy.status, JSON.stringify(copy.body)).toBe(409);
    expect(copy.body.code).toBe('near_duplicate_across_personas');

    // Once Ada's post is cancelled the picture is free again.
    expect((await owner.post(`/api/v1/posts/${post.body.id}/cancel`)).status).toBe(200);
    expect((await owner.post('/api/v1/posts', { personaId: bea, caption: 'Same picture', assetId: assetBea, targets: [{ channelId: beaChannel }] })).status).toBe(201);
  });
});
