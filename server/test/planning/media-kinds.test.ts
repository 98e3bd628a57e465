/**
 * Reddit and Bluesky take images only (their connectors post no video): a video is refused when it is
 * planned — the router's 422 naming the channel — not by the target failing at send time.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaAssets } from '../../src/platform/db/schema/index.ts';
import { route } from '../../src/publishing/router.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import { Connectors } from '../../src/publishing/connectors/registry.ts';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { uploadAsset } from './helpers.ts';

describe('router: kinds of media', () => {
  it('refuses a video where the channel takes images only, and says so', () => {
    const registry = new Connectors({ ATELIER_DATA_DIR: join(tmpdir(), 'atelier-media-kinds') });
    const base = { handle: '@iris', rating: 'sfw' as const, mediaCount: 1, text: 'Harbour at dawn', disclosure: 'AI persona' };
    for (const platform of ['reddit', 'bluesky', 'x', 'instagram', 'telegram', 'discord', 'fanvue'] as const) {
      const policy = registry.get(platform).policy({ settings: {} });
      const video = route({ ...base, platform, policy, mediaKinds: ['video'] });
      expect(route({ ...base, platform, policy, mediaKinds: ['image'] }).ok, platform).toBe(true);
      if (platform === 'reddit' || platform === 'bluesky') {
        expect(video).toMatchObject({ ok: false, code: 'media_kind_not_allowed' });
        expect(!video.ok && video.message).toMatch(/takes images only; this media is a video/);
      } else {
        expect(video.ok, platform).toBe(true);
      }
    }
  });
});

describe.each(backends)('scheduling a video (%s)', (backend) => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let personaId: string;
  let videoId: string;
  let imageId: string;
  const channel: Record<string, string> = {};

  beforeAll(async () => {
    rt = await testRuntime(backend);
    owner = (await ownerClient(rt.app, rt.platform, 'Media kinds')).client;
    personaId = (await owner.post('/api/v1/personas', personaBody('Iris'))).body.id;
    imageId = await uploadAsset(rt, owner, personaId, { r: 40, g: 90, b: 160 });
    // A clip as far as planning sees it: an approved asset of kind video.
    videoId = await uploadAsset(rt, owner, personaId, { r: 160, g: 90, b: 40 });
    await rt.platform.db.withSystem((tx) => tx.update(mediaAssets).set({ kind: 'video', mimeType: 'video/mp4' }).where(eq(mediaAssets.id, videoId)));
    for (const platform of ['reddit', 'bluesky', 'x'] as const) {
      const res = await owner.post('/api/v1/channels', { personaId, platform, handle: `@iris_${platform}`, credentials: { access_token: 't' } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      channel[platform] = res.body.id;
    }
    expect(publishingServices(rt.platform).connectors.get('reddit').policy({ settings: {} }).mediaKinds).toEqual(['image']);
  }, 60_000);
  afterAll(() => rt?.stop());

  const post = (assetId: string, platform: 'reddit' | 'bluesky' | 'x') =>
    owner.post('/api/v1/posts', { personaId, caption: 'Boats leaving the harbour', assetId, targets: [{ channelId: channel[platform], ...(platform === 'reddit' ? { options: { subreddit: 'AtelierTest' } } : {}) }] });

  it('refuses a video for Reddit and Bluesky with the router’s 422 naming the channel; X takes it', async () => {
    for (const platform of ['reddit', 'bluesky'] as const) {
      const refused = await post(videoId, platform);
      expect(refused.status, platform).toBe(422);
      expect(refused.body).toMatchObject({ code: 'media_kind_not_allowed', channelId: channel[platform] });
      expect(refused.body.detail).toContain(`(@iris_${platform}) takes images only; this media is a video`);
    }
    expect((await post(videoId, 'x')).status).toBe(201);
  });

  it('refuses changing a Bluesky post’s picture for a video', async () => {
    const created = await post(imageId, 'bluesky');
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const changed = await owner.call('PUT', `/api/v1/posts/${created.body.id}`, { assetId: videoId });
    expect(changed.status).toBe(422);
    expect(changed.body).toMatchObject({ code: 'media_kind_not_allowed', channelId: channel.bluesky });
  });
});
