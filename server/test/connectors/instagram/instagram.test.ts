import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { InstagramConnector, checkPublicUrl, graphErrorKind, metaRetryAfterSeconds } from '../../../src/publishing/connectors/instagram/index.ts';
import { ConnectorError, type ChannelAccount, type ConnectorContext, type PublishMedia, type PublishRequest } from '../../../src/publishing/connectors/types.ts';
import { startFakeInstagram, type FakeInstagram, type InstagramBehaviour } from '../../fakes/instagram.ts';
import { closedPortUrl, fakeMp4, listen, makePng, sendBytes, sendText } from '../../fakes/util.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function fake(behaviour: Partial<InstagramBehaviour> = {}): Promise<FakeInstagram> {
  const f = await startFakeInstagram({ behaviour });
  cleanups.push(f.close);
  return f;
}

/** A tiny static server playing the studio's public media host. */
async function mediaHost(): Promise<{ url: string; png: Buffer; hits: string[] }> {
  const png = await makePng({ width: 32, height: 32 });
  const mp4 = fakeMp4();
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    if (req.url?.startsWith('/m/image')) sendBytes(res, 200, req.method === 'HEAD' ? Buffer.alloc(0) : png, 'image/png');
    else if (req.url?.startsWith('/m/video')) sendBytes(res, 200, mp4, 'video/mp4');
    else if (req.url === '/m/page') sendText(res, 200, '<html>not media</html>');
    else sendText(res, 404, 'nope');
  });
  const handle = await listen(server);
  cleanups.push(handle.close);
  return { url: handle.url, png, hits };
}

function account(f: FakeInstagram, credentials: Record<string, string> = {}): ChannelAccount {
  return {
    id: 'ch_ig',
    orgId: 'org_1',
    platform: 'instagram',
    handle: 'atelier_test_persona',
    settings: { graphBaseUrl: f.url, igUserId: f.igUserId, apiVersion: 'v23.0' },
    credentials: { access_token: f.token, ...credentials },
  };
}

function media(publicUrl: string | undefined, overrides: Partial<PublishMedia> = {}): PublishMedia {
  return { kind: 'image', mimeType: 'image/png', bytes: Buffer.from('png'), filename: 'a.png', width: 32, height: 32, rating: 'sfw', altText: 'A lighthouse at dusk', publicUrl, ...overrides };
}

function request(items: PublishMedia[], text = 'Evening walk by the sea. #AIgenerated (AI persona)'): PublishRequest {
  return { text, media: items, rating: 'sfw', idempotencyKey: 'tgt_ig_1', options: {} };
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

const connector = () => new InstagramConnector({ pollIntervalMs: 5, maxPollIntervalMs: 10 });

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

describe('InstagramConnector.policy', () => {
  it('accepts only SFW, needs public URLs, 10 items, 2200 characters, disclosure', () => {
    const policy = new InstagramConnector().policy({ settings: {} });
    expect(policy).toEqual({ accepts: ['sfw'], disclosureRequired: true, maxMedia: 10, maxTextLength: 2200, flagsAdultMedia: false, needsPublicMediaUrl: true });
    expect(policy.accepts).not.toContain('explicit');
    expect(policy.accepts).not.toContain('suggestive');
  });
});

describe('InstagramConnector.publish against the fake', () => {
  it('publishes one image once: container (Meta fetches the URL) → polls → quota → media_publish → permalink', async () => {
    const f = await fake({ pollsToFinish: 2 });
    const host = await mediaHost();
    const result = await connector().publish(account(f), request([media(`${host.url}/m/image/1.png`)]), ctx());

    expect(f.posts).toHaveLength(1);
    expect(result.remoteId).toBe(f.posts[0]!.id);
    expect(result.url).toBe(f.posts[0]!.permalink);
    expect(f.posts[0]!.caption).toBe('Evening walk by the sea. #AIgenerated (AI persona)');
    // Meta-like: the fake fetched the image itself.
    expect(host.hits).toContain('GET /m/image/1.png');

    const create = f.callsTo(`/v23.0/${f.igUserId}/media`, 'POST');
    expect(create).toHaveLength(1);
    const params = new URLSearchParams((create[0]!.body as Buffer).toString('utf8'));
    expect(params.get('image_url')).toBe(`${host.url}/m/image/1.png`);
    expect(params.get('alt_text')).toBe('A lighthouse at dusk');
    expect(params.get('caption')).toContain('#AIgenerated');
    expect(params.get('is_carousel_item')).toBeNull();

    // IN_PROGRESS twice, then FINISHED.
    const containerId = f.posts[0]!.containerId;
    expect(f.callsTo(`/v23.0/${containerId}`, 'GET').length).toBe(3);
    expect(f.callsTo(`/v23.0/${containerId}`, 'GET')[0]!.query.fields).toContain('status_code');

    // The quota is read before media_publish, which happens exactly once.
    const order = f.calls.map((c) => c.path);
    const quotaAt = order.indexOf(`/v23.0/${f.igUserId}/content_publishing_limit`);
    const publishAt = order.indexOf(`/v23.0/${f.igUserId}/media_publish`);
    expect(quotaAt).toBeGreaterThan(-1);
    expect(publishAt).toBeGreaterThan(quotaAt);
    expect(f.callsTo(`/v23.0/${f.igUserId}/media_publish`)).toHaveLength(1);
    expect(f.callsTo(/\/permalink|^\/v23\.0\/\d+$/).at(-1)!.query.fields).toBe('permalink');
    expect(f.behaviour.quotaUsage).toBe(1);
    expect(result.meta).toMatchObject({ creationId: containerId, quotaUsage: 1, quotaTotal: 50 });
  });

  it('builds a carousel from children (image + video) and publishes it once', async () => {
    const f = await fake({ pollsToFinish: 1 });
    const host = await mediaHost();
    const items = [media(`${host.url}/m/image/1.png`), media(`${host.url}/m/image/2.png`), media(`${host.url}/m/video/3.mp4`, { kind: 'video', mimeType: 'video/mp4', filename: 'c.mp4' })];
    const result = await connector().publish(account(f), request(items), ctx());

    const creates = f.callsTo(`/v23.0/${f.igUserId}/media`, 'POST').map((c) => new URLSearchParams((c.body as Buffer).toString('utf8')));
    expect(creates).toHaveLength(4);
    for (const child of creates.slice(0, 3)) {
      expect(child.get('is_carousel_item')).toBe('true');
      expect(child.get('caption')).toBeNull();
    }
    expect(creates[2]!.get('media_type')).toBe('VIDEO');
    expect(creates[3]!.get('media_type')).toBe('CAROUSEL');
    expect(creates[3]!.get('children')!.split(',')).toHaveLength(3);
    expect(creates[3]!.get('caption')).toContain('Evening walk');
    expect(f.posts).toHaveLength(1);
    expect(f.posts[0]!.media_type).toBe('CAROUSEL_ALBUM');
    expect(result.meta?.childIds).toHaveLength(3);
    expect(f.behaviour.quotaUsage).toBe(1); // a carousel counts once
  });

  it('publishes a single video as a Reel', async () => {
    const f = await fake({ pollsToFinish: 0 });
    const host = await mediaHost();
    await connector().publish(account(f), request([media(`${host.url}/m/video/r.mp4`, { kind: 'video', mimeType: 'video/mp4', filename: 'r.mp4' })]), ctx());
    const params = new URLSearchParams((f.callsTo(`/v23.0/${f.igUserId}/media`, 'POST')[0]!.body as Buffer).toString('utf8'));
    expect(params.get('media_type')).toBe('REELS');
    expect(params.get('video_url')).toBe(`${host.url}/m/video/r.mp4`);
    expect(f.posts[0]!.media_type).toBe('VIDEO');
  });

  it('refuses media without a public URL, explicit or suggestive media, and over-long captions before any call', async () => {
    const f = await fake();
    const c = connector();
    expect((await failure(c.publish(account(f), request([media(undefined)]), ctx()))).kind).toBe('rejected');
    const explicit = { ...request([media('https://cdn.example/a.png', { rating: 'explicit' })]), rating: 'explicit' as const };
    const error = await failure(c.publish(account(f), explicit, ctx()));
    expect(error.kind).toBe('rejected');
    expect(error.message).toMatch(/SFW/);
    expect((await failure(c.publish(account(f), { ...request([media('https://cdn.example/a.png', { rating: 'suggestive' })]), rating: 'suggestive' }, ctx()))).kind).toBe('rejected');
    expect((await failure(c.publish(account(f), request([media('https://cdn.example/a.png')], 'x'.repeat(2201)), ctx()))).kind).toBe('rejected');
    expect((await failure(c.publish(account(f), request([]), ctx()))).kind).toBe('rejected');
    expect(f.calls).toHaveLength(0);
  });

  it('an unreachable media URL → rejected with a clear message, nothing published', async () => {
    const f = await fake();
    const dead = await closedPortUrl();
    const error = await failure(connector().publish(account(f), request([media(`${dead}/m/image/1.png`)]), ctx()));
    expect(error.kind).toBe('rejected');
    expect(error.message).toMatch(/publicly reachable/);
    expect(error.message).toMatch(/9004\/2207052/);
    expect(f.callsTo(`/v23.0/${f.igUserId}/media_publish`)).toHaveLength(0);
    expect(f.posts).toHaveLength(0);
  });

  it('a URL serving HTML instead of an image is refused the same way', async () => {
    const f = await fake();
    const host = await mediaHost();
    const error = await failure(connector().publish(account(f), request([media(`${host.url}/m/page`)]), ctx()));
    expect(error.kind).toBe('rejected');
  });

  it('a container that ends in ERROR → rejected with the status text', async () => {
    const f = await fake({ containerStatus: 'ERROR', pollsToFinish: 1 });
    const host = await mediaHost();
    const error = await failure(connector().publish(account(f), request([media(`${host.url}/m/image/1.png`)]), ctx()));
    expect(error.kind).toBe('rejected');
    expect(error.message).toMatch(/container error/);
    expect(f.posts).toHaveLength(0);
  });

  it('quota used up (as read from the API, whatever the total) → rate_limited, media_publish never called', async () => {
    const f = await fake({ quotaTotal: 3, quotaUsage: 3 });
    const host = await mediaHost();
    const error = await failure(connector().publish(account(f), request([media(`${host.url}/m/image/1.png`)]), ctx()));
    expect(error.kind).toBe('rate_limited');
    expect(error.message).toMatch(/3\/3/);
    expect(f.callsTo(`/v23.0/${f.igUserId}/media_publish`)).toHaveLength(0);

    // A total above 50 with 60 used still publishes: the limit is not hard-coded.
    f.set({ quotaTotal: 100, quotaUsage: 60 });
    await connector().publish(account(f), request([media(`${host.url}/m/image/1.png`)]), ctx());
    expect(f.posts).toHaveLength(1);
    expect(f.behaviour.quotaUsage).toBe(61);

    // No config in the answer: publish (the platform enforces), never guess a number.
    f.set({ quotaTotal: null, quotaUsage: 500 });
    await connector().publish(account(f), request([media(`${host.url}/m/image/2.png`)]), ctx());
    expect(f.posts).toHaveLength(2);
  });

  it('Graph rate-limit code 4 → rate_limited with the wait from the usage header', async () => {
    const f = await fake({ mode: 'rateLimitOnce' });
    const host = await mediaHost();
    const error = await failure(connector().publish(account(f), request([media(`${host.url}/m/image/1.png`)]), ctx()));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterSeconds).toBe(120);
  });

  it('code 190 → auth; transient 5xx → unavailable', async () => {
    const f = await fake({ mode: 'revokedToken' });
    const host = await mediaHost();
    const auth = await failure(connector().publish(account(f), request([media(`${host.url}/m/image/1.png`)]), ctx()));
    expect(auth.kind).toBe('auth');
    expect(auth.message).toMatch(/reconnect/);

    f.set({ mode: 'http500' });
    expect((await failure(connector().publish(account(f), request([media(`${host.url}/m/image/1.png`)]), ctx()))).kind).toBe('unavailable');
    const wrongToken = await failure(connector().publish({ ...account(f), credentials: { access_token: 'nope' } }, request([media(`${host.url}/m/image/1.png`)]), ctx()));
    expect(wrongToken.kind).toBe('auth');
  });

  it('refreshes a long-lived token that is about to expire, then publishes with the new one', async () => {
    const f = await fake({ mode: 'expiredToken' });
    const host = await mediaHost();
    const c = ctx();
    const soon = new Date(Date.now() + 2 * 24 * 3600_000).toISOString();
    const result = await connector().publish(account(f, { expires_at: soon }), request([media(`${host.url}/m/image/1.png`)]), c);
    expect(result.remoteId).toBe(f.posts[0]!.id);
    expect(f.callsTo('/refresh_access_token')).toHaveLength(1);
    expect(f.callsTo('/refresh_access_token')[0]!.query.grant_type).toBe('ig_refresh_token');
    expect(c.saved).toHaveLength(1);
    expect(c.saved[0]!.access_token).toBe(f.token);
    expect(Date.parse(c.saved[0]!.expires_at!)).toBeGreaterThan(Date.now() + 50 * 24 * 3600_000);
  });

  it('an already expired token → auth without calling the API', async () => {
    const f = await fake();
    const error = await failure(connector().publish(account(f, { expires_at: new Date(Date.now() - 1000).toISOString() }), request([media('https://cdn.example/a.png')]), ctx()));
    expect(error.kind).toBe('auth');
    expect(f.calls).toHaveLength(0);
  });

  it('a delayed media_publish with a short deadline → unknown_outcome, then find locates the post', async () => {
    const f = await fake({ delayPublishMs: 1500, pollsToFinish: 0 });
    const host = await mediaHost();
    const since = new Date(Date.now() - 1000);
    const req = request([media(`${host.url}/m/image/1.png`)], 'Unique caption 7f3a #AIgenerated');
    const controller = new AbortController();
    const c = connector();
    const pending = c.publish(account(f), req, ctx(controller.signal));
    // Abort once media_publish has been sent.
    for (let i = 0; i < 200 && f.callsTo(`/v23.0/${f.igUserId}/media_publish`).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    const error = await failure(pending);
    expect(error.kind).toBe('unknown_outcome');
    expect(f.posts).toHaveLength(1);

    const found = await c.find(account(f), req, since, ctx());
    expect(found).toEqual({ remoteId: f.posts[0]!.id, url: f.posts[0]!.permalink });
    expect(f.callsTo(`/v23.0/${f.igUserId}/media`, 'GET')[0]!.query.since).toBe(String(Math.floor(since.getTime() / 1000)));
    expect(await c.find(account(f), { ...req, text: 'some other caption' }, since, ctx())).toBeNull();
  });

  it('find pages through own media', async () => {
    const f = await fake({ pollsToFinish: 0 });
    const host = await mediaHost();
    const c = connector();
    const since = new Date(Date.now() - 1000);
    for (let i = 0; i < 3; i++) await c.publish(account(f), request([media(`${host.url}/m/image/${i}.png`)], `caption ${i}`), ctx());
    // One post per page: the oldest is on the third page, reached through paging.next.
    const small = new InstagramConnector({ findPageSize: 1 });
    const found = await small.find(account(f), { idempotencyKey: 'k', text: 'caption 0' }, since, ctx());
    expect(found?.remoteId).toBe(f.posts[0]!.id);
    expect(f.callsTo(`/v23.0/${f.igUserId}/media`, 'GET')).toHaveLength(3);
    expect(f.callsTo(`/v23.0/${f.igUserId}/media`, 'GET')[2]!.query.access_token).toBe(f.token);
  });

  it('verify reports a used-up quota', async () => {
    const f = await fake({ quotaTotal: 25, quotaUsage: 25 });
    const result = await connector().verify(account(f), ctx());
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatch(/25\/25/);
  });
});

describe('checkPublicUrl', () => {
  it('accepts an image or video answering 200 with a media content type', async () => {
    const host = await mediaHost();
    const signal = AbortSignal.timeout(5000);
    expect(await checkPublicUrl(`${host.url}/m/image/1.png`, signal, { allowPrivateHosts: true })).toEqual({ ok: true, status: 200, contentType: 'image/png' });
    expect((await checkPublicUrl(`${host.url}/m/video/1.mp4`, signal, { allowPrivateHosts: true })).ok).toBe(true);
  });

  it('refuses HTML, 404, unreachable and private hosts', async () => {
    const host = await mediaHost();
    const signal = AbortSignal.timeout(5000);
    const html = await checkPublicUrl(`${host.url}/m/page`, signal, { allowPrivateHosts: true });
    expect(html.ok).toBe(false);
    const missing = await checkPublicUrl(`${host.url}/m/missing`, signal, { allowPrivateHosts: true });
    expect(missing).toMatchObject({ ok: false, status: 404 });
    const dead = await checkPublicUrl(`${await closedPortUrl()}/x.png`, signal, { allowPrivateHosts: true });
    expect(dead.ok).toBe(false);
    const local = await checkPublicUrl(`${host.url}/m/image/1.png`, signal);
    expect(local).toMatchObject({ ok: false });
    expect(!local.ok && local.problem).toMatch(/private|loopback/);
    expect((await checkPublicUrl('ftp://example.com/a.png', signal)).ok).toBe(false);
    expect((await checkPublicUrl('http://192.168.1.20/a.png', signal)).ok).toBe(false);
  });
});

describe('Graph error mapping', () => {
  it('maps codes to kinds', () => {
    expect(graphErrorKind({ code: 190 }, false)).toBe('auth');
    for (const code of [4, 17, 32, 613]) expect(graphErrorKind({ code }, false)).toBe('rate_limited');
    expect(graphErrorKind({ code: 9004, error_subcode: 2207052 }, false)).toBe('rejected');
    expect(graphErrorKind({ code: 100, error_subcode: 2207052 }, false)).toBe('rejected');
    expect(graphErrorKind({ code: 2, is_transient: true }, true)).toBe('unknown_outcome');
    expect(graphErrorKind({ code: 2, is_transient: true }, false)).toBe('unavailable');
    expect(graphErrorKind({ code: 12345 }, false)).toBeUndefined();
    const headers = new Headers({ 'x-business-use-case-usage': JSON.stringify({ '1': [{ estimated_time_to_regain_access: 5 }] }) });
    expect(metaRetryAfterSeconds(headers)).toBe(300);
  });
});
