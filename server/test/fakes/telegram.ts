/**
 * A fake Telegram Bot API server: `/bot<token>/<method>` for getMe, getChat, getChatMember, sendMessage,
 * sendPhoto, sendVideo, sendMediaGroup, deleteMessage and deleteMessages; for bots that chat, also
 * sendChatAction, setWebhook and getUpdates (long polling; an offset confirms the updates below it). Checks the token in the path,
 * takes JSON or multipart bodies (uploads referenced as `attach://<name>`, as grammY sends them, or as a
 * direct `photo`/`video` file part), enforces the text/caption/album limits, and answers like Telegram:
 * `{ok: true, result}` or `{ok: false, error_code, description, parameters?: {retry_after}}`.
 * Listens on 127.0.0.1:0.
 */
import http from 'node:http';
import { delay, listen, readBody, sendJson, type Multipart, type MultipartPart, type RecordedCall } from './util.ts';

export interface FakeTelegramChat {
  id: number;
  type: 'channel' | 'supergroup' | 'group' | 'private';
  title?: string;
  username?: string;
}

export interface FakeTelegramBehaviour {
  /**
   * How send* calls are answered:
   * - ok (default);
   * - rate_limited_once: the next send gets 429 `retry after N`, later ones succeed;
   * - rate_limited: every send gets 429;
   * - unauthorized: every call gets 401 (as a revoked token);
   * - kicked: every send gets 403 "bot was kicked from the channel chat";
   * - server_error: every send gets `status` (default 500) — nothing is posted.
   */
  mode?: 'ok' | 'rate_limited_once' | 'rate_limited' | 'unauthorized' | 'kicked' | 'server_error';
  /** Seconds in 429 answers (default 7). */
  retryAfter?: number;
  /** Status for server_error (default 500). */
  status?: number;
  /** The post IS created, but the answer comes this much later (crash/timeout-mid-call tests). */
  delayMs?: number;
}

export interface FakeTelegramOptions {
  token?: string;
  chats?: FakeTelegramChat[];
  behaviour?: FakeTelegramBehaviour;
  /** The bot's rights in every chat (getChatMember). Default administrator. */
  botStatus?: 'administrator' | 'member' | 'left';
}

export interface FakeTelegramFile {
  filename?: string;
  contentType?: string;
  bytes: Buffer;
}

/** What was actually posted. */
export interface FakeTelegramMessage {
  message_id: number;
  chatId: number;
  kind: 'text' | 'photo' | 'video';
  text?: string;
  caption?: string;
  hasSpoiler: boolean;
  mediaGroupId?: string;
  file?: FakeTelegramFile;
  deleted: boolean;
  date: number;
}

export interface FakeTelegram {
  /** The `apiRoot` for grammY (no trailing slash). */
  url: string;
  token: string;
  calls: RecordedCall[];
  messages: FakeTelegramMessage[];
  /** Messages not deleted. */
  live(): FakeTelegramMessage[];
  behaviour: FakeTelegramBehaviour;
  set(behaviour: FakeTelegramBehaviour): void;
  /** Recorded calls of one Bot API method. */
  callsTo(method: string): RecordedCall[];
  /** sendChatAction calls as received (typing indicators). */
  chatActions: { chatId: number; action: string }[];
  /** Adds a chat (e.g. a fan's private chat with the bot) after start. */
  addChat(chat: FakeTelegramChat): void;
  /** Queues an update for getUpdates (long polling); returns its update_id. */
  pushUpdate(update: Record<string, unknown>): number;
  /** The last setWebhook parameters. */
  webhook: { url: string; secret_token?: string } | null;
  close(): Promise<void>;
}

export const FAKE_TELEGRAM_TOKEN = '123456:TEST-token_abc';
export const FAKE_TELEGRAM_CHATS: FakeTelegramChat[] = [
  { id: -1001234567890, type: 'channel', title: 'Atelier Test', username: 'atelier_test' },
  { id: -1009876543210, type: 'channel', title: 'Atelier Private' },
];
const BOT_USER = { id: 7000001, is_bot: true, first_name: 'Atelier Bot', username: 'atelier_test_bot' };

/** Like util's parseMultipart, but also reads unquoted `filename=` (grammY writes it that way). */
export function parseTelegramMultipart(body: Buffer, contentType: string): Multipart {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) throw new Error('no multipart boundary');
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const result: Multipart = { fields: {}, files: [] };
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    const part = body.subarray(partStart + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headerText = part.subarray(0, headerEnd).toString('utf8');
    const data = part.subarray(headerEnd + 4);
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headerText)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '';
    const fileMatch = /\bfilename=(?:"([^"]*)"|([^;\r\n]*))/i.exec(disposition);
    const filename = fileMatch ? (fileMatch[1] ?? fileMatch[2] ?? '').trim() : undefined;
    const type = /content-type:\s*([^\r\n]*)/i.exec(headerText)?.[1]?.trim();
    if (filename !== undefined) result.files.push({ name, filename, contentType: type, data: Buffer.from(data) });
    else result.fields[name] = data.toString('utf8');
    start = next;
  }
  return result;
}

class ApiFailure extends Error {
  readonly status: number;
  readonly parameters: Record<string, unknown> | undefined;
  constructor(status: number, description: string, parameters?: Record<string, unknown>) {
    super(description);
    this.status = status;
    this.parameters = parameters;
  }
}

const SEND_METHODS = new Set(['sendMessage', 'sendPhoto', 'sendVideo', 'sendMediaGroup']);

export async function startFakeTelegram(opts: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const token = opts.token ?? FAKE_TELEGRAM_TOKEN;
  const chats = [...(opts.chats ?? FAKE_TELEGRAM_CHATS)];
  const calls: RecordedCall[] = [];
  const messages: FakeTelegramMessage[] = [];
  const nextId = new Map<number, number>();
  let groupCounter = 0;
  const state = { behaviour: { ...(opts.behaviour ?? {}) } as FakeTelegramBehaviour };
  const chatActions: { chatId: number; action: string }[] = [];
  const updates: Record<string, unknown>[] = [];
  let nextUpdateId = 500_000;
  let confirmedBelow = 0;
  let webhook: { url: string; secret_token?: string } | null = null;

  const findChat = (chatId: unknown): FakeTelegramChat => {
    const key = typeof chatId === 'number' ? String(chatId) : typeof chatId === 'string' ? chatId.trim() : '';
    const chat = key.startsWith('@') ? chats.find((c) => c.username && `@${c.username}`.toLowerCase() === key.toLowerCase()) : chats.find((c) => String(c.id) === key);
    if (!chat) throw new ApiFailure(400, 'Bad Request: chat not found');
    return chat;
  };
  const chatJson = (c: FakeTelegramChat) => ({ id: c.id, type: c.type, ...(c.title ? { title: c.title } : {}), ...(c.username ? { username: c.username } : {}) });
  const newMessageId = (chat: FakeTelegramChat) => {
    const id = (nextId.get(chat.id) ?? 100) + 1;
    nextId.set(chat.id, id);
    return id;
  };

  const messageJson = (m: FakeTelegramMessage) => {
    const chat = chats.find((c) => c.id === m.chatId)!;
    const fileId = `file-${m.message_id}-${m.chatId}`;
    return {
      message_id: m.message_id,
      date: m.date,
      chat: chatJson(chat),
      ...(chat.type === 'channel' ? { sender_chat: chatJson(chat) } : {}),
      ...(m.text !== undefined ? { text: m.text } : {}),
      ...(m.caption !== undefined ? { caption: m.caption } : {}),
      ...(m.kind === 'photo' ? { photo: [{ file_id: fileId, file_unique_id: `u${fileId}`, width: 64, height: 64, file_size: m.file?.bytes.length ?? 0 }] } : {}),
      ...(m.kind === 'video' ? { video: { file_id: fileId, file_unique_id: `u${fileId}`, width: 64, height: 64, duration: 1, file_size: m.file?.bytes.length ?? 0 } } : {}),
      ...(m.hasSpoiler ? { has_media_spoiler: true } : {}),
      ...(m.mediaGroupId ? { media_group_id: m.mediaGroupId } : {}),
    };
  };

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(error)}` });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    const type = req.headers['content-type'] ?? '';
    let params: Record<string, unknown> = Object.fromEntries(url.searchParams);
    let files: MultipartPart[] = [];
    let body: unknown = raw.length > 0 ? raw : undefined;
    if (raw.length > 0 && type.includes('application/json')) {
      body = JSON.parse(raw.toString('utf8'));
      params = { ...params, ...(body as Record<string, unknown>) };
    } else if (raw.length > 0 && type.includes('multipart/form-data')) {
      const multipart = parseTelegramMultipart(raw, type);
      body = multipart;
      params = { ...params, ...multipart.fields };
      files = multipart.files;
    } else if (raw.length > 0 && type.includes('application/x-www-form-urlencoded')) {
      params = { ...params, ...Object.fromEntries(new URLSearchParams(raw.toString('utf8'))) };
      body = params;
    }
    calls.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body, at: Date.now() });

    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!match) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, pathToken, method] = match as unknown as [string, string, string];
    const behaviour = state.behaviour;
    if (pathToken !== token || behaviour.mode === 'unauthorized') return sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });

    try {
      if (SEND_METHODS.has(method)) {
        if (behaviour.mode === 'rate_limited' || behaviour.mode === 'rate_limited_once') {
          const retryAfter = behaviour.retryAfter ?? 7;
          if (behaviour.mode === 'rate_limited_once') state.behaviour = { ...behaviour, mode: 'ok' };
          throw new ApiFailure(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
        }
        if (behaviour.mode === 'kicked') throw new ApiFailure(403, 'Forbidden: bot was kicked from the channel chat');
        if (behaviour.mode === 'server_error') {
          const status = behaviour.status ?? 500;
          if (status === 502) {
            res.writeHead(502, { 'Content-Type': 'text/html' });
            res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
            return;
          }
          throw new ApiFailure(status, 'Internal Server Error');
        }
        const created = post(method, params, files);
        if (behaviour.delayMs) {
          const closed = new Promise<void>((resolve) => res.on('close', () => resolve()));
          await Promise.race([delay(behaviour.delayMs), closed]);
          if (res.destroyed || res.writableEnded) return;
        }
        const result = method === 'sendMediaGroup' ? created.map(messageJson) : messageJson(created[0]!);
        return sendJson(res, 200, { ok: true, result });
      }
      switch (method) {
        case 'sendChatAction': {
          const chat = findChat(params.chat_id);
          const action = str(params.action) ?? '';
          if (!['typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice', 'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note'].includes(action)) {
            throw new ApiFailure(400, 'Bad Request: wrong parameter action in request');
          }
          chatActions.push({ chatId: chat.id, action });
          return sendJson(res, 200, { ok: true, result: true });
        }
        case 'setWebhook': {
          const hookUrl = str(params.url) ?? '';
          const secret = str(params.secret_token);
          if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) throw new ApiFailure(400, 'Bad Request: secret token contains unallowed characters');
          webhook = hookUrl ? { url: hookUrl, ...(secret !== undefined ? { secret_token: secret } : {}) } : null;
          return sendJson(res, 200, { ok: true, result: true, description: hookUrl ? 'Webhook was set' : 'Webhook was deleted' });
        }
        case 'getUpdates': {
          if (webhook) throw new ApiFailure(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
          // An offset confirms every update below it: they are never returned again.
          const offset = params.offset !== undefined ? Number(params.offset) : undefined;
          if (offset !== undefined) confirmedBelow = Math.max(confirmedBelow, offset);
          const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100)));
          const pending = updates.filter((u) => (u.update_id as number) >= confirmedBelow).slice(0, limit);
          return sendJson(res, 200, { ok: true, result: pending });
        }
        case 'getMe':
          return sendJson(res, 200, { ok: true, result: { ...BOT_USER, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false } });
        case 'getChat':
          return sendJson(res, 200, { ok: true, result: { ...chatJson(findChat(params.chat_id)), accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: { unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false } } });
        case 'getChatMember': {
          findChat(params.chat_id);
          const status = opts.botStatus ?? 'administrator';
          const user = Number(params.user_id) === BOT_USER.id ? BOT_USER : { id: Number(params.user_id), is_bot: false, first_name: 'Someone' };
          const rights = status === 'administrator' ? { can_be_edited: false, is_anonymous: false, can_manage_chat: true, can_delete_messages: true, can_manage_video_chats: false, can_restrict_members: false, can_promote_members: false, can_change_info: false, can_invite_users: true, can_post_messages: true, can_edit_messages: true, can_post_stories: false, can_edit_stories: false, can_delete_stories: false } : {};
          return sendJson(res, 200, { ok: true, result: { status, user, ...rights } });
        }
        case 'deleteMessage': {
          const chat = findChat(params.chat_id);
          const id = Number(params.message_id);
          const message = messages.find((m) => m.chatId === chat.id && m.message_id === id && !m.deleted);
          if (!message) throw new ApiFailure(400, 'Bad Request: message to delete not found');
          message.deleted = true;
          return sendJson(res, 200, { ok: true, result: true });
        }
        case 'deleteMessages': {
          const chat = findChat(params.chat_id);
          const ids = (typeof params.message_ids === 'string' ? JSON.parse(params.message_ids) : params.message_ids) as unknown;
          if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100) throw new ApiFailure(400, 'Bad Request: message_ids must be a non-empty list of at most 100 ids');
          for (const id of ids) {
            const message = messages.find((m) => m.chatId === chat.id && m.message_id === Number(id));
            if (message) message.deleted = true;
          }
          return sendJson(res, 200, { ok: true, result: true });
        }
        default:
          return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
      }
    } catch (error) {
      if (error instanceof ApiFailure) {
        return sendJson(res, error.status, { ok: false, error_code: error.status, description: error.message, ...(error.parameters ? { parameters: error.parameters } : {}) });
      }
      throw error;
    }
  }

  const bool = (v: unknown) => v === true || v === 'true';
  const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? undefined : String(v));

  /** Resolves `attach://name`, a direct file part named like the field, or a file_id/URL string. */
  function resolveFile(ref: unknown, field: string, files: MultipartPart[]): FakeTelegramFile {
    if (typeof ref === 'string' && ref.startsWith('attach://')) {
      const part = files.find((f) => f.name === ref.slice('attach://'.length));
      if (!part) throw new ApiFailure(400, `Bad Request: wrong file identifier/HTTP URL specified`);
      return { ...(part.filename ? { filename: part.filename } : {}), ...(part.contentType ? { contentType: part.contentType } : {}), bytes: part.data };
    }
    const direct = files.find((f) => f.name === field);
    if (direct) return { ...(direct.filename ? { filename: direct.filename } : {}), ...(direct.contentType ? { contentType: direct.contentType } : {}), bytes: direct.data };
    if (typeof ref === 'string' && ref !== '') return { filename: ref, bytes: Buffer.alloc(0) };
    throw new ApiFailure(400, `Bad Request: there is no ${field} in the request`);
  }

  function checkCaption(caption: string | undefined) {
    if (caption !== undefined && caption.length > 1024) throw new ApiFailure(400, 'Bad Request: message caption is too long');
  }

  function post(method: string, params: Record<string, unknown>, files: MultipartPart[]): FakeTelegramMessage[] {
    const chat = findChat(params.chat_id);
    const date = Math.floor(Date.now() / 1000);
    if (method === 'sendMessage') {
      const text = str(params.text) ?? '';
      if (text.trim() === '') throw new ApiFailure(400, 'Bad Request: message text is empty');
      if (text.length > 4096) throw new ApiFailure(400, 'Bad Request: message is too long');
      const m: FakeTelegramMessage = { message_id: newMessageId(chat), chatId: chat.id, kind: 'text', text, hasSpoiler: false, deleted: false, date };
      messages.push(m);
      return [m];
    }
    if (method === 'sendPhoto' || method === 'sendVideo') {
      const kind = method === 'sendPhoto' ? 'photo' : 'video';
      const caption = str(params.caption);
      checkCaption(caption);
      const file = resolveFile(params[kind], kind, files);
      const m: FakeTelegramMessage = { message_id: newMessageId(chat), chatId: chat.id, kind, ...(caption !== undefined ? { caption } : {}), hasSpoiler: bool(params.has_spoiler), file, deleted: false, date };
      messages.push(m);
      return [m];
    }
    // sendMediaGroup
    const media = (typeof params.media === 'string' ? JSON.parse(params.media) : params.media) as unknown;
    if (!Array.isArray(media)) throw new ApiFailure(400, 'Bad Request: can\'t parse media JSON object');
    if (media.length < 2 || media.length > 10) throw new ApiFailure(400, 'Bad Request: wrong number of media in the album; must be 2-10');
    const items = media.map((item: Record<string, unknown>) => {
      if (item.type !== 'photo' && item.type !== 'video') throw new ApiFailure(400, `Bad Request: unsupported media type "${String(item.type)}" in the album`);
      const caption = str(item.caption);
      checkCaption(caption);
      return { kind: item.type as 'photo' | 'video', caption, hasSpoiler: bool(item.has_spoiler), file: resolveFile(item.media, String(item.type), files) };
    });
    const mediaGroupId = String(13000000000000 + ++groupCounter);
    return items.map((item) => {
      const m: FakeTelegramMessage = { message_id: newMessageId(chat), chatId: chat.id, kind: item.kind, ...(item.caption !== undefined ? { caption: item.caption } : {}), hasSpoiler: item.hasSpoiler, mediaGroupId, file: item.file, deleted: false, date };
      messages.push(m);
      return m;
    });
  }

  const { url, close } = await listen(server);
  return {
    url,
    token,
    calls,
    messages,
    live: () => messages.filter((m) => !m.deleted),
    get behaviour() {
      return state.behaviour;
    },
    set(behaviour) {
      state.behaviour = { ...behaviour };
    },
    callsTo: (method) => calls.filter((c) => c.path.endsWith(`/${method}`)),
    chatActions,
    addChat(chat) {
      chats.push(chat);
    },
    pushUpdate(update) {
      const update_id = ++nextUpdateId;
      updates.push({ update_id, ...update });
      return update_id;
    },
    get webhook() {
      return webhook;
    },
    close,
  };
}
