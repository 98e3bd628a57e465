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
 *
 * For bots that chat, also: GET /gateway/bot (→ this server's websocket URL), POST /channels/{id}/typing,
 * POST /users/@me/channels (opens a DM channel), and the gateway itself (`gateway` below): op 10 Hello on
 * connect, op 2 Identify (token checked, 4004 otherwise; intents required), READY with the bot user, one
 * unavailable guild per guild of `channels` and its GUILD_CREATE (when the GUILDS intent is set), op 1
 * heartbeats answered by op 11, op 6 Resume replaying what was dispatched while the session was away (op 9
 * when the session is unknown), and dispatches filtered by intents like Discord: MESSAGE_CREATE needs
 * GUILD_MESSAGES or DIRECT_MESSAGES, and without MESSAGE_CONTENT a guild message that does not mention the
 * bot arrives with empty content.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { delay, listen, recordRequest, sendJson, type Multipart, type RecordedCall } from './util.ts';

export interface FakeDiscordChannel {
  id: string;
  guild_id?: string;
  name?: string;
  nsfw?: boolean;
  /** 0 text (default), 1 DM, 11 public thread… */
  type?: number;
  parent_id?: string;
  /** DM channels: the other user. */
  recipient?: FakeDiscordUser;
}

/** A Discord user as the API shows it. */
export interface FakeDiscordUser {
  id: string;
  username: string;
  global_name?: string | null;
  bot?: boolean;
}

/** Gateway intents the fake honours (Discord's bit values). */
export const INTENTS = { GUILDS: 1 << 0, GUILD_MESSAGES: 1 << 9, DIRECT_MESSAGES: 1 << 12, MESSAGE_CONTENT: 1 << 15 } as const;

/** One gateway session (an identified connection, possibly away between a drop and its resume). */
export interface FakeGatewaySession {
  id: string;
  intents: number;
  seq: number;
  socket: WebSocket | null;
  /** Dispatches sent while no socket was attached: replayed on resume. */
  missed: Record<string, unknown>[];
  identify: Record<string, unknown>;
}

export interface FakeDiscordGateway {
  /** The websocket URL GET /gateway/bot answers. */
  url: string;
  sessions: FakeGatewaySession[];
  /** Sessions with a live, identified socket. */
  live(): FakeGatewaySession[];
  /** Every op the clients sent (heartbeats included), oldest first. */
  received: { op: number; d: unknown; at: number }[];
  /** Waits until at least `count` sessions are live. */
  waitForSessions(count?: number, timeoutMs?: number): Promise<void>;
  /** Sends a dispatch to every session whose intents allow it (buffered for sessions away). */
  dispatch(t: string, d: Record<string, unknown>, intent?: number): void;
  /**
   * A user writes a message: in a DM channel (opened on the fly when `dm` names the user) or in a guild
   * channel. `<@id>` in the content become mentions; `replyTo` makes it a reply (pinging that message's
   * author unless `ping` is false). The MESSAGE_CREATE is dispatched and the message kept. Returns it.
   */
  userMessage(opts: { author: FakeDiscordUser; content: string; channelId?: string; dm?: boolean; replyTo?: string; ping?: boolean }): Record<string, unknown>;
  /** Closes every live socket with `code` (4000 by default: the client resumes), or drops them without a close frame. */
  drop(opts?: { code?: number; abrupt?: boolean }): void;
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
  /** Gateway op 10 heartbeat_interval (default 41250 ms, Discord's usual). */
  heartbeatIntervalMs?: number;
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
  /** The gateway (websocket) side, for bots that chat. */
  gateway: FakeDiscordGateway;
  /** POST /channels/{id}/typing calls, in order. */
  typing: { channelId: string; at: number }[];
  /** Opens (or finds) the DM channel between the bot and `user`. */
  dmChannel(user: FakeDiscordUser): FakeDiscordChannel;
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

  const channelJson = (c: FakeDiscordChannel) =>
    c.type === 1
      ? { id: c.id, type: 1, last_message_id: messages.filter((m) => m.channelId === c.id).at(-1)?.id ?? null, flags: 0, recipients: c.recipient ? [userJson(c.recipient)] : [] }
      : guildChannelJson(c);

  const guildChannelJson = (c: FakeDiscordChannel) => ({
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

  const userJson = (u: FakeDiscordUser) => ({ id: u.id, username: u.username, discriminator: '0', global_name: u.global_name ?? null, avatar: null, ...(u.bot ? { bot: true } : {}), public_flags: 0 });

  const typing: { channelId: string; at: number }[] = [];

  function dmChannel(user: FakeDiscordUser): FakeDiscordChannel {
    const found = channels.find((c) => c.type === 1 && c.recipient?.id === user.id);
    if (found) return found;
    const channel: FakeDiscordChannel = { id: snowflake(), type: 1, recipient: user };
    channels.push(channel);
    return channel;
  }

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
    if (method === 'GET' && (path === '/gateway/bot' || path === '/gateway')) {
      return sendJson(res, 200, path === '/gateway' ? { url: gatewayUrl } : { url: gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 1000 - identifies, reset_after: 14_400_000, max_concurrency: 1 } });
    }
    if (method === 'POST' && path === '/users/@me/channels') {
      const recipientId = (call.body as { recipient_id?: unknown } | undefined)?.recipient_id;
      if (typeof recipientId !== 'string' || !/^\d+$/.test(recipientId)) throw invalidForm('recipient_id', 'BASE_TYPE_REQUIRED', 'This field is required');
      const known = channels.find((c) => c.type === 1 && c.recipient?.id === recipientId)?.recipient;
      return sendJson(res, 200, channelJson(dmChannel(known ?? { id: recipientId, username: `user-${recipientId.slice(-4)}` })));
    }
    const typingMatch = /^\/channels\/(\d+)\/typing$/.exec(path);
    if (typingMatch && method === 'POST') {
      findChannel(typingMatch[1]!);
      typing.push({ channelId: typingMatch[1]!, at: Date.now() });
      res.writeHead(204);
      return res.end();
    }
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

  // ── Gateway ─────────────────────────────────────────────────────────────────────────────────────
  const heartbeatIntervalMs = opts.heartbeatIntervalMs ?? 41_250;
  const sessions: FakeGatewaySession[] = [];
  const received: FakeDiscordGateway['received'] = [];
  const userMessages: Record<string, unknown>[] = [];
  let identifies = 0;
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const query = new URL(req.url ?? '/', 'http://fake').searchParams;
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Discord closes with 4012 for a wrong version and 4002 for an encoding it cannot speak.
      if (query.get('v') !== '10') return ws.close(4012, 'Invalid API version');
      if (query.get('encoding') !== 'json') return ws.close(4002, 'Decode error');
      acceptGateway(ws);
    });
  });

  const guildIds = () => [...new Set(channels.map((c) => c.guild_id).filter((g): g is string => !!g))];
  const send = (ws: WebSocket, payload: Record<string, unknown>) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  };

  function dispatchTo(session: FakeGatewaySession, t: string, d: unknown) {
    session.seq += 1;
    const payload = { op: 0, t, s: session.seq, d };
    if (session.socket) send(session.socket, payload);
    else session.missed.push(payload);
  }

  function guildCreate(guildId: string) {
    const guildChannels = channels.filter((c) => c.guild_id === guildId);
    return {
      id: guildId,
      name: `guild-${guildId.slice(-4)}`,
      icon: null,
      owner_id: '888888888888888888',
      unavailable: false,
      large: false,
      member_count: 2,
      joined_at: new Date(0).toISOString(),
      features: [],
      roles: [{ id: guildId, name: '@everyone', permissions: '1024', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
      emojis: [],
      stickers: [],
      members: [],
      presences: [],
      voice_states: [],
      threads: guildChannels.filter((c) => c.type === 11).map(guildChannelJson),
      channels: guildChannels.filter((c) => c.type !== 11).map(guildChannelJson),
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      premium_tier: 0,
      nsfw_level: 0,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      system_channel_flags: 0,
      preferred_locale: 'en-US',
    };
  }

  function acceptGateway(ws: WebSocket) {
    let session: FakeGatewaySession | null = null;
    send(ws, { op: 10, s: null, t: null, d: { heartbeat_interval: heartbeatIntervalMs } });
    ws.on('close', () => {
      if (session?.socket === ws) session.socket = null;
    });
    ws.on('message', (raw) => {
      let payload: { op?: unknown; d?: any };
      try {
        payload = JSON.parse(String(raw));
      } catch {
        return ws.close(4002, 'Decode error');
      }
      const op = Number(payload.op);
      received.push({ op, d: payload.d, at: Date.now() });
      if (op === 1) return send(ws, { op: 11, s: null, t: null, d: null });
      if (op === 2) {
        if (session) return ws.close(4005, 'Already authenticated');
        if (payload.d?.token !== botToken) return ws.close(4004, 'Authentication failed');
        if (typeof payload.d?.intents !== 'number') return ws.close(4013, 'Invalid intent(s)');
        identifies += 1;
        session = { id: randomBytes(16).toString('hex'), intents: payload.d.intents, seq: 0, socket: ws, missed: [], identify: payload.d };
        sessions.push(session);
        const guilds = payload.d.intents & INTENTS.GUILDS ? guildIds() : [];
        dispatchTo(session, 'READY', {
          v: 10,
          user: { ...userJson({ ...botUser, bot: true }), verified: true, mfa_enabled: false, flags: 0 },
          guilds: guilds.map((id) => ({ id, unavailable: true })),
          session_id: session.id,
          resume_gateway_url: gatewayUrl,
          shard: [0, 1],
          application: { id: botUser.id, flags: 0 },
          private_channels: [],
          relationships: [],
          user_settings: {},
          presences: [],
          guild_join_requests: [],
          geo_ordered_rtc_regions: [],
        });
        for (const id of guilds) dispatchTo(session, 'GUILD_CREATE', guildCreate(id));
        return;
      }
      if (op === 6) {
        const found = sessions.find((x) => x.id === payload.d?.session_id);
        if (payload.d?.token !== botToken) return ws.close(4004, 'Authentication failed');
        if (!found) return send(ws, { op: 9, s: null, t: null, d: false });
        found.socket?.close(4009, 'Session replaced');
        found.socket = ws;
        session = found;
        const missed = found.missed.splice(0);
        for (const m of missed) send(ws, m);
        found.seq += 1;
        send(ws, { op: 0, t: 'RESUMED', s: found.seq, d: {} });
        return;
      }
      if (!session) return ws.close(4003, 'Not authenticated');
    });
  }

  function dispatch(t: string, d: Record<string, unknown>, intent?: number) {
    for (const session of sessions) if (intent === undefined || session.intents & intent) dispatchTo(session, t, d);
  }

  function userMessage(o: { author: FakeDiscordUser; content: string; channelId?: string; dm?: boolean; replyTo?: string; ping?: boolean }) {
    const channel = o.dm ? dmChannel(o.author) : findChannel(o.channelId ?? channels.find((c) => c.guild_id && c.type !== 11)!.id);
    const referenced = o.replyTo ? (messages.find((m) => m.id === o.replyTo) ?? null) : null;
    const mentionIds = new Set([...o.content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1]!));
    if (referenced && o.ping !== false) mentionIds.add(referenced.author.id);
    const mentions = [...mentionIds].map((id) => (id === botUser.id ? userJson({ ...botUser, bot: true }) : userJson({ id, username: `user-${id.slice(-4)}` })));
    const id = snowflake();
    const message: Record<string, unknown> = {
      id,
      type: referenced ? 19 : 0,
      channel_id: channel.id,
      ...(channel.guild_id ? { guild_id: channel.guild_id, member: { roles: [], joined_at: new Date(0).toISOString(), deaf: false, mute: false, flags: 0 } } : {}),
      author: userJson(o.author),
      content: o.content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions,
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      flags: 0,
      components: [],
      ...(referenced ? { message_reference: { type: 0, message_id: referenced.id, channel_id: referenced.channelId, ...(referenced.guildId ? { guild_id: referenced.guildId } : {}) }, referenced_message: messageJson(referenced, false) } : {}),
    };
    userMessages.push(message);
    const mentionsBot = mentionIds.has(botUser.id);
    for (const session of sessions) {
      const allowed = channel.guild_id ? session.intents & INTENTS.GUILD_MESSAGES : session.intents & INTENTS.DIRECT_MESSAGES;
      if (!allowed) continue;
      // Message content is privileged: without the intent, guild messages that do not mention the bot come empty.
      const redact = channel.guild_id && !mentionsBot && !(session.intents & INTENTS.MESSAGE_CONTENT);
      dispatchTo(session, 'MESSAGE_CREATE', redact ? { ...message, content: '', embeds: [], attachments: [], components: [] } : message);
    }
    return message;
  }

  const { url, port, close } = await listen(server);
  const gatewayUrl = `ws://127.0.0.1:${port}`;
  const gateway: FakeDiscordGateway = {
    url: gatewayUrl,
    sessions,
    live: () => sessions.filter((x) => x.socket !== null),
    received,
    async waitForSessions(count = 1, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (gateway.live().length < count) {
        if (Date.now() > deadline) throw new Error(`fake Discord gateway: ${gateway.live().length} live session(s), wanted ${count}`);
        await delay(20);
      }
    },
    dispatch,
    userMessage,
    drop({ code = 4000, abrupt = false } = {}) {
      for (const x of sessions) {
        if (!x.socket) continue;
        if (abrupt) x.socket.terminate();
        else x.socket.close(code, 'Dropped by the fake');
        x.socket = null;
      }
    },
  };
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
    gateway,
    typing,
    dmChannel,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await close();
    },
  };
}
