/**
 * Long polling, for Telegram channels with `settings.chatMode: "polling"` (no public URL for a webhook). A
 * scheduled job runs once a minute across all processes; each run polls every such channel with getUpdates
 * (25 s long polls) for about 50 s, hands messages to the engine, and acknowledges what it read by asking for
 * the next offset. The engine drops redelivered update ids, so an overlap between two runs does no harm.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Platform } from '../../../platform/platform.ts';
import { channels } from '../../../platform/db/schema/index.ts';
import type { ChannelsService } from '../../../channels/index.ts';
import type { ChatEngine } from '../../engine/engine.ts';
import { inboundFromUpdate, telegramApi } from './adapter.ts';

export const POLL_JOB = 'chat.telegram_poll';
const RUN_MS = 50_000;

export class TelegramPolling {
  readonly #platform: Platform;
  readonly #channels: ChannelsService;
  readonly #engine: ChatEngine;
  constructor(platform: Platform, deps: { channels: ChannelsService; engine: ChatEngine }) {
    this.#platform = platform;
    this.#channels = deps.channels;
    this.#engine = deps.engine;
  }

  register() {
    this.#platform.jobs.register({ name: POLL_JOB, schedule: '* * * * *', options: { retryLimit: 0, expireInSeconds: 120 }, handler: ({ signal }) => this.run(signal) });
  }

  async run(signal: AbortSignal, runMs = RUN_MS) {
    const rows = await this.#platform.db.withSystem((tx) =>
      tx
        .select({ id: channels.id, orgId: channels.orgId })
        .from(channels)
        .where(and(eq(channels.platform, 'telegram'), eq(channels.status, 'active'), sql`${channels.settings}->>'chatMode' = 'polling'`)),
    );
    const deadline = Date.now() + runMs;
    await Promise.all(rows.map((r) => this.pollChannel(r.orgId, r.id, deadline, signal).catch((err) => this.#platform.log.warn({ err, channelId: r.id }, 'telegram polling failed'))));
    return { channels: rows.length };
  }

  async pollChannel(orgId: string, channelId: string, deadline: number, signal: AbortSignal) {
    const account = await this.#channels.account(orgId, channelId);
    const api = telegramApi(account);
    let offset: number | undefined;
    while (Date.now() < deadline && !signal.aborted) {
      const wait = Math.max(0, Math.min(25, Math.floor((deadline - Date.now()) / 1000)));
      const updates = await api.getUpdates({ ...(offset !== undefined ? { offset } : {}), timeout: wait, allowed_updates: ['message'] }, signal as never);
      for (const update of updates) {
        offset = update.update_id + 1;
        const inbound = inboundFromUpdate(channelId, update);
        if (inbound) await this.#engine.receive(orgId, inbound);
      }
      if (!updates.length && wait === 0) break;
    }
    // Acknowledge the last batch, so the next run does not read it again.
    if (offset !== undefined) await api.getUpdates({ offset, timeout: 0, limit: 1 }, signal as never).catch(() => {});
  }
}
