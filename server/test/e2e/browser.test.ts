import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadEnv } from '../../src/platform/config/env.ts';
import { startRuntime, type Runtime } from '../../src/entry/runtime.ts';
import { builtWeb } from './web-build.ts';

// The dashboard end to end: the built SPA served by the real server, driven by a real Chromium.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser test skipped: no Chromium at ${CHROMIUM} (install chromium or set CHROMIUM_PATH)`);

const EMAIL = 'owner@example.test';
const PASSWORD = 'correct horse battery staple';
const shot = (name: string) => join(tmpdir(), `atelier-e2e-${name}.png`);

describe.skipIf(!hasChromium)('web dashboard in Chromium', () => {
  let runtime: Runtime;
  let dataDir: string;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    // The current sources, built once and shared with the other browser tests (see web-build.ts).
    const webDist = await builtWeb();
    dataDir = await mkdtemp(join(tmpdir(), 'atelier-e2e-'));
    const env = loadEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      ATELIER_DATA_DIR: dataDir,
      ATELIER_MASTER_KEY: randomBytes(32).toString('base64'),
      HOST: '127.0.0.1',
      PORT: '0',
    });
    runtime = await startRuntime(env, { http: true, workers: false, webDist, listen: true });
    await runtime.platform.auth.createOrgWithOwner({ orgName: 'Maison Demo', email: EMAIL, password: PASSWORD }, { ip: null, userAgent: null, requestId: null });
    base = `http://127.0.0.1:${(runtime.app!.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    page = await browser.newPage({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('signs in, switches to French, creates a persona and lists it', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.screenshot({ path: shot('login') });

    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Email or password is incorrect.');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Personas', level: 1 }).waitFor();

    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('heading', { name: 'Nouvelle persona' }).waitFor();
    expect(await page.getByRole('link', { name: 'Paramètres' }).isVisible()).toBe(true);

    await page.getByLabel('Nom', { exact: true }).fill('Lina');
    await page.getByLabel('Âge déclaré').fill('26');
    await page.getByLabel('Fuseau horaire').selectOption('Europe/Paris');
    await page.getByLabel('français', { exact: true }).check();
    await page.getByLabel('Bio').fill('Photographe de voyage imaginaire.');
    // Without the attestation the form refuses and says why, next to the statements.
    await page.getByRole('button', { name: 'Créer la persona' }).click();
    await page.getByText('Cochez les trois déclarations pour créer la persona.').waitFor();

    await page.getByLabel('Cette persona est fictive').check();
    await page.getByLabel('Cette persona est majeure (18 ans ou plus)').check();
    await page.getByLabel('Cette persona n’est pas inspirée d’une personne réelle').check();
    await page.getByRole('button', { name: 'Créer la persona' }).click();

    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Lina' }) });
    await card.waitFor();
    expect(await card.textContent()).toContain('Europe/Paris');
    expect(await page.getByLabel('Persona', { exact: true }).inputValue()).not.toBe('');
    await page.screenshot({ path: shot('personas'), fullPage: true });

    // The access token is only in memory: a reload must restore the session from the refresh cookie.
    await page.reload();
    await page.getByRole('link', { name: 'Paramètres' }).click();
    await page.getByRole('link', { name: 'Journal d’audit' }).click();
    await page.getByText('persona.attested').first().waitFor();
    await page.getByRole('link', { name: 'Équipe et rôles' }).click();
    await page.getByRole('cell', { name: /owner@example\.test/ }).waitFor();
    await page.screenshot({ path: shot('settings'), fullPage: true });

    expect(errors).toEqual([]);
  });
});
