import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { seedDemo } from '../../src/demo/seed.ts';
import { ApiClient } from '../helpers/api.ts';
import { chromiumFor, launchChromium, openPage, screenshots, signIn, webServer, type WebServer } from '../helpers/browser.ts';

/**
 * The calendar in a real Chromium against the real server with its workers, on the demo seed (Lina
 * Moreau, Europe/Paris, a sandbox channel, slots and two weeks of posts). The browser runs in New York
 * time, so Paris times on screen prove the persona's timezone is used. Drag a post to another day and
 * it keeps its local time; write a post in the composer and watch it go out, live.
 */
const hasChromium = chromiumFor('calendar browser test');

const EMAIL = 'calendar-owner@example.test';
const PASSWORD = 'correct horse battery staple';
const ZONE = 'Europe/Paris';
const shot = screenshots('calendar');

/** Local date and HH:MM of an instant in Paris. */
function paris(instant: Date | string): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}
/** The time as the dashboard shows it in English. */
const shownTime = (iso: string) => new Intl.DateTimeFormat('en', { timeZone: ZONE, hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const mondayOf = (date: string) => addDays(date, 1 - (new Date(`${date}T00:00:00Z`).getUTCDay() || 7));

interface Post {
  id: string;
  status: string;
  caption: string;
  scheduledAt: string | null;
  targets: { status: string; text: string }[];
}
interface Day {
  date: string;
  posts: Post[];
}

describe.skipIf(!hasChromium)('calendar in Chromium', () => {
  let runtime: WebServer;
  let browser: Browser;
  let page: Page;
  let base: string;
  let api: ApiClient;
  let personaId: string;
  const pageErrors: string[] = [];

  const week = async (from: string): Promise<Day[]> => {
    const res = await api.get(`/api/v1/calendar?personaId=${personaId}&from=${from}&days=7`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.days;
  };

  beforeAll(async () => {
    runtime = await webServer({ workers: true });
    const seeded = await seedDemo(runtime.platform, { email: EMAIL, password: PASSWORD });
    personaId = seeded.personaId;
    base = runtime.base;
    api = new ApiClient(runtime.app);
    expect((await api.login(EMAIL, PASSWORD)).status).toBe(200);

    browser = await launchChromium();
    // Not Paris: what the page shows must follow the persona's timezone, not the browser's.
    page = await openPage(browser, { locale: 'en-US', timezoneId: 'America/New_York', viewport: { width: 1440, height: 1000 } }, pageErrors);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
  });

  it('shows the week at Paris times and moves a post by dragging it to another day', async () => {
    await signIn(page, base, EMAIL, PASSWORD);
    await page.getByRole('link', { name: 'Calendar', exact: true }).first().click();
    await page.getByRole('heading', { name: /^Calendar/, level: 1 }).waitFor();
    await page.getByText(`Times in ${ZONE}`).waitFor();

    // Next week: every day of it is ahead, and the seed filled a post into each morning slot.
    await page.getByRole('button', { name: 'Next week' }).click();
    const monday = addDays(mondayOf(paris(new Date()).date), 7);
    const days = await week(monday);
    const first = days[0]!.posts[0]!;
    expect(first.scheduledAt).not.toBeNull();
    const chip = page.locator(`[data-post="${first.id}"]`);
    await chip.waitFor();
    expect(await chip.textContent()).toContain(shownTime(first.scheduledAt!));
    expect(paris(first.scheduledAt!).time).toBe('10:00');
    for (const post of days.flatMap((d) => d.posts)) expect(await page.locator(`[data-post="${post.id}"]`).textContent()).toContain(shownTime(post.scheduledAt!));
    await page.screenshot({ path: shot('week-en'), fullPage: true });

    // Drop it on Wednesday, below what is there: same local time, two days later.
    const target = page.locator('.week-day').nth(2).locator('.day-body');
    const box = (await target.boundingBox())!;
    await chip.dragTo(target, { targetPosition: { x: box.width / 2, y: box.height - 12 } });
    await page.getByRole('status').filter({ hasText: 'Moved to' }).waitFor();
    await expect.poll(async () => paris((await api.get(`/api/v1/posts/${first.id}`)).body.scheduledAt)).toEqual({ date: addDays(monday, 2), time: '10:00' });
    await page.locator('.week-day').nth(2).locator(`[data-post="${first.id}"]`).waitFor();

    // The keyboard way: open it, Move to…, another date and time.
    await page.locator(`[data-post="${first.id}"]`).click();
    const detail = page.getByRole('dialog', { name: 'Post' });
    await detail.getByRole('button', { name: 'Move to…' }).click();
    const move = page.getByRole('dialog', { name: 'Move to…' });
    await move.getByLabel('Date').fill(addDays(monday, 3));
    await move.getByLabel('Time').fill('18:30');
    await page.screenshot({ path: shot('move-en') });
    await move.getByRole('button', { name: 'Move', exact: true }).click();
    await move.waitFor({ state: 'hidden' });
    await expect.poll(async () => paris((await api.get(`/api/v1/posts/${first.id}`)).body.scheduledAt)).toEqual({ date: addDays(monday, 3), time: '18:30' });
    await detail.getByText(/Scheduled for Thu/).waitFor();
    await detail.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('radio', { name: 'Month' }).check();
    await page.locator('.month-grid').waitFor();
    await page.screenshot({ path: shot('month-en'), fullPage: true });
    await page.getByRole('radio', { name: 'List' }).check();
    await page.locator('.agenda').waitFor();
    await page.screenshot({ path: shot('list-en'), fullPage: true });
    await page.getByRole('radio', { name: 'Week' }).check();
    expect(pageErrors).toEqual([]);
  });

  it('writes a post in the composer, schedules it for now and sees it published live', async () => {
    await page.getByRole('button', { name: 'Today' }).click();
    await page.getByRole('button', { name: 'New post' }).click();
    const composer = page.getByRole('dialog', { name: 'New post' });
    await composer.getByRole('radio', { name: /^Image 3 from/ }).check();
    await composer.getByLabel('Caption').fill('Live test: morning light at the café');
    await composer.getByRole('checkbox', { name: 'Sandbox demo-outbox' }).check();
    await composer.getByLabel('Format for Sandbox demo-outbox').selectOption('portrait');
    const preview = composer.getByRole('article', { name: 'Preview on Sandbox demo-outbox' });
    await preview.getByText(/Estimated/).waitFor();

    await composer.getByRole('button', { name: 'Create draft and preview' }).click();
    await composer.getByRole('status').filter({ hasText: 'Draft created' }).waitFor();
    await preview.getByText('Final text from the server', { exact: false }).waitFor();
    expect(await preview.locator('.preview-text').textContent()).toBe('Live test: morning light at the café\n\nAI-generated persona · Persona générée par IA');
    await composer.evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: shot('composer-en') });

    // This very minute in Paris (the server allows a minute of slack): due at once. Late in a minute,
    // wait for the next so it does not become "in the past" between typing and sending.
    if (new Date().getSeconds() > 45) await sleep((61 - new Date().getSeconds()) * 1000);
    const now = paris(new Date());
    await composer.getByLabel('Date').fill(now.date);
    await composer.getByLabel('Time').fill(now.time);
    await composer.getByRole('button', { name: 'Approve and schedule' }).click();
    await composer.waitFor({ state: 'hidden' });
    await page.getByRole('status').filter({ hasText: 'Scheduled for' }).waitFor();

    const chip = page.getByRole('button', { name: /Live test: morning light/ });
    await chip.waitFor();
    await chip.filter({ hasText: 'Published' }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: shot('published-en'), fullPage: true });

    await chip.click();
    const detail = page.getByRole('dialog', { name: 'Post' });
    await detail.getByText('Published', { exact: true }).first().waitFor();
    await page.screenshot({ path: shot('detail-en') });
    await detail.getByRole('button', { name: 'Close' }).click();
    expect(pageErrors).toEqual([]);
  });

  it('edits slots and lists channels', async () => {
    await page.getByRole('link', { name: 'Slots' }).click();
    await page.getByLabel('Name of slot 1').waitFor();
    expect(await page.getByLabel('Time of slot 1').inputValue()).toBe('10:00');
    await page.screenshot({ path: shot('slots-en'), fullPage: true });
    await page.getByRole('link', { name: 'Channels', exact: true }).click();
    await page.getByRole('list', { name: 'Channels' }).getByText('demo-outbox').waitFor();
    await page.getByLabel('Platform').selectOption('telegram');
    await page.getByLabel('Bot token').waitFor();
    expect(await page.getByLabel('Bot token').getAttribute('type')).toBe('password');
    await page.screenshot({ path: shot('channels-en'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('reads in French', async () => {
    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('link', { name: 'Calendrier', exact: true }).last().click();
    await page.getByText(`Heures de ${ZONE}`).waitFor();
    await page.getByRole('radio', { name: 'Semaine' }).check();
    await page.locator('.week-day').first().waitFor();
    await page.screenshot({ path: shot('week-fr'), fullPage: true });
    await page.getByRole('radio', { name: 'Mois' }).check();
    await page.locator('.month-grid').waitFor();
    await page.screenshot({ path: shot('month-fr'), fullPage: true });
    await page.getByRole('button', { name: 'Nouvelle publication' }).click();
    const composer = page.getByRole('dialog', { name: 'Nouvelle publication' });
    await composer.getByRole('checkbox', { name: 'Bac à sable demo-outbox' }).check();
    await composer.getByRole('article', { name: 'Aperçu sur Bac à sable demo-outbox' }).waitFor();
    await page.screenshot({ path: shot('composer-fr') });
    await composer.getByRole('button', { name: 'Annuler' }).click();
    await composer.waitFor({ state: 'hidden' });
    expect(pageErrors).toEqual([]);
  });
});
