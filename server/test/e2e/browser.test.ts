import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumFor, launchChromium, openPage, screenshots, webServer, type WebServer } from '../helpers/browser.ts';

// The dashboard end to end: the built SPA served by the real server, driven by a real Chromium.
const hasChromium = chromiumFor('browser test');

const EMAIL = 'owner@example.test';
const PASSWORD = 'correct horse battery staple';
const shot = screenshots('dashboard');

describe.skipIf(!hasChromium)('web dashboard in Chromium', () => {
  let runtime: WebServer;
  let browser: Browser;
  let page: Page;
  let base: string;
  const errors: string[] = [];

  beforeAll(async () => {
    runtime = await webServer({ workers: false });
    await runtime.platform.auth.createOrgWithOwner({ orgName: 'Maison Demo', email: EMAIL, password: PASSWORD }, { ip: null, userAgent: null, requestId: null });
    base = runtime.base;
    browser = await launchChromium();
    page = await openPage(browser, { locale: 'en-US', viewport: { width: 1280, height: 900 } }, errors);
  });

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
  });

  it('signs in, switches to French, creates a persona and lists it', async () => {
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
