import { existsSync } from 'node:fs';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** No Chromium on this machine (or it would not start): callers keep the HTML and say the PDF is missing. */
export class PdfUnavailableError extends Error {
  override name = 'PdfUnavailableError';
}

export interface RenderPdfOptions {
  /** The Chromium binary; default CHROMIUM_PATH from the environment, else /usr/bin/chromium. */
  executablePath?: string | undefined;
  timeoutMs?: number;
  format?: 'A4' | 'Letter';
}

// One Chromium at a time: renders are rare (statements, reports) and the machine is often small.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Prints self-contained HTML to PDF with headless Chromium. The page gets no JavaScript and no network:
 * everything it shows must be inline (styles, data: images), so a document can never fetch or leak.
 */
export function renderPdf(html: string, options: RenderPdfOptions = {}): Promise<Buffer> {
  const run = queue.then(() => render(html, options));
  queue = run.catch(() => undefined);
  return run;
}

async function render(html: string, options: RenderPdfOptions): Promise<Buffer> {
  const executablePath = options.executablePath ?? DEFAULT_CHROMIUM_PATH;
  if (!existsSync(executablePath)) throw new PdfUnavailableError(`No Chromium at ${executablePath}: install chromium or set CHROMIUM_PATH`);
  const timeout = options.timeoutMs ?? 30_000;
  const { chromium } = await import('playwright-core');
  let browser;
  try {
    browser = await chromium.launch({
      executablePath,
      timeout,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
  } catch (error) {
    throw new PdfUnavailableError(`Chromium did not start: ${(error as Error).message.split('\n')[0]}`);
  }
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    await context.route('**/*', (route) => route.abort());
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load', timeout });
    return await page.pdf({ format: options.format ?? 'A4', printBackground: true, margin: { top: '16mm', bottom: '16mm', left: '14mm', right: '14mm' } });
  } finally {
    await browser.close();
  }
}
