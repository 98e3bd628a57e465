import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ApiClient, ownerClient, personaBody } from '../helpers/api.ts';
import { startFakeX, type FakeX } from '../fakes/x.ts';
import { analyticsServices } from '../../src/analytics/index.ts';
import { generationJobs } from '../../src/platform/db/schema/index.ts';
import { ingestPostMetrics, publishNow, rollupRows, xChannel } from './support.ts';

const DAY = 86_400_000;
const utc = (t: Date | number) => new Date(t).toISOString().slice(0, 10);

describe.each(backends)('analytics ingestion and rollups on %s', (backend) => {
  let rt: TestRuntime;
  let fake: FakeX;
  let owner: ApiClient;
  let orgId: string;
  let personaId: string;
  let otherPersona: string;
  let channelId: string;
  let remoteId: string;
  const now = new Date();
  const today = utc(now);
  const tomorrow = utc(now.getTime() + DAY);
  const rollup = (at: Date) => analyticsServices(rt.platform).rollups.rollupOrg(orgId, at);

  beforeAll(async () => {
    fake = await startFakeX();
    rt = await testRuntime(backend);
    const o = await ownerClient(rt.app, rt.platform, 'Analytics');
    owner = o.client;
    orgId = o.orgId;
    personaId = (await owner.post('/api/v1/personas', personaBody('Nora'))).body.id;
    otherPersona = (await owner.post('/api/v1/personas', personaBody('Odile'))).body.id;
    channelId = await xChannel(owner, fake, personaId, '@nora_sketches');
    const { targets } = await publishNow(rt, owner, orgId, personaId, [channelId], 'Watercolour harbour at dusk');
    expect(targets[0]!.status).toBe('published');
    remoteId = targets[0]!.remoteId!;
  }, 120_000);
  afterAll(async () => {
    await rt?.stop();
    await fake?.close();
  });

  it('turns platform counters, followers, ledger money, links and tech figures into daily rows, without double counting', async () => {
    fake.figures.posts.set(remoteId, { impression_count: 5000, like_count: 300, reply_count: 20, retweet_count: 30 });
    fake.figures.followers = 99;
    expect(await ingestPostMetrics(rt)).toMatchObject({ updated: 1, problems: [] });

    // Money: EUR and USD on two personas, a refund, a cost line; USD converted at 1.25 per EUR.
    expect((await owner.call('PUT', '/api/v1/exchange-rates', { rates: [{ day: utc(now.getTime() - 10 * DAY), currency: 'USD', rate: '1.25' }] })).status).toBe(200);
    const tx = (body: Record<string, unknown>) => owner.post('/api/v1/transactions', { occurredAt: now.toISOString(), ...body });
    expect((await tx({ personaId, kind: 'tip', grossMinor: 2000, feeMinor: 400, currency: 'EUR' })).status).toBe(201);
    expect((await tx({ personaId, kind: 'ppv', grossMinor: 1250, feeMinor: 0, currency: 'USD' })).status).toBe(201);
    expect((await tx({ personaId: otherPersona, kind: 'subscription', grossMinor: 999, feeMinor: 199, currency: 'EUR' })).status).toBe(201);
    expect((await tx({ personaId, kind: 'refund', grossMinor: -500, feeMinor: 0, currency: 'EUR' })).status).toBe(201);
    expect((await owner.post('/api/v1/cost-lines', { personaId, kind: 'gpu', description: 'Render box', amountMinor: 300, currency: 'EUR', occurredOn: today })).status).toBe(201);
    // A hand-made tracking link with counters, a generation job that ran 90 s.
    const link = await owner.post('/api/v1/tracking-links', { personaId, name: 'Bio link', url: 'https://example.test/nora' });
    expect(link.status, JSON.stringify(link.body)).toBe(201);
    expect((await owner.post(`/api/v1/tracking-links/${link.body.id}/refresh`, { clicks: 200, subscribers: 10 })).status).toBe(200);
    await rt.platform.db.withOrg(orgId, (t) =>
      t.insert(generationJobs).values({ orgId, personaId, kind: 'image', status: 'succeeded', request: {}, startedAt: new Date(now.getTime() - 90_000), finishedAt: now }),
    );

    const first = await rollup(now);
    expect(first.problems).toEqual([]);
    const rows = await rollupRows(rt, orgId);
    const find = (family: string, day: string, extra: (r: (typeof rows)[number]) => boolean = () => true) => rows.filter((r) => r.family === family && r.day === day && extra(r));
    expect(find('posts', today)).toEqual([expect.objectContaining({ channelId, personaId, published: 1, failed: 0, impressions: 5000, likes: 300, comments: 20, shares: 30, clicks: 0 })]);
    expect(find('audience', today)).toEqual([expect.objectContaining({ channelId, followers: 99, followerChange: 0 })]);
    expect(find('conversions', today)).toEqual([expect.objectContaining({ personaId, linkClicks: 200, linkSubscribers: 10 })]);
    expect(find('revenue', today, (r) => r.personaId === personaId).map((r) => [r.currency, r.grossMinor, r.feeMinor, r.netMinor, r.transactions])).toEqual([
      ['EUR', 1500, 400, 1100, 2],
      ['USD', 1250, 0, 1250, 1],
    ]);
    // The GPU line, and what X billed for the post (publishing books it in USD cents).
    expect(find('costs', today).map((r) => [r.personaId, r.currency, r.costMinor])).toEqual([
      [personaId, 'EUR', 300],
      [personaId, 'USD', 2],
    ]);
    expect(find('tech', today)).toEqual([expect.objectContaining({ personaId, genJobs: 1, genFailed: 0, genMs: 90_000 })]);

    // The same hour again (both rounds): nothing changes.
    await ingestPostMetrics(rt);
    await rollup(now);
    expect(await rollupRows(rt, orgId)).toEqual(rows);

    // Later the same day the platform counts more: today's row holds the new totals, not a second copy.
    fake.figures.posts.set(remoteId, { impression_count: 6000, like_count: 350, reply_count: 20, retweet_count: 30 });
    await ingestPostMetrics(rt);
    await rollup(now);
    expect(find('posts', today).length).toBe(1);
    const later = await rollupRows(rt, orgId);
    expect(later.filter((r) => r.family === 'posts')).toEqual([expect.objectContaining({ day: today, impressions: 6000, likes: 350 })]);

    // Next day: only the change lands on it; followers carry their change; link counters their difference.
    fake.figures.posts.set(remoteId, { impression_count: 7500, like_count: 400, reply_count: 25, retweet_count: 30 });
    fake.figures.followers = 120;
    expect((await owner.post(`/api/v1/tracking-links/${link.body.id}/refresh`, { clicks: 260, subscribers: 13 })).status).toBe(200);
    await ingestPostMetrics(rt);
    const next = new Date(now.getTime() + DAY);
    await rollup(next);
    await rollup(next);
    const after = await rollupRows(rt, orgId);
    const posts = after.filter((r) => r.family === 'posts');
    expect(posts.map((r) => [r.day, r.impressions, r.likes, r.comments])).toEqual([
      [today, 6000, 350, 20],
      [tomorrow, 1500, 50, 5],
    ]);
    expect(posts.reduce((n, r) => n + r.impressions, 0)).toBe(7500);
    expect(after.filter((r) => r.family === 'audience').map((r) => [r.day, r.followers, r.followerChange])).toEqual([
      [today, 99, 0],
      [tomorrow, 120, 21],
    ]);
    expect(after.filter((r) => r.family === 'conversions').map((r) => [r.day, r.linkClicks, r.linkSubscribers])).toEqual([
      [today, 200, 10],
      [tomorrow, 60, 3],
    ]);
    // Money and tech were recomputed over the window: still one row each per key.
    expect(after.filter((r) => r.family === 'revenue')).toHaveLength(3);
    expect(after.filter((r) => r.family === 'tech')).toHaveLength(1);

    // A rebuild of the window recomputes the event families and leaves the counters' deltas alone.
    await analyticsServices(rt.platform).rollups.rebuild(orgId, utc(now.getTime() - 5 * DAY), tomorrow);
    expect(await rollupRows(rt, orgId)).toEqual(after);
  });

  it('serves KPIs that agree with the ledger, per persona and agency-wide, and hides money from viewers', async () => {
    const next = new Date(now.getTime() + DAY);
    const custom = `range=custom&from=${today}&to=${tomorrow}`;
    const overview = await owner.get(`/api/v1/analytics/overview?${custom}`);
    expect(overview.status, JSON.stringify(overview.body)).toBe(200);
    const ledger = await owner.get(`/api/v1/ledger/revenue?from=${today}T00:00:00Z&to=${utc(next.getTime() + DAY)}T00:00:00Z`);
    expect(ledger.status).toBe(200);
    const k = overview.body.kpis;
    expect(overview.body.reportingCurrency).toBe('EUR');
    expect(k.revenueNetMinor).toBe(ledger.body.totals.converted.netMinor);
    // 1100 + 1250 USD / 1.25 + 800 (Odile) = 2900
    expect(k.revenueNetMinor).toBe(2900);
    expect(k).toMatchObject({ impressions: 7500, reach: 7500, engagements: 455, published: 1, publishSuccessRate: 1, followers: 120, followerChange: 21, linkClicks: 260, linkSubscribers: 13, costMinor: 302, generationSeconds: 90 });
    expect(k.engagementRate).toBeCloseTo(455 / 7500, 4);
    expect(k.conversionRate).toBeCloseTo(13 / 260, 4);
    expect(k.roi).toBeCloseTo((2900 - 302) / 302, 4);
    expect(k.availability).toBe(1);
    expect(overview.body.series.map((p: { day: string; impressions: number; followers: number }) => [p.day, p.impressions, p.followers])).toEqual([
      [today, 6000, 99],
      [tomorrow, 1500, 120],
    ]);
    expect(overview.body.revenueByCurrency.map((c: { currency: string; netMinor: number }) => [c.currency, c.netMinor])).toEqual([
      ['EUR', 1900],
      ['USD', 1250],
    ]);

    const nora = await owner.get(`/api/v1/analytics/overview?${custom}&personaId=${personaId}`);
    expect(nora.body.kpis.revenueNetMinor).toBe(2100);
    const table = await owner.get(`/api/v1/analytics/personas?${custom}`);
    expect(table.body.items.map((i: { name: string; kpis: { revenueNetMinor: number; impressions: number } }) => [i.name, i.kpis.revenueNetMinor, i.kpis.impressions])).toEqual([
      ['Nora', 2100, 7500],
      ['Odile', 800, 0],
    ]);
    expect(table.body.totals.revenueNetMinor).toBe(2900);
    const channels = await owner.get(`/api/v1/analytics/channels?${custom}&personaId=${personaId}`);
    expect(channels.body.items).toEqual([expect.objectContaining({ channelId, platform: 'x', impressions: 7500, followers: 120, published: 1 })]);
    const monthly = await owner.get('/api/v1/analytics/revenue/monthly?months=3');
    expect(monthly.status).toBe(200);
    expect(monthly.body.months).toHaveLength(3);
    expect(monthly.body.months.reduce((n: number, m: { revenueNetMinor: number }) => n + m.revenueNetMinor, 0)).toBe(2900);
    const hours = await owner.get(`/api/v1/analytics/best-hours?personaId=${personaId}`);
    expect(hours.status).toBe(200);
    expect(hours.body).toMatchObject({ timezone: 'Europe/Paris', posts: 1, basis: 'engagement_rate' });
    expect(hours.body.hours).toHaveLength(24);
    expect((await owner.get('/api/v1/analytics/kpis')).body.items.map((i: { key: string }) => i.key)).toContain('ltvMinor');
    expect((await owner.get('/api/v1/analytics/ab-tests')).body.items).toEqual([]);

    // A viewer (API key) sees the figures but no money.
    const key = await owner.post('/api/v1/api-keys', { name: 'wall screen', role: 'viewer' });
    const viewer = new ApiClient(rt.app);
    viewer.token = key.body.key;
    const seen = await viewer.get(`/api/v1/analytics/overview?${custom}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ moneyHidden: true, revenueByCurrency: [], kpis: { revenueNetMinor: null, costMinor: null, roi: null, ltvMinor: null, impressions: 7500 } });
    expect((await viewer.call('PUT', '/api/v1/analytics/settings', {})).status).toBe(403);

    // Another organization sees nothing of this one.
    const stranger = (await ownerClient(rt.app, rt.platform, 'Elsewhere')).client;
    expect((await stranger.get(`/api/v1/analytics/overview?${custom}`)).body.kpis).toMatchObject({ impressions: 0, revenueNetMinor: 0 });
    expect((await stranger.get(`/api/v1/analytics/overview?personaId=${personaId}`)).status).toBe(404);
    expect((await owner.get('/api/v1/analytics/overview?range=custom&from=2026-02-10&to=2026-01-01')).status).toBe(400);
  });
});
