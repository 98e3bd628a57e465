import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { analyticsServices } from '../../server/src/analytics/index.ts';
import { channels, postTargets } from '../../server/src/platform/db/schema/index.ts';
import { publishingServices } from '../../server/src/publishing/index.ts';
import { startFakeX, type FakeX } from '../../server/test/fakes/x.ts';
import { ApiClient, personaBody } from '../../server/test/helpers/api.ts';
import { CHROMIUM, chromiumFor, launchChromium, openPage, screenshots, signIn, webServer, type WebServer } from '../../server/test/helpers/browser.ts';
import { ingestPostMetrics, publishNow, xChannel } from '../../server/test/analytics/support.ts';
import { change, customProblem, daysOf } from '../src/analytics/range.ts';

/**
 * Analytics in a real Chromium against the real server. The org is seeded the way its data really arrives:
 * posts published to the fake X (one of them an A/B test), metrics and follower counts ingested on several
 * days, ledger transactions in EUR and USD spread over three months, a cost line and a tracking link, then
 * the rollups built by the analytics services. The page must show the figures the API computes, for the
 * agency and for one persona, for each range; a viewer sees no money; a chatter has no Analytics at all.
 */
const hasChromium = chromiumFor('analytics browser test');

const OWNER = 'analytics-owner@example.test';
const VIEWER = 'analytics-viewer@example.test';
const CHATTER = 'analytics-chatter@example.test';
const NEWCOMER = 'analytics-new@example.test';
const PASSWORD = 'correct horse battery staple';
const DAY = 86_400_000;
const shot = screenshots('analytics');
const utc = (t: number) => new Date(t).toISOString().slice(0, 10);
const eur = (minor: number) => new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' }).format(minor / 100);
const int = (n: number) => new Intl.NumberFormat('en', { maximumFractionDigits: 0 }).format(n);

describe('analytics date ranges', () => {
  it('resolves presets to UTC days ending today, checks custom ranges, compares periods', () => {
    const now = new Date('2026-03-10T23:30:00Z');
    expect(daysOf({ range: '7d' }, now)).toEqual({ from: '2026-03-04', to: '2026-03-10', days: 7 });
    expect(daysOf({ range: '90d' }, now).from).toBe('2025-12-11');
    expect(daysOf({ range: 'custom', from: '2026-02-27', to: '2026-03-02' })).toEqual({ from: '2026-02-27', to: '2026-03-02', days: 4 });
    expect(customProblem('2026-03-02', '2026-02-27')).toBe('order');
    expect(customProblem('2023-01-01', '2026-01-01')).toBe('tooLong');
    expect(customProblem('', '2026-01-01')).toBe('missing');
    expect(customProblem('2026-01-01', '2026-01-01')).toBeNull();
    expect(change(150, 100)).toBeCloseTo(0.5);
    expect(change(-50, -100)).toBeCloseTo(0.5);
    expect(change(10, 0)).toBeNull();
    expect(change(null, 10)).toBeNull();
  });
});

describe.skipIf(!hasChromium)('analytics in Chromium', () => {
  let runtime: WebServer;
  let fake: FakeX;
  let browser: Browser;
  let page: Page;
  let base: string;
  let api: ApiClient;
  let orgId: string;
  let nora: string;
  let odile: string;
  let studioChannel: string;
  const pageErrors: string[] = [];
  // A webhook receiver for the destination test.
  const hooks: { headers: IncomingHttpHeaders; body: string }[] = [];
  let hookServer: Server;
  let hookUrl: string;
  const now = Date.now();
  const today = utc(now);

  const openAnalytics = async (p: Page) => {
    await p.getByRole('link', { name: 'Analytics', exact: true }).click();
    await p.getByRole('heading', { name: /^Analytics/, level: 1 }).waitFor();
  };
  const tile = (p: Page, key: string) => p.locator(`.an-tile[data-kpi="${key}"] .an-tile-value`);
  const overview = async (query: string) => {
    const res = await api.get(`/api/v1/analytics/overview?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  /** The page shows what the API computes for the same question. */
  const expectTiles = async (p: Page, body: { kpis: { revenueNetMinor: number; reach: number } }) => {
    await expect.poll(() => tile(p, 'revenueNetMinor').textContent()).toBe(eur(body.kpis.revenueNetMinor));
    await expect.poll(() => tile(p, 'reach').textContent()).toBe(int(body.kpis.reach));
  };

  beforeAll(async () => {
    fake = await startFakeX();
    hookServer = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        hooks.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/atelier`;
    // No workers: the test runs the ingestion and rollup rounds itself, on the days it chooses.
    runtime = await webServer({ workers: false, env: { CHROMIUM_PATH: CHROMIUM } });
    orgId = (await runtime.platform.auth.createOrgWithOwner({ orgName: 'Analytics Studio', email: OWNER, password: PASSWORD }, { ip: null, userAgent: null, requestId: null })).orgId;
    base = runtime.base;
    api = new ApiClient(runtime.app);
    expect((await api.login(OWNER, PASSWORD)).status).toBe(200);
    nora = (await api.post('/api/v1/personas', personaBody('Nora'))).body.id;
    odile = (await api.post('/api/v1/personas', personaBody('Odile'))).body.id;
    const one = await xChannel(api, fake, nora, '@nora_sketches');
    const two = await xChannel(api, fake, nora, '@nora_studio');
    studioChannel = two;

    // An A/B test over both channels, and a plain post; all published now.
    const created = await api.post('/api/v1/posts', { personaId: nora, caption: 'Watercolour harbour at dusk', targets: [{ channelId: one }, { channelId: two }] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const abPost = created.body.id as string;
    const variants = await api.call('PUT', `/api/v1/posts/${abPost}/variants`, { mode: 'channels', variants: [{ caption: 'Harbour lights, soft blue hour' }, { caption: 'A quiet harbour sketch' }] });
    expect(variants.status, JSON.stringify(variants.body)).toBe(200);
    expect((await api.post(`/api/v1/posts/${abPost}/approve`)).status).toBe(200);
    expect((await api.post(`/api/v1/posts/${abPost}/schedule`, { at: new Date().toISOString() })).status).toBe(200);
    const abTargets = await runtime.platform.db.withOrg(orgId, (tx) => tx.select().from(postTargets).where(eq(postTargets.postId, abPost)));
    for (const t of abTargets) await publishingServices(runtime.platform).dispatcher.dispatch({ data: { orgId, targetId: t.id, version: t.version } });
    const published = await runtime.platform.db.withOrg(orgId, (tx) => tx.select().from(postTargets).where(eq(postTargets.postId, abPost)));
    expect(published.map((t) => t.status)).toEqual(['published', 'published']);
    const plain = await publishNow(runtime, api, orgId, nora, [one], 'Morning sketches by the canal');
    const remoteA = published.find((t) => t.channelId === one)!.remoteId!;
    const remoteB = published.find((t) => t.channelId === two)!.remoteId!;
    const remoteP = plain.targets[0]!.remoteId!;

    // Money over three months: EUR and USD (1.25 per EUR), both personas, a cost line; a tracking link.
    expect((await api.call('PUT', '/api/v1/exchange-rates', { rates: [{ day: utc(now - 120 * DAY), currency: 'USD', rate: '1.25' }] })).status).toBe(200);
    const tx = async (daysAgo: number, body: Record<string, unknown>) => expect((await api.post('/api/v1/transactions', { occurredAt: new Date(now - daysAgo * DAY).toISOString(), ...body })).status).toBe(201);
    await tx(0, { personaId: nora, kind: 'tip', grossMinor: 2000, feeMinor: 400, currency: 'EUR' });
    await tx(3, { personaId: nora, kind: 'ppv', grossMinor: 1250, feeMinor: 0, currency: 'USD' });
    await tx(5, { personaId: odile, kind: 'subscription', grossMinor: 999, feeMinor: 199, currency: 'EUR' });
    await tx(20, { personaId: odile, kind: 'subscription', grossMinor: 4999, feeMinor: 999, currency: 'EUR' });
    await tx(60, { personaId: nora, kind: 'ppv', grossMinor: 15000, feeMinor: 3000, currency: 'EUR' });
    expect((await api.post('/api/v1/cost-lines', { personaId: nora, kind: 'gpu', description: 'Render box', amountMinor: 1500, currency: 'EUR', occurredOn: utc(now - 2 * DAY) })).status).toBe(201);
    const link = await api.post('/api/v1/tracking-links', { personaId: nora, name: 'Bio link', url: 'https://example.test/nora' });
    expect(link.status, JSON.stringify(link.body)).toBe(201);

    // Metrics rounds on three days: followers and views grow; the A/B variant A clearly wins.
    const rounds: [number, number, number, number][] = [
      [6, 80, 1000, 40],
      [3, 95, 3000, 90],
      [0, 120, 6000, 160],
    ];
    const rollups = analyticsServices(runtime.platform).rollups;
    for (const [daysAgo, followers, views, clicks] of rounds) {
      fake.figures.followers = followers;
      fake.figures.posts.set(remoteA, { impression_count: views, like_count: views / 10, reply_count: views / 100, retweet_count: views / 100 });
      fake.figures.posts.set(remoteB, { impression_count: views, like_count: views / 40, reply_count: 2, retweet_count: 1 });
      fake.figures.posts.set(remoteP, { impression_count: views / 2, like_count: views / 25, reply_count: 3, retweet_count: 2 });
      expect((await api.post(`/api/v1/tracking-links/${link.body.id}/refresh`, { clicks, subscribers: Math.round(clicks / 10) })).status).toBe(200);
      expect(await ingestPostMetrics(runtime)).toMatchObject({ problems: [] });
      expect((await rollups.rollupOrg(orgId, new Date(now - daysAgo * DAY))).problems).toEqual([]);
    }
    expect((await rollups.rebuild(orgId, utc(now - 100 * DAY), today)).problems).toEqual([]);

    for (const [email, role] of [
      [VIEWER, 'viewer'],
      [CHATTER, 'chatter'],
    ] as const) {
      const member = await api.post('/api/v1/team', { email, password: PASSWORD, role });
      expect(member.status, JSON.stringify(member.body)).toBe(201);
    }
    await runtime.platform.auth.createOrgWithOwner({ orgName: 'Fresh Studio', email: NEWCOMER, password: PASSWORD }, { ip: null, userAgent: null, requestId: null });

    browser = await launchChromium();
    page = await openPage(browser, { locale: 'en-US', viewport: { width: 1440, height: 1000 } }, pageErrors);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
    await fake?.close();
    await new Promise((resolve) => hookServer?.close(resolve));
  });

  it('shows the agency’s KPIs as the API computes them, for each range', async () => {
    await signIn(page, base, OWNER, PASSWORD);
    await openAnalytics(page);
    await page.getByRole('heading', { name: 'Analytics · All personas', level: 1 }).waitFor();

    // 30 days (the default): everything but the sale 60 days ago.
    const d30 = await overview('range=30d');
    // 1600 + 1250 USD / 1.25 + 800 + 4000 = 7400
    expect(d30.kpis.revenueNetMinor).toBe(7400);
    await expectTiles(page, d30);
    await expect.poll(() => tile(page, 'engagementRate').textContent()).toBe(new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 }).format(d30.kpis.engagementRate));
    await expect.poll(() => page.locator('.an-tile[data-kpi="followerChange"] .an-tile-detail').textContent()).toBe(`${d30.kpis.followers} followers now`);

    // The per-persona table and its agency totals.
    const table = page.locator('table[data-table="personas"]');
    await table.locator('tbody tr', { hasText: 'Odile' }).locator('td').first().filter({ hasText: eur(4800) }).waitFor();
    await table.locator('tfoot td').first().filter({ hasText: eur(7400) }).waitFor();
    // Charts: one bar per day, a line per day for followers, each with its table.
    const revenueChart = page.locator('[data-chart="revenue"]');
    expect(await revenueChart.locator('rect.chart-bar, rect.chart-missing').count()).toBe(30);
    await revenueChart.getByText('Show as a table').click();
    expect(await revenueChart.locator('tbody tr').count()).toBe(30);
    expect(await page.locator('[data-chart="followers"] circle.chart-dot').count()).toBeGreaterThanOrEqual(3);

    // The definition of each KPI, with the formula the server serves.
    const catalogue = (await api.get('/api/v1/analytics/kpis')).body.items as { key: string; formula: string }[];
    await page.locator('.an-tile[data-kpi="roi"] .an-info').hover();
    const tip = page.getByRole('tooltip').filter({ hasText: 'Return on recorded costs' });
    await tip.waitFor();
    expect(await tip.textContent()).toContain(catalogue.find((c) => c.key === 'roi')!.formula);
    await page.screenshot({ path: shot('overview-30d'), fullPage: true });

    // 7 days: without Odile's sale 20 days ago.
    await page.getByRole('radio', { name: '7 days' }).check();
    const d7 = await overview('range=7d');
    expect(d7.kpis.revenueNetMinor).toBe(3400);
    await expectTiles(page, d7);
    expect(await revenueChart.locator('rect.chart-bar, rect.chart-missing').count()).toBe(7);

    // 90 days: with the sale 60 days ago.
    await page.getByRole('radio', { name: '90 days' }).check();
    const d90 = await overview('range=90d');
    expect(d90.kpis.revenueNetMinor).toBe(19400);
    await expectTiles(page, d90);

    // Custom: the last four days.
    await page.getByRole('radio', { name: 'Custom' }).check();
    const from = utc(now - 3 * DAY);
    await page.getByLabel('From', { exact: true }).fill(from);
    await page.getByLabel('To', { exact: true }).fill(today);
    await page.getByRole('button', { name: 'Apply' }).click();
    const custom = await overview(`range=custom&from=${from}&to=${today}`);
    expect(custom.kpis.revenueNetMinor).toBe(2600);
    await expectTiles(page, custom);
    await page.getByText('(4 days, UTC)').waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('narrows to one persona, lists her channels, her A/B test and her best hours', async () => {
    await page.getByRole('radio', { name: '30 days' }).check();
    await page.getByLabel('Show').selectOption({ label: 'Nora' });
    await page.getByRole('heading', { name: 'Analytics · Nora', level: 1 }).waitFor();
    const mine = await overview(`range=30d&personaId=${nora}`);
    expect(mine.kpis.revenueNetMinor).toBe(2600);
    await expectTiles(page, mine);
    expect(await page.locator('table[data-table="personas"]').count()).toBe(0);
    const channels = page.locator('table[data-table="channels"]');
    await channels.getByText('@nora_sketches').waitFor();
    await channels.getByText('@nora_studio').waitFor();
    await page.screenshot({ path: shot('overview-nora'), fullPage: true });

    await page.getByRole('link', { name: 'A/B tests' }).click();
    const test = page.locator('article.an-ab', { hasText: 'Watercolour harbour at dusk' });
    await test.getByText('Variant A won', { exact: true }).waitFor();
    await test.locator('tr.an-winner', { hasText: 'Variant A' }).waitFor();
    await page.screenshot({ path: shot('ab-tests'), fullPage: true });

    await page.getByRole('link', { name: 'Best hours' }).click();
    const hours = (await api.get(`/api/v1/analytics/best-hours?personaId=${nora}`)).body;
    expect(hours.basis).toBe('engagement_rate');
    expect(hours.best.length).toBeGreaterThan(0);
    const best = `${String(hours.best[0]).padStart(2, '0')}:00`;
    await page.getByTestId('best-hours').getByText(`1. ${best}`).waitFor();
    await page.getByText('Hours in her timezone, Europe/Paris').waitFor();
    expect(await page.locator('table.an-heat tbody td.an-heat-cell:not(.an-heat-empty)').count()).toBe(hours.cells.length);
    await page.screenshot({ path: shot('best-hours'), fullPage: true });

    // The ledger's revenue chart is the same shared chart: a bar per day, the same net figures.
    await page.getByRole('link', { name: 'Sales', exact: true }).click();
    await page.getByRole('link', { name: 'Ledger', exact: true }).click();
    const ledgerChart = page.getByRole('img', { name: /Bar chart of net revenue per day over the last 30 days/ });
    await ledgerChart.waitFor();
    expect(await ledgerChart.locator('rect.chart-bar, rect.chart-missing').count()).toBe(30);
    expect(await ledgerChart.locator('rect.chart-bar title', { hasText: eur(1600) }).count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });

  it('makes a report now, reads it, downloads its PDF, sets the schedule and rules, and sends to a webhook', async () => {
    const delivery = analyticsServices(runtime.platform).delivery;
    await page.getByRole('link', { name: 'Analytics', exact: true }).click();
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByLabel('Show').selectOption({ label: 'All personas (agency)' });
    await page.getByText('No reports yet.').waitFor();

    // This month's agency report, made from the page.
    const month = today.slice(0, 7);
    await page.getByLabel('Kind', { exact: true }).selectOption({ label: 'Monthly' });
    await page.getByLabel('Month', { exact: true }).fill(month);
    await page.getByLabel('For', { exact: true }).selectOption({ label: 'All personas (agency)' });
    await page.getByRole('button', { name: 'Make the report' }).click();
    await page.getByText('Made: Monthly.').waitFor({ timeout: 60_000 });
    const listed = (await api.get('/api/v1/reports')).body.items as { id: string; kind: string; revenueNetMinor: number; hasPdf: boolean; periodStart: string }[];
    expect(listed).toHaveLength(1);
    const report = listed[0]!;
    expect(report).toMatchObject({ kind: 'monthly', periodStart: `${month}-01`, hasPdf: true });
    // Its money is the ledger's for the month so far, as the dashboard computes it.
    expect(report.revenueNetMinor).toBe((await overview(`range=custom&from=${month}-01&to=${today}`)).kpis.revenueNetMinor);
    const row = page.locator('table[data-table="reports"] tbody tr').first();
    await row.locator('td.num', { hasText: eur(report.revenueNetMinor) }).waitFor();
    // The stored page opens in a sandboxed frame.
    const frame = page.frameLocator('iframe[title^="The report: Monthly"]');
    await frame.locator('body').filter({ hasText: 'Monthly report' }).waitFor();
    await page.screenshot({ path: shot('reports'), fullPage: true });
    const download = page.waitForEvent('download');
    await row.getByRole('button', { name: /^Download the PDF of Monthly/ }).click();
    const file = await (await download).path();
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');

    // Schedule and alert rules.
    await page.getByRole('link', { name: 'Schedule and delivery' }).click();
    await page.getByLabel('Daily at (UTC)').selectOption('6');
    await page.locator('[data-rule="tokenExpiry"]').getByRole('checkbox').uncheck();
    await page.getByLabel('Failures', { exact: true }).fill('5');
    await page.getByRole('button', { name: 'Save the settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    const saved = (await api.get('/api/v1/analytics/settings')).body.settings;
    expect(saved.reports.daily).toEqual({ enabled: true, hour: 6 });
    expect(saved.alerts.tokenExpiry.enabled).toBe(false);
    expect(saved.alerts.publishFailures).toMatchObject({ enabled: true, threshold: 5, windowMinutes: 60 });

    // A webhook destination, tested: the delivery job (run here, workers are off) posts to the receiver.
    await page.getByText('No destination yet').waitFor();
    await page.getByRole('button', { name: 'Add a destination' }).click();
    await page.getByLabel('Sent by').selectOption({ label: 'HTTP webhook' });
    await page.getByLabel('Name', { exact: true }).fill('Ops hook');
    await page.getByLabel('URL', { exact: true }).fill(hookUrl);
    await page.getByRole('button', { name: 'Add the destination' }).click();
    const card = page.locator('li[data-destination="Ops hook"]');
    await card.getByText('Secrets set: url').waitFor();
    const tested = page.waitForResponse((r) => r.url().endsWith('/test') && r.request().method() === 'POST');
    await card.getByRole('button', { name: 'Send a test' }).click();
    const { deliveryId } = (await (await tested).json()) as { deliveryId: string };
    await card.getByText('Sending the test…').waitFor();
    expect(await delivery.deliver(orgId, deliveryId)).toBe('sent');
    await card.getByText(/^Test sent/).waitFor();
    expect(hooks).toHaveLength(1);
    expect(hooks[0]!.headers['x-atelier-delivery']).toBe(deliveryId);
    await page.screenshot({ path: shot('settings'), fullPage: true });

    // The report sent to it from the list; its delivery shows under the open report.
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByRole('button', { name: /^Read Monthly/ }).click();
    await page.getByText('Not sent anywhere yet.').waitFor();
    await page.getByRole('button', { name: /^Send Monthly/ }).click();
    await page.getByText('1 delivery queued.').waitFor();
    const pending = (await api.get(`/api/v1/reports/${report.id}`)).body.deliveries as { id: string; status: string }[];
    expect(pending.map((d) => d.status)).toEqual(['pending']);
    expect(await delivery.deliver(orgId, pending[0]!.id)).toBe('sent');
    await page.locator('.an-deliveries li[data-status="sent"]', { hasText: 'Ops hook' }).waitFor();
    expect(hooks).toHaveLength(2);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('raises an alert when a channel needs reconnecting, notifies the webhook, and resolves it when fixed', async () => {
    const delivery = analyticsServices(runtime.platform).delivery;
    const setStatus = (status: string) => runtime.platform.db.withOrg(orgId, (tx) => tx.update(channels).set({ status }).where(eq(channels.id, studioChannel)));
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.getByRole('button', { name: 'Check now' }).waitFor();
    const card = page.locator('li[data-alert="channel_reconnect"]');
    expect(await card.count()).toBe(0);

    // The platform revokes @nora_studio: the next check raises one critical alert about it.
    await setStatus('reconnect_needed');
    await page.getByRole('button', { name: 'Check now' }).click();
    await card.getByRole('heading', { name: /^Reconnect x @nora_studio/ }).waitFor();
    await card.getByText('Critical').waitFor();
    await card.getByText(/^Channel needs reconnecting · Nora · open since/).waitFor();
    const open = (await api.get('/api/v1/alerts')).body as { openCount: number; items: { id: string; rule: string }[] };
    expect(open.items.filter((a) => a.rule === 'channel_reconnect')).toHaveLength(1);
    await page.getByRole('link', { name: `Alerts (${open.openCount} open alert${open.openCount > 1 ? 's' : ''})` }).waitFor();

    // Its notification went to the webhook destination (alerts on): run the delivery job, see it sent.
    await card.getByRole('button', { name: 'Notifications' }).click();
    await card.locator('.an-deliveries li[data-status="pending"]', { hasText: 'Ops hook' }).waitFor();
    const alertId = open.items.find((a) => a.rule === 'channel_reconnect')!.id;
    const notes = (await api.get(`/api/v1/alerts/${alertId}`)).body.deliveries as { id: string; event: string }[];
    expect(notes.map((d) => d.event)).toEqual(['fired']);
    expect(await delivery.deliver(orgId, notes[0]!.id)).toBe('sent');
    await card.locator('.an-deliveries li[data-status="sent"]', { hasText: 'raised → Ops hook' }).waitFor();
    expect(JSON.parse(hooks.at(-1)!.body).subject).toContain('nora_studio');

    // The overview says so too.
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByText(/open alerts? needs? attention/).waitFor();
    await page.screenshot({ path: shot('overview-alert'), fullPage: false });

    // Reconnected: the next check (the server's, not this page's) resolves it, and the open list follows live.
    await setStatus('active');
    await page.getByRole('link', { name: /^Alerts/ }).click();
    await card.waitFor();
    expect((await api.post('/api/v1/alerts/evaluate')).body).toMatchObject({ opened: 0, resolved: 1 });
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(0);
    expect(await page.getByRole('link', { name: /open alert/ }).count()).toBe(0);
    await page.getByRole('radio', { name: 'Resolved' }).check();
    await card.getByText(/ · resolved /).waitFor();
    await page.screenshot({ path: shot('alerts'), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('shows a viewer every figure but money, and gives a chatter no Analytics', async () => {
    const viewer = await openPage(browser, { locale: 'en-US', viewport: { width: 1280, height: 900 } }, pageErrors);
    await signIn(viewer, base, VIEWER, PASSWORD);
    await openAnalytics(viewer);
    await viewer.getByText('Your role sees every figure but money').waitFor();
    await expect.poll(() => tile(viewer, 'revenueNetMinor').textContent()).toBe('Hidden');
    await expect.poll(() => tile(viewer, 'reach').textContent()).toBe(int((await overview('range=30d')).kpis.reach));
    expect(await viewer.locator('[data-chart="revenue"]').count()).toBe(0);
    // No reports (they carry money); the schedule is readable, not editable, and destinations are not shown.
    expect(await viewer.getByRole('link', { name: 'Reports', exact: true }).count()).toBe(0);
    await viewer.getByRole('link', { name: 'Schedule and delivery' }).click();
    await viewer.getByText('Your role can read these settings but not change them.').waitFor();
    await expect.poll(() => viewer.getByLabel('Daily at (UTC)').inputValue()).toBe('6');
    expect(await viewer.getByLabel('Daily at (UTC)').isDisabled()).toBe(true);
    expect(await viewer.getByRole('button', { name: 'Save the settings' }).count()).toBe(0);
    expect(await viewer.getByRole('heading', { name: 'Destinations' }).count()).toBe(0);
    await viewer.close();

    const chatter = await openPage(browser, { locale: 'en-US' });
    await signIn(chatter, base, CHATTER, PASSWORD);
    await chatter.getByRole('link', { name: 'Inbox', exact: true }).waitFor();
    expect(await chatter.getByRole('link', { name: 'Analytics', exact: true }).count()).toBe(0);
    await chatter.close();
    expect(pageErrors).toEqual([]);
  });

  it('speaks French with French number formats', async () => {
    const p = await openPage(browser, { locale: 'fr-FR', viewport: { width: 1280, height: 900 } }, pageErrors);
    // Chosen on this device: the account's own locale (English) would otherwise apply after sign-in.
    await p.addInitScript(() => localStorage.setItem('atelier.language', 'fr'));
    await p.goto(`${base}/`);
    await p.getByLabel('E-mail').fill(OWNER);
    await p.getByLabel('Mot de passe').fill(PASSWORD);
    await p.getByRole('button', { name: 'Se connecter' }).click();
    await p.getByRole('link', { name: 'Statistiques', exact: true }).click();
    await p.getByRole('link', { name: 'Vue d’ensemble' }).waitFor();
    const d30 = await overview('range=30d');
    const fr = new Intl.NumberFormat('fr', { style: 'currency', currency: 'EUR' }).format(d30.kpis.revenueNetMinor / 100);
    // ICU versions differ in which no-break space they put before the €.
    const spaces = (text: string | null) => text?.replace(/[\s\u202f]/gu, ' ');
    await expect.poll(async () => spaces(await tile(p, 'revenueNetMinor').textContent())).toBe(spaces(fr));
    await p.getByRole('radio', { name: '7 jours' }).check();
    await p.screenshot({ path: shot('overview-fr'), fullPage: true });
    await p.close();
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('tells a new studio what fills the page', async () => {
    const p = await openPage(browser, { locale: 'en-US', viewport: { width: 1280, height: 900 } }, pageErrors);
    await signIn(p, base, NEWCOMER, PASSWORD);
    await openAnalytics(p);
    await p.getByText('Create a persona first.').waitFor();
    const client = new ApiClient(runtime.app);
    expect((await client.login(NEWCOMER, PASSWORD)).status).toBe(200);
    expect((await client.post('/api/v1/personas', personaBody('Lina'))).status).toBe(201);
    await p.reload();
    await p.getByRole('heading', { name: 'Nothing measured in this range yet' }).waitFor();
    await p.getByRole('link', { name: 'Publish posts from the Calendar' }).waitFor();
    await p.screenshot({ path: shot('empty'), fullPage: true });
    await p.getByRole('link', { name: 'Best hours' }).click();
    await p.getByText('Lina has no published post in the last 90 days.').waitFor();
    await p.getByRole('link', { name: 'A/B tests' }).click();
    await p.getByRole('heading', { name: 'No A/B tests in this range' }).waitFor();
    await p.close();
    expect(pageErrors).toEqual([]);
  });
});
