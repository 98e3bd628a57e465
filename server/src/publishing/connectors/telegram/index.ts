import { Api, GrammyError, HttpError, InputFile, type ApiClientOptions } from 'grammy';
import type { InputMediaPhoto, InputMediaVideo, Message } from 'grammy/types';
import type { Rating } from '../../../safety/types.ts';
import { ConnectorError, type ChannelAccount, type ChannelPolicy, type Connector, type ConnectorContext, type PublishMedia, type PublishRequest, type PublishResult } from '../types.ts';
import { isConnectPhaseError, readResponseBody } from './net.ts';

/**
 * Telegram channels through the Bot API (grammY's `Api`, pointed at `settings.apiRoot` for a local Bot API
 * server or a test fake). The bot must be an administrator of the channel with "post messages".
 *
 * - text → sendMessage (≤ 4096); one photo → sendPhoto; one video → sendVideo; 2–10 → sendMediaGroup
 *   (album, caption on the first item; captions ≤ 1024). Plain text only (no parse_mode), so the length
 *   Telegram counts is the UTF-16 length we send.
 * - Suggestive (and, on age-restricted channels, explicit) media go out with `has_spoiler` (blurred until
 *   tapped). Explicit is only accepted when the channel's audience is age-verified (`ageRestricted`).
 * - No `find`: bots cannot read a channel's history, so an unknown outcome is left to a person.
 */
export interface TelegramSettings {
  /** `@channelusername` or the numeric chat id (e.g. -1001234567890). */
  chatId: string | number;
  /** The channel's audience is age-verified adults (the only case explicit media is accepted). */
  ageRestricted?: boolean;
  /** Bot API root, without a trailing slash (default https://api.telegram.org). */
  apiRoot?: string;
}

export const TELEGRAM_TEXT_LIMIT = 4096;
export const TELEGRAM_CAPTION_LIMIT = 1024;
export const TELEGRAM_MAX_MEDIA = 10;

export interface TelegramConnectorOptions {
  /** grammY's own per-request ceiling; the dispatcher's signal usually ends a call first. */
  timeoutSeconds?: number;
}

export function readTelegramSettings(settings: Record<string, unknown>): TelegramSettings {
  const chatId = settings.chatId;
  const valid = (typeof chatId === 'string' && chatId.trim() !== '') || (typeof chatId === 'number' && Number.isFinite(chatId));
  if (!valid) throw new ConnectorError('telegram', 'rejected', 'Telegram channel settings need a chatId (@username or numeric id)');
  const apiRoot = typeof settings.apiRoot === 'string' && settings.apiRoot.trim() !== '' ? settings.apiRoot.trim().replace(/\/+$/, '') : undefined;
  return {
    chatId: typeof chatId === 'string' ? chatId.trim() : chatId,
    ageRestricted: settings.ageRestricted === true,
    ...(apiRoot ? { apiRoot } : {}),
  };
}

/** grammY types its signal with the abort-controller polyfill; Node's AbortSignal works the same at runtime. */
type GrammySignal = NonNullable<Parameters<Api['getMe']>[0]>;
const grammySignal = (ctx: ConnectorContext) => ctx.signal as unknown as GrammySignal;

const spoilerFor = (rating: Rating, request: Pick<PublishRequest, 'options'>) => rating !== 'sfw' || request.options.spoiler === true;

export class TelegramConnector implements Connector {
  readonly platform = 'telegram' as const;
  readonly #timeoutSeconds: number;

  constructor(options: TelegramConnectorOptions = {}) {
    this.#timeoutSeconds = options.timeoutSeconds ?? 300;
  }

  policy(account: Pick<ChannelAccount, 'settings'>): ChannelPolicy {
    const ageRestricted = account.settings.ageRestricted === true;
    return {
      accepts: ageRestricted ? ['sfw', 'suggestive', 'explicit'] : ['sfw', 'suggestive'],
      disclosureRequired: true,
      maxMedia: TELEGRAM_MAX_MEDIA,
      // The router knows one number: the caption limit, since most posts carry media. Text-only posts may
      // go up to 4096 here (checked in publish).
      maxTextLength: TELEGRAM_CAPTION_LIMIT,
      flagsAdultMedia: true,
      needsPublicMediaUrl: false,
    };
  }

  /** A grammY `Api` for this channel's bot, pointed at the configured Bot API root. */
  api(account: ChannelAccount): Api {
    const token = account.credentials.bot_token;
    if (!token) throw new ConnectorError('telegram', 'auth', 'No bot token stored for this Telegram channel');
    const settings = readTelegramSettings(account.settings);
    const options: ApiClientOptions = {
      timeoutSeconds: this.#timeoutSeconds,
      fetch: telegramFetch as unknown as NonNullable<ApiClientOptions['fetch']>,
      ...(settings.apiRoot ? { apiRoot: settings.apiRoot } : {}),
    };
    return new Api(token, options);
  }

  async publish(account: ChannelAccount, request: PublishRequest, ctx: ConnectorContext): Promise<PublishResult> {
    const settings = readTelegramSettings(account.settings);
    this.#check(account, request);
    const api = this.api(account);
    if (ctx.signal.aborted) throw new ConnectorError('telegram', 'unavailable', 'Cancelled before sending', { cause: ctx.signal.reason });
    const chatId = settings.chatId;
    const text = request.text;
    let messages: Message[];
    try {
      if (request.media.length === 0) {
        messages = [await api.sendMessage(chatId, text, {}, grammySignal(ctx))];
      } else if (request.media.length === 1) {
        const media = request.media[0]!;
        const common = { ...(text ? { caption: text } : {}), ...(spoilerFor(media.rating, request) ? { has_spoiler: true } : {}) };
        if (media.kind === 'video') {
          messages = [await api.sendVideo(chatId, inputFile(media), { ...common, ...dimensions(media), supports_streaming: true }, grammySignal(ctx))];
        } else {
          messages = [await api.sendPhoto(chatId, inputFile(media), common, grammySignal(ctx))];
        }
      } else {
        const album: (InputMediaPhoto | InputMediaVideo)[] = request.media.map((media, i) => {
          const caption = i === 0 && text ? { caption: text } : {};
          const spoiler = spoilerFor(media.rating, request) ? { has_spoiler: true } : {};
          return media.kind === 'video'
            ? { type: 'video', media: inputFile(media), ...caption, ...spoiler, ...dimensions(media), supports_streaming: true }
            : { type: 'photo', media: inputFile(media), ...caption, ...spoiler };
        });
        messages = await api.sendMediaGroup(chatId, album, {}, grammySignal(ctx));
      }
    } catch (error) {
      throw toConnectorError(error, { mutating: true });
    }
    const first = messages[0];
    if (!first) throw new ConnectorError('telegram', 'unknown_outcome', 'Telegram answered without a message');
    const url = messageUrl(first.chat, first.message_id);
    return {
      remoteId: String(first.message_id),
      ...(url ? { url } : {}),
      meta: {
        chatId: first.chat.id,
        messageIds: messages.map((m) => m.message_id),
        ...(first.media_group_id ? { mediaGroupId: first.media_group_id } : {}),
      },
    };
  }

  /**
   * Deletes a post: every message of an album (the publication's `meta.messageIds`, kept on the target),
   * else `remoteId` — one message id, or several joined by commas. A message already gone counts as deleted.
   */
  async delete(account: ChannelAccount, remoteId: string, ctx: ConnectorContext, meta?: Record<string, unknown>): Promise<void> {
    const settings = readTelegramSettings(account.settings);
    const stored = Array.isArray(meta?.messageIds) ? meta.messageIds.map(Number) : [];
    const ids = (stored.length ? stored : remoteId.split(',').map((s) => Number(s.trim()))).filter((n) => Number.isInteger(n) && n > 0);
    if (ids.length === 0) throw new ConnectorError('telegram', 'rejected', `Not a Telegram message id: ${remoteId}`);
    const api = this.api(account);
    try {
      if (ids.length === 1) await api.deleteMessage(settings.chatId, ids[0]!, grammySignal(ctx));
      else await api.deleteMessages(settings.chatId, ids, grammySignal(ctx));
    } catch (error) {
      if (error instanceof GrammyError && error.error_code === 400 && /message to delete not found|message_id_invalid/i.test(error.description)) return;
      throw toConnectorError(error, { mutating: false });
    }
  }

  /** Setup checks: the token works, the chat exists and the bot is an administrator allowed to post. */
  async verify(account: ChannelAccount, ctx: ConnectorContext): Promise<{ ok: boolean; problems: string[] }> {
    const settings = readTelegramSettings(account.settings);
    const api = this.api(account);
    const problems: string[] = [];
    try {
      const me = await api.getMe(grammySignal(ctx));
      const chat = await api.getChat(settings.chatId, grammySignal(ctx));
      if (chat.type !== 'channel' && chat.type !== 'supergroup' && chat.type !== 'group') problems.push(`The chat is a ${chat.type}, not a channel or group`);
      try {
        const member = await api.getChatMember(settings.chatId, me.id, grammySignal(ctx));
        if (member.status !== 'administrator' && member.status !== 'creator') problems.push('The bot is not an administrator of the channel');
        else if (member.status === 'administrator' && chat.type === 'channel' && member.can_post_messages === false) problems.push('The bot may not post messages in the channel');
      } catch (error) {
        const e = toConnectorError(error, { mutating: false });
        if (e.kind === 'auth' || e.kind === 'rejected') problems.push(`Cannot read the bot's rights in the channel: ${e.message}`);
        else throw e;
      }
    } catch (error) {
      const e = error instanceof ConnectorError ? error : toConnectorError(error, { mutating: false });
      if (e.kind === 'auth' || e.kind === 'rejected') problems.push(e.message);
      else throw e;
    }
    return { ok: problems.length === 0, problems };
  }

  #check(account: ChannelAccount, request: PublishRequest) {
    const policy = this.policy(account);
    if (!policy.accepts.includes(request.rating) || request.media.some((m) => !policy.accepts.includes(m.rating))) {
      throw new ConnectorError('telegram', 'rejected', `This Telegram channel accepts ${policy.accepts.join(', ')} content only (the post is rated ${request.rating})`);
    }
    if (request.media.length > TELEGRAM_MAX_MEDIA) throw new ConnectorError('telegram', 'rejected', `Telegram takes at most ${TELEGRAM_MAX_MEDIA} media per post`);
    if (request.media.length === 0 && request.text.trim() === '') throw new ConnectorError('telegram', 'rejected', 'Nothing to post: no text and no media');
    const limit = request.media.length === 0 ? TELEGRAM_TEXT_LIMIT : TELEGRAM_CAPTION_LIMIT;
    if (request.text.length > limit) {
      throw new ConnectorError('telegram', 'rejected', `Telegram ${request.media.length === 0 ? 'messages' : 'captions'} take at most ${limit} characters (this one has ${request.text.length})`);
    }
    for (const m of request.media) {
      if (m.kind !== 'image' && m.kind !== 'video') throw new ConnectorError('telegram', 'rejected', `Unsupported media kind ${String(m.kind)}`);
    }
  }
}

function inputFile(media: PublishMedia): InputFile {
  return new InputFile(media.bytes, safeFilename(media.filename, media.kind === 'video' ? 'video.mp4' : 'photo.jpg'));
}

function safeFilename(name: string, fallback: string): string {
  // grammY writes the name unquoted into the multipart header: keep it to a harmless alphabet.
  const cleaned = name.replace(/[^\w.-]+/g, '_').slice(0, 120);
  return cleaned && cleaned !== '.' && cleaned !== '..' ? cleaned : fallback;
}

function dimensions(media: PublishMedia): { width?: number; height?: number } {
  return { ...(media.width ? { width: media.width } : {}), ...(media.height ? { height: media.height } : {}) };
}

/** Public channels: t.me/<username>/<id>; private channels and supergroups: t.me/c/<internal id>/<id> (members only). */
export function messageUrl(chat: { id: number; username?: string | undefined }, messageId: number): string | undefined {
  if (chat.username) return `https://t.me/${chat.username}/${messageId}`;
  const id = String(chat.id);
  if (id.startsWith('-100')) return `https://t.me/c/${id.slice(4)}/${messageId}`;
  return undefined;
}

/**
 * Maps a grammY error to a ConnectorError. `mutating`: the call may have created something (a send), so a
 * failure after the request left us is an unknown outcome; reads and deletes are safe to repeat.
 */
export function toConnectorError(error: unknown, opts: { mutating: boolean }): ConnectorError {
  if (error instanceof ConnectorError) return error;
  if (error instanceof GrammyError) {
    const code = error.error_code;
    const details = { error_code: code, description: error.description, parameters: error.parameters, method: error.method };
    const message = `Telegram ${error.method}: ${error.description}`;
    // Not the GrammyError itself: it holds the whole payload (media bytes) and would bloat any log.
    const cause = summary(error);
    if (code === 401 || code === 403 || code === 404) return new ConnectorError('telegram', 'auth', message, { details, cause });
    if (code === 429) {
      const retryAfter = error.parameters.retry_after;
      return new ConnectorError('telegram', 'rate_limited', message, { details, cause, ...(typeof retryAfter === 'number' ? { retryAfterSeconds: retryAfter } : {}) });
    }
    if (code === 400 || code === 413) return new ConnectorError('telegram', 'rejected', message, { details, cause });
    // A gateway timeout answers after the Bot API server may have sent the message.
    if (code === 504 && opts.mutating) return new ConnectorError('telegram', 'unknown_outcome', message, { details, cause });
    if (code >= 500) return new ConnectorError('telegram', 'unavailable', message, { details, cause });
    return new ConnectorError('telegram', opts.mutating ? 'unknown_outcome' : 'unavailable', message, { details, cause });
  }
  const inner = error instanceof HttpError ? error.error : error;
  if (isConnectPhaseError(inner) || !opts.mutating) {
    return new ConnectorError('telegram', 'unavailable', `Telegram Bot API unreachable: ${describe(inner)}`, { cause: error });
  }
  return new ConnectorError('telegram', 'unknown_outcome', `Telegram did not answer (the post may have been sent): ${describe(inner)}`, { cause: error });
}

function summary(error: Error): Error {
  const e = new Error(error.message);
  e.name = error.name;
  return e;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
    const code = cause && typeof cause.code === 'string' ? ` (${cause.code})` : '';
    return `${error.message}${code}`;
  }
  return String(error);
}

interface GrammyFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: { aborted: boolean; addEventListener(type: 'abort', listener: () => void): void; removeEventListener(type: 'abort', listener: () => void): void };
}

/**
 * The `fetch` we hand grammY: Node's own fetch instead of grammY's bundled node-fetch, so errors carry
 * their cause (ECONNREFUSED vs. a reset after sending) and non-JSON error pages (a proxy's 502) still turn
 * into a `{ok:false, error_code}` answer instead of a JSON parse failure.
 */
export async function telegramFetch(url: string | URL, init: GrammyFetchInit = {}): Promise<Response> {
  const controller = new AbortController();
  const outer = init.signal;
  const onAbort = () => controller.abort();
  if (outer) {
    if (outer.aborted) controller.abort();
    else outer.addEventListener('abort', onAbort);
  }
  try {
    const body = await readRequestBody(init.body);
    const res = await fetch(String(url), {
      method: init.method ?? 'POST',
      ...(init.headers ? { headers: init.headers } : {}),
      ...(body !== undefined ? { body } : {}),
      signal: controller.signal,
    });
    const type = res.headers.get('content-type') ?? '';
    if (type.includes('json')) return res;
    const raw = await readResponseBody(res);
    try {
      JSON.parse(raw);
      return new Response(raw, { status: res.status, headers: { 'content-type': 'application/json' } });
    } catch {
      const description = `${res.status} ${res.statusText}`.trim();
      return new Response(JSON.stringify({ ok: false, error_code: res.ok ? 500 : res.status, description }), { status: res.status, headers: { 'content-type': 'application/json' } });
    }
  } finally {
    outer?.removeEventListener('abort', onAbort);
  }
}

async function readRequestBody(body: unknown): Promise<string | Uint8Array | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<unknown>) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
    }
    return Buffer.concat(chunks);
  }
  throw new TypeError('Unsupported request body');
}
