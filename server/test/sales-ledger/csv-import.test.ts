import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fans, transactions } from '../../src/platform/db/schema/index.ts';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { findAnywhere } from '../sales-crm/support.ts';

const GOOD = [
  'date,type,gross,fee,net,currency,fan_id,fan_handle,transaction_id,description',
  '2025-03-01,subscription,9.99,2.00,7.99,EUR,f-1,ana,tx-1,March sub',
  '2025-03-02T10:15:00Z,tip,5,1,4,EUR,f-2,ben,tx-2,"Thanks, ""great"" set"',
  '2025-03-03,refund,9.99,2.00,7.99,EUR,f-1,ana,tx-3,refund of tx-1',
].join('\n');

describe.each(backends)('ledger: CSV statements (%s)', (backend) => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let orgId: string;
  let personaId: string;

  beforeAll(async () => {
    rt = await testRuntime(backend);
    ({ client: owner, orgId } = await ownerClient(rt.app, rt.platform, 'Ledger csv'));
    personaId = (await owner.post('/api/v1/personas', personaBody('Vera'))).body.id;
  }, 120_000);
  afterAll(() => rt?.stop());

  const count = () => rt.platform.db.withOrg(orgId, async (tx) => (await tx.select({ id: transactions.id }).from(transactions)).length);
  const upload = (csv: string, filename = 'statement.csv') => owner.post('/api/v1/ledger/imports', { personaId, platform: 'onlyfans', filename, csv });

  it('one bad line rejects the whole file, naming the line; nothing is written', async () => {
    const lines = GOOD.split('\n');
    lines[2] = '2025-03-02T10:15:00Z,tip,5,1,4,EURO,f-2,ben,tx-2,x';
    const res = await upload(lines.join('\n'), 'bad.csv');
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('import_rejected');
    expect(res.body.lineErrors).toEqual(['line 3: currency "EURO" is not an ISO 4217 code']);
    expect(res.body.errors).toEqual([{ path: 'line 3', message: 'currency "EURO" is not an ISO 4217 code' }]);
    expect(await count()).toBe(0);
    const imports = await owner.get('/api/v1/ledger/imports');
    expect(imports.body.items[0]).toMatchObject({ status: 'rejected', filename: 'bad.csv', added: 0, errors: ['line 3: currency "EURO" is not an ISO 4217 code'] });
  });

  it('every line is checked: line numbers count the header and multi-line fields as an editor shows them', async () => {
    const csv = [
      'date,type,gross,fee,net,currency,transaction_id,description',
      '2025-02-30,tip,5,0,5,EUR,a,x',
      '2025-03-01,tip,5.001,0,5,EUR,b,"two',
      'lines"',
      '2025-03-01,gift,5,0,5,EUR,c,x',
      '2025-03-01,tip,10,1,8,EUR,d,x',
      '2025-03-01,tip,10,1,9,EUR,a,x',
      '2025-03-01,tip,10,1',
    ].join('\n');
    const res = await upload(csv);
    expect(res.status).toBe(422);
    expect(res.body.lineErrors).toEqual([
      'line 2: date "2025-02-30" is not an ISO 8601 date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)',
      'line 3: gross: "5.001" has more than 2 decimals for EUR',
      'line 5: type "gift" is not one of subscription, renewal, tip, ppv, pack, refund, chargeback',
      'line 6: net 8 is not gross 10 minus fee 1',
      'line 7: transaction_id "a" already appears on line 2',
      'line 8: expected 8 fields, found 4',
    ]);
    expect(await count()).toBe(0);
  });

  it('a good file imports exactly its rows; re-importing it adds nothing', async () => {
    const res = await upload(GOOD);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'imported', rows: 3, added: 3, updated: 0, source: 'csv:onlyfans' });
    const list = await owner.get(`/api/v1/transactions?personaId=${personaId}`);
    expect(list.body.items.map((t: { sourceId: string; kind: string; grossMinor: number; feeMinor: number; netMinor: number }) => [t.sourceId, t.kind, t.grossMinor, t.feeMinor, t.netMinor])).toEqual([
      ['tx-3', 'refund', -999, -200, -799],
      ['tx-2', 'tip', 500, 100, 400],
      ['tx-1', 'subscription', 999, 200, 799],
    ]);
    expect(list.body.items[1].description).toBe('Thanks, "great" set');
    expect(list.body.totals.byCurrency).toEqual([{ currency: 'EUR', grossMinor: 500, feeMinor: 100, netMinor: 400, count: 3 }]);
    const again = await upload(GOOD);
    expect(again.body).toMatchObject({ added: 0, updated: 0, rows: 3 });
    expect(await count()).toBe(3);
  });

  it('rows without a transaction id are keyed by their content: re-import is still idempotent', async () => {
    const csv = ['Date,Type,Amount,Currency,Fan', '2025-04-01,tip,3.00,USD,zoe', '2025-04-01,tip,3.00,USD,zoe', '2025-04-02,ppv,12,USD,zoe'].join('\r\n');
    const first = await upload(csv);
    expect(first.body).toMatchObject({ added: 3 });
    const second = await upload(csv);
    expect(second.body).toMatchObject({ added: 0, updated: 0 });
    expect(await count()).toBe(6);
  });

  it('accepts a multipart upload', async () => {
    const csv = ['date,type,gross,currency,transaction_id', '2025-05-01,pack,20,GBP,mp-1'].join('\n');
    const form = new FormData();
    form.set('personaId', personaId);
    form.set('platform', 'fansly');
    form.set('file', new Blob([csv], { type: 'text/csv' }), 'may.csv');
    const req = new Request('http://x/', { method: 'POST', body: form });
    const res = await rt.app.inject({ method: 'POST', url: '/api/v1/ledger/imports', headers: { authorization: `Bearer ${owner.token}`, 'content-type': req.headers.get('content-type')! }, payload: Buffer.from(await req.arrayBuffer()) });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ added: 1, filename: 'may.csv', source: 'csv:fansly' });
  });

  it('re-importing a statement after a fan was erased neither revives her nor adds a row', async () => {
    const csv = [
      'date,type,gross,fee,net,currency,fan_id,fan_handle,transaction_id,description',
      '2025-06-01,tip,8,1,7,EUR,of-77031,juniper_skyline,tip-juniper_skyline-1,Tip from juniper_skyline',
      '2025-06-02,ppv,12,2,10,EUR,of-77031,juniper_skyline,ppv-9921,Unlock',
      '2025-06-03,tip,4,0,4,EUR,of-11111,quiet_otter,tip-q-1,Tip',
    ].join('\n');
    expect((await upload(csv, 'june.csv')).body).toMatchObject({ added: 3 });
    const [fan] = await rt.platform.db.withOrg(orgId, (tx) => tx.select().from(fans).where(eq(fans.platformFanId, 'of-77031')));
    expect(fan?.handle).toBe('juniper_skyline');
    const totals = async () => (await owner.get(`/api/v1/transactions?personaId=${personaId}&limit=200`)).body.totals.byCurrency;
    const before = await totals();
    expect((await owner.post(`/api/v1/fans/${fan!.id}/erase`)).status).toBe(200);
    for (const needle of ['juniper_skyline', 'of-77031']) expect(await findAnywhere(rt, needle), needle).toEqual([]);

    expect((await upload(csv, 'june-again.csv')).body).toMatchObject({ added: 0, updated: 0, rows: 3 });
    for (const needle of ['juniper_skyline', 'of-77031']) expect(await findAnywhere(rt, needle), needle).toEqual([]);
    expect(await totals()).toEqual(before);
    const hers = await rt.platform.db.withOrg(orgId, (tx) => tx.select().from(transactions).where(eq(transactions.fanId, fan!.id)));
    expect(hers.map((t) => t.netMinor).sort((a, b) => a - b)).toEqual([700, 1000]);
  });
});
