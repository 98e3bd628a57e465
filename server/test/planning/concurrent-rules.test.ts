/**
 * X's monthly budget and Reddit's posting frequency are decided from rows other requests write at the same
 * time: simultaneous schedules (and sends) of one channel must not all pass a check only some of them fit.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels } from '../../src/platform/db/schema/index.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import type { ChannelAccount, Connector, PublishRequest, PublishResult } from '../../src/publishing/connectors/types.ts';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { startFakeReddit, type FakeReddit } from '../fakes/reddit.ts';
import { approvedPost, dispatchNow, inHours } from './helpers.ts';

/** X as far as the budget sees it: each post lands after a pause (so sends overlap), costing 1.5 ¢. */
class SlowX implements Connector {
  readonly platform = 'x' as const;
  landed: PublishRequest[] = [];
  policy() {
    return { accepts: ['sfw' as const], disclosureRequired: true, maxMedia: 4, maxTextLength: 280, flagsAdultMedia: true, needsPublicMediaUrl: false };
  }
  async publish(_account: ChannelAccount, request: PublishRequest): Promise<PublishResult> {
    await new Promise((r) => setTimeout(r, 150));
    this.landed.push(request);
    return { remoteId: `tw-${request.idempotencyKey}`, meta: { costCents: 1.5 } };
  }
}

const N = 6;

describe.each(backends)('rules decided under the channel lock (%s)', (backend) => {
  let rt: TestRuntime;
  let reddit: FakeReddit;
  let owner: ApiClient;
  let personaId: string;
  const x = new SlowX();

  beforeAll(async () => {
    reddit = await startFakeReddit();
    rt = await testRuntime(backend);
    publishingServices(rt.platform).connectors.set(x);
    owner = (await ownerClient(rt.app, rt.platform, 'Concurrent rules')).client;
    personaId = (await owner.post('/api/v1/personas', personaBody('Vera'))).body.id;
  }, 60_000);
  afterAll(async () => {
    await rt?.stop();
    await reddit?.close();
  });

  const scheduleAll = (ids: string[], at: string) => Promise.all(ids.map((id) => owner.post(`/api/v1/posts/${id}/schedule`, { at })));
  const codes = (answers: { status: number; body: { code?: string } }[]) => answers.map((a) => (a.status === 200 ? 'ok' : a.body.code)).sort();

  it(`X: of ${N} posts scheduled at once, only the two the budget allows get in`, async () => {
    // 5 ¢ a month, 2 ¢ a post (1.5 ¢ rounded up): two fit.
    const xId = (await owner.post('/api/v1/channels', { personaId, platform: 'x', handle: '@vera', settings: { costBudgetCents: 5 }, credentials: { access_token: 't' } })).body.id;
    const posts = [];
    for (let i = 0; i < N; i++) posts.push(await approvedPost(owner, { personaId, caption: `Quiet street number ${i}`, targets: [{ channelId: xId }] }));
    const answers = await scheduleAll(
      posts.map((p) => p.id),
      inHours(2),
    );
    expect(codes(answers)).toEqual([...Array(N - 2).fill('x_budget_exceeded'), 'ok', 'ok'].sort());
    expect((await owner.get(`/api/v1/channels/${xId}/spend`)).body).toMatchObject({ budgetCents: 5, scheduledCents: 4 });
  });

  it('X: two sends at once with room for one post send one', async () => {
    const xId = (await owner.post('/api/v1/channels', { personaId, platform: 'x', handle: '@vera_two', settings: { costBudgetCents: 4 }, credentials: { access_token: 't' } })).body.id;
    const a = await approvedPost(owner, { personaId, caption: 'Tram at dusk', targets: [{ channelId: xId }] });
    const b = await approvedPost(owner, { personaId, caption: 'Tram at dawn', targets: [{ channelId: xId }] });
    for (const p of [a, b]) expect((await owner.post(`/api/v1/posts/${p.id}/schedule`, { at: new Date().toISOString() })).status).toBe(200);
    // The budget is lowered after both were scheduled: now only one of them fits.
    await rt.platform.db.withSystem((tx) => tx.update(channels).set({ settings: { costBudgetCents: 3 } }).where(eq(channels.id, xId)));
    const before = x.landed.length;
    const done = await Promise.all([a, b].map((p) => dispatchNow(rt, p.targets[0]!.id)));
    expect(done.map((t) => t.status).sort()).toEqual(['failed', 'published']);
    expect(done.find((t) => t.status === 'failed')!.error).toMatchObject({ kind: 'x_budget_exceeded' });
    expect(x.landed.length - before).toBe(1);
  });

  it(`Reddit: of ${N} posts to one subreddit scheduled at once for the same hour, one gets in`, async () => {
    const created = await owner.post('/api/v1/channels', {
      personaId,
      platform: 'reddit',
      handle: `u/${reddit.username}`,
      settings: { oauthBaseUrl: reddit.url, tokenUrl: reddit.tokenUrl, username: reddit.username, userAgent: 'test:atelier:1.0 (by /u/atelier_persona)', subreddits: { AtelierTest: { minHoursBetweenPosts: 12 } } },
      credentials: { access_token: reddit.accessToken, refresh_token: reddit.refreshToken, expires_at: new Date(Date.now() + 24 * 3600_000).toISOString(), client_id: reddit.clientId, client_secret: reddit.clientSecret },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const posts = [];
    for (let i = 0; i < N; i++) posts.push(await approvedPost(owner, { personaId, caption: `Harbour cranes ${i}`, targets: [{ channelId: created.body.id, options: { subreddit: 'AtelierTest' } }] }));
    const answers = await scheduleAll(
      posts.map((p) => p.id),
      inHours(30),
    );
    expect(codes(answers)).toEqual([...Array(N - 1).fill('reddit_too_frequent'), 'ok'].sort());
  });
});
