import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { startFakeX, type FakeX } from '../fakes/x.ts';
import { closedPortUrl } from '../fakes/util.ts';
import { analyticsServices } from '../../src/analytics/index.ts';
import type { InstallFacts } from '../../src/analytics/alerts/rules.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import { recordAudit } from '../../src/platform/audit/audit.ts';
import { analyticsDeliveries } from '../../src/platform/db/schema/index.ts';
import { startFakeTelegramDocuments } from './fakes.ts';
import { publishNow, xChannel } from './support.ts';

const TOKEN = '515151:alerts-bot';
const CHAT = '-1005550001';
const DAY = 86_400_000;
const QUIET: InstallFacts = { queues: [], storageFreeRatio: 0.5 };

describe.each(backends)('alerts on %s', (backend) => {
  let rt: TestRuntime;
  let fake: FakeX;
  let telegram: Awaited<ReturnType<typeof startFakeTelegramDocuments>>;
  let owner: ApiClient;
  let orgId: string;
  let personaId: string;
  let channelId: string;

  const evaluate = (now = new Date(), install = QUIET) => analyticsServices(rt.platform).alerts.evaluateOrg(orgId, now, install);
  /** Runs the delivery jobs that are waiting, as the worker would. */
  const deliverAll = async () => {
    const rows = await rt.platform.db.withOrg(orgId, (tx) => tx.select().from(analyticsDeliveries));
    for (const d of rows.filter((r) => r.status === 'pending')) await analyticsServices(rt.platform).delivery.deliver(orgId, d.id);
  };
  const open = async () => (await owner.get('/api/v1/alerts')).body;

  beforeAll(async () => {
    fake = await startFakeX();
    telegram = await startFakeTelegramDocuments(TOKEN, [CHAT]);
    rt = await testRuntime(backend);
    const o = await ownerClient(rt.app, rt.platform, 'Alerting');
    owner = o.client;
    orgId = o.orgId;
    personaId = (await owner.post('/api/v1/personas', personaBody('Cleo'))).body.id;
    channelId = await xChannel(owner, fake, personaId, '@cleo_daily');
    const dest = await owner.post('/api/v1/analytics/destinations', { kind: 'telegram', name: 'On call', config: { chatId: CHAT, apiRoot: telegram.url }, credentials: { bot_token: TOKEN } });
    expect(dest.status, JSON.stringify(dest.body)).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await rt?.stop();
    await fake?.close();
    await telegram?.close();
  });

  it('fires once for a burst of publish failures, notifies, and resolves when publishing recovers', async () => {
    expect(await evaluate()).toMatchObject({ opened: 0, resolved: 0, open: 0, failedRules: [] });

    fake.set({ outOfCredit: true });
    for (const caption of ['Morning sketch', 'Noon sketch', 'Evening sketch', 'Night sketch']) {
      const { targets } = await publishNow(rt, owner, orgId, personaId, [channelId], caption);
      expect(targets[0]!.status).toBe('failed');
    }
    const fired = await evaluate();
    expect(fired).toMatchObject({ opened: 1, resolved: 0, open: 1 });
    const list = await open();
    expect(list.openCount).toBe(1);
    const alert = list.items[0];
    expect(alert).toMatchObject({ rule: 'publish_failures', kind: 'condition', subject: channelId, personaId, severity: 'warning', status: 'open', details: { failures: 4, platform: 'x' } });
    expect(alert.title).toContain('4 posts failed');

    // Evaluated again while the burst lasts (and a fifth failure): still one alert, no second notification.
    await publishNow(rt, owner, orgId, personaId, [channelId], 'Late sketch');
    expect(await evaluate(new Date(Date.now() + 5 * 60_000))).toMatchObject({ opened: 0, resolved: 0, open: 1 });
    expect((await open()).items).toEqual([expect.objectContaining({ id: alert.id, details: expect.objectContaining({ failures: 5 }) })]);
    await deliverAll();
    await deliverAll();
    expect(telegram.sent.map((m) => m.text)).toEqual([expect.stringMatching(/^ALERT \(warning\): 5 posts failed on x @cleo_daily/)]);
    expect(telegram.sent[0]!.method).toBe('sendMessage');

    // Publishing recovers: the alert resolves, once, and says so.
    fake.set({ outOfCredit: false });
    const { targets } = await publishNow(rt, owner, orgId, personaId, [channelId], 'Recovered sketch');
    expect(targets[0]!.status).toBe('published');
    expect(await evaluate(new Date(Date.now() + 10 * 60_000))).toMatchObject({ opened: 0, resolved: 1, open: 0 });
    expect(await evaluate(new Date(Date.now() + 15 * 60_000))).toMatchObject({ opened: 0, resolved: 0, open: 0 });
    await deliverAll();
    expect(telegram.sent.map((m) => m.text.split('\n')[0])).toEqual([expect.stringMatching(/^ALERT/), expect.stringMatching(/^RESOLVED: 5 posts failed/)]);
    const detail = (await owner.get(`/api/v1/alerts/${alert.id}`)).body;
    expect(detail).toMatchObject({ status: 'resolved', resolvedAt: expect.any(String) });
    expect(detail.deliveries.map((d: { event: string; status: string }) => [d.event, d.status])).toEqual([
      ['fired', 'sent'],
      ['resolved', 'sent'],
    ]);
    expect((await owner.get('/api/v1/alerts?status=resolved')).body.items.map((a: { id: string }) => a.id)).toEqual([alert.id]);
  }, 120_000);

  it('covers reconnects, expiring tokens, revenue drops, backlogs, storage, providers down and chat safety', async () => {
    const { channels } = publishingServices(rt.platform);
    // A revoked channel; a token that expires in two days with nothing to refresh it.
    expect(await channels.setStatus(orgId, channelId, 'reconnect_needed')).toBe(true);
    const expiring = await owner.post('/api/v1/channels', {
      personaId,
      platform: 'x',
      handle: '@cleo_archive',
      settings: { baseUrl: fake.url },
      credentials: { access_token: 'short-lived', expires_at: new Date(Date.now() + 2 * DAY).toISOString() },
    });
    expect(expiring.status).toBe(201);
    // Revenue: 50 EUR a day for a week, then 5 EUR yesterday.
    const today = new Date();
    for (let i = 8; i >= 1; i--) {
      const day = new Date(today.getTime() - i * DAY);
      expect((await owner.post('/api/v1/transactions', { personaId, kind: 'tip', grossMinor: i === 1 ? 500 : 5000, feeMinor: 0, currency: 'EUR', occurredAt: day.toISOString() })).status).toBe(201);
    }
    await analyticsServices(rt.platform).rollups.rollupOrg(orgId, today, { days: 10, moneyDays: 10 });
    // A provider nobody answers for, and a chat safety stop recorded by the chat engine.
    const provider = await owner.post('/api/v1/providers', { type: 'ollama', name: 'Studio LLM', config: { baseUrl: await closedPortUrl(), model: 'llama3.2' } });
    expect(provider.status, JSON.stringify(provider.body)).toBe(201);
    await rt.platform.db.withOrg(orgId, (tx) => recordAudit(tx, { orgId }, {}, { action: 'chat.alert.self_harm', targetType: 'chat_conversation', targetId: '6f1a0f62-0000-4000-8000-000000000001', details: { fanId: null } }));

    const result = await evaluate(today, { queues: [{ queue: 'studio.generate', state: 'queued', count: 900 }], storageFreeRatio: 0.04 });
    expect(result.failedRules).toEqual([]);
    const items = (await open()).items as { rule: string; subject: string; severity: string; title: string; personaId: string | null }[];
    const byRule = (rule: string) => items.filter((a) => a.rule === rule);
    expect(byRule('channel_reconnect')).toEqual([expect.objectContaining({ subject: channelId, severity: 'critical' })]);
    expect(byRule('token_expiring')).toEqual([expect.objectContaining({ subject: expiring.body.id, severity: 'warning' })]);
    expect(byRule('revenue_drop').map((a) => a.subject).sort()).toEqual(['agency', personaId].sort());
    expect(byRule('revenue_drop')[0]!.title).toMatch(/90 % below the 7-day average/);
    expect(byRule('queue_backlog')).toEqual([expect.objectContaining({ subject: 'studio.generate', title: 'Queue studio.generate holds 900 waiting jobs' })]);
    expect(byRule('storage_near_full')).toEqual([expect.objectContaining({ severity: 'critical' })]);
    expect(byRule('provider_down')).toEqual([expect.objectContaining({ subject: provider.body.id, severity: 'critical' })]);
    expect(byRule('chat_safety')).toEqual([expect.objectContaining({ severity: 'critical' })]);

    // Conditions clear: the reconnect, the backlog and the storage alerts resolve; the chat event stays until acknowledged.
    expect(await channels.setStatus(orgId, channelId, 'active')).toBe(true);
    const later = new Date(today.getTime() + 30 * 60_000);
    const cleared = await evaluate(later, QUIET);
    expect(cleared.resolved).toBe(3);
    const still = ((await open()).items as { rule: string }[]).map((a) => a.rule).sort();
    expect(still).toEqual(['chat_safety', 'provider_down', 'revenue_drop', 'revenue_drop', 'token_expiring']);
    const chat = ((await open()).items as { id: string; rule: string }[]).find((a) => a.rule === 'chat_safety')!;
    const ack = await owner.post(`/api/v1/alerts/${chat.id}/acknowledge`);
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ status: 'resolved', acknowledgedAt: expect.any(String) });
    await evaluate(new Date(later.getTime() + 60_000), QUIET);
    expect(((await open()).items as { rule: string }[]).map((a) => a.rule)).not.toContain('chat_safety');

    // A disabled rule resolves its open alerts.
    const settings = (await owner.get('/api/v1/analytics/settings')).body.settings;
    settings.alerts.providerDown.enabled = false;
    expect((await owner.call('PUT', '/api/v1/analytics/settings', settings)).status).toBe(200);
    expect((await owner.post('/api/v1/alerts/evaluate')).body).toMatchObject({ failedRules: [] });
    expect(((await open()).items as { rule: string }[]).map((a) => a.rule)).not.toContain('provider_down');
    const rules = (await owner.get('/api/v1/alerts/rules')).body.items as { rule: string; settings: { enabled: boolean } }[];
    expect(rules.find((r) => r.rule === 'provider_down')!.settings.enabled).toBe(false);

    // Availability counts the time availability alerts were open: a backlog from 3 h to 2 h ago.
    const t0 = new Date(Date.now() - 3 * 3600_000);
    await evaluate(t0, { queues: [{ queue: 'studio.generate', state: 'queued', count: 900 }], storageFreeRatio: 0.5 });
    await evaluate(new Date(t0.getTime() + 3600_000), QUIET);
    const overview = (await owner.get('/api/v1/analytics/overview?range=7d')).body;
    expect(overview.kpis.availability).toBeLessThan(0.999);
    expect(overview.kpis.availability).toBeGreaterThan(0.9);

    // Another organization sees none of these.
    const stranger = (await ownerClient(rt.app, rt.platform, 'Quiet org')).client;
    expect((await stranger.get('/api/v1/alerts?status=all')).body).toEqual({ items: [], openCount: 0 });
    expect((await stranger.get(`/api/v1/alerts/${chat.id}`)).status).toBe(404);
  }, 120_000);
});
