import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fans, transactions } from '../../src/platform/db/schema/index.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { startFakeFanvue, type FakeFanvue, type FakeFanvueEarning } from '../fakes/fanvue.ts';
import { findAnywhere } from '../sales-crm/support.ts';

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
const fan = (handle: string) => ({ uuid: randomUUID(), handle, displayName: handle.toUpperCase(), nickname: null, isTopSpender: false });

describe.each(backends)('ledger: Fanvue earnings sync (%s)', (backend) => {
  let rt: TestRuntime;
  let fake: FakeFanvue;
  let owner: ApiClient;
  let orgId: string;
  let personaId: string;
  let channelId: string;
  const alice = fan('alice');
  const bruno = fan('bruno');
  let refund: FakeFanvueEarning;

  beforeAll(async () => {
    rt = await testRuntime(backend);
    fake = await startFakeFanvue();
    ({ client: owner, orgId } = await ownerClient(rt.app, rt.platform, 'Ledger sync'));
    personaId = (await owner.post('/api/v1/personas', personaBody('Mira'))).body.id;
    const channel = await owner.post('/api/v1/channels', {
      personaId,
      platform: 'fanvue',
      handle: 'mira',
      settings: { baseUrl: fake.url, tokenUrl: fake.tokenUrl },
      credentials: { access_token: fake.accessToken, refresh_token: fake.refreshToken, client_id: fake.clientId, client_secret: fake.clientSecret, expires_at: new Date(Date.now() + 3_600_000).toISOString() },
    });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    channelId = channel.body.id;
    expect((await owner.call('PUT', '/api/v1/sales/settings', { reportingCurrency: 'USD' })).status).toBe(200);
    refund = { date: daysAgo(1), gross: -600, net: -480, currency: 'EUR', source: 'refund', transactionOrderId: 'ord-r1', reversedTransactionOrderId: 'ord-3', user: alice };
    fake.earnings.push(
      { date: daysAgo(5), gross: 1000, net: 800, currency: 'USD', source: 'subscription', transactionOrderId: 'ord-1', transactionOrderStatus: 'availableForPayout', user: alice },
      { date: daysAgo(4), gross: 500, net: 400, currency: 'USD', source: 'tip', transactionOrderId: 'ord-2', transactionOrderStatus: 'availableForPayout', user: bruno },
      { date: daysAgo(3), gross: 1200, net: 960, currency: 'EUR', source: 'message', transactionOrderId: 'ord-3', transactionOrderStatus: 'pendingBalance', user: alice },
      refund,
      { date: daysAgo(2), gross: 300, net: 300, currency: null, source: 'referral', transactionOrderId: 'ord-4', transactionOrderStatus: 'availableForPayout', user: null },
    );
    // More rows than one page (50) so paging is exercised.
    for (let i = 0; i < 55; i++) {
      fake.earnings.push({ date: daysAgo(10 + (i % 20)), gross: 100, net: 80, currency: 'USD', source: 'renewal', transactionOrderId: `ord-renew-${i}`, transactionOrderStatus: 'availableForPayout', user: bruno });
    }
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    await rt?.stop();
  });

  const sync = async () => {
    const res = await owner.post('/api/v1/ledger/sync', { channelId });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { status: string; rows: number; added: number; updated: number };
  };
  const totals = async () => {
    const res = await owner.get(`/api/v1/transactions?personaId=${personaId}&limit=200`);
    expect(res.status).toBe(200);
    return res.body as { items: { kind: string; netMinor: number; sourceId: string }[]; totals: { byCurrency: { currency: string; grossMinor: number; netMinor: number; count: number }[] } };
  };
  const fanTotal = (uuid: string) =>
    rt.platform.db.withOrg(orgId, async (tx) => (await tx.select({ total: fans.totalSpendMinor, last: fans.lastPurchaseAt }).from(fans).where(eq(fans.platformFanId, uuid)))[0]);

  it('the first sync adds every row once, pages through, and maps kinds and fans', async () => {
    const first = await sync();
    expect(first).toMatchObject({ status: 'imported', rows: 60, added: 60, updated: 0 });
    const calls = fake.callsTo('/insights/earnings', 'GET');
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.every((c) => c.headers.authorization?.toString().startsWith('Bearer ') && c.headers['x-fanvue-api-version'] === '2025-06-26')).toBe(true);
    expect(calls.some((c) => c.query.cursor)).toBe(true);
    const t = await totals();
    expect(t.totals.byCurrency).toEqual([{ currency: 'USD', grossMinor: 1000 + 500 + 1200 - 600 + 300 + 5500, feeMinor: 200 + 100 + 240 - 120 + 0 + 1100, netMinor: 800 + 400 + 960 - 480 + 300 + 4400, count: 60 }]);
    const kinds = Object.fromEntries(t.items.filter((i) => !i.sourceId.startsWith('ord-renew')).map((i) => [i.sourceId, i.kind]));
    expect(kinds).toEqual({ 'ord-1': 'subscription', 'ord-2': 'tip', 'ord-3': 'ppv', 'ord-r1': 'refund', 'ord-4': 'tip' });
    expect((await fanTotal(alice.uuid))?.total).toBe(800 + 960 - 480);
    expect((await fanTotal(bruno.uuid))?.total).toBe(400 + 55 * 80);
  });

  it('re-running the sync adds nothing and rewrites nothing', async () => {
    expect(await sync()).toMatchObject({ status: 'imported', added: 0, updated: 0 });
    const count = await rt.platform.db.withOrg(orgId, async (tx) => (await tx.select({ id: transactions.id }).from(transactions)).length);
    expect(count).toBe(60);
  });

  it('a changed refund is applied once, in place; totals are right after three syncs', async () => {
    refund.gross = -1200;
    refund.net = -960;
    expect(await sync()).toMatchObject({ added: 0, updated: 1 });
    expect(await sync()).toMatchObject({ added: 0, updated: 0 });
    const t = await totals();
    expect(t.totals.byCurrency).toHaveLength(1);
    expect(t.totals.byCurrency[0]).toMatchObject({ netMinor: 800 + 400 + 960 - 960 + 300 + 4400, count: 60 });
    expect(t.items.filter((i) => i.kind === 'refund').map((i) => i.netMinor)).toEqual([-960]);
    expect((await fanTotal(alice.uuid))?.total).toBe(800);
    const imports = await owner.get('/api/v1/ledger/imports');
    expect(imports.body.items.filter((i: { source: string }) => i.source === 'fanvue_api').map((i: { added: number; updated: number }) => [i.added, i.updated])).toEqual([
      [0, 0],
      [0, 1],
      [0, 0],
      [60, 0],
    ]);
  });

  it('refreshes an expired token mid-sync and keeps the rotated refresh token', async () => {
    fake.set({ mode: 'expiredToken' });
    expect(await sync()).toMatchObject({ status: 'imported', added: 0, updated: 0 });
    const { credentials } = await publishingServices(rt.platform).channels.account(orgId, channelId);
    expect(credentials.refresh_token).toBe(fake.refreshToken);
    fake.set({ mode: 'ok' });
  });

  it('a platform failure is recorded on the import and answered 502', async () => {
    fake.set({ mode: 'http503' });
    const res = await owner.post('/api/v1/ledger/sync', { channelId });
    expect(res.status).toBe(502);
    expect(res.body.code).toBe('sync_failed');
    const imports = await owner.get('/api/v1/ledger/imports?limit=1');
    expect(imports.body.items[0]).toMatchObject({ status: 'failed', source: 'fanvue_api' });
    fake.set({ mode: 'ok' });
  });

  it('an erased fan stays erased when the sync reads their rows again', async () => {
    const carol = fan('carol_lightkeeper_88');
    fake.earnings.push(
      { date: daysAgo(6), gross: 700, net: 560, currency: 'USD', source: 'tip', transactionOrderId: 'ord-carol-1', transactionOrderStatus: 'availableForPayout', user: carol },
      { date: daysAgo(2), gross: 900, net: 720, currency: 'USD', source: 'message', transactionOrderId: 'ord-carol-2', transactionOrderStatus: 'availableForPayout', user: carol },
    );
    expect(await sync()).toMatchObject({ status: 'imported', added: 2 });
    const [row] = await rt.platform.db.withOrg(orgId, (tx) => tx.select().from(fans).where(eq(fans.platformFanId, carol.uuid)));
    expect(row?.handle).toBe(carol.handle);
    const before = (await totals()).totals.byCurrency;
    expect((await owner.post(`/api/v1/fans/${row!.id}/erase`)).status).toBe(200);
    for (const needle of [carol.handle, carol.displayName, carol.uuid]) expect(await findAnywhere(rt, needle), needle).toEqual([]);

    // The next syncs read the same rows (and a refund of one of them) from Fanvue again.
    fake.earnings.push({ date: daysAgo(1), gross: -900, net: -720, currency: 'USD', source: 'refund', transactionOrderId: 'ord-carol-r2', reversedTransactionOrderId: 'ord-carol-2', user: carol });
    expect(await sync()).toMatchObject({ status: 'imported', added: 1, updated: 0 });
    expect(await sync()).toMatchObject({ status: 'imported', added: 0, updated: 0 });
    for (const needle of [carol.handle, carol.displayName, carol.uuid]) expect(await findAnywhere(rt, needle), needle).toEqual([]);
    const carolRows = await rt.platform.db.withOrg(orgId, (tx) => tx.select().from(transactions).where(eq(transactions.fanId, row!.id)));
    expect(carolRows.map((t) => t.netMinor).sort((a, b) => a - b)).toEqual([-720, 560, 720]);
    const after = (await totals()).totals.byCurrency;
    expect(after[0]).toMatchObject({ netMinor: before[0]!.netMinor - 720, count: before[0]!.count + 1 });
    // Still one record for her, still erased.
    const records = await rt.platform.db.withOrg(orgId, (tx) => tx.select().from(fans).where(eq(fans.personaId, personaId)));
    expect(records.filter((f) => f.erasedAt !== null)).toHaveLength(1);
    expect(records.filter((f) => f.erasedAt === null).map((f) => f.handle).sort()).toEqual(['alice', 'bruno']);
  });
});
