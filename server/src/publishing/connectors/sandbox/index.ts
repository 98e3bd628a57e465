import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChannelAccount, ChannelPolicy, Connector, ConnectorContext, PublishRequest, PublishResult } from '../types.ts';

/**
 * A local channel for demos without accounts: each post becomes a folder in the outbox
 * (`<data dir>/outbox/<channel>/<idempotency key>/`) with post.json and the media. Writing the same
 * target twice finds the folder and answers the first result, like a deduplicating platform.
 */
export class SandboxConnector implements Connector {
  readonly platform = 'sandbox' as const;
  readonly #root: string;
  constructor(outboxRoot: string) {
    this.#root = outboxRoot;
  }

  policy(): ChannelPolicy {
    return { accepts: ['sfw', 'suggestive', 'explicit'], disclosureRequired: true, maxMedia: 10, maxTextLength: 5000, flagsAdultMedia: false, needsPublicMediaUrl: false };
  }

  #dir(account: ChannelAccount, key: string) {
    return join(this.#root, account.id, key);
  }

  async publish(account: ChannelAccount, request: PublishRequest, ctx: ConnectorContext): Promise<PublishResult> {
    const existing = await this.find(account, request);
    if (existing) return existing;
    ctx.signal.throwIfAborted();
    const dir = this.#dir(account, request.idempotencyKey);
    const staging = `${dir}.partial`;
    await mkdir(staging, { recursive: true });
    const files = [];
    for (const [i, m] of request.media.entries()) {
      const name = `${String(i + 1).padStart(2, '0')}-${m.filename}`;
      await writeFile(join(staging, name), m.bytes);
      files.push({ name, mimeType: m.mimeType, rating: m.rating });
    }
    const result: PublishResult = { remoteId: `sandbox:${request.idempotencyKey}`, url: `file://${dir}/post.json` };
    await writeFile(join(staging, 'post.json'), JSON.stringify({ ...result, channel: account.handle, text: request.text, rating: request.rating, options: request.options, files, publishedAt: new Date().toISOString() }, null, 2));
    await rename(staging, dir);
    return result;
  }

  async find(account: ChannelAccount, request: Pick<PublishRequest, 'idempotencyKey'>): Promise<PublishResult | null> {
    try {
      const post = JSON.parse(await readFile(join(this.#dir(account, request.idempotencyKey), 'post.json'), 'utf8')) as PublishResult;
      return { remoteId: post.remoteId, ...(post.url ? { url: post.url } : {}) };
    } catch {
      return null;
    }
  }
}
