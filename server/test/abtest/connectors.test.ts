import { afterEach, describe, expect, it } from 'vitest';
import { XConnector } from '../../src/publishing/connectors/x/index.ts';
import { BlueskyConnector } from '../../src/publishing/connectors/bluesky/index.ts';
import { RedditConnector } from '../../src/publishing/connectors/reddit/index.ts';
import { InstagramConnector } from '../../src/publishing/connectors/instagram/index.ts';
import { ConnectorError, type ChannelAccount, type ConnectorContext, type PublishRequest } from '../../src/publishing/connectors/types.ts';
import { startFakeX } from '../fakes/x.ts';
import { startFakeBluesky } from '../fakes/bluesky.ts';
import { startFakeReddit } from '../fakes/reddit.ts';
import { startFakeInstagram } from '../fakes/instagram.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const ctx = (): ConnectorContext => ({ signal: AbortSignal.timeout(20_000), onCredentials: async () => {} });
const request = (text: string, options: Record<string, unknown> = {}): PublishRequest => ({ text, media: [], rating: 'sfw', idempotencyKey: `k-${text}`, options });

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe('connector metrics against the fakes', () => {
  it('X: public_metrics in batches of 100, followers from users/me, bearer checked', async () => {
    const f = await startFakeX();
    closers.push(() => f.close());
    const account: ChannelAccount = {
      id: 'c-x',
      orgId: 'o',
      platform: 'x',
      handle: '@atelier_persona',
      settings: { baseUrl: f.url },
      credentials: { access_token: f.tokens.access, refresh_token: f.tokens.refresh, client_id: f.tokens.clientId, expires_at: new Date(Date.now() + 3600_000).toISOString() },
    };
    const x = new XConnector();
    const a = await x.publish(account, request('First light on the harbour (AI persona)'), ctx());
    const b = await x.publish(account, request('Second take, same harbour (AI persona)'), ctx());
    f.figures.posts.set(a.remoteId, { impression_count: 1200, like_count: 40, reply_count: 3, retweet_count: 5, quote_count: 1 });
    f.figures.followers = 321;
    const ids = [a.remoteId, b.remoteId, '1', ...Array.from({ length: 100 }, (_, i) => String(900 + i))];
    const figures = await x.metrics(account, ids, ctx());
    expect(figures).toHaveLength(2);
    expect(figures.find((m) => m.remoteId === a.remoteId)).toMatchObject({ impressions: 1200, likes: 40, comments: 3, shares: 6 });
    expect(figures.find((m) => m.remoteId === b.remoteId)).toMatchObject({ impressions: 0, likes: 0 });
    const lookups = f.callsTo('/2/tweets', 'GET');
    expect(lookups).toHaveLength(2);
    expect(lookups[0]!.query['tweet.fields']).toBe('public_metrics');
    expect(lookups.every((c) => c.headers.authorization === `Bearer ${f.tokens.access}`)).toBe(true);
    expect(await x.accountMetrics(account, ctx())).toMatchObject({ followers: 321 });

    f.set({ rateLimit: { route: 'lookup', times: 1, resetInSeconds: 90 } });
    const limited = await failure(x.metrics(account, [a.remoteId], ctx()));
    expect(limited.kind).toBe('rate_limited');
    expect(limited.retryAfterSeconds).toBeGreaterThan(0);
    const refused = await failure(x.metrics({ ...account, credentials: { access_token: 'wrong' } }, [a.remoteId], ctx()));
    expect(refused.kind).toBe('auth');
  });

  it('Bluesky: getPosts (25 URIs a call) and getProfile; no impressions', async () => {
    const f = await startFakeBluesky();
    closers.push(() => f.close());
    const account: ChannelAccount = { id: 'c-b', orgId: 'o', platform: 'bluesky', handle: f.account.handle, settings: { service: f.url }, credentials: { identifier: f.account.handle, app_password: f.account.password } };
    const b = new BlueskyConnector();
    const post = await b.publish(account, request('Tide pools at noon (AI persona)'), ctx());
    f.figures.posts.set(post.remoteId, { likeCount: 12, replyCount: 2, repostCount: 3, quoteCount: 1 });
    f.figures.followers = 77;
    const missing = Array.from({ length: 30 }, (_, i) => `at://${f.account.did}/app.bsky.feed.post/3k${String(i).padStart(11, 'a')}`);
    const figures = await b.metrics(account, [post.remoteId, ...missing], ctx());
    expect(figures).toEqual([expect.objectContaining({ remoteId: post.remoteId, likes: 12, comments: 2, shares: 4 })]);
    expect(figures[0]!.impressions).toBeUndefined();
    const calls = f.callsTo('app.bsky.feed.getPosts', 'GET');
    expect(calls).toHaveLength(2);
    expect(calls.every((c) => String(c.headers.authorization).startsWith('Bearer '))).toBe(true);
    expect(await b.accountMetrics(account, ctx())).toMatchObject({ followers: 77 });

    f.set({ appPasswordRevoked: true });
    const refused = await failure(b.metrics({ ...account, credentials: { identifier: f.account.handle, app_password: 'wrong' } }, [post.remoteId], ctx()));
    expect(refused.kind).toBe('auth');
  });

  it('Reddit: /api/info by fullname, followers of the profile; 429 is rate_limited', async () => {
    const f = await startFakeReddit();
    closers.push(() => f.close());
    const account: ChannelAccount = {
      id: 'c-r',
      orgId: 'o',
      platform: 'reddit',
      handle: f.username,
      settings: { oauthBaseUrl: f.url, tokenUrl: f.tokenUrl, username: f.username, userAgent: 'test:atelier:1.0', subreddits: { AtelierTest: { nsfwAllowed: false, aiAllowed: true } } },
      credentials: { access_token: f.accessToken, refresh_token: f.refreshToken, client_id: f.clientId, client_secret: f.clientSecret, expires_at: new Date(Date.now() + 3600_000).toISOString() },
    };
    const r = new RedditConnector();
    const post = await r.publish(account, request('Sketchbook page (AI-generated persona)', { subreddit: 'AtelierTest' }), ctx());
    f.figures.posts.set(post.remoteId, { ups: 55, num_comments: 7, num_crossposts: 2 });
    f.figures.followers = 14;
    const figures = await r.metrics(account, [post.remoteId, 't3_gone'], ctx());
    expect(figures).toEqual([expect.objectContaining({ remoteId: post.remoteId, likes: 55, comments: 7, shares: 2 })]);
    expect(figures[0]!.impressions).toBeUndefined();
    const info = f.callsTo('/api/info', 'GET');
    expect(info[0]!.query.id).toBe(`${post.remoteId},t3_gone`);
    expect(info[0]!.headers.authorization).toBe(`Bearer ${f.accessToken}`);
    expect(await r.accountMetrics(account, ctx())).toMatchObject({ followers: 14 });

    f.set({ mode: 'rateLimitOnce' });
    expect((await failure(r.metrics(account, [post.remoteId], ctx()))).kind).toBe('rate_limited');
  });

  it('Instagram: insights per media, followers_count, token checked', async () => {
    const f = await startFakeInstagram({ behaviour: { fetchMedia: false, pollsToFinish: 0 } });
    closers.push(() => f.close());
    const account: ChannelAccount = { id: 'c-i', orgId: 'o', platform: 'instagram', handle: 'atelier_test_persona', settings: { graphBaseUrl: f.url, igUserId: f.igUserId }, credentials: { access_token: f.token } };
    const ig = new InstagramConnector({ pollIntervalMs: 5, maxPollIntervalMs: 10 });
    const media = { kind: 'image' as const, mimeType: 'image/png', bytes: Buffer.from('png'), filename: 'a.png', width: 32, height: 32, rating: 'sfw' as const, publicUrl: 'https://media.example.test/a.png' };
    const post = await ig.publish(account, { ...request('Linen and light (AI persona)'), media: [media] }, ctx());
    f.figures.posts.set(post.remoteId, { views: 900, reach: 700, likes: 60, comments: 4, shares: 9, saved: 2 });
    f.figures.followers = 2048;
    const figures = await ig.metrics(account, [post.remoteId, '17999999999999999'], ctx());
    expect(figures).toEqual([expect.objectContaining({ remoteId: post.remoteId, impressions: 900, likes: 60, comments: 4, shares: 9 })]);
    const insights = f.callsTo(new RegExp(`/${post.remoteId}/insights$`), 'GET');
    expect(insights[0]!.query.access_token).toBe(f.token);
    expect(await ig.accountMetrics(account, ctx())).toMatchObject({ followers: 2048 });

    const refused = await failure(ig.metrics({ ...account, credentials: { access_token: 'nope' } }, [post.remoteId], ctx()));
    expect(refused.kind).toBe('auth');
  });
});
