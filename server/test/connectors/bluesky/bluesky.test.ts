import { afterEach, describe, expect, it } from 'vitest';
import { BlueskyConnector, blueskyRetryAfterSeconds, blueskyRkey, blueskySelfLabels, graphemeCount, TID_PATTERN } from '../../../src/publishing/connectors/bluesky/index.ts';
import { ConnectorError, type ChannelAccount, type ConnectorContext, type PublishMedia, type PublishRequest } from '../../../src/publishing/connectors/types.ts';
import { startFakeBluesky, type FakeBluesky, type FakeBlueskyOptions } from '../../fakes/bluesky.ts';
import { closedPortUrl, fakeMp4, makePng } from '../../fakes/util.ts';

const fakes: FakeBluesky[] = [];
async function fake(options: FakeBlueskyOptions = {}): Promise<FakeBluesky> {
  const f = await startFakeBluesky(options);
  fakes.push(f);
  return f;
}
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

function account(f: FakeBluesky | string, credentials: Record<string, string> = {}): ChannelAccount {
  const isFake = typeof f !== 'string';
  return {
    id: 'chan-bsky-1',
    orgId: 'org-1',
    platform: 'bluesky',
    handle: isFake ? `@${f.account.handle}` : '@someone.bsky.social',
    settings: { service: isFake ? f.url : f, langs: ['en'] },
    credentials: { identifier: isFake ? f.account.handle : 'someone.bsky.social', app_password: isFake ? f.account.password : 'aaaa-bbbb-cccc-dddd', ...credentials },
  };
}

function context(options: { timeoutMs?: number } = {}): { ctx: ConnectorContext; stored: Record<string, string>[] } {
  const stored: Record<string, string>[] = [];
  const signal = options.timeoutMs === undefined ? new AbortController().signal : AbortSignal.timeout(options.timeoutMs);
  return {
    stored,
    ctx: {
      signal,
      async onCredentials(next) {
        stored.push(next);
      },
    },
  };
}

async function image(altText?: string, seed = 1): Promise<PublishMedia> {
  return { kind: 'image', mimeType: 'image/png', bytes: await makePng({ width: 40, height: 30, color: { r: 20 * seed, g: 90, b: 150 } }), filename: `img-${seed}.png`, width: 40, height: 30, rating: 'sfw', ...(altText ? { altText } : {}) };
}

function request(patch: Partial<PublishRequest> = {}): PublishRequest {
  return { text: 'Morning light over the harbour. #AIart (AI-generated persona)', media: [], rating: 'sfw', idempotencyKey: 'target-bsky-1', options: {}, ...patch };
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

/** Credentials of a session the fake issued (as the dispatcher would have cached them). */
async function cachedSession(f: FakeBluesky): Promise<Record<string, string>> {
  const { ctx, stored } = context();
  await new BlueskyConnector().verify(account(f), ctx);
  expect(stored).toHaveLength(1);
  return stored[0]!;
}

describe('Bluesky helpers', () => {
  it('derives a stable, valid TID record key per idempotency key', () => {
    const a = blueskyRkey('target-1');
    expect(a).toMatch(TID_PATTERN);
    expect(blueskyRkey('target-1')).toBe(a);
    expect(blueskyRkey('target-2')).not.toBe(a);
    for (let i = 0; i < 200; i++) expect(blueskyRkey(`k${i}`)).toMatch(TID_PATTERN);
  });

  it('maps ratings to self-labels and counts graphemes', () => {
    expect(blueskySelfLabels('explicit')).toEqual({ $type: 'com.atproto.label.defs#selfLabels', values: [{ val: 'porn' }] });
    expect(blueskySelfLabels('suggestive')?.values).toEqual([{ val: 'sexual' }]);
    expect(blueskySelfLabels('sfw')).toBeUndefined();
    expect(graphemeCount('👩‍👩‍👧e\u0301')).toBe(2);
    expect(new BlueskyConnector().policy()).toEqual({ accepts: ['sfw', 'suggestive', 'explicit'], disclosureRequired: true, maxMedia: 4, maxTextLength: 300, flagsAdultMedia: true, needsPublicMediaUrl: false, mediaKinds: ['image'] });
    expect(blueskyRetryAfterSeconds({ 'ratelimit-reset': String(1_700_000_100) }, 1_700_000_000_000)).toBe(100);
  });
});

describe('BlueskyConnector against the fake', () => {
  it('logs in, uploads the images and creates one labelled post with alt text, langs and facets', async () => {
    const f = await fake();
    const { ctx, stored } = context();
    const media = [await image('Harbour at dawn', 1), await image(undefined, 2)];
    const text = 'New set: https://atelier.example/p/42 #AIart (AI-generated persona)';
    const result = await new BlueskyConnector().publish(account(f), request({ text, rating: 'explicit', media }), ctx);
    expect(f.posts).toHaveLength(1);
    const post = f.posts[0]!;
    expect(post.rkey).toBe(blueskyRkey('target-bsky-1'));
    expect(result.remoteId).toBe(post.uri);
    expect(result.url).toBe(`https://bsky.app/profile/${f.account.did}/post/${post.rkey}`);
    expect(result.meta).toMatchObject({ cid: post.cid, rkey: post.rkey, labels: ['porn'] });
    expect(post.value.labels).toEqual({ $type: 'com.atproto.label.defs#selfLabels', values: [{ val: 'porn' }] });
    expect(post.value.langs).toEqual(['en']);
    expect(post.value.text).toBe(text);
    const embed = post.value.embed as { $type: string; images: { alt: string; image: { ref: { $link: string } }; aspectRatio: unknown }[] };
    expect(embed.$type).toBe('app.bsky.embed.images');
    expect(embed.images.map((i) => i.alt)).toEqual(['Harbour at dawn', '']);
    expect(embed.images[0]!.aspectRatio).toEqual({ width: 40, height: 30 });
    expect(f.blobs.get(embed.images[0]!.image.ref.$link)?.bytes.equals(media[0]!.bytes)).toBe(true);
    const features = (post.value.facets as { features: { $type: string }[] }[]).flatMap((facet) => facet.features.map((feature) => feature.$type));
    expect(features).toEqual(['app.bsky.richtext.facet#link', 'app.bsky.richtext.facet#tag']);
    // the new session is handed back for caching, app password kept
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ did: f.account.did, access_jwt: f.sessions[0]!.accessJwt, refresh_jwt: f.sessions[0]!.refreshJwt, app_password: f.account.password, identifier: f.account.handle });
  });

  it('labels suggestive as sexual and sfw not at all', async () => {
    const f = await fake();
    const c = new BlueskyConnector();
    await c.publish(account(f), request({ rating: 'suggestive', idempotencyKey: 'a' }), context().ctx);
    await c.publish(account(f), request({ rating: 'sfw', idempotencyKey: 'b', text: 'plain text post' }), context().ctx);
    expect(f.posts[0]!.value.labels).toEqual({ $type: 'com.atproto.label.defs#selfLabels', values: [{ val: 'sexual' }] });
    expect(f.posts[1]!.value.labels).toBeUndefined();
  });

  it('the same target twice gives one record (found before uploading again)', async () => {
    const f = await fake();
    const c = new BlueskyConnector();
    const first = await c.publish(account(f), request({ media: [await image()] }), context().ctx);
    const uploads = f.callsTo('com.atproto.repo.uploadBlob').length;
    const second = await c.publish(account(f), request({ media: [await image()] }), context().ctx);
    expect(f.posts).toHaveLength(1);
    expect(second.remoteId).toBe(first.remoteId);
    expect(second.meta).toMatchObject({ existed: true });
    expect(f.callsTo('com.atproto.repo.uploadBlob')).toHaveLength(uploads);
    expect(f.callsTo('com.atproto.repo.createRecord')).toHaveLength(1);
  });

  it('"record already exists" from createRecord is answered with the existing record', async () => {
    for (const duplicate of ['invalid_request', 'internal_error'] as const) {
      const f = await fake({ behaviour: { duplicate } });
      const c = new BlueskyConnector();
      const first = await c.publish(account(f), request(), context().ctx);
      f.set({ getRecordMisses: 1 }); // the pre-check misses it (lagging read), the create collides
      const second = await c.publish(account(f), request(), context().ctx);
      expect(second.remoteId).toBe(first.remoteId);
      expect(second.meta).toMatchObject({ existed: true });
      expect(f.posts).toHaveLength(1);
      expect(f.callsTo('com.atproto.repo.createRecord')).toHaveLength(2);
    }
  });

  it('reuses a cached session without logging in', async () => {
    const f = await fake();
    const creds = await cachedSession(f);
    const { ctx, stored } = context();
    await new BlueskyConnector().publish(account(f, creds), request(), ctx);
    expect(f.callsTo('com.atproto.server.createSession')).toHaveLength(1); // only the one cachedSession made
    expect(f.posts).toHaveLength(1);
    expect(stored).toHaveLength(0);
  });

  it('an expired access token is refreshed once and the rotated tokens are handed back', async () => {
    for (const expiredStatus of [400, 401] as const) {
      const f = await fake({ behaviour: { expiredStatus } });
      const creds = await cachedSession(f);
      f.expireAccessTokens();
      const { ctx, stored } = context();
      await new BlueskyConnector().publish(account(f, creds), request(), ctx);
      expect(f.posts).toHaveLength(1);
      expect(f.callsTo('com.atproto.server.refreshSession')).toHaveLength(1);
      expect(f.callsTo('com.atproto.server.createSession')).toHaveLength(1);
      expect(stored).toHaveLength(1);
      expect(stored[0]!.access_jwt).toBe(f.sessions.at(-1)!.accessJwt);
      expect(stored[0]!.refresh_jwt).toBe(f.sessions.at(-1)!.refreshJwt);
      expect(stored[0]!.refresh_jwt).not.toBe(creds.refresh_jwt);
    }
  });

  it('a dead refresh token falls back to the app password', async () => {
    const f = await fake();
    const creds = await cachedSession(f);
    f.expireAccessTokens();
    f.revokeRefreshTokens();
    const { ctx, stored } = context();
    await new BlueskyConnector().publish(account(f, creds), request(), ctx);
    expect(f.posts).toHaveLength(1);
    expect(f.callsTo('com.atproto.server.createSession')).toHaveLength(2);
    expect(stored.at(-1)!.access_jwt).toBe(f.sessions.at(-1)!.accessJwt);
  });

  it('a revoked app password is auth', async () => {
    const f = await fake({ behaviour: { appPasswordRevoked: true } });
    const error = await failure(new BlueskyConnector().publish(account(f), request(), context().ctx));
    expect(error.kind).toBe('auth');
    expect(f.posts).toHaveLength(0);
    expect((await failure(new BlueskyConnector().refresh(account(f), context().ctx))).kind).toBe('auth');
  });

  it('refresh() gives a working session', async () => {
    const f = await fake();
    const creds = await cachedSession(f);
    const next = await new BlueskyConnector().refresh(account(f, creds), context().ctx);
    expect(next.refresh_jwt).toBe(f.sessions.at(-1)!.refreshJwt);
    expect(next.refresh_jwt).not.toBe(creds.refresh_jwt);
    expect(next.app_password).toBe(f.account.password);
    expect(f.callsTo('com.atproto.server.refreshSession')).toHaveLength(1);
  });

  it('maps 429 to rate_limited with ratelimit-reset', async () => {
    const f = await fake({ behaviour: { rateLimit: { route: 'createRecord', times: 1, resetInSeconds: 300 } } });
    const error = await failure(new BlueskyConnector().publish(account(f), request(), context().ctx));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(298);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(301);
    expect(f.posts).toHaveLength(0);
  });

  it('maps 5xx before the create and refused connections to unavailable', async () => {
    const f = await fake({ behaviour: { serverError: { route: 'uploadBlob', times: 1, status: 502 } } });
    expect((await failure(new BlueskyConnector().publish(account(f), request({ media: [await image()] }), context().ctx))).kind).toBe('unavailable');
    expect(f.callsTo('com.atproto.repo.createRecord')).toHaveLength(0);
    expect((await failure(new BlueskyConnector().publish(account(await closedPortUrl()), request(), context().ctx))).kind).toBe('unavailable');
  });

  it('a hung create is unknown_outcome; find finds the record, a retry does not duplicate it', async () => {
    const f = await fake({ behaviour: { delayCreateMs: 2_000 } });
    const c = new BlueskyConnector();
    const creds = await cachedSession(f);
    const error = await failure(c.publish(account(f, creds), request(), context({ timeoutMs: 300 }).ctx));
    expect(error.kind).toBe('unknown_outcome');
    expect(f.posts).toHaveLength(1);
    const found = await c.find(account(f, creds), request(), new Date(Date.now() - 60_000), context().ctx);
    expect(found?.remoteId).toBe(f.posts[0]!.uri);
    expect(await c.find(account(f, creds), request({ idempotencyKey: 'never-posted' }), new Date(), context().ctx)).toBeNull();
    f.set({ delayCreateMs: 0 });
    const retried = await c.publish(account(f, creds), request(), context().ctx);
    expect(retried.remoteId).toBe(f.posts[0]!.uri);
    expect(f.posts).toHaveLength(1);
  });

  it('refuses video, too many images and text over 300 graphemes before any call', async () => {
    const f = await fake();
    const c = new BlueskyConnector();
    const video: PublishMedia = { kind: 'video', mimeType: 'video/mp4', bytes: fakeMp4(), filename: 'v.mp4', width: 64, height: 64, rating: 'sfw' };
    expect((await failure(c.publish(account(f), request({ media: [video] }), context().ctx))).kind).toBe('rejected');
    const five = await Promise.all([1, 2, 3, 4, 5].map((i) => image(undefined, i)));
    expect((await failure(c.publish(account(f), request({ media: five }), context().ctx))).kind).toBe('rejected');
    expect((await failure(c.publish(account(f), request({ text: 'é'.repeat(301) }), context().ctx))).kind).toBe('rejected');
    // 300 family emoji are 300 graphemes but 5,400 bytes: over the lexicon's 3,000-byte maxLength
    expect((await failure(c.publish(account(f), request({ text: '👩‍👩‍👧'.repeat(300) }), context().ctx))).kind).toBe('rejected');
    expect(f.calls).toHaveLength(0);
    // 300 graphemes of combining sequences (600 code points) are fine
    await c.publish(account(f), request({ text: 'e\u0301'.repeat(300), idempotencyKey: 'graphemes' }), context().ctx);
    expect(f.posts).toHaveLength(1);
  });

  it('deletes the record', async () => {
    const f = await fake();
    const c = new BlueskyConnector();
    const result = await c.publish(account(f), request(), context().ctx);
    await c.delete(account(f), result.remoteId, context().ctx);
    expect(f.posts).toHaveLength(0);
    expect(f.deleted.map((p) => p.uri)).toEqual([result.remoteId]);
    expect(await c.find(account(f), request(), new Date(), context().ctx)).toBeNull();
  });

  it('verify checks the session belongs to the channel', async () => {
    const f = await fake();
    expect(await new BlueskyConnector().verify(account(f), context().ctx)).toEqual({ ok: true, problems: [] });
    const other = { ...account(f), handle: '@someone-else.bsky.social' };
    const result = await new BlueskyConnector().verify(other, context().ctx);
    expect(result.ok).toBe(false);
  });
});
