import { afterEach, describe, expect, it } from 'vitest';
import { RedditConnector, normalizeSubreddit, parseRedditRatelimitMessage, redditTitle, subredditPolicy } from '../../../src/publishing/connectors/reddit/index.ts';
import { ConnectorError, type ChannelAccount, type ConnectorContext, type PublishMedia, type PublishRequest } from '../../../src/publishing/connectors/types.ts';
import type { Rating } from '../../../src/safety/types.ts';
import { startFakeReddit, type FakeReddit, type RedditBehaviour } from '../../fakes/reddit.ts';
import { closedPortUrl, fakeMp4, makePng, type Multipart } from '../../fakes/util.ts';

const fakes: FakeReddit[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function fake(behaviour: Partial<RedditBehaviour> = {}): Promise<FakeReddit> {
  const f = await startFakeReddit({ behaviour });
  fakes.push(f);
  return f;
}

function account(f: FakeReddit, extra: { settings?: Record<string, unknown>; credentials?: Record<string, string> } = {}): ChannelAccount {
  return {
    id: 'ch_reddit',
    orgId: 'org_1',
    platform: 'reddit',
    handle: f.username,
    settings: {
      oauthBaseUrl: f.url,
      tokenUrl: f.tokenUrl,
      username: f.username,
      userAgent: 'test:atelier:1.0 (by /u/atelier_persona)',
      subreddits: { AdultArt: { nsfwAllowed: true, aiAllowed: true }, AtelierTest: { nsfwAllowed: false, aiAllowed: true } },
      ...extra.settings,
    },
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
async function image(rating: Rating = 'sfw', name = 'persona.png'): Promise<PublishMedia> {
  png ??= await makePng({ width: 48, height: 48 });
  return { kind: 'image', mimeType: 'image/png', bytes: png, filename: name, width: 48, height: 48, rating };
}

function request(items: PublishMedia[], options: Record<string, unknown>, text = 'Golden hour study (AI-generated persona)'): PublishRequest {
  const rating = items.some((m) => m.rating === 'explicit') ? 'explicit' : items.some((m) => m.rating === 'suggestive') ? 'suggestive' : 'sfw';
  return { text, media: items, rating, idempotencyKey: 'tgt_reddit_1', options };
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

const connector = () => new RedditConnector({ recoveryDelayMs: 20 });

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

function form(call: { body: unknown }): URLSearchParams {
  return new URLSearchParams((call.body as Buffer).toString('utf8'));
}

describe('policy', () => {
  it('accepts all ratings only when a configured subreddit allows NSFW (and AI)', () => {
    const c = new RedditConnector();
    expect(c.policy({ settings: {} }).accepts).toEqual(['sfw', 'suggestive']);
    expect(c.policy({ settings: { subreddits: { AtelierTest: { nsfwAllowed: false, aiAllowed: true } } } }).accepts).toEqual(['sfw', 'suggestive']);
    expect(c.policy({ settings: { subreddits: { AtelierTest: { nsfwAllowed: false, aiAllowed: true }, AdultArt: { nsfwAllowed: true, aiAllowed: true } } } }).accepts).toEqual(['sfw', 'suggestive', 'explicit']);
    expect(c.policy({ settings: { subreddits: { NoAi: { nsfwAllowed: true, aiAllowed: false } } } }).accepts).toEqual(['sfw', 'suggestive']);
    const policy = c.policy({ settings: {} });
    expect(policy).toMatchObject({ disclosureRequired: true, maxMedia: 20, flagsAdultMedia: true, needsPublicMediaUrl: false });
  });

  it('subredditPolicy: AI disallowed → nothing; flair required without flair → reason; NSFW → all', () => {
    const settings = {
      subreddits: {
        'r/NoAi': { nsfwAllowed: true, aiAllowed: false },
        FlairOnly: { nsfwAllowed: false, aiAllowed: true, flairRequired: true, minHoursBetweenPosts: 24 },
        AdultArt: { nsfwAllowed: true, aiAllowed: true },
      },
    };
    expect(subredditPolicy(settings, 'noai')).toMatchObject({ accepts: [], reason: expect.stringMatching(/AI-generated/) });
    expect(subredditPolicy(settings, 'FlairOnly')).toMatchObject({ accepts: [], flairRequired: true, reason: expect.stringMatching(/flair/), minHoursBetweenPosts: 24 });
    expect(subredditPolicy(settings, 'FlairOnly', { flairId: 'x' }).accepts).toEqual(['sfw', 'suggestive']);
    expect(subredditPolicy(settings, 'FlairOnly', { flairId: 'x' }).reason).toBeUndefined();
    expect(subredditPolicy(settings, '/r/AdultArt/').accepts).toEqual(['sfw', 'suggestive', 'explicit']);
    expect(subredditPolicy(settings, 'Elsewhere')).toMatchObject({ configured: false, accepts: ['sfw', 'suggestive'] });
  });

  it('helpers', () => {
    expect(normalizeSubreddit('/r/pics/')).toBe('pics');
    expect(redditTitle('first line\nsecond')).toBe('first line');
    expect([...redditTitle('x'.repeat(400))]).toHaveLength(300);
    expect(redditTitle('text', 'Given')).toBe('Given');
    expect(parseRedditRatelimitMessage("Looks like you've been doing that a lot. Take a break for 5 minutes before trying again.")).toBe(300);
    expect(parseRedditRatelimitMessage('try again in 30 seconds')).toBe(30);
  });
});

describe('RedditConnector.publish against the fake', () => {
  it('image post: lease → multipart upload → submit (nsfw for explicit, flair passed) → id recovered from /submitted', async () => {
    const f = await fake();
    const result = await connector().publish(account(f), request([await image('explicit')], { subreddit: 'r/AdultArt', title: 'Golden hour study [AI]', flairId: undefined }), ctx());

    expect(f.posts).toHaveLength(1);
    const post = f.posts[0]!;
    expect(result.remoteId).toBe(post.name);
    expect(result.remoteId).toMatch(/^t3_/);
    expect(result.url).toBe(`https://www.reddit.com${post.permalink}`);
    expect(post.over_18).toBe(true);
    expect(post.subreddit).toBe('AdultArt');

    const lease = f.callsTo('/api/media/asset.json', 'POST');
    expect(lease).toHaveLength(1);
    expect(Object.fromEntries(form(lease[0]!))).toEqual({ filepath: 'persona.png', mimetype: 'image/png' });
    expect(lease[0]!.headers.authorization).toBe(`Bearer ${f.accessToken}`);
    expect(lease[0]!.headers['user-agent']).toMatch(/atelier/);

    const upload = f.callsTo('/media-bucket', 'POST');
    expect(upload).toHaveLength(1);
    const multipart = upload[0]!.body as Multipart;
    expect(multipart.fields['x-amz-signature']).toMatch(/^sig-/);
    expect(multipart.files[0]!.name).toBe('file');
    expect(multipart.files[0]!.data.equals(png)).toBe(true);
    expect(upload[0]!.headers.authorization).toBeUndefined();

    const submit = form(f.callsTo('/api/submit', 'POST')[0]!);
    expect(submit.get('kind')).toBe('image');
    expect(submit.get('url')).toBe([...f.assets.values()][0]!.url);
    expect(submit.get('sr')).toBe('AdultArt');
    expect(submit.get('title')).toBe('Golden hour study [AI]');
    expect(submit.get('nsfw')).toBe('true');
    expect(submit.get('api_type')).toBe('json');
    expect(submit.get('sendreplies')).toBe('true');
    expect(submit.get('text')).toBe('Golden hour study (AI-generated persona)');
    expect(f.callsTo(`/user/${f.username}/submitted`, 'GET').length).toBeGreaterThanOrEqual(1);
    expect(f.callsTo('/api/submit')).toHaveLength(1);
  });

  it('passes the flair, leaves nsfw off for SFW, sets it when forced or suggestive', async () => {
    const f = await fake();
    const c = connector();
    await c.publish(account(f), request([await image('sfw')], { subreddit: 'FlairOnly', title: 'Flair test', flairId: 'flair-required-1' }), ctx());
    const first = form(f.callsTo('/api/submit')[0]!);
    expect(first.get('flair_id')).toBe('flair-required-1');
    expect(first.get('nsfw')).toBe('false');
    expect(f.posts[0]!.link_flair_template_id).toBe('flair-required-1');

    await c.publish(account(f), request([await image('sfw')], { subreddit: 'AtelierTest', title: 'Forced', nsfw: true }), ctx());
    expect(form(f.callsTo('/api/submit')[1]!).get('nsfw')).toBe('true');
    await c.publish(account(f), request([await image('suggestive')], { subreddit: 'AtelierTest', title: 'Suggestive' }), ctx());
    expect(form(f.callsTo('/api/submit')[2]!).get('nsfw')).toBe('true');
    expect(f.posts.map((p) => p.over_18)).toEqual([false, true, true]);
  });

  it('gallery for several images; self post without media', async () => {
    const f = await fake();
    const c = connector();
    const gallery = await c.publish(account(f), request([await image('sfw', 'a.png'), await image('sfw', 'b.png')], { subreddit: 'AtelierTest', title: 'Two views' }), ctx());
    expect(f.posts[0]!.kind).toBe('gallery');
    expect(gallery.remoteId).toBe(f.posts[0]!.name);
    expect(f.callsTo('/media-bucket')).toHaveLength(2);
    const self = await c.publish(account(f), request([], { subreddit: 'NoImages', title: 'Words only' }, 'A text post (AI persona)'), ctx());
    expect(f.posts[1]!.kind).toBe('self');
    expect(self.remoteId).toBe(f.posts[1]!.name);
  });

  it("Reddit's json.errors → rejected with the message (flair required, not allowed)", async () => {
    const f = await fake();
    const c = connector();
    const flair = await failure(c.publish(account(f), request([await image()], { subreddit: 'FlairOnly', title: 'No flair' }), ctx()));
    expect(flair.kind).toBe('rejected');
    expect(flair.message).toMatch(/SUBMIT_VALIDATION_FLAIR_REQUIRED/);

    f.set({ submitErrors: [['SUBREDDIT_NOTALLOWED', "you aren't allowed to post there.", 'sr']] });
    const notAllowed = await failure(c.publish(account(f), request([await image()], { subreddit: 'AtelierTest', title: 'x' }), ctx()));
    expect(notAllowed.kind).toBe('rejected');
    expect(notAllowed.message).toMatch(/SUBREDDIT_NOTALLOWED: you aren't allowed to post there/);

    f.set({ submitErrors: [['RATELIMIT', "Looks like you've been doing that a lot. Take a break for 3 minutes before trying again.", 'ratelimit']] });
    const ratelimit = await failure(c.publish(account(f), request([await image()], { subreddit: 'AtelierTest', title: 'x' }), ctx()));
    expect(ratelimit.kind).toBe('rate_limited');
    expect(ratelimit.retryAfterSeconds).toBe(180);
    expect(f.posts).toHaveLength(0);
  });

  it('refuses per the channel subreddit settings before calling Reddit', async () => {
    const f = await fake();
    const settings = { subreddits: { AtelierTest: { nsfwAllowed: false, aiAllowed: false }, FlairOnly: { nsfwAllowed: false, aiAllowed: true, flairRequired: true }, Safe: { nsfwAllowed: false, aiAllowed: true } } };
    const c = connector();
    expect((await failure(c.publish(account(f, { settings }), request([await image()], { subreddit: 'AtelierTest', title: 'x' }), ctx()))).message).toMatch(/AI-generated/);
    expect((await failure(c.publish(account(f, { settings }), request([await image()], { subreddit: 'FlairOnly', title: 'x' }), ctx()))).message).toMatch(/flair/);
    expect((await failure(c.publish(account(f, { settings }), request([await image('explicit')], { subreddit: 'Safe', title: 'x' }), ctx()))).kind).toBe('rejected');
    expect((await failure(c.publish(account(f), request([await image()], { title: 'x' }), ctx()))).message).toMatch(/subreddit/);
    // Explicit content to a subreddit the channel has not configured: refused, with a hint.
    expect((await failure(c.publish(account(f), request([await image('explicit')], { subreddit: 'Unlisted', title: 'x' }), ctx()))).message).toMatch(/nsfwAllowed/);
    const video: PublishMedia = { kind: 'video', mimeType: 'video/mp4', bytes: fakeMp4(), filename: 'v.mp4', width: null, height: null, rating: 'sfw' };
    expect((await failure(c.publish(account(f), request([video], { subreddit: 'AtelierTest', title: 'x' }), ctx()))).kind).toBe('rejected');
    expect(f.calls).toHaveLength(0);
  });

  it('429 → rate_limited with retryAfterSeconds', async () => {
    const f = await fake({ mode: 'rateLimitOnce', retryAfterSeconds: 42 });
    const error = await failure(connector().publish(account(f), request([await image()], { subreddit: 'AtelierTest', title: 'x' }), ctx()));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterSeconds).toBe(42);
    expect(f.posts).toHaveLength(0);
  });

  it('stops before the next call when x-ratelimit-remaining hits 0', async () => {
    const f = await fake({ rateLimitRemaining: 0 });
    const error = await failure(connector().publish(account(f), request([await image()], { subreddit: 'AtelierTest', title: 'x' }), ctx()));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterSeconds).toBe(420);
    expect(f.callsTo('/api/submit')).toHaveLength(0);
  });

  it('expired token → refresh (basic auth) → success, refresh token kept', async () => {
    const f = await fake({ mode: 'expiredToken' });
    const c = ctx();
    const acct = account(f);
    const oldRefresh = acct.credentials.refresh_token;
    const result = await connector().publish(acct, request([await image()], { subreddit: 'AtelierTest', title: 'After refresh' }), c);
    expect(result.remoteId).toBe(f.posts[0]!.name);
    const tokenCalls = f.callsTo('/api/v1/access_token', 'POST');
    expect(tokenCalls).toHaveLength(1);
    expect(tokenCalls[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${f.clientId}:${f.clientSecret}`).toString('base64')}`);
    expect(Object.fromEntries(form(tokenCalls[0]!))).toEqual({ grant_type: 'refresh_token', refresh_token: oldRefresh });
    expect(c.saved).toHaveLength(1);
    expect(c.saved[0]!.access_token).toBe(f.accessToken);
    expect(c.saved[0]!.refresh_token).toBe(oldRefresh); // Reddit sent none: never blanked
    expect(c.saved[0]!.client_secret).toBe(f.clientSecret);
    expect(f.callsTo('/api/submit')).toHaveLength(1);
  });

  it('refreshes early when expires_at has passed, and keeps a rotated refresh token', async () => {
    const f = await fake({ rotateRefreshToken: true });
    const c = ctx();
    await connector().publish(account(f, { credentials: { expires_at: new Date(Date.now() - 1000).toISOString() } }), request([await image()], { subreddit: 'AtelierTest', title: 'Early' }), c);
    expect(c.saved[0]!.refresh_token).toBe(f.refreshToken);
    expect(f.calls[0]!.path).toBe('/api/v1/access_token');
  });

  it('revoked refresh token → auth', async () => {
    const f = await fake({ mode: 'revokedRefresh' });
    const c = ctx();
    const error = await failure(connector().publish(account(f), request([await image()], { subreddit: 'AtelierTest', title: 'x' }), c));
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(/invalid_grant/);
    expect(c.saved).toHaveLength(0);
    const refresh = await failure(connector().refresh(account(f), ctx()));
    expect(refresh.kind).toBe('auth');
  });

  it('5xx on the lease → unavailable; the bucket unreachable → unavailable', async () => {
    const f = await fake({ mode: 'http500' });
    expect((await failure(connector().publish(account(f), request([await image()], { subreddit: 'AtelierTest', title: 'x' }), ctx()))).kind).toBe('unavailable');
    const dead = await closedPortUrl();
    const g = await fake();
    const error = await failure(connector().publish({ ...account(g), settings: { ...account(g).settings, oauthBaseUrl: dead } }, request([await image()], { subreddit: 'AtelierTest', title: 'x' }), ctx()));
    expect(error.kind).toBe('unavailable');
  });

  it('a delayed submit with a short deadline → unknown_outcome, then find locates the post', async () => {
    const f = await fake({ delayPublishMs: 1500 });
    const since = new Date(Date.now() - 1000);
    const req = request([await image('explicit')], { subreddit: 'AdultArt', title: 'Delayed 9c1e' });
    const controller = new AbortController();
    const c = connector();
    const pending = c.publish(account(f), req, ctx(controller.signal));
    for (let i = 0; i < 300 && f.posts.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    const error = await failure(pending);
    expect(error.kind).toBe('unknown_outcome');
    expect(f.posts).toHaveLength(1);

    // The dispatcher passes the request (options included) back to find.
    const found = await c.find(account(f), req, since, ctx());
    expect(found).toEqual({ remoteId: f.posts[0]!.name, url: `https://www.reddit.com${f.posts[0]!.permalink}` });
    // With only the text, the post body (sent alongside the separate title) still matches.
    expect((await c.find(account(f), { idempotencyKey: req.idempotencyKey, text: req.text }, since, ctx()))?.remoteId).toBe(f.posts[0]!.name);
    expect(await c.find(account(f), { idempotencyKey: req.idempotencyKey, text: 'another text' }, since, ctx())).toBeNull();
  });

  it('find matches the title derived from the text when no title option was given', async () => {
    const f = await fake();
    const c = connector();
    const since = new Date(Date.now() - 1000);
    const req = request([await image()], { subreddit: 'AtelierTest' }, 'Sunset over the harbour (AI persona)\nmore words');
    await c.publish(account(f), req, ctx());
    expect(f.posts[0]!.title).toBe('Sunset over the harbour (AI persona)');
    const found = await c.find(account(f), { idempotencyKey: 'k', text: req.text }, since, ctx());
    expect(found?.remoteId).toBe(f.posts[0]!.name);
  });
});

describe('fetchSubredditRules', () => {
  it('returns rules, flair requirement and facts as a plain object', async () => {
    const f = await fake();
    const c = connector();
    const rules = await c.fetchSubredditRules(account(f), 'r/AtelierTest', ctx());
    expect(rules).toMatchObject({ subreddit: 'AtelierTest', flairRequired: false, over18: false, allowImages: true, submissionType: 'any', titleMaxLength: 300 });
    expect(rules.rules.map((r) => r.shortName)).toEqual(['Be kind', 'Label AI art']);
    expect(rules.rules[1]!.violationReason).toBe('Unlabelled AI');
    expect(JSON.parse(JSON.stringify(rules))).toEqual(rules);

    const flair = await c.fetchSubredditRules(account(f), 'FlairOnly', ctx());
    expect(flair.flairRequired).toBe(true);
    expect(f.callsTo('/api/v1/FlairOnly/post_requirements')).toHaveLength(1);
    expect((await c.fetchSubredditRules(account(f), 'AdultArt', ctx())).over18).toBe(true);
    expect((await failure(c.fetchSubredditRules(account(f), 'DoesNotExist', ctx()))).kind).toBe('rejected');
  });

  it('verify checks the token owner', async () => {
    const f = await fake();
    expect(await connector().verify(account(f), ctx())).toEqual({ ok: true, problems: [] });
    const other = await connector().verify({ ...account(f), settings: { ...account(f).settings, username: 'someone_else' } }, ctx());
    expect(other.ok).toBe(false);
  });
});
