import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { seedDemo } from '../../src/demo/seed.ts';
import { upsertFan } from '../../src/sales/crm/fans.repository.ts';
import { ApiClient } from '../helpers/api.ts';
import { chromiumFor, launchChromium, openPage, screenshots, signIn, webServer, type WebServer } from '../helpers/browser.ts';

/**
 * The Sales pages as a person uses them, in Chromium against the real server: a pack with media picked and
 * a price per platform; a promotion whose live preview shows the discounted price; the PPV builder with the
 * segment's size; the fans list with a filter and a fan's page (export/erase offered); a statement import
 * (a bad line refused whole, naming the line; a good file imported); a monthly statement with HTML and PDF.
 */
const hasChromium = chromiumFor('sales browser test');

const EMAIL = 'sales-owner@example.test';
const PASSWORD = 'correct horse battery staple';
const shot = screenshots('sales');

describe.skipIf(!hasChromium)('Sales pages in Chromium', () => {
  let runtime: WebServer;
  let browser: Browser;
  let page: Page;
  let base: string;
  let api: ApiClient;
  let personaId: string;
  let orgId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    runtime = await webServer({ workers: false });
    personaId = (await seedDemo(runtime.platform, { email: EMAIL, password: PASSWORD })).personaId;
    base = runtime.base;
    api = new ApiClient(runtime.app);
    expect((await api.login(EMAIL, PASSWORD)).status).toBe(200);
    orgId = (await api.get('/api/v1/me')).body.org.id;
    // A Fanvue channel (PPV goes through it), fans met on it, and a segment of two of them.
    const channel = await api.post('/api/v1/channels', { personaId, platform: 'fanvue', handle: '@lina', credentials: { access_token: 'pasted-token' } });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    await runtime.platform.db.withOrg(orgId, async (tx) => {
      for (const [id, handle] of [
        ['fv-1', 'amber_tide'],
        ['fv-2', 'coral_reef_fan'],
        ['fv-3', 'night_owl_99'],
      ] as const) {
        await upsertFan(tx, orgId, { personaId, platform: 'fanvue', platformFanId: id, channelId: channel.body.id, handle });
      }
    });
    for (const fan of (await api.get(`/api/v1/fans?personaId=${personaId}`)).body.items as { id: string; handle: string }[]) {
      if (fan.handle !== 'night_owl_99') expect((await api.patch(`/api/v1/fans/${fan.id}`, { tags: ['harbour'] })).status).toBe(200);
    }
    expect((await api.post('/api/v1/segments', { personaId, name: 'Harbour friends', filter: { kind: 'custom', tagsAny: ['harbour'] } })).status).toBe(201);
    expect((await api.call('PUT', `/api/v1/personas/${personaId}/billing`, { clientName: 'Demo client', revenueShareBps: 2000, infrastructureMinor: 0 })).status).toBe(200);

    browser = await launchChromium();
    page = await openPage(browser, { locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1440, height: 1100 } }, pageErrors);
    page.on('dialog', (dialog) => void dialog.accept());
    await signIn(page, base, EMAIL, PASSWORD);
    await page.getByRole('link', { name: 'Sales', exact: true }).first().click();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
  });

  it('packs: a new pack gets media from the picker and a price per platform', async () => {
    await page.getByLabel('Title').fill('Harbour at dawn');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByLabel(/^Media 1,/).check();
    await page.getByRole('button', { name: 'Save the media' }).click();
    await page.getByLabel('Add a platform').selectOption('fanvue');
    await page.getByLabel('Price', { exact: true }).fill('12.50');
    await page.getByLabel('Currency', { exact: true }).fill('EUR');
    await page.getByRole('button', { name: 'Save the prices' }).click();
    const card = page.getByRole('list', { name: 'Packs and bundles' }).getByRole('listitem').filter({ hasText: 'Harbour at dawn' });
    await card.getByText('€12.50').waitFor();
    await card.getByText('1 media').waitFor();
    const [pack] = (await api.get(`/api/v1/packs?personaId=${personaId}`)).body.items;
    expect(pack).toMatchObject({ title: 'Harbour at dawn', assetIds: [expect.any(String)] });
    expect(pack.effective).toEqual([expect.objectContaining({ platform: 'fanvue', listMinor: 1250, effectiveMinor: 1250, currency: 'EUR' })]);
    await page.screenshot({ path: shot('packs'), fullPage: true });
  });

  it('promotions: the live preview shows the discounted price before saving', async () => {
    await page.getByRole('link', { name: 'Promotions' }).click();
    const editor = page.getByRole('region', { name: 'New promotion' });
    await editor.getByLabel('Percent off').fill('20');
    await editor.getByLabel('Starts').fill(new Date(Date.now() - 86_400_000).toISOString().slice(0, 16));
    await editor.getByLabel('Ends').fill(new Date(Date.now() + 6 * 86_400_000).toISOString().slice(0, 16));
    const preview = page.locator('.price-preview');
    await preview.getByText('Fans get this promotion.').waitFor();
    await preview.getByText('€10.00').waitFor();
    // Unnamed yet: the winning draft is "this promotion", then its name as typed.
    await preview.getByText(/· this promotion \(/).waitFor();
    await editor.getByLabel('Name', { exact: true }).fill('Dawn week');
    await preview.getByText(/· Dawn week \(/).waitFor();
    await page.screenshot({ path: shot('promotion-preview'), fullPage: true });
    await page.getByRole('button', { name: 'Create the promotion' }).click();
    await page.getByRole('list', { name: 'Promotions' }).getByText('Dawn week').waitFor();
    const [pack] = (await api.get(`/api/v1/packs?personaId=${personaId}`)).body.items;
    expect(pack.effective[0]).toMatchObject({ listMinor: 1250, effectiveMinor: 1000 });
  });

  it('PPV: the builder says how many fans the segment reaches', async () => {
    await page.getByRole('link', { name: 'PPV' }).click();
    await page.getByLabel('Send to segment').selectOption({ label: 'Harbour friends' });
    await page.getByText('2 fans in this segment now').waitFor();
    await page.screenshot({ path: shot('ppv'), fullPage: true });
  });

  it('fans: filters and a fan page with export and erase', async () => {
    await page.getByRole('link', { name: 'Fans' }).click();
    await page.getByRole('link', { name: 'night_owl_99' }).waitFor();
    await page.getByLabel('Search handle or name').fill('amber');
    await page.getByRole('link', { name: 'night_owl_99' }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'amber_tide' }).click();
    await page.getByRole('heading', { name: 'amber_tide' }).waitFor();
    await page.getByText('Lifetime value').waitFor();
    await page.getByRole('button', { name: 'Download export' }).waitFor();
    await page.getByRole('button', { name: 'Erase this fan…' }).waitFor();
    await page.screenshot({ path: shot('fan'), fullPage: true });
  });

  it('ledger: a statement with a bad line is refused whole, naming the line; a good one imports', async () => {
    await page.getByRole('link', { name: 'Ledger' }).click();
    const today = new Date().toISOString().slice(0, 10);
    const header = 'date,type,gross,fee,net,currency,fan_id,fan_handle,transaction_id,description';
    const bad = [header, `${today},tip,5,1,4,EUR,f-1,ana,t-1,ok`, `${today},tip,5,1,4,EURO,f-2,ben,t-2,bad currency`].join('\n');
    const form = page.getByRole('region', { name: 'Import a statement (CSV)' });
    await form.getByLabel('Platform', { exact: true }).selectOption('onlyfans');
    await form.getByLabel('Or paste the CSV').fill(bad);
    await form.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('The file was not imported: 1 problem to fix.').waitFor();
    await page.getByText(/line 3: currency "EURO"/).waitFor();
    expect((await api.get(`/api/v1/transactions?personaId=${personaId}`)).body.items).toHaveLength(0);

    const good = [header, `${today},tip,5,1,4,EUR,f-1,ana,t-1,ok`, `${today},ppv,12,2,10,EUR,f-2,ben,t-2,unlock`].join('\n');
    await form.getByLabel('Or paste the CSV').fill(good);
    await form.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('2 rows read: 2 added, 0 updated.').waitFor();
    expect((await api.get(`/api/v1/transactions?personaId=${personaId}`)).body.items).toHaveLength(2);
    await page.screenshot({ path: shot('ledger'), fullPage: true });
  });

  it('statements: a monthly statement with its HTML and PDF', async () => {
    await page.getByRole('link', { name: 'Statements' }).click();
    // The page offers last month; this month holds the rows imported above.
    const statements = page.getByRole('region', { name: 'Monthly statements' });
    await statements.getByLabel('Month').fill(new Date().toISOString().slice(0, 7));
    await statements.getByRole('button', { name: 'Generate statement' }).click();
    const row = statements.getByRole('row').filter({ has: page.getByRole('button', { name: 'View' }) }).first();
    await row.waitFor();
    const statement = (await api.get(`/api/v1/statements?personaId=${personaId}`)).body.items[0];
    expect(statement.month).toBe(new Date().toISOString().slice(0, 7));
    expect(statement.totals.revenue.converted.netMinor).toBe(1400);
    expect(statement.hasHtml).toBe(true);
    expect(await row.getByRole('button', { name: 'PDF' }).isEnabled()).toBe(statement.hasPdf);
    await row.getByRole('button', { name: 'View' }).click();
    await page.getByText('Close preview').waitFor();
    await page.screenshot({ path: shot('statement'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
