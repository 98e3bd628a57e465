import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { seedDemo } from '../../src/demo/seed.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import { ApiClient } from '../helpers/api.ts';
import { chromiumFor, launchChromium, openPage, signIn, webServer, type WebServer } from '../helpers/browser.ts';
import { startFakeReddit, type FakeReddit } from '../fakes/reddit.ts';
import { startFakeX, type FakeX } from '../fakes/x.ts';

/**
 * The OAuth connect flow as a person does it, in Chromium against the real server: Settings → Platform
 * apps (the org's Reddit app, pointed at the fake Reddit), then Calendar → Channels → "Connect with
 * Reddit": the browser leaves for the platform's consent page, comes back through our callback, and the
 * page says the account is connected; "Reconnect" on the card renews the same channel.
 */
const hasChromium = chromiumFor('connect browser test');

const EMAIL = 'connect-owner@example.test';
const PASSWORD = 'correct horse battery staple';

describe.skipIf(!hasChromium)('OAuth connect from the web, in Chromium', () => {
  let runtime: WebServer;
  let browser: Browser;
  let page: Page;
  let base: string;
  let api: ApiClient;
  let reddit: FakeReddit;
  let x: FakeX;
  let orgId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    reddit = await startFakeReddit();
    x = await startFakeX({ clientSecret: 'x-app-secret' });
    runtime = await webServer({ workers: false });
    await seedDemo(runtime.platform, { email: EMAIL, password: PASSWORD });
    base = runtime.base;
    api = new ApiClient(runtime.app);
    expect((await api.login(EMAIL, PASSWORD)).status).toBe(200);
    orgId = (await api.get('/api/v1/me')).body.org.id;
    browser = await launchChromium();
    page = await openPage(browser, { locale: 'en-US', viewport: { width: 1440, height: 1000 } }, pageErrors);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
    await reddit?.close();
    await x?.close();
  });

  const redditChannels = async () => ((await api.get('/api/v1/channels')).body.items as { id: string; platform: string; handle: string; status: string }[]).filter((c) => c.platform === 'reddit');

  it('sets up the Reddit app in Settings, connects the account from Channels, and reconnects it', async () => {
    await signIn(page, base, EMAIL, PASSWORD);

    // Settings → Platform apps: the org's own Reddit app (the fake stands in for reddit.com).
    await page.getByRole('link', { name: 'Settings', exact: true }).first().click();
    await page.getByRole('link', { name: 'Platform apps' }).click();
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Reddit', exact: true }) });
    await card.getByLabel('Client ID').fill(reddit.clientId);
    await card.getByLabel('Client secret').fill(reddit.clientSecret);
    await card.getByText('Base URLs (proxies and tests only)').click();
    await card.getByLabel('API base URL').fill(reddit.url);
    await card.getByLabel('Sign-in base URL').fill(reddit.url);
    // The redirect URI to register at Reddit is shown, and it is ours.
    expect(await card.locator('code').textContent()).toBe(`${base}/api/v1/oauth/callback/reddit`);
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    expect((await api.get('/api/v1/platform-apps')).body.items.find((a: { platform: string }) => a.platform === 'reddit')).toMatchObject({ configured: true, hasClientSecret: true });

    // Calendar → Channels → add → Reddit → "Connect with Reddit": off to Reddit's consent page and back.
    await page.goto(`${base}/calendar/channels`);
    await page.getByLabel('Platform').selectOption('reddit');
    await page.getByRole('button', { name: 'Connect with Reddit' }).click();
    await page.getByText('u/atelier_persona is connected.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/calendar/channels');
    // The callback's parameters are cleaned from the address bar.
    expect(new URL(page.url()).search).toBe('');
    await page.getByRole('list', { name: 'Channels' }).getByText('u/atelier_persona').waitFor();
    const [channel] = await redditChannels();
    expect(channel).toMatchObject({ handle: 'u/atelier_persona', status: 'active' });
    const authorize = reddit.calls.find((c) => c.path.includes('authorize'));
    expect(authorize?.query).toMatchObject({ client_id: reddit.clientId, response_type: 'code', duration: 'permanent', redirect_uri: `${base}/api/v1/oauth/callback/reddit` });
    const stored = await publishingServices(runtime.platform).channels.account(orgId, channel!.id);
    expect(stored.credentials).toMatchObject({ access_token: reddit.accessToken, refresh_token: reddit.refreshToken });

    // Revoked on the platform side: the card asks for a reconnect, which renews the same channel.
    await runtime.platform.db.withOrg(orgId, (tx) => tx.execute(sql`update channels set status = 'reconnect_needed' where id = ${channel!.id}`));
    await page.reload();
    const reconnect = page.getByRole('button', { name: /Reconnect u\/atelier_persona/ }).first();
    await reconnect.click();
    await page.getByText('u/atelier_persona is connected.').waitFor();
    const after = await redditChannels();
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: channel!.id, status: 'active' });
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('X: the setup check asks for the Automated label until someone confirms it', async () => {
    expect((await api.call('PUT', '/api/v1/platform-apps/x', { clientId: x.tokens.clientId, clientSecret: 'x-app-secret', baseUrl: x.url, authBaseUrl: x.url })).status).toBe(204);
    await page.goto(`${base}/calendar/channels`);
    await page.getByLabel('Platform').selectOption('x');
    await page.getByRole('button', { name: 'Connect with X' }).click();
    const notice = page.locator('.connect-notice');
    await notice.getByText('@atelier_persona is connected.').waitFor();
    await notice.getByText(/Automated" account label cannot be verified by API/).waitFor();
    await notice.getByRole('button', { name: 'I turned on X’s Automated label' }).click();
    await notice.getByText('Everything the platform lets us check looks right.').waitFor();
    const channel = ((await api.get('/api/v1/channels')).body.items as { id: string; platform: string; settings: Record<string, unknown> }[]).find((c) => c.platform === 'x')!;
    expect(Date.parse(channel.settings.automatedLabelConfirmedAt as string)).toBeGreaterThan(Date.now() - 60_000);
    expect((await api.get(`/api/v1/channels/${channel.id}/setup-check`)).body).toMatchObject({ ok: true, problems: [] });
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
