import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChannelAccount, ChannelPolicy, Connector, PublishRequest, PublishResult } from '../types.ts';

const CSV_HEADER = 'scheduled_at_utc,scheduled_at_local,files,price_cents,caption\n';

/**
 * OnlyFans has no public API and forbids bots: a target "publishes" into an export bundle for manual
 * upload — the media files plus a schedule CSV (`<data dir>/exports/onlyfans/<channel>/`). It sits on the
 * calendar like any other target; the creator uploads by hand.
 */
export class OnlyFansExportConnector implements Connector {
  readonly platform = 'onlyfans_export' as const;
  readonly #root: string;
  constructor(exportRoot: string) {
    this.#root = exportRoot;
  }

  policy(): ChannelPolicy {
    return { accepts: ['sfw', 'suggestive', 'explicit'], disclosureRequired: true, maxMedia: 20, maxTextLength: 1000, flagsAdultMedia: false, needsPublicMediaUrl: false };
  }

  bundleDir(account: Pick<ChannelAccount, 'id'>) {
    return join(this.#root, account.id);
  }

  async publish(account: ChannelAccount, request: PublishRequest): Promise<PublishResult> {
    const dir = this.bundleDir(account);
    const marker = join(dir, 'entries', `${request.idempotencyKey}.json`);
    const result: PublishResult = { remoteId: `export:${request.idempotencyKey}`, url: `file://${dir}/schedule.csv` };
    if (existsSync(marker)) return result;
    await mkdir(join(dir, 'media'), { recursive: true });
    await mkdir(join(dir, 'entries'), { recursive: true });
    const files: string[] = [];
    for (const [i, m] of request.media.entries()) {
      const name = `${request.idempotencyKey.slice(0, 8)}-${i + 1}-${m.filename}`;
      await writeFile(join(dir, 'media', name), m.bytes);
      files.push(name);
    }
    if (!existsSync(join(dir, 'schedule.csv'))) await writeFile(join(dir, 'schedule.csv'), CSV_HEADER);
    const when = typeof request.options.scheduledAt === 'string' ? request.options.scheduledAt : new Date().toISOString();
    const local = typeof request.options.scheduledAtLocal === 'string' ? request.options.scheduledAtLocal : '';
    const price = typeof request.options.priceCents === 'number' ? String(request.options.priceCents) : '';
    await appendFile(join(dir, 'schedule.csv'), [when, local, files.join(' '), price, request.text].map(csvCell).join(',') + '\n');
    await writeFile(marker, JSON.stringify({ ...result, files }));
    return result;
  }

  async find(account: ChannelAccount, request: Pick<PublishRequest, 'idempotencyKey'>): Promise<PublishResult | null> {
    return existsSync(join(this.bundleDir(account), 'entries', `${request.idempotencyKey}.json`))
      ? { remoteId: `export:${request.idempotencyKey}`, url: `file://${this.bundleDir(account)}/schedule.csv` }
      : null;
  }

  async schedule(account: Pick<ChannelAccount, 'id'>): Promise<string> {
    try {
      return await readFile(join(this.bundleDir(account), 'schedule.csv'), 'utf8');
    } catch {
      return CSV_HEADER;
    }
  }
}

/** RFC 4180 quoting; a leading formula character is neutralised so spreadsheets never execute a caption. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
