import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelCache } from '../../src/platform/db/schema/index.ts';
import { aiForbiddingRule } from '../../src/publishing/router.ts';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { startFakeReddit, type FakeReddit } from '../fakes/reddit.ts';
import { approvedPost, inHours, uploadAsset } from './helpers.ts';

describe('AI rule matching', () => {
  const rule = (shortName: string, description = '') => [{ shortName, description }];
  it('finds rules that forbid AI content, not rules that only ask to label it', () => {
    expect(aiForbiddingRule(rule('No AI art'))).toBe('No AI art');
    expect(aiForbiddingRule(rule('Original content', 'AI-generated images are not allowed.'))).toBe('Original content');
    expect(aiForbiddingRule(rule('Human-made only', "Don't post AI or Midjourney pictures"))).toBe('Human-made only');
    expect(aiForbiddingRule(rule('Label AI art', 'AI-generated images must say so in the title.'))).toBeNull();
    expect(aiForbiddingRule(rule('Be kind', 'No harassment. AI art welcome.'))).toBeNull();
  });
});

describe.each(backends)('Reddit subreddit rules on %s', (backend) => {
  let rt: TestRuntime;
  let reddit: FakeReddit;
  let owner: ApiClient;
  let personaId: string;
  let channelId: string;

  beforeAll(async () => {
    reddit = await startFakeReddit();
    reddit.subreddits.set('NoBots', { over18: false, flairRequired: false, flairs: [], submissionType: 'any', allowImages: true, rules: [{ short_name: 'No AI art', description: 'Only pictures you made yourself.' }] });
    rt = await testRuntime(backend);
    owner = (await ownerClient(rt.app, rt.platform, 'Reddit rules')).client;
    personaId = (await owner.post('/api/v1/personas', personaBody('Iris'))).body.id;
    const created = await owner.post('/api/v1/channels', {
      personaId,
      platform: 'reddit',
      handle: `u/${reddit.username}`,
      settings: { oauthBaseUrl: reddit.url, tokenUrl: reddit.tokenUrl, username: reddit.username, userAgent: 'test:atelier:1.0 (by /u/atelier_persona)', subreddits: { AtelierTest: { minHoursBetweenPosts: 12 } } },
      credentials: { access_token: reddit.accessToken, refresh_token: reddit.refreshToken, expires_at: new Date(Date.now() + 24 * 3600_000).toISOString(), client_id: reddit.clientId, client_secret: reddit.clientSecret },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    channelId = created.body.id;
  }, 60_000);
  afterAll(async () => {
    await rt?.stop();
    await reddit?.close();
  });

  const create = (subreddit: string | undefined, extra: { assetId?: string; flairId?: string } = {}) =>
    owner.post('/api/v1/posts', {
      personaId,
      caption: `A quiet harbour at dawn ${Math.random().toString(36).slice(2, 6)}`,
      ...(extra.assetId ? { assetId: extra.assetId } : {}),
      targets: [{ channelId, options: { ...(subreddit ? { subreddit } : {}), ...(extra.flairId ? { flairId: extra.flairId } : {}) } }],
    });
  const rulesCalls = (sr: string) => reddit.callsTo(new RegExp(`^/r/${sr}/about/rules`), 'GET').length;

  it('caches a subreddit’s rules for a day, falls back to the stale copy, and refuses when none can be had', async () => {
    expect((await create('AtelierTest')).status).toBe(201);
    expect((await create('r/AtelierTest')).status).toBe(201);
    expect(rulesCalls('AtelierTest')).toBe(1);

    // A day later the copy is stale: the fetch fails, the stale copy still answers.
    await rt.platform.db.withSystem((tx) => tx.update(channelCache).set({ fetchedAt: new Date(Date.now() - 25 * 3600_000) }).where(eq(channelCache.channelId, channelId)));
    reddit.set({ mode: 'http500' });
    expect((await create('AtelierTest')).status).toBe(201);
    // No copy at all and Reddit down: refused, not guessed.
    const unknown = await create('FlairOnly');
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ code: 'reddit_rules_unavailable', channelId, subreddit: 'FlairOnly' });
    reddit.set({ mode: 'ok' });
    const missing = await create(undefined);
    expect(missing.body.code).toBe('subreddit_missing');
  });

  it('refuses AI content where the rules forbid it and flair-less posts where flair is required', async () => {
    const ai = await create('NoBots');
    expect(ai.status).toBe(422);
    expect(ai.body).toMatchObject({ code: 'reddit_ai_not_allowed', channelId, subreddit: 'NoBots' });
    expect(ai.body.detail).toContain('No AI art');
    const noFlair = await create('FlairOnly');
    expect(noFlair.body.code).toBe('reddit_flair_required');
    expect((await create('FlairOnly', { flairId: 'flair-required-1' })).status).toBe(201);
  });

  it('posts non-sfw media (flagged NSFW) only to subreddits that allow it', async () => {
    const suggestive = await uploadAsset(rt, owner, personaId, { r: 200, g: 120, b: 160 }, 'suggestive');
    const sfwSub = await create('AtelierTest', { assetId: suggestive });
    expect(sfwSub.status).toBe(422);
    expect(sfwSub.body).toMatchObject({ code: 'reddit_nsfw_not_allowed', channelId });
    expect((await create('AdultArt', { assetId: suggestive })).status).toBe(201);
  });

  it('keeps the configured hours between two posts to one subreddit (24 h by default)', async () => {
    const schedule = async (subreddit: string, hours: number) => {
      const post = await approvedPost(owner, { personaId, caption: `Harbour, hour ${hours} ${subreddit}`, targets: [{ channelId, options: { subreddit } }] });
      return owner.post(`/api/v1/posts/${post.id}/schedule`, { at: inHours(hours) });
    };
    expect((await schedule('AtelierTest', 100)).status).toBe(200);
    const tooSoon = await schedule('AtelierTest', 110);
    expect(tooSoon.status).toBe(422);
    expect(tooSoon.body).toMatchObject({ code: 'reddit_too_frequent', channelId, subreddit: 'AtelierTest', minHoursBetweenPosts: 12 });
    expect((await schedule('AtelierTest', 113)).status).toBe(200);
    // AdultArt has no setting of its own: the 24 h default.
    expect((await schedule('AdultArt', 100)).status).toBe(200);
    expect((await schedule('AdultArt', 120)).body.code).toBe('reddit_too_frequent');
    expect((await schedule('AdultArt', 125)).status).toBe(200);
  });
});
