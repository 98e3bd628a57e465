/**
 * The Discord bots' gateway connections: one discord.js `Client` per chatting Discord channel, held by one worker
 * process at a time. discord.js keeps each connection alive (heartbeats, resume after a drop, a fresh identify
 * when Discord asks); this class decides which bots run here:
 *
 * - a job (scheduled once a minute, and queued once at start; any worker) calls `reconcile`, which also keeps a
 *   30 s timer in the process that ran it:
 *   each pass reads the chatting channels — active Discord channels with a `bot_token` whose persona has a chat
 *   model, unless `settings.chatMode` is "off" — and starts, restarts (token or API base changed) or stops clients;
 * - a lease in `channel_cache` (`chat.discord.gateway`: holder and expiry, renewed each pass) keeps two processes
 *   from connecting the same bot; a process that dies lets its lease run out and another takes over;
 * - a bot that fails to log in waits before the next try (1, 2, 4… up to 30 minutes), sparing Discord's daily
 *   identify budget; `close` (process shutdown) disconnects every client and gives the leases back.
 *
 * Each MESSAGE_CREATE is read as Discord sent it (`client.ws`, not discord.js's caches) and handed to the engine.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { Client, Events, GatewayDispatchEvents, GatewayIntentBits, Options, type GatewayMessageCreateDispatchData } from 'discord.js';
import type { Platform } from '../../../platform/platform.ts';
import { channelCache, channels, chatProfiles } from '../../../platform/db/schema/index.ts';
import type { ChannelsService } from '../../../channels/index.ts';
import type { ChatEngine } from '../../engine/engine.ts';
import { discordApiBase, fingerprint, inboundFromMessage } from './adapter.ts';

export const GATEWAY_JOB = 'chat.discord_gateway';
export const LEASE_KEY = 'chat.discord.gateway';
const LEASE_MS = 90_000;
const TICK_MS = 30_000;
const LOGIN_TIMEOUT_MS = 30_000;
const MAX_BACKOFF_MS = 30 * 60_000;

interface Bot {
  orgId: string;
  channelId: string;
  fingerprint: string;
  client: Client;
  userId: string;
}

export interface GatewayOptions {
  /** Pass interval of the process timer (default 30 s); 0 for none (tests drive `reconcile` themselves). */
  tickMs?: number;
}

export class DiscordGateways {
  readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #platform: Platform;
  readonly #channels: ChannelsService;
  readonly #engine: ChatEngine;
  readonly #tickMs: number;
  readonly #bots = new Map<string, Bot>();
  readonly #failures = new Map<string, { count: number; until: number }>();
  #pass: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(platform: Platform, deps: { channels: ChannelsService; engine: ChatEngine }, opts: GatewayOptions = {}) {
    this.#platform = platform;
    this.#channels = deps.channels;
    this.#engine = deps.engine;
    this.#tickMs = opts.tickMs ?? TICK_MS;
  }

  register() {
    this.#platform.jobs.register({ name: GATEWAY_JOB, schedule: '* * * * *', options: { retryLimit: 0, expireInSeconds: 120 }, handler: () => this.reconcile() });
    // Connect soon after the process starts rather than at the next minute: one pass queued once the queue is up
    // (a worker takes it; a process that is gone by then just fails to queue it).
    setTimeout(() => void this.#platform.jobs.send(GATEWAY_JOB, { orgId: null }).catch(() => {}), 3_000).unref();
  }

  /** Bots running in this process, by channel id (their bot user id). */
  running(): Map<string, string> {
    return new Map([...this.#bots.values()].map((b) => [b.channelId, b.userId]));
  }

  /** One pass (passes never overlap); starts the process timer on first use. */
  reconcile(): Promise<{ running: number }> {
    const pass = this.#pass.then(() => this.#reconcileOnce());
    this.#pass = pass.catch(() => {});
    if (!this.#timer && this.#tickMs > 0 && !this.#closed) {
      this.#timer = setInterval(() => void this.reconcile().catch((err) => this.#platform.log.warn({ err }, 'discord gateway pass failed')), this.#tickMs);
      this.#timer.unref();
    }
    return pass;
  }

  async close() {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#pass;
    await Promise.allSettled([...this.#bots.values()].map((b) => this.#stop(b)));
  }

  async #reconcileOnce(): Promise<{ running: number }> {
    if (this.#closed) return { running: 0 };
    const rows = await this.#platform.db.withSystem((tx) =>
      tx
        .select({ id: channels.id, orgId: channels.orgId })
        .from(channels)
        .innerJoin(chatProfiles, and(eq(chatProfiles.personaId, channels.personaId), isNotNull(chatProfiles.providerId)))
        .where(and(eq(channels.platform, 'discord'), eq(channels.status, 'active'), sql`coalesce(${channels.settings}->>'chatMode', '') <> 'off'`)),
    );
    const wanted = new Set<string>();
    for (const row of rows) {
      if (this.#closed) break;
      const account = await this.#channels.account(row.orgId, row.id);
      const token = account.credentials.bot_token;
      if (!token) continue;
      wanted.add(row.id);
      const print = fingerprint(token, discordApiBase(account));
      const bot = this.#bots.get(row.id);
      if (bot && bot.fingerprint !== print) await this.#stop(bot, false);
      if (this.#bots.has(row.id)) {
        // Renewing fails only when another process took the lease (ours ran out): that one runs the bot now.
        if (!(await this.#lease(row.orgId, row.id))) await this.#stop(this.#bots.get(row.id)!, false);
        continue;
      }
      const failed = this.#failures.get(row.id);
      if ((failed && failed.until > Date.now()) || !(await this.#lease(row.orgId, row.id))) continue;
      try {
        await this.#start(row.orgId, row.id, token, discordApiBase(account), print);
        this.#failures.delete(row.id);
      } catch (err) {
        const count = (failed?.count ?? 0) + 1;
        this.#failures.set(row.id, { count, until: Date.now() + Math.min(MAX_BACKOFF_MS, 60_000 * 2 ** (count - 1)) });
        this.#platform.log.warn({ err, channelId: row.id }, 'discord bot could not connect');
        await this.#release(row.orgId, row.id);
      }
    }
    for (const bot of [...this.#bots.values()]) if (!wanted.has(bot.channelId)) await this.#stop(bot);
    return { running: this.#bots.size };
  }

  async #start(orgId: string, channelId: string, token: string, api: string, print: string) {
    const client = new Client({
      // No MessageContent (privileged): Discord still gives the content of DMs and of messages that mention the bot.
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages],
      rest: { api, timeout: 30_000 },
      makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0, UserManager: 100, GuildMemberManager: 0, PresenceManager: 0, ReactionManager: 0, VoiceStateManager: 0 }),
    });
    const log = this.#platform.log.child({ channelId, component: 'discord-gateway' });
    client.on(Events.Error, (err) => log.warn({ err }, 'discord client error'));
    client.on(Events.ShardDisconnect, (event) => log.warn({ code: event.code }, 'discord gateway closed for good'));
    client.on(Events.ShardResume, () => log.info('discord gateway resumed'));
    // Listening before login: a message that arrives with READY (or that discord.js held until it was ready) is
    // emitted before login's promise lets us go on, and would be lost to a listener attached afterwards.
    client.ws.on(GatewayDispatchEvents.MessageCreate, (data: GatewayMessageCreateDispatchData) => {
      const userId = client.user?.id;
      const inbound = userId ? inboundFromMessage(channelId, userId, data) : null;
      if (inbound) void this.#engine.receive(orgId, inbound).catch((err) => log.warn({ err }, 'discord message not stored'));
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.login(token),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('Discord gateway: no READY within 30 s')), LOGIN_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      await client.destroy().catch(() => {});
      throw error;
    } finally {
      clearTimeout(timer);
    }
    const userId = client.user?.id;
    if (!userId) {
      await client.destroy().catch(() => {});
      throw new Error('Discord gateway: READY without the bot user');
    }
    const bot: Bot = { orgId, channelId, fingerprint: print, client, userId };
    // discord.js gives up on closes it cannot recover from (token revoked, intents refused): the bot is let go
    // here too, and a later pass tries again after the backoff.
    client.on(Events.ShardDisconnect, () => {
      if (this.#bots.get(channelId) !== bot) return;
      this.#failures.set(channelId, { count: 1, until: Date.now() + 60_000 });
      void this.#stop(bot);
    });
    this.#bots.set(channelId, bot);
    log.info({ botUserId: userId }, 'discord bot connected');
  }

  async #stop(bot: Bot, release = true) {
    this.#bots.delete(bot.channelId);
    await bot.client.destroy().catch(() => {});
    if (release) await this.#release(bot.orgId, bot.channelId).catch(() => {});
  }

  /** Takes or renews this process's lease on a bot; false when another live process holds it. */
  async #lease(orgId: string, channelId: string): Promise<boolean> {
    const value = { holder: this.holder, until: new Date(Date.now() + LEASE_MS).toISOString() };
    const rows = await this.#platform.db.withOrg(orgId, (tx) =>
      tx
        .insert(channelCache)
        .values({ orgId, channelId, key: LEASE_KEY, value })
        .onConflictDoUpdate({
          target: [channelCache.channelId, channelCache.key],
          set: { value: sql`excluded.value`, fetchedAt: sql`now()` },
          setWhere: sql`${channelCache.value}->>'holder' = ${this.holder} or (${channelCache.value}->>'until')::timestamptz < now()`,
        })
        .returning({ channelId: channelCache.channelId }),
    );
    return rows.length > 0;
  }

  async #release(orgId: string, channelId: string) {
    await this.#platform.db.withOrg(orgId, (tx) =>
      tx.delete(channelCache).where(and(eq(channelCache.channelId, channelId), eq(channelCache.key, LEASE_KEY), sql`${channelCache.value}->>'holder' = ${this.holder}`)),
    );
  }
}
