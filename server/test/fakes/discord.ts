/**
 * A fake Discord HTTP API (v10; `/api` and `/v10` prefixes optional):
 * - bot (`Authorization: Bot <token>`): GET /users/@me, GET /channels/{id} (with `nsfw` per channel),
 *   GET/POST /channels/{id}/messages, DELETE /channels/{id}/messages/{mid};
 * - webhooks (token in the path): GET/POST /webhooks/{id}/{token} (`?wait=true` → the message, else 204),
 *   DELETE /webhooks/{id}/{token}/messages/{mid}.
 * Message posts take JSON or multipart (`payload_json` + `files[n]`), enforce Discord's limits (2000
 * characters, 10 files, non-empty), dedupe `nonce` + `enforce_nonce` per author for a window, and answer
 * errors as Discord does: `{message, code, errors?}`; 429 `{message, retry_after, global}` with the
 * X-RateLimit-* headers. Listens on 127.0.0.1:0.
 */
import http from 'node:http';
import { delay, listen, recordRequest, sendJson, type Multipart, type RecordedCall } from './util.ts';

export interface FakeDiscordChannel {
  id: string;
  guild_id?: string;
  name?: string;
  nsfw?: boolean;
  /** 0 text (default), 11 public thread… */
  type?: number;
  parent_id?: string;
}

export interface FakeDiscordWebhook {
  id: string;
  token: string;
  channelId: string;
  name?: string;
}

export interface FakeDiscordBehaviour {
  /**
   * How message posts (bot and webhook) are answered:
   * - ok (default);
   * - rate_limited_once: the next post gets 429, later ones succeed;
   * - rate_limited: every post gets 429;
   * - unauthorized: every call gets 401;
   * - server_error: every post gets `status` (default 500; 502 answers an HTML gateway page) — nothing posted.
   */
  mode?: 'ok' | 'rate_limited_once' | 'rate_limited' | 'unauthorized' | 'server_error';
  /** Seconds (float) in 429 answers (default 1.337). */
  retryAfter?: number;
  global?: boolean;
  status?: number;
  /** The message IS created, but the answer comes this much later (crash/timeout-mid-call tests). */
  delayMs?: number;
}

export interface FakeDiscordOptions {
  botToken?: string;
  botUser?: { id: string; username: string };
  channels?: FakeDiscordChannel[];
  webhooks?: FakeDiscordWebhook[];
  behaviour?: FakeDiscordBehaviour;
  /** How long a nonce with enforce_nonce dedupes (default 5 minutes). */
  nonceWindowMs?: number;
  /** Max content length the fake enforces (default 2000, Discord's). */
  contentLimit?: number;
  /** Whether GET …/messages shows `nonce` (real Discord does not keep it; default false). */
  listIncludesNonce?: boolean;
}

export interface FakeDiscordAttachment {
  id: string;
  filename: string;
  contentType?: string;
  description?: string;
  bytes: Buffer;
}

/** What was actually posted. */
export interface FakeDiscordMessage {
  id: string;
  channelId: string;
  guildId?: string;
  content: string;
  nonce?: string;
  author: { id: string; username: string; bot: true };
  webhookId?: string;
  via: 'bot' | 'webhook';
  attachments: FakeDiscordAttachment[];
  allowedMentions?: unknown;
  timestamp: string;
  deleted: boolean;
}

export interface FakeDiscord {
  /** Origin of the server (http://127.0.0.1:port). */
  url: string;
  /** The API base for bot mode (`settings.apiBase`): `${url}/api`. */
  apiBase: string;
  botToken: string;
  botUser: { id: string; username: string };
  channels: FakeDiscordChannel[];
  webhooks: FakeDiscordWebhook[];
  /** A webhook's URL as Discord shows it (`${url}/api/webhooks/<id>/<token>`); the first webhook by default. */
  webhookUrl(webhook?: FakeDiscordWebhook): string;
  calls: RecordedCall[];
  messages: FakeDiscordMessage[];
  /** Messages not deleted. */
  live(): FakeDiscordMessage[];
  behaviour: FakeDiscordBehaviour;
  set(behaviour: FakeDiscordBehaviour): void;
  /** Recorded calls with this method whose (prefix-free) path matches. */
  callsTo(method: string, path: RegExp | string): RecordedCall[];
  /** Adds a message by someone else (another user), for find tests. */
  addForeignMessage(channelId: string, content: string, at?: Date): FakeDiscordMessage;
  close(): Promise<void>;
}

export const FAKE_DISCORD_BOT_TOKEN = 'fake-bot-token.abc.def';
export const FAKE_DISCORD_CHANNELS: FakeDiscordChannel[] = [
  { id: '111111111111111111', guild_id: '999999999999999999', name: 'gallery', nsfw: false, type: 0 },
  { id: '222222222222222222', guild_id: '999999999999999999', name: 'after-dark', nsfw: true, type: 0 },
  { id: '333333333333333333', guild_id: '999999999999999999', name: 'after-dark-thread', type: 11, parent_id: '222222222222222222' },
];
export const FAKE_DISCORD_WEBHOOKS: FakeDiscordWebhook[] = [
  { id: '444444444444444444', token: 'webhook-token_XYZ', channelId: '111111111111111111', name: 'Atelier' },
  { id: '555555555555555555', token: 'webhook-token_NSFW', channelId: '222222222222222222', name: 'Atelier After Dark' },
];

const DISCORD_EPOCH = 1420070400000n;

class ApiFailure extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(status: number, body: Record<string, unknown>) {
    super(String(body.message));
    this.status = status;
    this.body = body;
  }
}

const invalidForm = (field: string, code: string, message: string) =>
  new ApiFailure(400, { message: 'Invalid Form Body', code: 50035, errors: { [field]: { _errors: [{ code, message }] } } });

/** Strips the optional `/api` and `/v<n>` prefixes. */
function routePath(pathname: string): string {
  return decodeURIComponent(pathname).replace(/^\/api(?=\/)/, '').replace(/^\/v\d+(?=\/)/, '');
}

export async function startFakeDiscord(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const botToken = opts.botToken ?? FAKE_DISCORD_BOT_TOKEN;
  const botUser = opts.botUser ?? { id: '777777777777777777', username: 'atelier-bot' };
  const channels = opts.channels ?? FAKE_DISCORD_CHANNELS.map((c) => ({ ...c }));
  const webhooks = opts.webhooks ?? FAKE_DISCORD_WEBHOOKS.map((w) => ({ ...w }));
  const nonceWindowMs = opts.nonceWindowMs ?? 5 * 60_000;
  const calls: RecordedCall[] = [];
  const messages: FakeDiscordMessage[] = [];
  const state = { behaviour: { ...(opts.behaviour ?? {}) } as FakeDiscordBehaviour };
  let sequence = 0n;

  const snowflake = (at = Date.now()) => String(((BigInt(at) - DISCORD_EPOCH) << 22n) + (sequence++ % 4096n));

  const messageJson = (m: FakeDiscordMessage, withNonce: boolean) => ({
    id: m.id,
    type: 0,
    channel_id: m.channelId,
    content: m.content,
    author: m.author,
    ...(m.webhookId ? { webhook_id: m.webhookId } : {}),
    attachments: m.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      size: a.bytes.length,
      url: `https://cdn.discordapp.com/attachments/${m.channelId}/${a.id}/${a.filename}`,
      proxy_url: `https://media.discordapp.net/attachments/${m.channelId}/${a.id}/${a.filename}`,
      ...(a.contentType ? { content_type: a.contentType } : {}),
      ...(a.description ? { description: a.description } : {}),
    })),
    embeds: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    timestamp: m.timestamp,
    edited_timestamp: null,
    flags: 0,
    components: [],
    ...(withNonce && m.nonce !== undefined ? { nonce: m.nonce } : {}),
  });

  const channelJson = (c: FakeDiscordChannel) => ({
    id: c.id,
    type: c.type ?? 0,
    ...(c.guild_id ? { guild_id: c.guild_id } : {}),
    name: c.name ?? `channel-${c.id}`,
    position: 0,
    ...(c.type === 10 || c.type === 11 || c.type === 12 ? { parent_id: c.parent_id ?? null } : { nsfw: c.nsfw === true, parent_id: null }),
    permission_overwrites: [],
    rate_limit_per_user: 0,
    topic: null,
    last_message_id: messages.filter((m) => m.channelId === c.id).at(-1)?.id ?? null,
  });

  const findChannel = (id: string) => {
    const channel = channels.find((c) => c.id === id);
    if (!channel) throw new ApiFailure(404, { message: 'Unknown Channel', code: 10003 });
    return channel;
  };

  function rateLimited(res: http.ServerResponse, behaviour: FakeDiscordBehaviour) {
    const retryAfter = behaviour.retryAfter ?? 1.337;
    const headers: Record<string, string> = {
      'Retry-After': String(Math.ceil(retryAfter)),
      'X-RateLimit-Limit': '5',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String((Date.now() / 1000 + retryAfter).toFixed(3)),
      'X-RateLimit-Reset-After': retryAfter.toFixed(3),
      'X-RateLimit-Bucket': 'f1d2d2f924e986ac86fdf7b36c94bcdf',
      'X-RateLimit-Scope': behaviour.global ? 'global' : 'user',
      ...(behaviour.global ? { 'X-RateLimit-Global': 'true' } : {}),
    };
    sendJson(res, 429, { message: 'You are being rate limited.', retry_after: retryAfter, global: behaviour.global === true }, headers);
  }

  /** Applies the behaviour to a message post; true when it answered. */
  function postBehaviour(res: http.ServerResponse): boolean {
    const behaviour = state.behaviour;
    if (behaviour.mode === 'rate_limited' || behaviour.mode === 'rate_limited_once') {
      if (behaviour.mode === 'rate_limited_once') state.behaviour = { ...behaviour, mode: 'ok' };
      rateLimited(res, behaviour);
      return true;
    }
    if (behaviour.mode === 'server_error') {
      const status = behaviour.status ?? 500;
      if (status === 502) {
        res.writeHead(502, { 'Content-Type': 'text/html' });
        res.end('<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>');
      } else sendJson(res, status, { message: `${status}: Internal Server Error`, code: 0 });
      return true;
    }
    return false;
  }

  /** Creates a message from a JSON or multipart body (or answers the one an enforced nonce points to). */
  function createMessage(body: unknown, channel: FakeDiscordChannel, author: FakeDiscordMessage['author'], via: 'bot' | 'webhook', webhookId?: string): { message: FakeDiscordMessage; created: boolean } {
    let payload: Record<string, unknown> = {};
    let files: Multipart['files'] = [];
    if (body && typeof body === 'object' && 'fields' in body && 'files' in body) {
      const multipart = body as Multipart;
      files = multipart.files;
      if (multipart.fields.payload_json) payload = JSON.parse(multipart.fields.payload_json) as Record<string, unknown>;
      else payload = { ...multipart.fields };
    } else if (body && typeof body === 'object' && !Buffer.isBuffer(body)) {
      payload = body as Record<string, unknown>;
    }
    const content = typeof payload.content === 'string' ? payload.content : '';
    const contentLimit = opts.contentLimit ?? 2000;
    if ([...content].length > contentLimit) throw invalidForm('content', 'BASE_TYPE_MAX_LENGTH', `Must be ${contentLimit} or fewer in length.`);
    if (files.length > 10) throw invalidForm('files', 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
    if (content.trim() === '' && files.length === 0) throw new ApiFailure(400, { message: 'Cannot send an empty message', code: 50006 });
    const nonce = payload.nonce === undefined || payload.nonce === null ? undefined : String(payload.nonce);
    if (nonce !== undefined && nonce.length > 25) throw invalidForm('nonce', 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    if (nonce !== undefined && payload.enforce_nonce === true) {
      const since = Date.now() - nonceWindowMs;
      const existing = messages.find((m) => m.nonce === nonce && m.author.id === author.id && m.channelId === channel.id && Date.parse(m.timestamp) >= since);
      if (existing) return { message: existing, created: false };
    }
    const described = new Map<string, { filename?: string; description?: string }>();
    if (Array.isArray(payload.attachments)) {
      for (const a of payload.attachments as { id: unknown; filename?: string; description?: string }[]) described.set(String(a.id), a);
    }
    const attachments: FakeDiscordAttachment[] = files.map((f, i) => {
      const index = /^files\[(\d+)\]$/.exec(f.name)?.[1] ?? String(i);
      const meta = described.get(index);
      return {
        id: snowflake(),
        filename: meta?.filename ?? f.filename ?? `file-${index}`,
        ...(f.contentType ? { contentType: f.contentType } : {}),
        ...(meta?.description ? { description: meta.description } : {}),
        bytes: f.data,
      };
    });
    const message: FakeDiscordMessage = {
      id: snowflake(),
      channelId: channel.id,
      ...(channel.guild_id ? { guildId: channel.guild_id } : {}),
      content,
      ...(nonce !== undefined ? { nonce } : {}),
      author,
      ...(webhookId ? { webhookId } : {}),
      via,
      attachments,
      ...(payload.allowed_mentions !== undefined ? { allowedMentions: payload.allowed_mentions } : {}),
      timestamp: new Date().toISOString(),
      deleted: false,
    };
    messages.push(message);
    return { message, created: true };
  }

  async function answerPost(res: http.ServerResponse, status: number, value: unknown) {
    const delayMs = state.behaviour.delayMs;
    if (delayMs) {
      const closed = new Promise<void>((resolve) => res.on('close', () => resolve()));
      await Promise.race([delay(delayMs), closed]);
      if (res.destroyed || res.writableEnded) return;
    }
    if (status === 204) {
      res.writeHead(204);
      res.end();
    } else sendJson(res, status, value);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const call = await recordRequest(req, calls);
    const path = routePath(call.path);
    const method = call.method;
    if (state.behaviour.mode === 'unauthorized') return sendJson(res, 401, { message: '401: Unauthorized', code: 0 });

    const webhookMatch = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/(\d+))?$/.exec(path);
    if (webhookMatch) {
      const [, id, token, messageId] = webhookMatch as unknown as [string, string, string, string | undefined];
      const webhook = webhooks.find((w) => w.id === id);
      if (!webhook) throw new ApiFailure(404, { message: 'Unknown Webhook', code: 10015 });
      if (webhook.token !== token) throw new ApiFailure(401, { message: 'Invalid Webhook Token', code: 50027 });
      const channel = findChannel(webhook.channelId);
      if (!messageId && method === 'GET') {
        return sendJson(res, 200, { id: webhook.id, type: 1, channel_id: webhook.channelId, ...(channel.guild_id ? { guild_id: channel.guild_id } : {}), name: webhook.name ?? 'Webhook', avatar: null, token: webhook.token, application_id: null });
      }
      if (!messageId && method === 'POST') {
        if (postBehaviour(res)) return;
        const author = { id: webhook.id, username: webhook.name ?? 'Webhook', bot: true as const };
        const { message } = createMessage(call.body, channel, author, 'webhook', webhook.id);
        if (call.query.wait === 'true') return answerPost(res, 200, messageJson(message, true));
        return answerPost(res, 204, undefined);
      }
      if (messageId && (method === 'DELETE' || method === 'GET')) {
        const message = messages.find((m) => m.id === messageId && m.webhookId === webhook.id && !m.deleted);
        if (!message) throw new ApiFailure(404, { message: 'Unknown Message', code: 10008 });
        if (method === 'GET') return sendJson(res, 200, messageJson(message, false));
        message.deleted = true;
        res.writeHead(204);
        return res.end();
      }
      throw new ApiFailure(405, { message: '405: Method Not Allowed', code: 0 });
    }

    // Bot routes.
    if (call.headers.authorization !== `Bot ${botToken}`) return sendJson(res, 401, { message: '401: Unauthorized', code: 0 });
    if (method === 'GET' && path === '/users/@me') return sendJson(res, 200, { id: botUser.id, username: botUser.username, discriminator: '0', global_name: null, avatar: null, bot: true, flags: 0 });
    const channelMatch = /^\/channels\/(\d+)(\/messages(?:\/(\d+))?)?$/.exec(path);
    if (!channelMatch) throw new ApiFailure(404, { message: '404: Not Found', code: 0 });
    const [, channelId, messagesPart, messageId] = channelMatch as unknown as [string, string, string | undefined, string | undefined];
    const channel = findChannel(channelId);
    if (!messagesPart && method === 'GET') return sendJson(res, 200, channelJson(channel));
    if (messagesPart && !messageId && method === 'GET') {
      const limit = Math.max(1, Math.min(100, Number(call.query.limit ?? 50) || 50));
      let list = messages.filter((m) => m.channelId === channel.id && !m.deleted);
      if (call.query.before) list = list.filter((m) => BigInt(m.id) < BigInt(call.query.before!));
      if (call.query.after) list = list.filter((m) => BigInt(m.id) > BigInt(call.query.after!)).slice(0, limit);
      list = [...list].sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1)).slice(0, limit);
      return sendJson(res, 200, list.map((m) => messageJson(m, opts.listIncludesNonce === true)));
    }
    if (messagesPart && !messageId && method === 'POST') {
      if (postBehaviour(res)) return;
      const { message } = createMessage(call.body, channel, { id: botUser.id, username: botUser.username, bot: true }, 'bot');
      return answerPost(res, 200, messageJson(message, true));
    }
    if (messageId && method === 'DELETE') {
      const message = messages.find((m) => m.id === messageId && m.channelId === channel.id && !m.deleted);
      if (!message) throw new ApiFailure(404, { message: 'Unknown Message', code: 10008 });
      message.deleted = true;
      res.writeHead(204);
      return res.end();
    }
    if (messageId && method === 'GET') {
      const message = messages.find((m) => m.id === messageId && m.channelId === channel.id && !m.deleted);
      if (!message) throw new ApiFailure(404, { message: 'Unknown Message', code: 10008 });
      return sendJson(res, 200, messageJson(message, false));
    }
    throw new ApiFailure(405, { message: '405: Method Not Allowed', code: 0 });
  }

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      if (error instanceof ApiFailure) return sendJson(res, error.status, error.body);
      sendJson(res, 500, { message: `500: Internal Server Error (${String(error)})`, code: 0 });
    });
  });

  const { url, close } = await listen(server);
  return {
    url,
    apiBase: `${url}/api`,
    botToken,
    botUser,
    channels,
    webhooks,
    webhookUrl: (webhook = webhooks[0]!) => `${url}/api/webhooks/${webhook.id}/${webhook.token}`,
    calls,
    messages,
    live: () => messages.filter((m) => !m.deleted),
    get behaviour() {
      return state.behaviour;
    },
    set(behaviour) {
      state.behaviour = { ...behaviour };
    },
    callsTo: (method, path) => calls.filter((c) => c.method === method && (typeof path === 'string' ? routePath(c.path) === path : path.test(routePath(c.path)))),
    addForeignMessage(channelId, content, at = new Date()) {
      const message: FakeDiscordMessage = {
        id: snowflake(at.getTime()),
        channelId,
        content,
        author: { id: '888888888888888888', username: 'someone-else', bot: true },
        via: 'bot',
        attachments: [],
        timestamp: at.toISOString(),
        deleted: false,
      };
      messages.push(message);
      return message;
    },
    close,
  };
}
