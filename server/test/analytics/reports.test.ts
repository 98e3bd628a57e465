import { createHmac } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord.ts';
import { analyticsServices } from '../../src/analytics/index.ts';
import { formatMinor } from '../../src/sales/ledger/money.ts';
import { startFakeSmtp, startFakeTelegramDocuments, startWebhookReceiver } from './fakes.ts';

const run = promisify(execFile);
const DAY = 86_400_000;
const TG_TOKEN = '424242:report-bot_token';
const TG_CHAT = '-1001112223334';

/** Every page of the PDF as a PNG (pdftoppm), each checked for ink; and the PDF's text (pdftotext). */
async function pdfPages(pdf: Buffer) {
  const dir = await mkdtemp(join(tmpdir(), 'atelier-report-'));
  try {
    await writeFile(join(dir, 'report.pdf'), pdf);
    await run('pdftoppm', ['-r', '40', '-png', join(dir, 'report.pdf'), join(dir, 'page')]);
    const pages = (await readdir(dir)).filter((f) => f.startsWith('page') && f.endsWith('.png')).sort();
    const stats = [];
    for (const page of pages) {
      const image = sharp(join(dir, page));
      const meta = await image.metadata();
      const s = await image.stats();
      stats.push({ width: meta.width ?? 0, height: meta.height ?? 0, inked: s.channels.some((c) => c.stdev > 1), dark: s.channels[0]!.min < 128 });
    }
    const text = (await run('pdftotext', ['-layout', join(dir, 'report.pdf'), '-'])).stdout;
    return { pages: stats, text };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe.each(backends)('reports on %s', (backend) => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let orgId: string;
  let ada: string;
  let bea: string;
  let smtp: Awaited<ReturnType<typeof startFakeSmtp>>;
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let telegram: Awaited<ReturnType<typeof startFakeTelegramDocuments>>;
  let discord: FakeDiscord;
  const now = new Date();
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString().slice(0, 10);
  const at = (day: number, hour = 12) => new Date(`${month}-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`).toISOString();

  beforeAll(async () => {
    [smtp, hook, telegram, discord] = await Promise.all([startFakeSmtp({ user: 'reports', pass: 'smtp-secret' }), startWebhookReceiver(), startFakeTelegramDocuments(TG_TOKEN, [TG_CHAT]), startFakeDiscord()]);
    rt = await testRuntime(backend);
    const o = await ownerClient(rt.app, rt.platform, 'Report Agency');
    owner = o.client;
    orgId = o.orgId;
    ada = (await owner.post('/api/v1/personas', personaBody('Ada'))).body.id;
    bea = (await owner.post('/api/v1/personas', personaBody('Bea'))).body.id;

    // A seeded month: tips, subscriptions and a refund in EUR and USD over both personas, costs, a billing profile.
    expect((await owner.call('PUT', '/api/v1/exchange-rates', { rates: [{ day: `${month}-01`, currency: 'USD', rate: '1.10' }, { day: `${month}-15`, currency: 'USD', rate: '1.05' }] })).status).toBe(200);
    const entries = [
      { personaId: ada, kind: 'subscription', grossMinor: 1999, feeMinor: 400, currency: 'EUR', occurredAt: at(2) },
      { personaId: ada, kind: 'tip', grossMinor: 5000, feeMinor: 1000, currency: 'USD', occurredAt: at(9) },
      { personaId: ada, kind: 'ppv', grossMinor: 1500, feeMinor: 300, currency: 'USD', occurredAt: at(20) },
      { personaId: bea, kind: 'subscription', grossMinor: 999, feeMinor: 200, currency: 'EUR', occurredAt: at(5) },
      { personaId: bea, kind: 'pack', grossMinor: 2500, feeMinor: 500, currency: 'EUR', occurredAt: at(18) },
      { personaId: ada, kind: 'refund', grossMinor: -999, feeMinor: 0, currency: 'EUR', occurredAt: at(21) },
      // Outside the month: must not count.
      { personaId: ada, kind: 'tip', grossMinor: 777, feeMinor: 0, currency: 'EUR', occurredAt: new Date(Date.parse(`${nextMonth}T00:00:00Z`) + 3600_000).toISOString() },
    ];
    for (const e of entries) expect((await owner.post('/api/v1/transactions', e)).status).toBe(201);
    expect((await owner.post('/api/v1/cost-lines', { personaId: ada, kind: 'gpu', description: 'GPU hours', amountMinor: 1200, currency: 'EUR', occurredOn: `${month}-10` })).status).toBe(201);
    expect((await owner.post('/api/v1/cost-lines', { kind: 'infrastructure', description: 'Server', amountMinor: 2000, currency: 'USD', occurredOn: `${month}-16` })).status).toBe(201);
    expect((await owner.call('PUT', `/api/v1/personas/${ada}/billing`, { clientName: 'Ada Studio', revenueShareBps: 3000, infrastructureMinor: 500 })).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await rt?.stop();
    await Promise.all([smtp?.close(), hook?.close(), telegram?.close(), discord?.close()]);
  });

  it('renders a seeded month to HTML and PDF whose pages have ink and whose totals are the ledger’s', async () => {
    const created = await owner.post('/api/v1/reports', { kind: 'monthly', period: month });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const report = created.body;
    expect(report).toMatchObject({ kind: 'monthly', personaId: null, periodStart: `${month}-01`, periodEnd: nextMonth, currency: 'EUR', hasHtml: true, hasPdf: true, pdfError: null });

    // The ledger's own figures for the month.
    const ledger = (await owner.get(`/api/v1/ledger/revenue?from=${month}-01T00:00:00Z&to=${nextMonth}T00:00:00Z`)).body;
    const statement = (await owner.post('/api/v1/statements', { month })).body;
    expect(report.data.revenue.converted).toEqual({ grossMinor: ledger.totals.converted.grossMinor, feeMinor: ledger.totals.converted.feeMinor, netMinor: ledger.totals.converted.netMinor });
    expect(report.data.revenue.byCurrency).toEqual(ledger.totals.byCurrency);
    expect(report.data.statement).toMatchObject({ costsMinor: statement.totals.costs.convertedMinor, revenueShareMinor: statement.totals.revenueShare.minor, balanceMinor: statement.totals.balanceMinor });
    // The key figures are the ledger's own, so none differs from its section by a rounding.
    expect(report.data.kpis.revenueNetMinor).toBe(ledger.totals.converted.netMinor);
    expect(report.data.kpis.costMinor).toBe(statement.totals.costs.convertedMinor);
    // The rollups the dashboards read agree with the ledger too.
    const lastDay = new Date(Date.parse(`${nextMonth}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const overview = (await owner.get(`/api/v1/analytics/overview?range=custom&from=${month}-01&to=${lastDay}`)).body;
    expect(overview.kpis.revenueNetMinor).toBe(ledger.totals.converted.netMinor);
    expect(report.revenueNetMinor).toBe(ledger.totals.converted.netMinor);
    expect(report.data.personas.map((p: { name: string; revenueNetMinor: number }) => p.name)).toEqual(['Ada', 'Bea']);
    const perPersona = report.data.personas.reduce((n: number, p: { revenueNetMinor: number }) => n + p.revenueNetMinor, 0);
    expect(perPersona).toBe(ledger.totals.converted.netMinor);
    expect(report.data.series.length).toBeGreaterThanOrEqual(28);

    const html = await owner.get(`/api/v1/reports/${report.id}/html`);
    expect(html.status).toBe(200);
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    expect(html.raw.body).toContain('<svg');
    expect(html.raw.body).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);

    const pdf = await owner.get(`/api/v1/reports/${report.id}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const { pages, text } = await pdfPages(pdf.raw.rawPayload);
    expect(pages.length).toBeGreaterThanOrEqual(1);
    for (const page of pages) {
      expect(page.width).toBeGreaterThan(100);
      expect(page.inked && page.dark, JSON.stringify(page)).toBe(true);
    }
    const total = `${formatMinor(ledger.totals.converted.netMinor, 'EUR')} EUR`;
    expect(text).toContain(total);
    expect(text).toContain(`${formatMinor(statement.totals.balanceMinor, 'EUR')} EUR`);
    expect(text).toContain('Monthly report');

    // Made again: the same row, replaced.
    const again = await owner.post('/api/v1/reports', { kind: 'monthly', period: month });
    expect(again.body.id).toBe(report.id);
    expect((await owner.get('/api/v1/reports?kind=monthly')).body.items).toHaveLength(1);
  }, 120_000);

  it('delivers once to Telegram, Discord, e-mail and a webhook, recording each outcome', async () => {
    const dest = async (body: Record<string, unknown>) => {
      const res = await owner.post('/api/v1/analytics/destinations', { reports: ['monthly', 'daily'], ...body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body;
    };
    const mail = await dest({ kind: 'email', name: 'Owner inbox', config: { host: '127.0.0.1', port: smtp.port, from: 'atelier@example.test', to: ['owner@example.test'], username: 'reports' }, credentials: { password: 'smtp-secret' } });
    expect(mail.credentialNames).toEqual(['password']);
    expect(JSON.stringify(mail)).not.toContain('smtp-secret');
    await dest({ kind: 'webhook', name: 'Data warehouse', credentials: { url: hook.url, signing_secret: 'hook-secret' } });
    await dest({ kind: 'discord', name: 'Team channel', credentials: { webhook_url: discord.webhookUrl() } });
    await dest({ kind: 'telegram', name: 'Owner chat', config: { chatId: TG_CHAT, apiRoot: telegram.url }, credentials: { bot_token: TG_TOKEN } });
    await dest({ kind: 'webhook', name: 'Alerts only', reports: [], credentials: { url: hook.url } });
    expect((await owner.post('/api/v1/analytics/destinations', { kind: 'discord', name: 'Bad', credentials: { webhook_url: 'https://example.test/nope' } })).status).toBe(400);

    const report = (await owner.get('/api/v1/reports?kind=monthly')).body.items[0];
    const queued = await owner.post(`/api/v1/reports/${report.id}/deliver`);
    expect(queued.status).toBe(202);
    expect(queued.body.queued).toBe(4);
    expect((await owner.post(`/api/v1/reports/${report.id}/deliver`)).body.queued).toBe(0);

    const { delivery } = analyticsServices(rt.platform);
    const pending = (await owner.get(`/api/v1/reports/${report.id}`)).body.deliveries as { id: string; status: string }[];
    expect(pending.map((d) => d.status)).toEqual(['pending', 'pending', 'pending', 'pending']);
    for (const d of pending) expect(await delivery.deliver(orgId, d.id)).toBe('sent');
    // A job that runs again (a retry after a crash, a duplicate) sends nothing more.
    for (const d of pending) expect(await delivery.deliver(orgId, d.id)).toBe('skipped');
    const done = (await owner.get(`/api/v1/reports/${report.id}`)).body.deliveries as { destinationKind: string; status: string; attempts: number; sentAt: string }[];
    expect(done.map((d) => [d.destinationKind, d.status, d.attempts]).sort()).toEqual([
      ['discord', 'sent', 1],
      ['email', 'sent', 1],
      ['telegram', 'sent', 1],
      ['webhook', 'sent', 1],
    ]);

    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]).toMatchObject({ from: 'atelier@example.test', to: ['owner@example.test'], user: 'reports' });
    expect(smtp.mails[0]!.raw).toMatch(/Subject: =\?UTF-8\?Q\?Monthly_report/);
    expect(smtp.mails[0]!.raw).toContain('application/pdf');
    expect(hook.received).toHaveLength(1);
    const signed = createHmac('sha256', 'hook-secret').update(hook.received[0]!.raw).digest('hex');
    expect(hook.received[0]!.headers['x-atelier-signature']).toBe(`sha256=${signed}`);
    expect(hook.received[0]!.body).toMatchObject({ type: 'report', report: { id: report.id, kind: 'monthly', revenue: { converted: { netMinor: report.revenueNetMinor } } } });
    expect(discord.live()).toHaveLength(1);
    expect(discord.live()[0]!.content).toContain('Monthly report');
    expect(discord.live()[0]!.attachments.map((a) => a.filename)).toEqual([expect.stringMatching(/\.pdf$/)]);
    expect(telegram.sent).toHaveLength(1);
    expect(telegram.sent[0]).toMatchObject({ method: 'sendDocument', chatId: TG_CHAT, text: expect.stringContaining('Net revenue') });
    expect(telegram.sent[0]!.document!.bytes.subarray(0, 5).toString()).toBe('%PDF-');

    // A failing receiver: the outcome is recorded and the job retried; the last attempt gives up.
    hook.state.status = 503;
    const daily = await owner.post('/api/v1/reports', { kind: 'daily', period: new Date(now.getTime() - DAY).toISOString().slice(0, 10), deliver: true });
    expect(daily.status, JSON.stringify(daily.body)).toBe(201);
    const hookDelivery = (daily.body.deliveries as { id: string; destinationName: string }[]).find((d) => d.destinationName === 'Data warehouse')!;
    await expect(delivery.deliver(orgId, hookDelivery.id, 0)).rejects.toThrow(/503/);
    expect((await owner.get(`/api/v1/analytics/deliveries/${hookDelivery.id}`)).body).toMatchObject({ status: 'pending', attempts: 1, error: 'Webhook answered 503' });
    expect(await delivery.deliver(orgId, hookDelivery.id, 5)).toBe('failed');
    expect((await owner.get(`/api/v1/analytics/deliveries/${hookDelivery.id}`)).body).toMatchObject({ status: 'failed', attempts: 2 });
    hook.state.status = 200;
  }, 120_000);

  it('makes the due reports on schedule once: daily, monthly, and each persona’s Friday review', async () => {
    const { reports } = analyticsServices(rt.platform);
    // A Friday at 10:00 UTC (11:00 in Paris): the default rhythm's analysis day.
    const friday = new Date(now.getTime());
    friday.setUTCDate(friday.getUTCDate() - ((friday.getUTCDay() + 2) % 7));
    friday.setUTCHours(10, 0, 0, 0);
    const due = await reports.due(orgId, friday);
    const keys = due.map((d) => `${d.kind}:${d.persona?.name ?? 'agency'}:${d.periodStart}`).sort();
    const yesterday = new Date(friday.getTime() - DAY).toISOString().slice(0, 10);
    const weekStart = new Date(friday.getTime() - 7 * DAY).toISOString().slice(0, 10);
    expect(keys).toEqual(expect.arrayContaining([`daily:agency:${yesterday}`, `weekly:Ada:${weekStart}`, `weekly:Bea:${weekStart}`]));
    const made = await reports.runScheduled(friday);
    expect(made.filter((m) => m.orgId === orgId).length).toBe(due.length);
    expect(await reports.due(orgId, friday)).toEqual([]);
    expect((await reports.runScheduled(friday)).filter((m) => m.orgId === orgId)).toEqual([]);
    const weekly = (await owner.get(`/api/v1/reports?kind=weekly&personaId=${ada}`)).body.items;
    expect(weekly).toEqual([expect.objectContaining({ kind: 'weekly', personaName: 'Ada', periodStart: weekStart })]);
    // Before the configured hour nothing is due; a persona-restricted or other org sees none of it.
    const early = new Date(friday.getTime());
    early.setUTCHours(3);
    expect((await reports.due(orgId, early)).map((d) => d.kind)).not.toContain('daily');
    const stranger = (await ownerClient(rt.app, rt.platform, 'Other')).client;
    expect((await stranger.get(`/api/v1/reports/${weekly[0].id}`)).status).toBe(404);
    expect((await stranger.get('/api/v1/reports')).body.items).toEqual([]);
  }, 180_000);
});
