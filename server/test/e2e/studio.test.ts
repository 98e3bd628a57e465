import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ApiClient, personaBody } from '../helpers/api.ts';
import { chromiumFor, launchChromium, openPage, screenshots, signIn, webServer, type WebServer } from '../helpers/browser.ts';
import { startFakeComfyUI, type FakeComfyUI } from '../fakes/comfyui.ts';
import { makePng } from '../fakes/util.ts';
import { TXT2IMG } from '../studio/support.ts';

/**
 * The studio in a real Chromium against the real server (workers on) and a fake ComfyUI: add the
 * provider in Settings, choose it in the persona's studio settings, generate, watch the live progress,
 * find the rated image in the library and its seed in the detail; a refused prompt says why.
 */
const hasChromium = chromiumFor('studio browser test');

const EMAIL = 'studio-owner@example.test';
const PASSWORD = 'correct horse battery staple';
const shot = screenshots('studio');
const REFUSED_PROMPT = 'nude photo of a 15 year old girl';
/** The little of the browser's globals used in page functions (the server's types have no DOM). */
interface InPage {
  scrollTo(x: number, y: number): void;
  document: { body: { scrollHeight: number }; querySelectorAll(selector: string): Iterable<{ getAttribute(name: string): string | null }> };
}

/** Whether some progress bar shows a job part-way (neither 0 nor 100 %); runs in the page. */
function progressMoving() {
  const bars = (globalThis as unknown as InPage).document.querySelectorAll('[role=progressbar]');
  return [...bars].some((bar) => {
    const value = Number(bar.getAttribute('aria-valuenow'));
    return value > 0 && value < 100;
  });
}

/** A full-page capture with the sticky save bar at its natural place. */
async function fullShot(page: Page, name: string) {
  await page.evaluate(() => {
    const w = globalThis as unknown as InPage;
    w.scrollTo(0, w.document.body.scrollHeight);
  });
  await page.screenshot({ path: shot(name), fullPage: true });
}

describe.skipIf(!hasChromium)('studio in Chromium', () => {
  let runtime: WebServer;
  let comfy: FakeComfyUI;
  let browser: Browser;
  let page: Page;
  let base: string;
  let api: ApiClient;
  let personaId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // Slow enough steps that the progress bar is seen moving, fast enough to keep the test short.
    comfy = await startFakeComfyUI({ behaviour: { stepDelayMs: 250, progressSteps: 8, startDelayMs: 300 } });
    runtime = await webServer({ workers: true, env: { STUDIO_RETRY_LIMIT: '0' } });
    await runtime.platform.auth.createOrgWithOwner({ orgName: 'Maison Studio', email: EMAIL, password: PASSWORD }, { ip: null, userAgent: null, requestId: null });
    base = runtime.base;
    api = new ApiClient(runtime.app);
    expect((await api.login(EMAIL, PASSWORD)).status).toBe(200);
    const persona = await api.post('/api/v1/personas', personaBody('Lina'));
    expect(persona.status, JSON.stringify(persona.body)).toBe(201);
    personaId = persona.body.id;

    browser = await launchChromium();
    page = await openPage(browser, { locale: 'en-US', viewport: { width: 1440, height: 1000 } }, pageErrors);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
    await comfy?.close();
  });

  it('adds ComfyUI, chooses it for the persona, generates with live progress and finds the image', async () => {
    await signIn(page, base, EMAIL, PASSWORD);
    await page.getByRole('heading', { name: 'Personas', level: 1 }).waitFor();

    // Settings → Providers: ComfyUI with a pasted API-format workflow, then a reachability check.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('link', { name: 'Providers' }).click();
    await page.getByRole('heading', { name: 'Add a provider' }).waitFor();
    expect(await page.getByLabel('Type').inputValue()).toBe('comfyui');
    await page.getByLabel('Name', { exact: true }).fill('Local ComfyUI');
    await page.getByLabel('Base URLs').fill(comfy.url);
    const workflow = page.getByLabel('Workflow “default” (API format JSON)');
    await workflow.fill('{"nodes": [], "links": []}');
    await page.getByText('This is the UI format.', { exact: false }).waitFor();
    await workflow.fill(JSON.stringify(TXT2IMG, null, 2));
    await page.getByText('Valid API-format workflow.').waitFor();
    await page.getByRole('button', { name: 'Add provider' }).click();
    const row = page.getByRole('row', { name: /Local ComfyUI/ });
    await row.waitFor();
    await row.getByRole('button', { name: 'Check Local ComfyUI' }).click();
    await row.getByRole('status').filter({ hasText: 'Reachable' }).waitFor();
    await page.screenshot({ path: shot('providers-en'), fullPage: true });

    // Studio settings: her look and the image provider.
    await page.getByRole('link', { name: 'Studio', exact: true }).click();
    await page.getByRole('link', { name: 'Studio settings' }).click();
    await page.getByLabel('Appearance prompt').fill('a fictional adult woman, 27, freckles');
    await page.getByLabel('Image provider').selectOption({ label: 'Local ComfyUI (ComfyUI)' });
    await page.getByRole('button', { name: 'Save studio settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await fullShot(page, 'settings-en');
    const saved = await api.get(`/api/v1/personas/${personaId}/studio`);
    expect(saved.body.settings.appearancePrompt).toBe('a fictional adult woman, 27, freckles');

    // Generate: the job shows up with a progress bar that moves over the live event stream.
    await page.getByRole('link', { name: 'Create' }).click();
    await page.getByText('Live', { exact: true }).waitFor();
    await page.getByLabel('Prompt', { exact: true }).fill('reading in a sunny café');
    await page.getByRole('button', { name: 'Generate 1 image' }).click();
    await page.getByRole('progressbar').first().waitFor();
    await page.waitForFunction(progressMoving, undefined, { timeout: 15_000, polling: 50 });
    await page.screenshot({ path: shot('progress-en'), fullPage: true });

    // Then the image in the library, rated SFW, and its seed in the detail drawer.
    const library = page.getByRole('list', { name: 'Library' });
    const card = library.getByRole('listitem').first();
    await card.waitFor({ timeout: 20_000 });
    await card.getByText('SFW', { exact: true }).waitFor();
    await page.getByText('Done', { exact: true }).first().waitFor();
    await card.locator('img').waitFor();
    type Img = { complete: boolean; naturalWidth: number };
    await expect.poll(() => card.locator('img').evaluate((img) => (img as unknown as Img).complete && (img as unknown as Img).naturalWidth > 0)).toBe(true);
    await page.screenshot({ path: shot('library-en'), fullPage: true });

    const assets = (await api.get(`/api/v1/media?personaId=${personaId}`)).body.items;
    expect(assets).toHaveLength(1);
    await card.getByRole('button', { name: /^Open Image from/ }).click();
    const drawer = page.getByRole('dialog');
    await drawer.getByRole('heading', { name: 'Image details' }).waitFor();
    const seed = drawer.locator('dt', { hasText: /^Seed$/ }).locator('xpath=following-sibling::dd[1]');
    await expect.poll(() => seed.textContent()).toBe(String(assets[0].origin.seed));
    expect(await drawer.getByRole('link', { name: 'portrait' }).getAttribute('href')).toMatch(/^\/api\/v1\/media\/raw\?/);
    await page.screenshot({ path: shot('detail-en') });
    await drawer.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await drawer.getByRole('heading', { name: 'Captions' }).waitFor();
    await page.screenshot({ path: shot('detail-bottom-en') });
    await drawer.getByRole('button', { name: 'Close' }).click();
    await drawer.waitFor({ state: 'hidden' });

    // The prompt gate: nothing is queued and the refusal says why.
    await page.getByLabel('Prompt', { exact: true }).fill(REFUSED_PROMPT);
    await page.getByRole('button', { name: 'Generate 1 image' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'refused' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('Refused: this prompt pairs sexual content with a minor');
    await page.screenshot({ path: shot('refused-en') });
    expect((await api.get(`/api/v1/studio/jobs?personaId=${personaId}`)).body.items).toHaveLength(1);

    // A Midjourney import through the upload form (multipart, with the bearer token).
    await page.getByRole('link', { name: 'Upload' }).click();
    await page.getByLabel('File').setInputFiles({ name: 'terrace.png', mimeType: 'image/png', buffer: await makePng({ width: 200, height: 250 }) });
    await page.getByLabel('Source').selectOption({ label: 'Midjourney import' });
    await page.getByLabel('Tags').fill('terrace, import');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Added to the library.' }).waitFor();
    await page.screenshot({ path: shot('upload-en') });
    const imported = (await api.get(`/api/v1/media?personaId=${personaId}&tag=import`)).body.items;
    expect(imported).toHaveLength(1);
    expect(imported[0]).toMatchObject({ tags: ['terrace', 'import'], origin: { generator: 'midjourney' } });
    await page.getByRole('link', { name: 'Create' }).click();

    // A workflow ComfyUI refuses: the job fails and names the node and its error.
    comfy.set({ mode: 'node_errors' });
    try {
      await page.getByLabel('Prompt', { exact: true }).fill('a walk by the river');
      await page.getByRole('button', { name: 'Generate 1 image' }).click();
      const failed = page.getByRole('list', { name: 'Jobs' }).getByRole('listitem').filter({ hasText: 'a walk by the river' });
      await failed.getByText('Failed', { exact: true }).waitFor({ timeout: 15_000 });
      await failed.getByText('Node 3 (KSampler)', { exact: true }).waitFor();
      await page.screenshot({ path: shot('failed-en') });
    } finally {
      comfy.set({ mode: 'succeed' });
    }

    expect(pageErrors).toEqual([]);
  });

  it('reads in French', async () => {
    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('heading', { name: 'Générer' }).waitFor();
    await page.getByRole('heading', { name: 'Tâches' }).waitFor();
    const library = page.getByRole('list', { name: 'Médiathèque' });
    await library.getByText('Tout public', { exact: true }).first().waitFor();
    await page.getByRole('radio', { name: 'Légendes' }).check();
    await page.getByLabel('Brief').waitFor();
    await page.screenshot({ path: shot('studio-fr'), fullPage: true });
    await page.getByRole('radio', { name: 'Montage' }).check();
    await page.getByRole('group', { name: 'Images' }).getByRole('checkbox').first().check();
    await page.screenshot({ path: shot('montage-fr') });

    await page.getByRole('link', { name: 'À valider' }).click();
    await page.getByText('Rien n’attend de validation.').waitFor();
    await page.screenshot({ path: shot('queue-fr') });

    await page.getByRole('link', { name: 'Réglages du studio' }).click();
    expect(await page.getByLabel('Prompt d’apparence').inputValue()).toBe('a fictional adult woman, 27, freckles');
    await page.getByRole('heading', { name: 'Validation des médias explicites' }).waitFor();
    await fullShot(page, 'settings-fr');

    await page.getByRole('link', { name: 'Paramètres' }).click();
    await page.getByRole('link', { name: 'Fournisseurs' }).click();
    await page.getByRole('button', { name: 'Modifier Local ComfyUI' }).click();
    await page.getByRole('heading', { name: 'Modifier Local ComfyUI' }).waitFor();
    expect(await page.getByLabel('URL de base').inputValue()).toBe(comfy.url);
    expect(JSON.parse(await page.getByLabel('Workflow « default » (JSON au format API)').inputValue())).toEqual(TXT2IMG);
    await page.screenshot({ path: shot('providers-fr'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
