import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { startFakeX, type FakeX } from '../fakes/x.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import { abTesting } from '../../src/publishing/variants.routes.ts';
import { auditLog, channelCache, postMetrics, postTargets, postVariants } from '../../src/platform/db/schema/index.ts';

describe.each(backends)('metrics ingestion and A/B tests on %s', (backend) => {
  let rt: TestRuntime;
  let fake: FakeX;
  let owner: ApiClient;
  let orgId: string;
  let personaId: string;
  let channelA: string;
  let channelB: string;

  const xChannel = async (handle: string) => {
    const res = await owner.post('/api/v1/channels', {
      personaId,
      platform: 'x',
      handle,
      settings: { baseUrl: fake.url },
      credentials: { access_token: fake.tokens.access, refresh_token: fake.tokens.refresh, client_id: fake.tokens.clientId, expires_at: new Date(Date.now() + 3600_000).toISOString() },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };
  const services = () => abTesting(rt.platform, publishingServices(rt.platform));
  const targetRows = (postId: string) => rt.platform.db.withOrg(orgId, (tx) => tx.select().from(postTargets).where(eq(postTargets.postId, postId)));
  const metricRows = (ids: string[]) =>
    rt.platform.db.withOrg(orgId, (tx) =>
      tx
        .select({ targetId: postMetrics.targetId, impressions: postMetrics.impressions, likes: postMetrics.likes, comments: postMetrics.comments, shares: postMetrics.shares, clicks: postMetrics.clicks, raw: postMetrics.raw })
        .from(postMetrics)
        .where(inArray(postMetrics.targetId, ids)),
    );

  beforeAll(async () => {
    fake = await startFakeX();
    rt = await testRuntime(backend);
    const o = await ownerClient(rt.app, rt.platform, 'AB');
    owner = o.client;
    orgId = o.orgId;
    personaId = (await owner.post('/api/v1/personas', personaBody('Iris'))).body.id;
    channelA = await xChannel('@iris_one');
    channelB = await xChannel('@iris_two');
  }, 120_000);
  afterAll(async () => {
    await rt?.stop();
    await fake?.close();
  });

  it('spreads variants over channels, publishes, ingests idempotently and picks the winner', async () => {
    const created = await owner.post('/api/v1/posts', { personaId, caption: 'Morning market stroll', targets: [{ channelId: channelA }, { channelId: channelB }] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const postId = created.body.id as string;

    const tooMany = await owner.call('PUT', `/api/v1/posts/${postId}/variants`, { mode: 'channels', variants: [{ caption: 'One' }, { caption: 'Two' }, { caption: 'Three' }] });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.code).toBe('not_enough_channels');
    expect((await owner.call('PUT', `/api/v1/posts/${postId}/variants`, { mode: 'channels', variants: [{ caption: 'One' }, {}] })).status).toBe(422);

    const put = await owner.call('PUT', `/api/v1/posts/${postId}/variants`, { mode: 'channels', variants: [{ caption: 'Fresh peaches at dawn' }, { caption: 'Market colours, early light' }] });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.variants.map((v: { key: string; targetIds: string[] }) => [v.key, v.targetIds.length])).toEqual([
      ['A', 1],
      ['B', 1],
    ]);
    expect(put.body.decision).toMatchObject({ winner: null, reason: 'no_impressions' });
    const post = (await owner.get(`/api/v1/posts/${postId}`)).body;
    const byId = new Map<string, { channelId: string; text: string }>(post.targets.map((t: { id: string; channelId: string; text: string }) => [t.id, t]));
    const targetA = put.body.variants[0].targetIds[0] as string;
    const targetB = put.body.variants[1].targetIds[0] as string;
    expect(byId.get(targetA)!.text).toContain('Fresh peaches at dawn');
    expect(byId.get(targetB)!.text).toContain('Market colours, early light');
    // Each variant text still carries the AI disclosure (checked by the policy router like any post).
    expect(byId.get(targetA)!.text).toContain('AI-generated persona');

    expect((await owner.post(`/api/v1/posts/${postId}/approve`)).status).toBe(200);
    expect((await owner.post(`/api/v1/posts/${postId}/schedule`, { at: new Date().toISOString() })).status).toBe(200);
    const { dispatcher } = publishingServices(rt.platform);
    for (const t of await targetRows(postId)) await dispatcher.dispatch({ data: { orgId, targetId: t.id, version: t.version } });
    const published = await targetRows(postId);
    expect(published.map((t) => t.status)).toEqual(['published', 'published']);
    const remote = new Map(published.map((t) => [t.id, t.remoteId!]));
    expect(fake.posts.map((p) => p.text).sort()).toEqual([byId.get(targetA)!.text, byId.get(targetB)!.text].sort());

    // Nothing fetched yet: figures are null.
    expect((await owner.get(`/api/v1/posts/${postId}/metrics`)).body.targets.every((t: { metrics: unknown }) => t.metrics === null)).toBe(true);

    fake.figures.posts.set(remote.get(targetA)!, { impression_count: 5000, like_count: 420, reply_count: 30, retweet_count: 50 });
    fake.figures.posts.set(remote.get(targetB)!, { impression_count: 5000, like_count: 150, reply_count: 10, retweet_count: 12 });
    fake.figures.followers = 99;
    const first = await services().metrics.ingestAll();
    expect(first).toMatchObject({ updated: 2, problems: [] });
    const rowsAfterFirst = await metricRows([targetA, targetB]);
    const second = await services().metrics.ingestAll();
    expect(second).toMatchObject({ updated: 2, problems: [] });
    const rowsAfterSecond = await metricRows([targetA, targetB]);
    expect(rowsAfterSecond).toHaveLength(2);
    expect(rowsAfterSecond.sort((a, b) => a.targetId.localeCompare(b.targetId))).toEqual(rowsAfterFirst.sort((a, b) => a.targetId.localeCompare(b.targetId)));
    expect(rowsAfterFirst.find((r) => r.targetId === targetA)).toMatchObject({ impressions: 5000, likes: 420, comments: 30, shares: 50, clicks: 0 });

    const cached = await rt.platform.db.withOrg(orgId, (tx) => tx.select().from(channelCache).where(eq(channelCache.key, 'account_metrics')));
    expect(cached.map((c) => [c.channelId, (c.value as { followers: number }).followers]).sort()).toEqual([[channelA, 99], [channelB, 99]].sort());

    const view = (await owner.get(`/api/v1/posts/${postId}/variants`)).body;
    expect(view.decision).toMatchObject({ winner: 'A', reason: 'decided' });
    expect(view.variants[0]).toMatchObject({ key: 'A', winner: true, impressions: 5000, successes: 500 });
    expect(view.variants[0].probability).toBeGreaterThanOrEqual(0.95);
    const stored = await rt.platform.db.withOrg(orgId, (tx) => tx.select().from(postVariants).where(eq(postVariants.postId, postId)));
    expect(stored.find((v) => v.key === 'A')).toMatchObject({ winner: true, winProbability: expect.any(Number) });
    expect(stored.find((v) => v.key === 'A')!.winProbability).toBeGreaterThanOrEqual(95);
    expect(stored.find((v) => v.key === 'B')!.winner).toBe(false);
    // Two runs, one winner announcement.
    const audits = await rt.platform.db.withOrg(orgId, (tx) => tx.select().from(auditLog).where(eq(auditLog.action, 'post.variant_winner')));
    expect(audits).toHaveLength(1);

    const metrics = (await owner.get(`/api/v1/posts/${postId}/metrics`)).body;
    expect(metrics.targets.find((t: { targetId: string }) => t.targetId === targetB)).toMatchObject({ variantKey: 'B', metrics: { impressions: 5000, likes: 150, comments: 10, shares: 12, clicks: null } });

    // A rate limit on one channel skips it (with a back-off); the other channel still gets its figures.
    fake.figures.posts.set(remote.get(targetB)!, { impression_count: 6000, like_count: 151 });
    fake.set({ rateLimit: { route: 'lookup', times: 1, resetInSeconds: 120 } });
    const limited = await services().metrics.ingestAll();
    expect(limited.problems).toEqual([expect.objectContaining({ kind: 'rate_limited' })]);
    expect(limited.updated).toBe(1);
    const refreshed = await owner.post(`/api/v1/posts/${postId}/metrics/refresh`);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.problems).toEqual([expect.objectContaining({ kind: 'rate_limited', channelId: limited.problems[0]!.channelId })]);

    // Sent: the variants can no longer change; another organization sees nothing.
    expect((await owner.call('PUT', `/api/v1/posts/${postId}/variants`, { mode: 'channels', variants: [{ caption: 'x' }, { caption: 'y' }] })).status).toBe(409);
    const stranger = (await ownerClient(rt.app, rt.platform, 'Other')).client;
    expect((await stranger.get(`/api/v1/posts/${postId}/variants`)).status).toBe(404);
    expect((await stranger.get(`/api/v1/posts/${postId}/metrics`)).status).toBe(404);
    expect((await stranger.post(`/api/v1/posts/${postId}/metrics/refresh`)).status).toBe(404);
  });

  it('spreads variants over successive slots of one channel; moving the post keeps their spacing', async () => {
    const created = await owner.post('/api/v1/posts', { personaId, caption: 'Quiet library corner', targets: [{ channelId: channelA }] });
    const postId = created.body.id as string;
    const hour = 3600_000;
    const base = Date.now() + 24 * hour;
    const times = [base, base + 3 * hour, base + 6 * hour].map((t) => new Date(t).toISOString());
    const put = await owner.call('PUT', `/api/v1/posts/${postId}/variants`, {
      mode: 'slots',
      times,
      variants: [{ caption: 'Reading nook, soft rain' }, { caption: 'Pages and tea' }, { caption: 'A shelf of old atlases' }],
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const rows = (await targetRows(postId)).sort((a, b) => a.scheduledAt!.getTime() - b.scheduledAt!.getTime());
    expect(rows.map((r) => [r.channelId, r.variantKey, r.scheduledAt!.toISOString()])).toEqual([
      [channelA, 'A', times[0]],
      [channelA, 'B', times[1]],
      [channelA, 'C', times[2]],
    ]);
    expect((await owner.get(`/api/v1/posts/${postId}`)).body.scheduledAt).toBe(times[0]);

    expect((await owner.post(`/api/v1/posts/${postId}/approve`)).status).toBe(200);
    const moved = new Date(base + 48 * hour);
    expect((await owner.post(`/api/v1/posts/${postId}/schedule`, { at: moved.toISOString() })).status).toBe(200);
    const after = (await targetRows(postId)).sort((a, b) => a.scheduledAt!.getTime() - b.scheduledAt!.getTime());
    expect(after.map((r) => [r.status, r.scheduledAt!.getTime() - moved.getTime()])).toEqual([
      ['scheduled', 0],
      ['scheduled', 3 * hour],
      ['scheduled', 6 * hour],
    ]);

    // Replaced while scheduled: the new targets are queued again from the first slot.
    const again = await owner.call('PUT', `/api/v1/posts/${postId}/variants`, { mode: 'slots', times: times.slice(0, 2), variants: [{ caption: 'Two shelves' }, { caption: 'One lamp' }] });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    const replaced = await targetRows(postId);
    expect(replaced).toHaveLength(2);
    expect(replaced.every((r) => r.status === 'scheduled')).toBe(true);
    expect(replaced.map((r) => r.scheduledAt!.toISOString()).sort()).toEqual(times.slice(0, 2));
  });
});
