import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generationJobs, providers } from '../../src/platform/db/schema/index.ts';
import { bookStudioSpend } from '../../src/sales/ledger/studio-spend.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';

const run = promisify(execFile);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const hasPdftoppm = existsSync('/usr/bin/pdftoppm');
if (!hasChromium) console.warn(`statement PDF checks skipped: no Chromium at ${CHROMIUM}`);

describe.each(backends)('billing: cost lines and monthly statements (%s)', (backend) => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let orgId: string;
  let personaId: string;

  beforeAll(async () => {
    rt = await testRuntime(backend);
    ({ client: owner, orgId } = await ownerClient(rt.app, rt.platform, 'Billing'));
    personaId = (await owner.post('/api/v1/personas', personaBody('Noor <script>alert(1)</script>'))).body.id;
    const csv = [
      'date,type,gross,fee,net,currency,fan_id,transaction_id',
      '2025-05-03,subscription,10.00,2.00,8.00,EUR,a,s1',
      '2025-05-09,tip,25.00,5.00,20.00,USD,b,s2',
      '2025-05-20,refund,10.00,2.00,8.00,EUR,a,s3',
      '2025-05-21,ppv,40.00,8.00,32.00,EUR,b,s4',
      '2025-06-01,ppv,99.00,0,99.00,EUR,b,s5',
    ].join('\n');
    expect((await owner.post('/api/v1/ledger/imports', { personaId, platform: 'onlyfans', csv })).status).toBe(201);
    expect((await owner.call('PUT', '/api/v1/exchange-rates', { rates: [{ day: '2025-05-01', currency: 'USD', rate: '1.25' }] })).status).toBe(200);
  }, 120_000);
  afterAll(() => rt?.stop());

  it('stores a billing profile and manual cost lines', async () => {
    const put = await owner.call('PUT', `/api/v1/personas/${personaId}/billing`, { clientName: 'Client <b>&</b> Co', clientEmail: 'client@example.test', revenueShareBps: 3000, infrastructureMinor: 500 });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ configured: true, revenueShareBps: 3000, currency: 'EUR' });
    const cost = await owner.post('/api/v1/cost-lines', { personaId, kind: 'api', description: 'Caption model', amountMinor: 250, currency: 'USD', occurredOn: '2025-05-15' });
    expect(cost.status, JSON.stringify(cost.body)).toBe(201);
    expect((await owner.get(`/api/v1/cost-lines?personaId=${personaId}&month=2025-05`)).body.items).toHaveLength(1);
  });

  it('books studio spend once per job when the provider declares a price', async () => {
    const { providerId, job } = await rt.platform.db.withOrg(orgId, async (tx) => {
      const [p] = await tx.insert(providers).values({ orgId, kind: 'image', type: 'comfyui', name: 'Studio GPU', config: { baseUrls: ['http://127.0.0.1:1'], workflows: {}, cost: { currency: 'EUR', perSecondMinor: 2 } } }).returning();
      const [j] = await tx
        .insert(generationJobs)
        .values({ orgId, personaId, kind: 'image', providerId: p!.id, request: {}, status: 'succeeded', startedAt: new Date('2025-05-10T10:00:00Z'), finishedAt: new Date('2025-05-10T10:01:40Z') })
        .returning();
      return { providerId: p!.id, job: j! };
    });
    expect(providerId).toBeTruthy();
    await bookStudioSpend(rt.platform, orgId, job);
    await bookStudioSpend(rt.platform, orgId, job);
    const lines = (await owner.get(`/api/v1/cost-lines?personaId=${personaId}&month=2025-05`)).body.items;
    expect(lines.filter((l: { source: string }) => l.source === 'studio')).toEqual([expect.objectContaining({ kind: 'gpu', amountMinor: 200, currency: 'EUR', sourceId: job.id, occurredOn: '2025-05-10' })]);
  });

  it('a statement freezes totals equal to the ledger, renders escaped HTML and a PDF', async () => {
    const res = await owner.post('/api/v1/statements', { month: '2025-05', personaId });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const t = res.body.totals;
    const ledger = await owner.get(`/api/v1/transactions?personaId=${personaId}&from=2025-05-01T00:00:00Z&to=2025-06-01T00:00:00Z`);
    expect(t.revenue.byCurrency).toEqual(ledger.body.totals.byCurrency);
    expect(t.revenue.converted).toEqual({ grossMinor: ledger.body.totals.converted.grossMinor, feeMinor: ledger.body.totals.converted.feeMinor, netMinor: ledger.body.totals.converted.netMinor });
    // EUR net 800 - 800 + 3200 = 3200; USD 2000 / 1.25 = 1600 → 4800; share 30 % = 1440; costs 250 USD → 200 + studio 200 + infra 500 = 900.
    expect(t.revenue.converted.netMinor).toBe(4800);
    expect(t.revenueShare).toEqual({ bps: 3000, minor: 1440 });
    expect(t.costs.convertedMinor).toBe(900);
    expect(t.balanceMinor).toBe(4800 - 1440 - 900);
    expect(res.body.month).toBe('2025-05');

    const html = await owner.get(`/api/v1/statements/${res.body.id}/html`);
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    const page = html.raw.body;
    expect(page).toContain('Noor &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>');
    expect(page).toContain('Client &lt;b&gt;&amp;&lt;/b&gt; Co');

    const list = await owner.get(`/api/v1/statements?personaId=${personaId}`);
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([res.body.id]);

    if (!hasChromium) return;
    expect(res.body.hasPdf).toBe(true);
    const pdf = await rt.app.inject({ method: 'GET', url: `/api/v1/statements/${res.body.id}/pdf`, headers: { authorization: `Bearer ${owner.token}` } });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    if (!hasPdftoppm) return;
    const dir = await mkdtemp(join(tmpdir(), 'statement-'));
    try {
      await writeFile(join(dir, 'statement.pdf'), pdf.rawPayload);
      await run('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', '-singlefile', join(dir, 'statement.pdf'), join(dir, 'page')]);
      expect((await stat(join(dir, 'page.png'))).size).toBeGreaterThan(1000);
      expect((await readFile(join(dir, 'page.png'))).subarray(1, 4).toString('latin1')).toBe('PNG');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a statement needing a missing rate is refused, naming currency and day', async () => {
    expect((await owner.post('/api/v1/transactions', { personaId, kind: 'tip', grossMinor: 500, currency: 'GBP', occurredAt: '2025-04-02T00:00:00Z' })).status).toBe(201);
    const res = await owner.post('/api/v1/statements', { month: '2025-04', personaId });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'exchange_rate_missing', currency: 'GBP', day: '2025-04-02' });
  });
});
