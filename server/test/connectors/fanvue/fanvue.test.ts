import { afterEach, describe, expect, it } from 'vitest';
import { FanvueConnector, presignedUrlFrom } from '../../../src/publishing/connectors/fanvue/index.ts';
import { ConnectorError, type ChannelAccount, type ConnectorContext, type PublishMedia, type PublishRequest } from '../../../src/publishing/connectors/types.ts';
import { startFakeFanvue, type FakeFanvue, type FanvueBehaviour } from '../../fakes/fanvue.ts';
import { fakeMp4, makePng } from '../../fakes/util.ts';

const fakes: FakeFanvue[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function fake(behaviour: Partial<FanvueBehaviour> = {}): Promise<FakeFanvue> {
  const f = await startFakeFanvue({ behaviour });
  fakes.push(f);
  return f;
}

function account(f: FakeFanvue, extra: { settings?: Record<string, unknown>; credentials?: Record<string, string> } = {}): ChannelAccount {
  return {
    id: 'ch_fanvue',
    orgId: 'org_1',
    platform: 'fanvue',
    handle: 'atelier-persona',
    settings: { baseUrl: f.url, tokenUrl: f.tokenUrl, apiVersion: '2025-06-26', ...extra.settings },
    credentials: {
      access_token: f.accessToken,
      refresh_token: f.refreshToken,
      expires_at: new Date(Date.now() + 3600_000).toISOString(),
      client_id: f.clientId,
      client_secret: f.clientSecret,
      ...extra.credentials,
    },
  };
}

let png: Buffer;
async function image(rating: PublishMedia['rating'] = 'explicit'): Promise<PublishMedia> {
  png ??= await makePng({ width: 64, height: 64 });
  return { kind: 'image', mimeType: 'image/png', bytes: png, filename: 'set-01.png', width: 64, height: 64, rating };
}

function request(media: PublishMedia[], options: Record<string, unknown> = {}, text = 'New set is up (AI-generated persona)'): PublishRequest {
  return { text, media, rating: media.length ? 'explicit' : 'sfw', idempotencyKey: 'tgt_fv_1', options };
}

function ctx(signal: AbortSignal = AbortSignal.timeout(20_000)): ConnectorContext & { saved: Record<string, string>[] } {
  const saved: Record<string, string>[] = [];
  return {
    signal,
    saved,
    async onCredentials(next) {
      saved.push(next);
    },
  };
}

const connector = (extra: ConstructorParameters<typeof FanvueConnector>[0] = {}) => new FanvueConnector({ pollIntervalMs: 5, maxPollIntervalMs: 10, ...extra });

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

describe('FanvueConnector.policy', () => {
  it('accepts every rating (age-verified audience), disclosure, 20 media, 5000 characters', () => {
    expect(new FanvueConnector().policy({ settings: {} })).toEqual({
      accepts: ['sfw', 'suggestive', 'explicit'],
      disclosureRequired: true,
      maxMedia: 20,
      maxTextLength: 5000,
      flagsAdultMedia: false,
      needsPublicMediaUrl: false,
    });
  });

  it('reads the presigned URL from the shapes the reference leaves open', () => {
    expect(presignedUrlFrom({ data: 'https://s3/x?sig', text: '"https://s3/x?sig"' })).toBe('https://s3/x?sig');
    expect(presignedUrlFrom({ data: { url: 'https://s3/y' }, text: '' })).toBe('https://s3/y');
    expect(presignedUrlFrom({ data: { signedUrl: 'https://s3/z' }, text: '' })).toBe('https://s3/z');
    expect(presignedUrlFrom({ data: 'https://s3/plain', text: 'https://s3/plain' })).toBe('https://s3/plain');
    expect(presignedUrlFrom({ data: {}, text: '{}' })).toBeUndefined();
  });
});

describe('FanvueConnector.publish against the fake', () => {
  it('uploads through the multipart session, waits for ready, creates the post once', async () => {
    const f = await fake({ pollsToReady: 2 });
    const result = await connector().publish(account(f), request([await image()], { subscribersOnly: true, priceCents: 999 }), ctx());

    expect(f.posts).toHaveLength(1);
    const post = f.posts[0]!;
    expect(result.remoteId).toBe(post.uuid);
    expect(post).toMatchObject({ text: 'New set is up (AI-generated persona)', audience: 'subscribers', price: 999 });
    expect(post.mediaUuids).toHaveLength(1);
    const media = f.media.get(post.mediaUuids[0]!)!;
    expect(media.bytes!.equals(png)).toBe(true);
    expect(media).toMatchObject({ filename: 'set-01.png', name: 'set-01', mediaType: 'image', status: 'ready' });

    // Every API call carries the version header and the bearer; the bucket PUT carries neither.
    const api = f.calls.filter((c) => !c.path.startsWith('/bucket'));
    expect(api.every((c) => c.headers['x-fanvue-api-version'] === '2025-06-26' && c.headers.authorization === `Bearer ${f.accessToken}`)).toBe(true);
    const put = f.callsTo(/^\/bucket\//, 'PUT');
    expect(put).toHaveLength(1);
    expect(put[0]!.headers.authorization).toBeUndefined();
    const complete = f.callsTo(/^\/media\/uploads\/[^/]+$/, 'PATCH');
    expect((complete[0]!.body as { parts: unknown[] }).parts).toEqual([{ ETag: media.parts.get(1)!.etag, PartNumber: 1 }]);
    expect(f.callsTo(`/media/${media.uuid}`, 'GET').length).toBeGreaterThanOrEqual(2);
    expect(f.callsTo('/posts', 'POST')).toHaveLength(1);
    expect(f.callsTo('/posts', 'POST')[0]!.body).toEqual({ audience: 'subscribers', text: 'New set is up (AI-generated persona)', mediaUuids: [media.uuid], price: 999 });
  });

  it('splits large files into parts (and accepts a JSON-string part URL)', async () => {
    const f = await fake({ partUrlShape: 'string', pollsToReady: 0 });
    const video: PublishMedia = { kind: 'video', mimeType: 'video/mp4', bytes: Buffer.concat([fakeMp4(), Buffer.alloc(100, 7)]), filename: 'clip.mp4', width: null, height: null, rating: 'sfw' };
    await connector({ partSizeBytes: 50 }).publish(account(f), request([video], { subscribersOnly: false }), ctx());
    const item = [...f.media.values()][0]!;
    expect(item.mediaType).toBe('video');
    expect(item.parts.size).toBe(3);
    expect(item.bytes!.equals(video.bytes)).toBe(true);
    expect(f.posts[0]!.audience).toBe('followers-and-subscribers');
    expect(f.posts[0]!.price).toBeNull();
  });

  it('text-only posts and agency (creator-scoped) routes', async () => {
    const f = await fake();
    await connector().publish(account(f, { settings: { creatorUserUuid: f.creatorUserUuid } }), request([], {}, 'Hello subscribers (AI persona)'), ctx());
    expect(f.callsTo(`/creators/${f.creatorUserUuid}/posts`, 'POST')).toHaveLength(1);
    expect(f.posts[0]!.mediaUuids).toEqual([]);
  });

  it('refuses bad prices and over-long text before calling Fanvue; the API validation comes back as rejected', async () => {
    const f = await fake();
    const c = connector();
    expect((await failure(c.publish(account(f), request([await image()], { priceCents: 150 }), ctx()))).message).toMatch(/300/);
    expect((await failure(c.publish(account(f), request([], { priceCents: 500 }, 'paid text'), ctx()))).message).toMatch(/need media/);
    expect((await failure(c.publish(account(f), request([], {}, 'x'.repeat(5001)), ctx()))).kind).toBe('rejected');
    expect(f.calls).toHaveLength(0);

    const g = await fake({ mediaError: true, pollsToReady: 1 });
    const processing = await failure(c.publish(account(g), request([await image()]), ctx()));
    expect(processing.kind).toBe('rejected');
    expect(g.posts).toHaveLength(0);
  });

  it('429 → rate_limited with retryAfterSeconds', async () => {
    const f = await fake({ mode: 'rateLimitOnce', retryAfterSeconds: 12 });
    const error = await failure(connector().publish(account(f), request([await image()]), ctx()));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterSeconds).toBe(12);
    expect(f.posts).toHaveLength(0);
  });

  it('expired token → refresh (rotating, single-use) → success; the new refresh token is stored at once', async () => {
    const f = await fake({ mode: 'expiredToken' });
    const c = ctx();
    const acct = account(f);
    const result = await connector().publish(acct, request([await image()]), c);
    expect(result.remoteId).toBe(f.posts[0]!.uuid);
    const token = f.callsTo('/oauth2/token', 'POST');
    expect(token).toHaveLength(1);
    expect(token[0]!.headers.authorization).toMatch(/^Basic /);
    expect(c.saved).toHaveLength(1);
    expect(c.saved[0]).toMatchObject({ access_token: f.accessToken, refresh_token: f.refreshToken, client_id: f.clientId, client_secret: f.clientSecret });
    expect(c.saved[0]!.refresh_token).not.toBe(acct.credentials.refresh_token);
    // The old refresh token is now spent.
    expect((await failure(connector().refresh(acct, ctx()))).kind).toBe('auth');
  });

  it('client_secret_post token auth, and a refresh answer without refresh_token keeps the old one', async () => {
    const f = await fake({ tokenAuth: 'post' });
    const c = ctx();
    const next = await connector().refresh(account(f, { settings: { tokenAuth: 'post' } }), c);
    const body = new URLSearchParams((f.callsTo('/oauth2/token')[0]!.body as Buffer).toString('utf8'));
    expect(body.get('client_secret')).toBe(f.clientSecret);
    expect(next.refresh_token).toBe(f.refreshToken);

    // A token endpoint that answers without refresh_token: the stored one is kept.
    const keep = await connector({
      fetch: async (input, init) => {
        if (String(input).includes('/oauth2/token')) return new Response(JSON.stringify({ access_token: 'new-at', expires_in: 3600 }), { status: 200, headers: { 'content-type': 'application/json' } });
        return fetch(input, init);
      },
    }).refresh(account(f, { credentials: { refresh_token: 'rt-keep' } }), ctx());
    expect(keep).toMatchObject({ access_token: 'new-at', refresh_token: 'rt-keep' });
  });

  it('revoked refresh token → auth', async () => {
    const f = await fake({ mode: 'revokedRefresh' });
    const c = ctx();
    const error = await failure(connector().publish(account(f), request([await image()]), c));
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(/invalid_grant/);
    expect(c.saved).toHaveLength(0);
  });

  it('5xx before the post → unavailable; a 500 on POST /posts → unknown_outcome', async () => {
    const f = await fake({ mode: 'http503' });
    expect((await failure(connector().publish(account(f), request([await image()]), ctx()))).kind).toBe('unavailable');
    f.set({ mode: 'http500' });
    expect((await failure(connector().publish(account(f), request([], {}, 'text only'), ctx()))).kind).toBe('unknown_outcome');
  });

  it('an unsupported API version → rejected with the platform message', async () => {
    const f = await fake();
    const error = await failure(connector().publish(account(f, { settings: { apiVersion: '2024-01-01' } }), request([], {}, 'x'), ctx()));
    expect(error.kind).toBe('rejected');
    expect(error.message).toMatch(/no longer supported/);
  });

  it('a delayed POST /posts with a short deadline → unknown_outcome, then find locates the post', async () => {
    const f = await fake({ delayPublishMs: 1500, pollsToReady: 0 });
    const since = new Date(Date.now() - 1000);
    const req = request([await image()], {}, 'Delayed post 41bd (AI persona)');
    const controller = new AbortController();
    const c = connector();
    const pending = c.publish(account(f), req, ctx(controller.signal));
    for (let i = 0; i < 300 && f.posts.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    const error = await failure(pending);
    expect(error.kind).toBe('unknown_outcome');
    expect(f.posts).toHaveLength(1);

    const found = await c.find(account(f), req, since, ctx());
    expect(found).toEqual({ remoteId: f.posts[0]!.uuid });
    expect(await c.find(account(f), { ...req, text: 'other' }, since, ctx())).toBeNull();
  });

  it('verify reads /users/me', async () => {
    const f = await fake();
    expect(await connector().verify(account(f), ctx())).toEqual({ ok: true, problems: [] });
  });
});
