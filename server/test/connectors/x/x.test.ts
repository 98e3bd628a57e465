import { afterEach, describe, expect, it } from 'vitest';
import { mentionsAutomation, namesOperator, normalizeXText, XConnector, xPostCostCents, xRetryAfterSeconds } from '../../../src/publishing/connectors/x/index.ts';
import { ConnectorError, type ChannelAccount, type ConnectorContext, type PublishMedia, type PublishRequest } from '../../../src/publishing/connectors/types.ts';
import { startFakeX, type FakeX, type FakeXOptions } from '../../fakes/x.ts';
import { closedPortUrl, fakeMp4, makePng } from '../../fakes/util.ts';

const fakes: FakeX[] = [];
async function fake(options: FakeXOptions = {}): Promise<FakeX> {
  const f = await startFakeX(options);
  fakes.push(f);
  return f;
}
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

function account(f: FakeX | string, credentials: Record<string, string> = {}): ChannelAccount {
  const isFake = typeof f !== 'string';
  return {
    id: 'chan-x-1',
    orgId: 'org-1',
    platform: 'x',
    handle: '@atelier_persona',
    settings: { baseUrl: isFake ? f.url : f },
    credentials: {
      access_token: isFake ? f.tokens.access : 'tok',
      refresh_token: isFake ? f.tokens.refresh : 'refresh',
      expires_at: new Date(Date.now() + 3600_000).toISOString(),
      client_id: isFake ? f.tokens.clientId : 'client',
      ...credentials,
    },
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

async function image(rating: PublishMedia['rating'] = 'sfw', altText?: string): Promise<PublishMedia> {
  return { kind: 'image', mimeType: 'image/png', bytes: await makePng({ width: 32, height: 32 }), filename: 'a.png', width: 32, height: 32, rating, ...(altText ? { altText } : {}) };
}

function request(patch: Partial<PublishRequest> = {}): PublishRequest {
  return { text: 'Golden hour on the pier. #AIgenerated', media: [], rating: 'sfw', idempotencyKey: 'target-1', options: {}, ...patch };
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

/** A connector that records the STATUS waits instead of sleeping. */
function connector(options: ConstructorParameters<typeof XConnector>[0] = {}) {
  const waits: number[] = [];
  const c = new XConnector({ sleep: async (ms) => void waits.push(ms), ...options });
  return { c, waits };
}

describe('X helpers', () => {
  it('declares its policy and prices posts per PLATFORMS.md', () => {
    expect(new XConnector().policy()).toEqual({ accepts: ['sfw', 'suggestive', 'explicit'], disclosureRequired: true, maxMedia: 4, maxTextLength: 280, flagsAdultMedia: true, needsPublicMediaUrl: false });
    expect(xPostCostCents('hello', false)).toBe(1.5);
    expect(xPostCostCents('hello', true)).toBe(1.5);
    expect(xPostCostCents('new set at https://example.com/p', true)).toBe(20);
    expect(xPostCostCents('see atelier.dev now', false)).toBe(20);
  });

  it('reads retry-after from x-rate-limit-reset, 24-hour limits and Retry-After', () => {
    const now = 1_700_000_000_000;
    expect(xRetryAfterSeconds({ 'x-rate-limit-reset': String(now / 1000 + 90), 'x-rate-limit-remaining': '0' }, now)).toBe(90);
    expect(xRetryAfterSeconds({ 'retry-after': '30' }, now)).toBe(30);
    expect(xRetryAfterSeconds({ 'x-rate-limit-reset': String(now / 1000 + 10), 'x-user-limit-24hour-remaining': '0', 'x-user-limit-24hour-reset': String(now / 1000 + 3600) }, now)).toBe(3600);
    expect(xRetryAfterSeconds({}, now)).toBeUndefined();
  });

  it('normalizes timeline text (entities, t.co links) and reads bios in en/fr', () => {
    expect(normalizeXText('Tom &amp; Jerry https://t.co/abc')).toBe(normalizeXText('Tom & Jerry'));
    expect(mentionsAutomation('AI-generated persona. Automated account run by @studio')).toBe(true);
    expect(mentionsAutomation('Personnage fictif généré par IA — compte automatisé')).toBe(true);
    expect(mentionsAutomation('Photographer in Lyon')).toBe(false);
    expect(namesOperator('run by @studio')).toBe(true);
    expect(namesOperator('géré par Studio Lumière')).toBe(true);
    expect(namesOperator('just vibes')).toBe(false);
  });
});

describe('the fake X itself', () => {
  it('refuses unprocessed media, a missing made_with_ai and a wrong token', async () => {
    const f = await fake();
    const headers = { authorization: `Bearer ${f.tokens.access}`, 'content-type': 'application/json' };
    const init = (await (await fetch(`${f.url}/2/media/upload/initialize`, { method: 'POST', headers, body: JSON.stringify({ media_type: 'video/mp4', total_bytes: 40, media_category: 'tweet_video' }) })).json()) as { data: { id: string } };
    const tweet = (body: unknown, h: Record<string, string> = headers) => fetch(`${f.url}/2/tweets`, { method: 'POST', headers: h, body: JSON.stringify(body) });
    const unprocessed = await tweet({ text: 'x', made_with_ai: true, media: { media_ids: [init.data.id] } });
    expect(unprocessed.status).toBe(400);
    expect(((await unprocessed.json()) as { detail: string }).detail).toMatch(/media IDs are invalid/);
    expect((await tweet({ text: 'x' })).status).toBe(400);
    const unauthorized = await tweet({ text: 'x', made_with_ai: true }, { ...headers, authorization: 'Bearer nope' });
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toMatchObject({ title: 'Unauthorized', status: 401 });
    expect(f.posts).toHaveLength(0);
  });
});

describe('XConnector against the fake', () => {
  it('posts once with a one-shot image, alt text and made_with_ai', async () => {
    const f = await fake();
    const { c } = connector();
    const media = await image('sfw', 'A pier at sunset');
    const result = await c.publish(account(f), request({ media: [media] }), context().ctx);
    expect(f.posts).toHaveLength(1);
    const post = f.posts[0]!;
    expect(result.remoteId).toBe(post.id);
    expect(result.url).toBe(`https://x.com/atelier_persona/status/${post.id}`);
    expect(result.meta).toMatchObject({ costCents: 1.5, sensitive: false });
    expect(post.made_with_ai).toBe(true);
    expect(post.text).toBe('Golden hour on the pier. #AIgenerated');
    expect(post.sensitive).toEqual([false]);
    expect(post.alt).toEqual(['A pier at sunset']);
    expect(f.media.get(post.media_ids[0]!)?.flow).toBe('one-shot');
    expect(f.callsTo('/2/media/upload', 'POST')).toHaveLength(1);
    expect(f.callsTo('/2/tweets', 'POST')).toHaveLength(1);
    // The bytes arrived intact.
    expect(f.media.get(post.media_ids[0]!)?.bytes?.equals(media.bytes)).toBe(true);
  });

  it('marks explicit media sensitive (adult_content) before posting', async () => {
    const f = await fake();
    const { c } = connector();
    const result = await c.publish(account(f), request({ rating: 'explicit', media: [await image('explicit'), await image('sfw')] }), context().ctx);
    expect(result.meta).toMatchObject({ sensitive: true });
    expect(f.posts[0]!.sensitive).toEqual([true, true]);
    const metadata = f.callsTo('/2/media/metadata');
    expect(metadata).toHaveLength(2);
    expect((metadata[0]!.body as { metadata: unknown }).metadata).toEqual({ sensitive_media_warning: { adult_content: true } });
    // metadata strictly before the tweet
    expect(f.calls.findIndex((call) => call.path === '/2/tweets')).toBeGreaterThan(f.calls.findIndex((call) => call.path === '/2/media/metadata'));
  });

  it('uploads video chunked and waits for processing, honouring check_after_secs', async () => {
    const f = await fake({ behaviour: { processingPolls: 2, checkAfterSecs: 3 } });
    const { c, waits } = connector({ chunkBytes: 16 });
    const video = fakeMp4();
    const media: PublishMedia = { kind: 'video', mimeType: 'video/mp4', bytes: video, filename: 'clip.mp4', width: 64, height: 64, rating: 'suggestive' };
    await c.publish(account(f), request({ rating: 'suggestive', media: [media] }), context().ctx);
    expect(f.posts).toHaveLength(1);
    const m = f.media.get(f.posts[0]!.media_ids[0]!)!;
    expect(m.flow).toBe('chunked');
    expect(m.media_category).toBe('tweet_video');
    expect(m.segments.size).toBe(Math.ceil(video.length / 16));
    expect(m.bytes?.equals(video)).toBe(true);
    expect(m.state).toBe('succeeded');
    expect(f.callsTo('/2/media/upload', 'GET').map((call) => call.query.command)).toEqual(['STATUS', 'STATUS']);
    expect(waits).toEqual([3000, 3000]);
    expect(f.posts[0]!.sensitive).toEqual([true]);
    const order = f.calls.map((call) => call.path.replace(/\/upload\/\d+\//, '/upload/:id/'));
    expect(order.indexOf('/2/media/upload/initialize')).toBeLessThan(order.indexOf('/2/media/upload/:id/append'));
    expect(order.lastIndexOf('/2/media/upload/:id/append')).toBeLessThan(order.indexOf('/2/media/upload/:id/finalize'));
  });

  it('sends big images chunked without waiting', async () => {
    const f = await fake();
    const { c, waits } = connector({ oneShotMaxBytes: 100, chunkBytes: 64 });
    await c.publish(account(f), request({ media: [await image()] }), context().ctx);
    const m = f.media.get(f.posts[0]!.media_ids[0]!)!;
    expect(m.flow).toBe('chunked');
    expect(m.segments.size).toBeGreaterThan(1);
    expect(waits).toEqual([]);
  });

  it('refuses a video mixed with images, and more than 4 media, before any call', async () => {
    const f = await fake();
    const { c } = connector();
    const video: PublishMedia = { kind: 'video', mimeType: 'video/mp4', bytes: fakeMp4(), filename: 'clip.mp4', width: 64, height: 64, rating: 'sfw' };
    expect((await failure(c.publish(account(f), request({ media: [video, await image()] }), context().ctx))).kind).toBe('rejected');
    const five = await Promise.all([1, 2, 3, 4, 5].map(() => image()));
    expect((await failure(c.publish(account(f), request({ media: five }), context().ctx))).kind).toBe('rejected');
    expect(f.calls).toHaveLength(0);
  });

  it('maps 429 to rate_limited with the reset, and posts once the limit is gone', async () => {
    const f = await fake({ behaviour: { rateLimit: { route: 'tweet', times: 1, resetInSeconds: 120 } } });
    const { c } = connector();
    const error = await failure(c.publish(account(f), request(), context().ctx));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(118);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(121);
    expect(f.posts).toHaveLength(0);
    await c.publish(account(f), request(), context().ctx);
    expect(f.posts).toHaveLength(1);
  });

  it('uses Retry-After when it is the later one', async () => {
    const f = await fake({ behaviour: { rateLimit: { route: 'upload', times: 1, resetInSeconds: 5, retryAfterSeconds: 600 } } });
    const error = await failure(connector().c.publish(account(f), request({ media: [await image()] }), context().ctx));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterSeconds).toBe(600);
  });

  it('maps 402 to rejected (out of credit), 5xx before the post to unavailable, 5xx on the post to unknown_outcome', async () => {
    const f = await fake({ behaviour: { outOfCredit: true } });
    const { c } = connector();
    const credit = await failure(c.publish(account(f), request(), context().ctx));
    expect(credit.kind).toBe('rejected');
    expect(credit.message).toMatch(/out of credit/i);

    f.set({ outOfCredit: false, serverError: { route: 'upload', times: 1, status: 503 } });
    const tweetsBefore = f.callsTo('/2/tweets').length;
    expect((await failure(c.publish(account(f), request({ media: [await image()] }), context().ctx))).kind).toBe('unavailable');
    expect(f.callsTo('/2/tweets')).toHaveLength(tweetsBefore);

    f.set({ serverError: { route: 'tweet', times: 1, status: 500 } });
    expect((await failure(c.publish(account(f), request(), context().ctx))).kind).toBe('unknown_outcome');
    expect(f.posts).toHaveLength(0);
  });

  it('maps a refused connection to unavailable', async () => {
    const { c } = connector();
    expect((await failure(c.publish(account(await closedPortUrl()), request(), context().ctx))).kind).toBe('unavailable');
  });

  it('maps duplicate content (403) to rejected', async () => {
    const f = await fake();
    const { c } = connector();
    await c.publish(account(f), request(), context().ctx);
    const error = await failure(c.publish(account(f), request({ idempotencyKey: 'target-2' }), context().ctx));
    expect(error.kind).toBe('rejected');
    expect(error.message).toMatch(/duplicate content/);
    expect(f.posts).toHaveLength(1);
  });

  it('refreshes an expired token during publish, stores the new credentials and posts once', async () => {
    const f = await fake();
    const acct = account(f);
    f.expireAccessToken();
    const { c } = connector();
    const { ctx, stored } = context();
    await c.publish(acct, request({ media: [await image()] }), ctx);
    expect(f.posts).toHaveLength(1);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.access_token).toBe(f.tokens.access);
    expect(stored[0]!.refresh_token).toBe(f.tokens.refresh);
    expect(stored[0]!.refresh_token).not.toBe(acct.credentials.refresh_token);
    expect(stored[0]!.client_id).toBe(acct.credentials.client_id);
    expect(Date.parse(stored[0]!.expires_at!)).toBeGreaterThan(Date.now() + 7000_000);
  });

  it('refreshes ahead of expires_at without a failed call first', async () => {
    const f = await fake();
    const { c } = connector();
    const { ctx, stored } = context();
    await c.publish(account(f, { expires_at: new Date(Date.now() - 1000).toISOString() }), request(), ctx);
    expect(stored).toHaveLength(1);
    expect(f.calls.filter((call) => call.path !== '/2/oauth2/token').every((call) => call.headers.authorization === `Bearer ${stored[0]!.access_token}`)).toBe(true);
  });

  it('refresh() keeps the old refresh token when the answer omits it', async () => {
    const f = await fake({ behaviour: { omitRefreshToken: true } });
    const acct = account(f);
    const next = await connector().c.refresh(acct, context().ctx);
    expect(next.access_token).toBe(f.tokens.access);
    expect(next.access_token).not.toBe(acct.credentials.access_token);
    expect(next.refresh_token).toBe(acct.credentials.refresh_token);
    expect(next.refresh_token).not.toBe('');
    const call = f.callsTo('/2/oauth2/token')[0]!;
    expect(call.body).toMatchObject({ grant_type: 'refresh_token', refresh_token: acct.credentials.refresh_token, client_id: acct.credentials.client_id });
  });

  it('refresh() authenticates a confidential client with Basic', async () => {
    const f = await fake({ clientSecret: 's3cret' });
    const acct = account(f, { client_secret: 's3cret' });
    const next = await connector().c.refresh(acct, context().ctx);
    expect(next.refresh_token).toBe(f.tokens.refresh);
    expect(f.callsTo('/2/oauth2/token')[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${f.tokens.clientId}:s3cret`).toString('base64')}`);
    // a wrong secret is an auth problem, not an outage
    expect((await failure(connector().c.refresh(account(f, { client_secret: 'nope' }), context().ctx))).kind).toBe('auth');
  });

  it('a revoked grant is auth, from refresh() and from publish', async () => {
    for (const revokedError of ['invalid_request', 'invalid_grant'] as const) {
      const f = await fake({ behaviour: { revoked: true, revokedError } });
      const { c } = connector();
      const acct = account(f);
      const error = await failure(c.refresh(acct, context().ctx));
      expect(error.kind).toBe('auth');
      f.expireAccessToken();
      expect((await failure(c.publish(acct, request(), context().ctx))).kind).toBe('auth');
      expect(f.posts).toHaveLength(0);
    }
  });

  it('a 401 without a way to refresh is auth', async () => {
    const f = await fake();
    const acct = account(f);
    f.expireAccessToken();
    const error = await failure(connector().c.publish(acct, request(), { signal: new AbortController().signal }));
    expect(error.kind).toBe('auth');
  });

  it('a hung create is unknown_outcome; find then finds the post the fake created', async () => {
    const f = await fake({ behaviour: { delayCreateMs: 2_000 } });
    const { c } = connector();
    const since = new Date(Date.now() - 5_000);
    const req = request({ text: 'Tea & croissants at dawn https://atelier.example/p/1', media: [await image()] });
    const error = await failure(c.publish(account(f), req, context({ timeoutMs: 300 }).ctx));
    expect(error.kind).toBe('unknown_outcome');
    expect(f.posts).toHaveLength(1);
    const found = await c.find(account(f), req, since, context().ctx);
    expect(found?.remoteId).toBe(f.posts[0]!.id);
    expect(found?.url).toContain(f.posts[0]!.id);
    const timeline = f.callsTo(`/2/users/${f.user.id}/tweets`)[0]!;
    expect(timeline.query.start_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(await c.find(account(f), { text: 'something never posted', idempotencyKey: 'other' }, since, context().ctx)).toBeNull();
  });

  it('a connection cut after the create is unknown_outcome', async () => {
    const f = await fake({ behaviour: { resetAfterCreate: true } });
    const error = await failure(connector().c.publish(account(f), request(), context().ctx));
    expect(error.kind).toBe('unknown_outcome');
    expect(f.posts).toHaveLength(1);
  });

  it('find pages through the timeline', async () => {
    const f = await fake();
    const { c } = connector();
    const since = new Date(Date.now() - 5_000);
    await c.publish(account(f), request({ text: 'the first one' }), context().ctx);
    for (let i = 0; i < 120; i++) await c.publish(account(f), request({ text: `filler ${i}` }), context().ctx);
    const found = await c.find(account(f), { text: 'the first one', idempotencyKey: 'k' }, since, context().ctx);
    expect(found?.remoteId).toBe(f.posts[0]!.id);
    expect(f.callsTo(`/2/users/${f.user.id}/tweets`)).toHaveLength(2);
  });

  it('deletes a post (and a missing one is fine)', async () => {
    const f = await fake();
    const { c } = connector();
    const result = await c.publish(account(f), request(), context().ctx);
    await c.delete(account(f), result.remoteId, context().ctx);
    expect(f.posts).toHaveLength(0);
    expect(f.deleted).toHaveLength(1);
    await c.delete(account(f), result.remoteId, context().ctx);
  });

  it('verify checks the bio and says the Automated label needs a manual check', async () => {
    const f = await fake();
    const { c } = connector();
    const good = await c.verify(account(f), context().ctx);
    expect(good.ok).toBe(true);
    expect(good.problems).toHaveLength(1);
    expect(good.problems[0]).toMatch(/cannot be verified by API; turn it on in X settings/);
    // Once someone confirmed the label, the check stops asking.
    const confirmed = await c.verify({ ...account(f), settings: { ...account(f).settings, automatedLabelConfirmedAt: new Date().toISOString() } }, context().ctx);
    expect(confirmed).toEqual({ ok: true, problems: [] });
    expect(f.callsTo('/2/users/me')[0]!.query['user.fields']).toContain('description');

    f.user.description = 'Sunsets, coffee and city walks';
    const bad = await c.verify(account(f), context().ctx);
    expect(bad.ok).toBe(false);
    expect(bad.problems.join('\n')).toMatch(/automated/);
    expect(bad.problems.join('\n')).toMatch(/who runs/);
  });
});
