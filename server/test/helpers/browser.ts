import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { builtWeb } from '../e2e/web-build.ts';
import { testRuntime, type TestRuntime } from './runtime.ts';

/**
 * How browser tests run: the system's Chromium (never a downloaded browser) driven by playwright-core, against
 * the real server listening on 127.0.0.1 and serving the dashboard built from the current sources.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether Chromium is installed; when it is not, says which test is skipped (for `describe.skipIf`). */
export function chromiumFor(test: string): boolean {
  const found = existsSync(CHROMIUM);
  if (!found) console.warn(`${test} skipped: no Chromium at ${CHROMIUM} (install chromium or set CHROMIUM_PATH)`);
  return found;
}

// No sandbox (containers run as root); nothing in the background that reaches the network or updates itself.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** A page in a fresh context of its own (closing the page closes it); its uncaught errors go into `errors` when given. */
export async function openPage(browser: Browser, options: BrowserContextOptions, errors?: string[]): Promise<Page> {
  const page = await browser.newPage(options);
  if (errors) page.on('pageerror', (error) => errors.push(error.message));
  return page;
}

export interface WebServer extends TestRuntime {
  /** Where the browser goes: http://127.0.0.1:<port>. */
  base: string;
}

/** The whole product serving the built dashboard on a free port (embedded PGlite, fresh data dir); `stop()` removes it all. */
export async function webServer(opts: { workers: boolean; env?: Record<string, string> }): Promise<WebServer> {
  // Built once per version of the web sources and shared by the browser test files (see web-build.ts).
  const webDist = await builtWeb();
  const runtime = await testRuntime('pglite', { HOST: '127.0.0.1', ...opts.env }, { workers: opts.workers, listen: true, webDist });
  return { ...runtime, base: `http://127.0.0.1:${(runtime.app.server.address() as AddressInfo).port}` };
}

/** Signs in through the login form (in English) and waits for the dashboard's shell. */
export async function signIn(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Where a test file's screenshots go, kept after the run to look at: `<tmp>/atelier-e2e-<area>-<name>.png`. */
export function screenshots(area: string): (name: string) => string {
  return (name) => join(tmpdir(), `atelier-e2e-${area}-${name}.png`);
}
