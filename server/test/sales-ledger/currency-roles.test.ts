import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, PASSWORD, ownerClient, personaBody, uniqueEmail } from '../helpers/api.ts';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';

describe.each(backends)('ledger: currencies, conversion, reporting and roles (%s)', (backend) => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let personaId: string;
  const member = async (role: string) => {
    const email = uniqueEmail(role);
    expect((await owner.post('/api/v1/team', { email, password: PASSWORD, role })).status).toBe(201);
    const c = new ApiClient(rt.app);
    await c.login(email, PASSWORD);
    return c;
  };
  const enter = (body: Record<string, unknown>) => owner.post('/api/v1/transactions', { personaId, ...body });

  beforeAll(async () => {
    rt = await testRuntime(backend);
    ({ client: owner } = await ownerClient(rt.app, rt.platform, 'Ledger money'));
    personaId = (await owner.post('/api/v1/personas', personaBody('Ines'))).body.id;
  }, 120_000);
  afterAll(() => rt?.stop());

  it('sums per currency, never across; conversion without a rate is an error naming currency and day', async () => {
    expect((await enter({ kind: 'tip', grossMinor: 1000, feeMinor: 200, currency: 'EUR', occurredAt: '2025-06-10T12:00:00Z' })).status).toBe(201);
    expect((await enter({ kind: 'ppv', grossMinor: 2500, feeMinor: 500, currency: 'usd', occurredAt: '2025-06-11T08:00:00Z' })).status).toBe(201);
    expect((await enter({ kind: 'ppv', grossMinor: 1000, currency: 'JPY', occurredAt: '2025-06-12T08:00:00Z' })).status).toBe(201);
    const list = await owner.get(`/api/v1/transactions?personaId=${personaId}`);
    expect(list.body.totals.byCurrency).toEqual([
      { currency: 'EUR', grossMinor: 1000, feeMinor: 200, netMinor: 800, count: 1 },
      { currency: 'JPY', grossMinor: 1000, feeMinor: 0, netMinor: 1000, count: 1 },
      { currency: 'USD', grossMinor: 2500, feeMinor: 500, netMinor: 2000, count: 1 },
    ]);
    expect(list.body.totals.converted.error).toMatchObject({ code: 'exchange_rate_missing', day: '2025-06-11', currency: 'USD' });
    expect(list.body.totals.converted.error.message).toContain('USD');
    expect(list.body.totals.converted.error.message).toContain('2025-06-11');
  });

  it('converts at the nearest rate on or before the day, in exact minor units', async () => {
    const put = await owner.call('PUT', '/api/v1/exchange-rates', {
      rates: [
        { day: '2025-06-01', currency: 'USD', rate: '1.25' },
        { day: '2025-06-12', currency: 'USD', rate: '2' },
        { day: '2025-06-01', currency: 'JPY', rate: 160 },
      ],
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const list = await owner.get(`/api/v1/transactions?personaId=${personaId}`);
    // 800 EUR cents + 2000 USD cents / 1.25 (rate of 06-01, not 06-12) + 1000 JPY / 160 = 800 + 1600 + 625
    expect(list.body.totals.converted).toEqual({ currency: 'EUR', grossMinor: 1000 + 2000 + 625, feeMinor: 200 + 400, netMinor: 800 + 1600 + 625 });
    const rates = await owner.get('/api/v1/exchange-rates?currency=USD');
    expect(rates.body.items.map((r: { day: string; rate: string }) => [r.day, Number(r.rate)])).toEqual([
      ['2025-06-12', 2],
      ['2025-06-01', 1.25],
    ]);
    const bad = await owner.call('PUT', '/api/v1/exchange-rates', { rates: [{ day: '2025-06-01', currency: 'EUR', rate: '1' }] });
    expect(bad.status).toBe(400);
  });

  it('revenue per persona per day, per currency and converted', async () => {
    const res = await owner.get(`/api/v1/ledger/revenue?personaId=${personaId}&from=2025-06-01T00:00:00Z&to=2025-07-01T00:00:00Z`);
    expect(res.status).toBe(200);
    expect(res.body.days.map((d: { day: string; converted: { netMinor: number } | null }) => [d.day, d.converted?.netMinor])).toEqual([
      ['2025-06-10', 800],
      ['2025-06-11', 1600],
      ['2025-06-12', 625],
    ]);
    expect(res.body.totals.converted.netMinor).toBe(3025);
  });

  it('hand entries keep fans totals and LTV per fan and cohort in the reporting currency', async () => {
    const imported = await owner.post('/api/v1/ledger/imports', {
      personaId,
      platform: 'other',
      csv: 'date,type,gross,currency,fan_id,transaction_id\n2025-06-20,tip,10,USD,u-1,a1\n2025-06-21,tip,4,EUR,u-1,a2\n2025-06-22,ppv,6,EUR,u-2,a3',
    });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const byFan = await owner.get(`/api/v1/ledger/ltv?personaId=${personaId}&by=fan`);
    expect(byFan.body.fans.map((f: { ltvMinor: number; transactions: number }) => [f.ltvMinor, f.transactions])).toEqual([
      [1000 / 2 + 400, 2],
      [600, 1],
    ]);
    const cohorts = await owner.get(`/api/v1/ledger/ltv?personaId=${personaId}&by=cohort`);
    expect(cohorts.body.cohorts).toHaveLength(1);
    expect(cohorts.body.cohorts[0]).toMatchObject({ fans: 2, payingFans: 2, totalMinor: 1500, averageMinor: 750 });
    const fanId = byFan.body.fans[0].fanId;
    const refund = await enter({ kind: 'refund', grossMinor: -400, currency: 'EUR', occurredAt: '2025-06-25T00:00:00Z', fanId });
    expect(refund.status, JSON.stringify(refund.body)).toBe(201);
    const after = await owner.get(`/api/v1/ledger/ltv?personaId=${personaId}&by=fan`);
    expect(after.body.fans.find((f: { fanId: string }) => f.fanId === fanId).ltvMinor).toBe(500);
    expect((await enter({ kind: 'tip', grossMinor: -5, currency: 'EUR', occurredAt: '2025-06-25T00:00:00Z' })).status).toBe(400);
    expect((await enter({ kind: 'tip', grossMinor: 100, netMinor: 50, feeMinor: 10, currency: 'EUR', occurredAt: '2025-06-25T00:00:00Z' })).status).toBe(400);
    expect((await enter({ kind: 'tip', grossMinor: 100, currency: 'XXQ', occurredAt: '2025-06-25T00:00:00Z' })).status).toBe(400);
  });

  it('only hand-entered rows can be deleted', async () => {
    const manual = await enter({ kind: 'tip', grossMinor: 100, currency: 'EUR', occurredAt: '2025-06-26T00:00:00Z' });
    expect((await owner.delete(`/api/v1/transactions/${manual.body.id}`)).status).toBe(204);
    const list = await owner.get(`/api/v1/transactions?personaId=${personaId}&kind=ppv&limit=1`);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.nextCursor).toBeTruthy();
    const page2 = await owner.get(`/api/v1/transactions?personaId=${personaId}&kind=ppv&limit=1&cursor=${list.body.nextCursor}`);
    expect(page2.body.items[0].id).not.toBe(list.body.items[0].id);
    const imported = (await owner.get(`/api/v1/transactions?personaId=${personaId}`)).body.items.find((t: { source: string }) => t.source === 'csv:other');
    const res = await owner.delete(`/api/v1/transactions/${imported.id}`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('not_manual');
  });

  it('a chatter never sees ledger totals; a viewer cannot write', async () => {
    const chatter = await member('chatter');
    for (const url of ['/api/v1/transactions', `/api/v1/ledger/revenue?personaId=${personaId}`, '/api/v1/ledger/ltv', '/api/v1/ledger/imports', '/api/v1/exchange-rates', '/api/v1/statements', '/api/v1/cost-lines', `/api/v1/personas/${personaId}/billing`]) {
      const res = await chatter.get(url);
      expect(res.status, url).toBe(403);
    }
    expect((await chatter.post('/api/v1/transactions', { personaId, kind: 'tip', grossMinor: 1, currency: 'EUR', occurredAt: '2025-06-01T00:00:00Z' })).status).toBe(403);
    expect((await chatter.get('/api/v1/sales/settings')).status).toBe(200);
    const viewer = await member('viewer');
    expect((await viewer.get('/api/v1/transactions')).status).toBe(403);
    expect((await viewer.call('PUT', '/api/v1/sales/settings', { reportingCurrency: 'USD' })).status).toBe(403);
  });
});
