/**
 * Fanvue fans' messages, by polling the official API (Fanvue's webhooks need a public URL and cover sales
 * events; a self-hosted studio often has neither). A scheduled job runs once a minute across all processes;
 * each run looks at every chatting Fanvue channel every `settings.chatPollSeconds` (default 20 s) for about 50 s:
 *
 * - `GET /chats` (most recent first) down to the channel's cursor: the newest `lastMessageAt` already looked at,
 *   kept in `channel_cache` (`chat.fanvue.cursor`); a first look goes back 15 minutes;
 * - for each chat with newer activity, `GET /chats/{fanUuid}/messages` (newest first) down to the cursor, less a
 *   minute of overlap against late writes: the fan's own text messages (not tips, calls or automated ones);
 * - messages whose uuid is already stored are dropped here (the engine drops them too), the rest go to
 *   `ChatEngine.receive` oldest first, and the cursor moves on.
 *
 * A 429 pauses the channel for Retry-After (Fanvue allows 200 requests a minute per app and user, shared with
 * publishing); a refused token marks the channel "reconnect needed" with an alert, which also stops its polling.
 * Chatting channels: active Fanvue channels whose persona has a chat model, unless `settings.chatMode` is "off".
 */
import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Platform } from '../../../platform/platform.ts';
import { channelCache, channels, chatMessages, chatProfiles } from '../../../platform/db/schema/index.ts';
import type { ChannelsService } from '../../../channels/index.ts';
import { isConnectorError, sleep } from '../../../publishing/connectors/http.ts';
import type { ChatEngine } from '../../engine/engine.ts';
import type { InboundMessage } from '../types.ts';
import type { FanvueAccess, FanvueSession } from './access.ts';

export const FANVUE_POLL_JOB = 'chat.fanvue_poll';
export const CURSOR_KEY = 'chat.fanvue.cursor';
const RUN_MS = 50_000;
const FIRST_LOOKBACK_MS = 15 * 60_000;
const OVERLAP_MS = 60_000;
const CHAT_PAGES = 5;
const MESSAGE_PAGES = 3;
const PAGE_SIZE = '50';
/** Kinds of messages a fan writes; tips, calls and Fanvue's automated messages are not for the bot to answer. */
const TEXT_TYPES = new Set(['SINGLE_RECIPIENT', 'CHAT_TEXT_REPLY', 'CHAT_TEXT_GENERATION', 'CHAT_TEXT_REWRITE']);

interface FanvueUser {
  uuid?: string;
  handle?: string | null;
  displayName?: string | null;
}
interface ChatRow {
  user?: FanvueUser;
  userUuid?: string;
  lastMessageAt?: string | null;
  lastMessage?: { sentAt?: string } | null;
}
interface MessageRow {
  uuid?: string;
  text?: string | null;
  sentAt?: string;
  type?: string;
  sender?: FanvueUser;
}
interface Page<T> {
  data?: T[];
  pagination?: { hasMore?: boolean };
}

export interface PollOutcome {
  chats: number;
  received: number;
}

export class FanvuePolling {
  readonly #platform: Platform;
  readonly #channels: ChannelsService;
  readonly #engine: ChatEngine;
  readonly #access: FanvueAccess;

  constructor(platform: Platform, deps: { channels: ChannelsService; engine: ChatEngine; access: FanvueAccess }) {
    this.#platform = platform;
    this.#channels = deps.channels;
    this.#engine = deps.engine;
    this.#access = deps.access;
  }

  register() {
    this.#platform.jobs.register({ name: FANVUE_POLL_JOB, schedule: '* * * * *', options: { retryLimit: 0, expireInSeconds: 120 }, handler: ({ signal }) => this.run(signal) });
  }

  async run(signal: AbortSignal, runMs = RUN_MS) {
    const rows = await this.#platform.db.withSystem((tx) =>
      tx
        .select({ id: channels.id, orgId: channels.orgId, settings: channels.settings })
        .from(channels)
        .innerJoin(chatProfiles, and(eq(chatProfiles.personaId, channels.personaId), isNotNull(chatProfiles.providerId)))
        .where(and(eq(channels.platform, 'fanvue'), eq(channels.status, 'active'), sql`coalesce(${channels.settings}->>'chatMode', '') <> 'off'`)),
    );
    const deadline = Date.now() + runMs;
    await Promise.all(rows.map((r) => this.#pollChannel(r.orgId, r.id, pollMs(r.settings), deadline, signal).catch((err) => this.#platform.log.warn({ err, channelId: r.id }, 'fanvue chat polling failed'))));
    return { channels: rows.length };
  }

  async #pollChannel(orgId: string, channelId: string, everyMs: number, deadline: number, signal: AbortSignal) {
    while (!signal.aborted) {
      const started = Date.now();
      try {
        await this.pollOnce(orgId, channelId, signal);
      } catch (error) {
        if (isConnectorError(error, 'rate_limited')) {
          const wait = (error.retryAfterSeconds ?? 60) * 1000;
          if (Date.now() + wait >= deadline) return;
          await sleep(wait, signal).catch(() => {});
          continue;
        }
        // pollOnce has been through channels.authRefused: the channel is flagged, its polling stops.
        if (isConnectorError(error, 'auth')) return;
        throw error;
      }
      const next = started + everyMs;
      if (next >= deadline) return;
      await sleep(next - Date.now(), signal).catch(() => {});
    }
  }

  /**
   * One look at the channel's chats; hands new fan messages to the engine. A refused token flags the channel
   * (and throws) only when it is still the stored one: when another process refreshed meanwhile, this look
   * ends quietly and the next one starts from the stored tokens.
   */
  async pollOnce(orgId: string, channelId: string, signal: AbortSignal): Promise<PollOutcome> {
    const account = await this.#channels.account(orgId, channelId);
    let session: FanvueSession | undefined;
    try {
      session = await this.#access.session(account, signal);
      return await this.#look(orgId, channelId, session);
    } catch (error) {
      if (!isConnectorError(error, 'auth')) throw error;
      const refused = session?.account.credentials ?? account.credentials;
      const verdict = await this.#channels.authRefused(orgId, channelId, refused, { message: error.message, by: 'chat-fanvue-poller' });
      if (verdict.flagged) throw error;
      return { chats: 0, received: 0 };
    }
  }

  async #look(orgId: string, channelId: string, session: FanvueSession): Promise<PollOutcome> {
    const cursor = await this.#readCursor(orgId, channelId);
    const since = cursor ?? Date.now() - FIRST_LOOKBACK_MS;
    const from = since - OVERLAP_MS;
    let newest = since;
    const outcome: PollOutcome = { chats: 0, received: 0 };
    for (let page = 1; page <= CHAT_PAGES; page++) {
      const chats = await this.#get<Page<ChatRow>>(session, '/chats', { page: String(page), size: PAGE_SIZE });
      let reachedOld = false;
      for (const chat of chats.data ?? []) {
        const fan = chat.user ?? { uuid: chat.userUuid };
        const at = Date.parse(chat.lastMessageAt ?? chat.lastMessage?.sentAt ?? '');
        if (!fan.uuid || Number.isNaN(at)) continue;
        // Most recent first: once a chat has nothing past the cursor, neither have the ones after it.
        if (at <= from) {
          reachedOld = true;
          break;
        }
        newest = Math.max(newest, at);
        outcome.chats += 1;
        outcome.received += await this.#readChat(orgId, channelId, session, { ...fan, uuid: fan.uuid }, from);
      }
      if (reachedOld || !chats.pagination?.hasMore) break;
    }
    if (cursor === null || newest > cursor) await this.#writeCursor(orgId, channelId, newest);
    return outcome;
  }

  async #readChat(orgId: string, channelId: string, session: FanvueSession, fan: FanvueUser & { uuid: string }, from: number): Promise<number> {
    const found: MessageRow[] = [];
    for (let page = 1; page <= MESSAGE_PAGES; page++) {
      const res = await this.#get<Page<MessageRow>>(session, `/chats/${encodeURIComponent(fan.uuid)}/messages`, { page: String(page), size: PAGE_SIZE });
      let reachedOld = false;
      for (const m of res.data ?? []) {
        const at = Date.parse(m.sentAt ?? '');
        if (Number.isNaN(at) || at <= from) {
          reachedOld = true;
          break;
        }
        if (m.uuid && m.sender?.uuid === fan.uuid && (!m.type || TEXT_TYPES.has(m.type)) && m.text?.trim()) found.push(m);
      }
      if (reachedOld || !res.pagination?.hasMore) break;
    }
    if (!found.length) return 0;
    const stored = await this.#platform.db.withOrg(orgId, async (tx) =>
      new Set(
        (
          await tx
            .select({ remoteId: chatMessages.remoteId })
            .from(chatMessages)
            .where(and(eq(chatMessages.channelId, channelId), eq(chatMessages.direction, 'in'), inArray(chatMessages.remoteId, found.map((m) => m.uuid!))))
        ).map((r) => r.remoteId),
      ),
    );
    const fresh = found.filter((m) => !stored.has(m.uuid!)).sort((a, b) => Date.parse(a.sentAt!) - Date.parse(b.sentAt!));
    for (const m of fresh) {
      const handle = m.sender?.handle ?? fan.handle;
      const inbound: InboundMessage = {
        channelId,
        remoteChatId: fan.uuid,
        remoteMessageId: m.uuid!,
        fan: { platformFanId: fan.uuid, handle: handle ? `@${handle.replace(/^@/, '')}` : null, displayName: m.sender?.displayName ?? fan.displayName ?? null },
        text: m.text!,
        sentAt: new Date(m.sentAt!),
      };
      await this.#engine.receive(orgId, inbound);
    }
    return fresh.length;
  }

  #get<T>(session: FanvueSession, path: string, query: Record<string, string>): Promise<T> {
    return this.#access.connector.getJson<T>(session.account, path, query, session.ctx);
  }

  async #readCursor(orgId: string, channelId: string): Promise<number | null> {
    const row = await this.#platform.db.withOrg(orgId, async (tx) => (await tx.select({ value: channelCache.value }).from(channelCache).where(and(eq(channelCache.channelId, channelId), eq(channelCache.key, CURSOR_KEY))))[0]);
    const at = Date.parse(String((row?.value as { since?: unknown } | undefined)?.since ?? ''));
    return Number.isNaN(at) ? null : at;
  }

  async #writeCursor(orgId: string, channelId: string, at: number) {
    await this.#platform.db.withOrg(orgId, (tx) =>
      tx
        .insert(channelCache)
        .values({ orgId, channelId, key: CURSOR_KEY, value: { since: new Date(at).toISOString() } })
        .onConflictDoUpdate({ target: [channelCache.channelId, channelCache.key], set: { value: sql`excluded.value`, fetchedAt: sql`now()` } }),
    );
  }
}

function pollMs(settings: unknown): number {
  const s = (settings as { chatPollSeconds?: unknown } | null)?.chatPollSeconds;
  return typeof s === 'number' && Number.isFinite(s) ? Math.max(5, Math.min(60, s)) * 1000 : 20_000;
}
