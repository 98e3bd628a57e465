import { createHash } from 'node:crypto';
import { DiscordAPIError, HTTPError, REST, RateLimitError, Routes, type APIChannel, type APIMessage, type APIUser, type RESTOptions, type RawFile } from 'discord.js';
import type { Rating } from '../../../safety/types.ts';
import { ConnectorError, type ChannelAccount, type ChannelPolicy, type Connector, type ConnectorContext, type PublishMedia, type PublishRequest, type PublishResult } from '../types.ts';
import { isConnectPhaseError } from './net.ts';

/**
 * Discord channels through discord.js's REST client (`@discordjs/rest`, re-exported by discord.js), in one
 * of two modes chosen by the credentials:
 *
 * - bot: `bot_token` + `settings.channelId` → `POST /channels/{id}/messages`. The channel's `nsfw` flag is
 *   read at publish time: suggestive/explicit media never go to a channel that is not age-restricted. Each
 *   message carries a `nonce` derived from the idempotency key with `enforce_nonce`, so Discord answers a
 *   repeat within a few minutes with the first message instead of a duplicate; `find` reads the channel.
 * - webhook: `webhook_url` → `POST /webhooks/{id}/{token}?wait=true` (so the message comes back). Webhooks
 *   take no nonce and cannot read the channel: no dedup, no find.
 *
 * The REST client is built per call with retries off and 429s rejected (the dispatcher owns retries and
 * rate limits), and the API base taken from `settings.apiBase` / the webhook URL (a test fake).
 */
export interface DiscordSettings {
  /** Bot mode: the channel (or thread) to post in. */
  channelId?: string;
  /** The channel is NSFW / age-restricted (the only case suggestive and explicit media are accepted). */
  ageRestricted?: boolean;
  /** API base without version, default https://discord.com/api (bot mode; webhook mode uses the webhook URL's host). */
  apiBase?: string;
  /** For message links when Discord's answer lacks it. */
  guildId?: string;
}

export const DISCORD_TEXT_LIMIT = 2000;
export const DISCORD_MAX_MEDIA = 10;
export const DISCORD_API_BASE = 'https://discord.com/api';
const SNOWFLAKE = /^\d{5,25}$/;
const FIND_PAGE = 50;
const FIND_MAX_PAGES = 10;

export type DiscordTarget =
  | { mode: 'bot'; api: string; token: string; channelId: string; guildId?: string }
  | { mode: 'webhook'; api: string; webhookId: string; webhookToken: string; threadId?: string; guildId?: string };

export interface DiscordConnectorOptions {
  /** Per-request ceiling of the REST client (default 120 s); the dispatcher's signal usually ends a call first. */
  timeoutMs?: number;
}

/** The nonce sent with a bot message: 25 characters (Discord's maximum) derived from the idempotency key. */
export function discordNonce(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('base64url').slice(0, 25);
}

function stripApiBase(base: string): string {
  return base.trim().replace(/\/+$/, '').replace(/\/v\d+$/, '');
}

/** Splits a webhook URL (`https://discord.com/api/webhooks/<id>/<token>[?thread_id=…]`) into API base, id and token. */
export function parseWebhookUrl(raw: string): { api: string; webhookId: string; webhookToken: string; threadId?: string } {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConnectorError('discord', 'auth', 'The stored Discord webhook URL is not a URL');
  }
  const match = /^(.*?)\/webhooks\/(\d+)\/([^/]+)\/?$/.exec(url.pathname);
  if (!match || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new ConnectorError('discord', 'auth', 'The stored Discord webhook URL does not look like …/webhooks/<id>/<token>');
  const threadId = url.searchParams.get('thread_id');
  return { api: stripApiBase(`${url.origin}${match[1]}`), webhookId: match[2]!, webhookToken: match[3]!, ...(threadId ? { threadId } : {}) };
}

export function resolveDiscordTarget(account: Pick<ChannelAccount, 'settings' | 'credentials'>): DiscordTarget {
  const settings = account.settings;
  const channelId = typeof settings.channelId === 'string' ? settings.channelId.trim() : typeof settings.channelId === 'number' ? String(settings.channelId) : '';
  const guildId = typeof settings.guildId === 'string' && settings.guildId ? { guildId: settings.guildId } : {};
  const token = account.credentials.bot_token;
  const webhookUrl = account.credentials.webhook_url;
  if (token && channelId) {
    if (!SNOWFLAKE.test(channelId)) throw new ConnectorError('discord', 'rejected', `Discord channelId must be a numeric id, got "${channelId}"`);
    const api = typeof settings.apiBase === 'string' && settings.apiBase.trim() ? stripApiBase(settings.apiBase) : DISCORD_API_BASE;
    return { mode: 'bot', api, token, channelId, ...guildId };
  }
  if (webhookUrl) return { mode: 'webhook', ...parseWebhookUrl(webhookUrl), ...guildId };
  if (token) throw new ConnectorError('discord', 'rejected', 'Discord bot channels need settings.channelId');
  throw new ConnectorError('discord', 'auth', 'No Discord webhook URL or bot token stored for this channel');
}

interface Capture {
  rateLimit?: { body: unknown; headers: Headers };
}

const spoilerFor = (rating: Rating, request: Pick<PublishRequest, 'options'>) => rating !== 'sfw' || request.options.spoiler === true;
const THREAD_TYPES = new Set([10, 11, 12]);

export class DiscordConnector implements Connector {
  readonly platform = 'discord' as const;
  readonly #timeoutMs: number;

  constructor(options: DiscordConnectorOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 120_000;
  }

  policy(account: Pick<ChannelAccount, 'settings'>): ChannelPolicy {
    const ageRestricted = account.settings.ageRestricted === true;
    return {
      accepts: ageRestricted ? ['sfw', 'suggestive', 'explicit'] : ['sfw'],
      disclosureRequired: true,
      maxMedia: DISCORD_MAX_MEDIA,
      maxTextLength: DISCORD_TEXT_LIMIT,
      flagsAdultMedia: true,
      needsPublicMediaUrl: false,
    };
  }

  #rest(target: DiscordTarget, capture: Capture): REST {
    const options: Partial<RESTOptions> = {
      api: target.api,
      version: '10',
      retries: 0,
      offset: 0,
      timeout: this.#timeoutMs,
      rejectOnRateLimit: () => true,
      hashSweepInterval: 0,
      handlerSweepInterval: 0,
      // Node's fetch, wrapped to keep a 429's JSON body (retry_after in float seconds) for the error.
      makeRequest: (async (url: string, init: RequestInit) => {
        const res = await fetch(url, init);
        if (res.status === 429) capture.rateLimit = { body: await res.clone().json().catch(() => undefined), headers: res.headers };
        return res;
      }) as unknown as RESTOptions['makeRequest'],
    };
    const rest = new REST(options);
    if (target.mode === 'bot') rest.setToken(target.token);
    return rest;
  }

  async publish(account: ChannelAccount, request: PublishRequest, ctx: ConnectorContext): Promise<PublishResult> {
    const target = resolveDiscordTarget(account);
    this.#check(account, request);
    const capture: Capture = {};
    const rest = this.#rest(target, capture);
    if (ctx.signal.aborted) throw new ConnectorError('discord', 'unavailable', 'Cancelled before sending', { cause: ctx.signal.reason });

    let guildId = target.guildId;
    if (target.mode === 'bot') {
      // Read the channel's age restriction now: settings may be stale, and Discord is the authority.
      const channel = await this.#channel(rest, target.channelId, ctx, capture);
      guildId ??= channel.guildId;
      if (request.rating !== 'sfw' && !channel.nsfw) {
        throw new ConnectorError('discord', 'rejected', `This Discord channel is not age-restricted (NSFW) on Discord, so ${request.rating} media cannot be posted there`, { details: { channelId: target.channelId, nsfw: false } });
      }
    }

    const names = fileNames(request);
    const body: Record<string, unknown> = {
      ...(request.text ? { content: request.text } : {}),
      allowed_mentions: { parse: [] },
      ...(request.media.length > 0
        ? { attachments: request.media.map((m, i) => ({ id: i, filename: names[i]!, ...(m.altText ? { description: m.altText.slice(0, 1024) } : {}) })) }
        : {}),
    };
    const files: RawFile[] = request.media.map((m, i) => ({ key: `files[${i}]`, name: names[i]!, data: m.bytes, contentType: m.mimeType }));
    let nonce: string | undefined;
    let message: APIMessage;
    try {
      if (target.mode === 'bot') {
        nonce = discordNonce(request.idempotencyKey);
        message = (await rest.post(Routes.channelMessages(target.channelId), { body: { ...body, nonce, enforce_nonce: true }, files, signal: ctx.signal })) as APIMessage;
      } else {
        const query = new URLSearchParams({ wait: 'true', ...(target.threadId ? { thread_id: target.threadId } : {}) });
        message = (await rest.post(Routes.webhook(target.webhookId, target.webhookToken), { body, files, query, auth: false, signal: ctx.signal })) as APIMessage;
      }
    } catch (error) {
      throw toConnectorError(error, { mutating: true, capture });
    }
    if (!message || typeof message.id !== 'string') throw new ConnectorError('discord', 'unknown_outcome', 'Discord answered without a message');
    return this.#result(message, target, guildId, { ...(nonce ? { nonce } : {}) });
  }

  /**
   * Bot mode: looks through the channel's messages since `since` for the post — by nonce when Discord
   * returns it, else by the bot's own message with the same text. Webhook mode cannot read the channel:
   * it throws `unknown_outcome` (details.findUnsupported) so the target goes to a person.
   */
  async find(account: ChannelAccount, request: Pick<PublishRequest, 'idempotencyKey' | 'text'>, since: Date, ctx: ConnectorContext): Promise<PublishResult | null> {
    const target = resolveDiscordTarget(account);
    if (target.mode !== 'bot') {
      throw new ConnectorError('discord', 'unknown_outcome', 'Discord webhooks cannot read the channel: check by hand whether the post landed', { details: { findUnsupported: true } });
    }
    const capture: Capture = {};
    const rest = this.#rest(target, capture);
    const nonce = discordNonce(request.idempotencyKey);
    const text = request.text.trim();
    const sinceMs = since.getTime() - 60_000; // clock skew between us and Discord
    try {
      const me = (await rest.get(Routes.user('@me'), { signal: ctx.signal })) as APIUser;
      let before: string | undefined;
      for (let page = 0; page < FIND_MAX_PAGES; page++) {
        const query = new URLSearchParams({ limit: String(FIND_PAGE), ...(before ? { before } : {}) });
        const list = (await rest.get(Routes.channelMessages(target.channelId), { query, signal: ctx.signal })) as APIMessage[];
        for (const m of list) {
          const fresh = Date.parse(m.timestamp) >= sinceMs;
          const mine = m.author?.id === me.id;
          if (mine && m.nonce !== undefined && String(m.nonce) === nonce) return this.#result(m, target, target.guildId, { nonce, foundBy: 'nonce' });
          if (mine && fresh && sameText(m, text)) return this.#result(m, target, target.guildId, { nonce, foundBy: 'text' });
        }
        if (list.length < FIND_PAGE) return null;
        const oldest = list.reduce((a, b) => (BigInt(a.id) < BigInt(b.id) ? a : b));
        if (Date.parse(oldest.timestamp) < sinceMs) return null;
        before = oldest.id;
      }
    } catch (error) {
      throw toConnectorError(error, { mutating: false, capture });
    }
    throw new ConnectorError('discord', 'unavailable', `More than ${FIND_PAGE * FIND_MAX_PAGES} messages since ${since.toISOString()}: cannot tell whether the post landed`);
  }

  /** Deletes a message; one that is already gone counts as deleted. */
  async delete(account: ChannelAccount, remoteId: string, ctx: ConnectorContext): Promise<void> {
    const target = resolveDiscordTarget(account);
    if (!SNOWFLAKE.test(remoteId)) throw new ConnectorError('discord', 'rejected', `Not a Discord message id: ${remoteId}`);
    const capture: Capture = {};
    const rest = this.#rest(target, capture);
    try {
      if (target.mode === 'bot') await rest.delete(Routes.channelMessage(target.channelId, remoteId), { signal: ctx.signal });
      else {
        const query = target.threadId ? new URLSearchParams({ thread_id: target.threadId }) : undefined;
        await rest.delete(Routes.webhookMessage(target.webhookId, target.webhookToken, remoteId), { auth: false, signal: ctx.signal, ...(query ? { query } : {}) });
      }
    } catch (error) {
      if (error instanceof DiscordAPIError && error.status === 404 && error.code === 10008) return;
      throw toConnectorError(error, { mutating: false, capture });
    }
  }

  /** Setup checks: the token or webhook works; the channel's NSFW flag matches `ageRestricted`. */
  async verify(account: ChannelAccount, ctx: ConnectorContext): Promise<{ ok: boolean; problems: string[] }> {
    const problems: string[] = [];
    try {
      const target = resolveDiscordTarget(account);
      const capture: Capture = {};
      const rest = this.#rest(target, capture);
      if (target.mode === 'bot') {
        await rest.get(Routes.user('@me'), { signal: ctx.signal }).catch((e: unknown) => Promise.reject(toConnectorError(e, { mutating: false, capture })));
        const channel = await this.#channel(rest, target.channelId, ctx, capture);
        if (account.settings.ageRestricted === true && !channel.nsfw) problems.push('The channel is marked age-restricted here but is not NSFW on Discord: adult media would be refused');
      } else {
        await rest.get(Routes.webhook(target.webhookId, target.webhookToken), { auth: false, signal: ctx.signal }).catch((e: unknown) => Promise.reject(toConnectorError(e, { mutating: false, capture })));
        if (account.settings.ageRestricted === true) problems.push('Webhooks cannot read the channel: make sure it is marked age-restricted (NSFW) on Discord');
      }
    } catch (error) {
      const e = error instanceof ConnectorError ? error : toConnectorError(error, { mutating: false, capture: {} });
      if (e.kind === 'auth' || e.kind === 'rejected') problems.push(e.message);
      else throw e;
    }
    return { ok: problems.length === 0, problems };
  }

  async #channel(rest: REST, channelId: string, ctx: ConnectorContext, capture: Capture): Promise<{ nsfw: boolean; guildId?: string }> {
    try {
      const channel = (await rest.get(Routes.channel(channelId), { signal: ctx.signal })) as APIChannel & { nsfw?: boolean; guild_id?: string; parent_id?: string | null };
      const guildId = channel.guild_id ? { guildId: channel.guild_id } : {};
      // Threads inherit the age restriction of their parent channel.
      if (THREAD_TYPES.has(channel.type) && channel.parent_id) {
        const parent = (await rest.get(Routes.channel(channel.parent_id), { signal: ctx.signal })) as { nsfw?: boolean };
        return { nsfw: parent.nsfw === true, ...guildId };
      }
      return { nsfw: channel.nsfw === true, ...guildId };
    } catch (error) {
      throw toConnectorError(error, { mutating: false, capture });
    }
  }

  #result(message: APIMessage, target: DiscordTarget, guildId: string | undefined, meta: Record<string, unknown>): PublishResult {
    const guild = guildId ?? (message as APIMessage & { guild_id?: string }).guild_id;
    const channelId = message.channel_id ?? (target.mode === 'bot' ? target.channelId : undefined);
    return {
      remoteId: message.id,
      ...(guild && channelId ? { url: `https://discord.com/channels/${guild}/${channelId}/${message.id}` } : {}),
      meta: { mode: target.mode, channelId, attachments: message.attachments?.length ?? 0, ...meta },
    };
  }

  #check(account: ChannelAccount, request: PublishRequest) {
    const policy = this.policy(account);
    if (!policy.accepts.includes(request.rating) || request.media.some((m) => !policy.accepts.includes(m.rating))) {
      throw new ConnectorError('discord', 'rejected', `This Discord channel accepts ${policy.accepts.join(', ')} content only (the post is rated ${request.rating}); mark it age-restricted to post adult media`);
    }
    if (request.media.length > DISCORD_MAX_MEDIA) throw new ConnectorError('discord', 'rejected', `Discord takes at most ${DISCORD_MAX_MEDIA} attachments per message`);
    if (request.media.length === 0 && request.text.trim() === '') throw new ConnectorError('discord', 'rejected', 'Nothing to post: no text and no media');
    const length = [...request.text].length;
    if (length > DISCORD_TEXT_LIMIT) throw new ConnectorError('discord', 'rejected', `Discord messages take at most ${DISCORD_TEXT_LIMIT} characters (this one has ${length})`);
  }
}

function sameText(message: APIMessage, text: string): boolean {
  const content = (message.content ?? '').trim();
  if (text !== '') return content === text;
  // A media-only post: the best we can do is an attachment-only message of ours in the window.
  return content === '' && (message.attachments?.length ?? 0) > 0;
}

/** Attachment file names: a harmless alphabet, unique, `SPOILER_` for suggestive and explicit media. */
function fileNames(request: PublishRequest): string[] {
  const used = new Set<string>();
  return request.media.map((m: PublishMedia, i) => {
    const fallback = m.kind === 'video' ? `video-${i + 1}.mp4` : `image-${i + 1}.${extension(m.mimeType)}`;
    let name = m.filename.replace(/[^\w.-]+/g, '_').replace(/^SPOILER_/i, '').slice(0, 100) || fallback;
    if (name === '.' || name === '..') name = fallback;
    if (used.has(name)) name = `${i + 1}-${name}`;
    used.add(name);
    return spoilerFor(m.rating, request) ? `SPOILER_${name}` : name;
  });
}

function extension(mimeType: string): string {
  const sub = mimeType.split('/')[1] ?? 'bin';
  return sub === 'jpeg' ? 'jpg' : sub.replace(/[^\w]/g, '') || 'bin';
}

function headerNumber(headers: Headers | undefined, name: string): number | undefined {
  const value = headers?.get(name);
  if (value === null || value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Maps a REST failure to a ConnectorError. `mutating`: the call may have created a message, so a failure
 * after the request left is an unknown outcome; reads and deletes are safe to repeat.
 */
export function toConnectorError(error: unknown, opts: { mutating: boolean; capture: Capture }): ConnectorError {
  if (error instanceof ConnectorError) return error;
  if (error instanceof RateLimitError) {
    const body = opts.capture.rateLimit?.body as { retry_after?: unknown; global?: unknown; message?: unknown } | undefined;
    const headers = opts.capture.rateLimit?.headers;
    const retryAfterSeconds =
      typeof body?.retry_after === 'number'
        ? body.retry_after
        : (headerNumber(headers, 'x-ratelimit-reset-after') ?? headerNumber(headers, 'retry-after') ?? (error.retryAfter > 0 ? error.retryAfter / 1000 : error.timeToReset > 0 ? error.timeToReset / 1000 : undefined));
    const global = body?.global === true || error.global;
    return new ConnectorError('discord', 'rate_limited', `Discord rate limit${global ? ' (global)' : ''} on ${error.route}`, {
      cause: summary(error),
      details: { global, scope: error.scope, route: error.route, ...(typeof body?.message === 'string' ? { message: body.message } : {}) },
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    });
  }
  if (error instanceof DiscordAPIError) {
    const details = { status: error.status, code: error.code, rawError: error.rawError };
    const message = `Discord ${error.status} (${error.code}): ${error.message}`;
    if (error.status === 401 || error.status === 403) return new ConnectorError('discord', 'auth', message, { details, cause: summary(error) });
    if (error.status === 404 && error.code === 10015) return new ConnectorError('discord', 'auth', `The Discord webhook no longer exists: ${error.message}`, { details, cause: summary(error) });
    if (error.status === 429) return new ConnectorError('discord', 'rate_limited', message, { details, cause: summary(error) });
    return new ConnectorError('discord', 'rejected', message, { details, cause: summary(error) });
  }
  if (error instanceof HTTPError) {
    const details = { status: error.status };
    const message = `Discord ${error.status}: ${error.message}`;
    if (error.status === 504 && opts.mutating) return new ConnectorError('discord', 'unknown_outcome', message, { details, cause: summary(error) });
    return new ConnectorError('discord', 'unavailable', message, { details, cause: summary(error) });
  }
  if (isConnectPhaseError(error) || !opts.mutating) {
    return new ConnectorError('discord', 'unavailable', `Discord unreachable: ${describe(error)}`, { cause: error });
  }
  return new ConnectorError('discord', 'unknown_outcome', `Discord did not answer (the message may have been posted): ${describe(error)}`, { cause: error });
}

/** A stand-in cause: REST errors carry the request URL (a webhook's token) and body (media bytes). */
function summary(error: Error): Error {
  const e = new Error(error.message);
  e.name = error.name;
  return e;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause as { code?: unknown } | undefined;
    return `${error.message}${cause && typeof cause.code === 'string' ? ` (${cause.code})` : ''}`;
  }
  return String(error);
}
