/**
 * A fake Fanvue API (2025-06-26) with its OAuth token endpoint and an S3-like bucket on one server.
 *
 * - Every API call needs `Authorization: Bearer` and `X-Fanvue-API-Version` (missing → 400, an old
 *   version → 410 sunset); a bad token gets 401.
 * - Media: `POST /media/uploads` → `{mediaUuid, uploadId}`; `GET /media/uploads/{id}/parts/{n}/url` →
 *   a presigned URL on this server's `/bucket` (as a JSON string or `{url}`, see `partUrlShape`); `PUT`
 *   there (no auth) answers an ETag; `PATCH /media/uploads/{id} {parts}` checks the ETags and starts
 *   processing; `GET /media/{uuid}` answers `processing` for `pollsToReady` reads, then `ready`.
 * - Posts: `POST /posts` validates audience/text/price/media like the reference and answers 201;
 *   `GET /posts?page&size` pages them newest first with `pagination.hasMore`.
 * - Chat messages: `POST /chats/{userUuid}/message {text?, mediaUuids?, price?}` validates like the reference,
 *   records the message (see `messages`, `delayMessageMs`), adds it to the fan's chat and answers `{messageUuid}`.
 * - Chats (the creator's inbox): `GET /chats?page&size(1-50)` pages chats most recent first (`user`,
 *   `lastMessageAt`, `lastMessage`, `isRead`, `unreadMessagesCount`); `GET /chats/{userUuid}/messages?page&size`
 *   pages a chat's messages newest first (`uuid`, `text`, `sentAt`, `sender`, `recipient`, `type`, `mediaUuids`,
 *   `pricing` {USD: {price}} for pay-to-view) and marks it read unless `markAsRead=false`; tests add fan messages
 *   with `fanWrites`. `GET /users/me` answers the creator (`creatorUuid`).
 * - Earnings: `GET /insights/earnings?startDate&endDate(exclusive)&cursor&size(1-50)` pages `earnings`
 *   (oldest first) with an opaque `nextCursor`; tests change a row in place (e.g. a refund's amount) to
 *   see it re-read.
 * - Tracking links: `POST /tracking-links {name, externalSocialPlatform}` → 201 the link (`linkUrl` "fv-N",
 *   zero counters); `GET /tracking-links?limit&cursor` pages `trackingLinks` with `nextCursor`.
 * - Agency routes `/creators/{creatorUserUuid}/…` map onto the same handlers for `creatorUserUuid`.
 * - Token endpoint `/oauth2/token`: refresh tokens rotate and are single-use (reuse → invalid_grant).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { delay, listen, recordRequest, sendJson, type RecordedCall } from './util.ts';

export const FAKE_FANVUE_VERSION = '2025-06-26';

export interface FanvueBehaviour {
  /**
   * ok; rateLimitOnce: the next API call answers 429 with Retry-After once; expiredToken: the current
   * access token gets 401 until refreshed; revokedRefresh: 401 and the refresh grant answers
   * invalid_grant; http500: every API route answers 500; http503: 503.
   */
  mode: 'ok' | 'rateLimitOnce' | 'expiredToken' | 'revokedRefresh' | 'http500' | 'http503';
  retryAfterSeconds: number;
  /** POST /posts creates the post, then waits this long before answering. */
  delayPublishMs: number;
  /** POST /chats/{userUuid}/message records the message, then waits this long before answering. */
  delayMessageMs: number;
  /** Status reads of a completed upload before it is ready. */
  pollsToReady: number;
  /** Shape of the part-URL answer. */
  partUrlShape: 'string' | 'object';
  /** Media processing ends in error. */
  mediaError: boolean;
  /** Client auth the token endpoint expects. */
  tokenAuth: 'basic' | 'post';
  /** The authorization-code answer leaves refresh_token out (the client must keep the one it has). */
  codeWithoutRefreshToken: boolean;
}

const DEFAULT_BEHAVIOUR: FanvueBehaviour = {
  mode: 'ok',
  retryAfterSeconds: 12,
  delayPublishMs: 0,
  delayMessageMs: 0,
  pollsToReady: 1,
  partUrlShape: 'object',
  mediaError: false,
  tokenAuth: 'basic',
  codeWithoutRefreshToken: false,
};

export interface FakeFanvueMedia {
  uuid: string;
  uploadId: string;
  name: string;
  filename: string;
  mediaType: 'image' | 'video' | 'audio' | 'document';
  status: 'created' | 'processing' | 'ready' | 'error';
  pollsLeft: number;
  parts: Map<number, { bytes: Buffer; etag: string }>;
  bytes?: Buffer;
}

export interface FakeFanvuePost {
  uuid: string;
  createdAt: string;
  text: string | null;
  price: number | null;
  audience: 'subscribers' | 'followers-and-subscribers';
  publishAt: string | null;
  publishedAt: string | null;
  expiresAt: string | null;
  mediaUuids: string[];
  isPinned: boolean;
  likesCount: number;
  commentsCount: number;
  tips: { count: number; totalGross: number; totalNet: number };
}

/** A chat message as the fake received it (pay-to-view when `price` is set). */
export interface FakeFanvueMessage {
  messageUuid: string;
  userUuid: string;
  text: string | null;
  mediaUuids: string[];
  price: number | null;
  createdAt: string;
}

/** A Fanvue user as chats show them. */
export interface FakeFanvueUser {
  uuid: string;
  handle: string;
  displayName: string;
  nickname?: string | null;
}

/** One message of a chat, as GET /chats/{userUuid}/messages answers it. */
export interface FakeFanvueChatMessage {
  uuid: string;
  text: string | null;
  sentAt: string;
  senderUuid: string;
  type: string;
  mediaUuids: string[];
  price: number | null;
  isRead: boolean;
}

/** The creator's chat with one fan. */
export interface FakeFanvueChat {
  user: FakeFanvueUser;
  createdAt: string;
  /** Oldest first. */
  messages: FakeFanvueChatMessage[];
}

/** One earnings row as Fanvue's insights API answers it (USD cents; refunds negative, own row). */
export interface FakeFanvueEarning {
  date: string;
  gross: number;
  net: number;
  currency: string | null;
  source: string;
  transactionOrderId?: string;
  transactionOrderStatus?: 'availableForPayout' | 'pendingBalance';
  reversedTransactionOrderId?: string;
  messageUuid?: string;
  postUuid?: string;
  user: { uuid: string; handle: string; displayName: string; nickname: string | null; isTopSpender: boolean } | null;
}

/** A tracking link as the fake keeps it; tests raise the counters in place. */
export interface FakeFanvueTrackingLink {
  uuid: string;
  name: string;
  linkUrl: string;
  externalSocialPlatform: string;
  createdAt: string;
  clicks: number;
  engagement: { acquiredSubscribers: number; acquiredFollowers: number; totalSubscribers: number; totalFollowers: number };
  earnings: null | Record<string, unknown>;
}

export interface FakeFanvue {
  url: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  creatorUserUuid: string;
  calls: RecordedCall[];
  behaviour: FanvueBehaviour;
  set(patch: Partial<FanvueBehaviour>): void;
  posts: FakeFanvuePost[];
  trackingLinks: FakeFanvueTrackingLink[];
  messages: FakeFanvueMessage[];
  /** Served by GET /insights/earnings; mutate freely between syncs. */
  earnings: FakeFanvueEarning[];
  media: Map<string, FakeFanvueMedia>;
  /** The creator's chats by fan uuid. */
  chats: Map<string, FakeFanvueChat>;
  /** The creator's own user uuid (GET /users/me; the sender of what the API sends). */
  creatorUuid: string;
  /** A fan writes to the creator (the chat is opened on first use); returns the message. */
  fanWrites(fan: Partial<FakeFanvueUser> & { uuid: string }, text: string, opts?: { sentAt?: Date; type?: string }): FakeFanvueChatMessage;
  readonly accessToken: string;
  readonly refreshToken: string;
  callsTo(path: string | RegExp, method?: string): RecordedCall[];
  close(): Promise<void>;
}

function formOf(call: RecordedCall): Record<string, string> {
  if (Buffer.isBuffer(call.body) && String(call.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(call.body.toString('utf8')));
  }
  return {};
}

export async function startFakeFanvue(options: { clientId?: string; clientSecret?: string; accessToken?: string; refreshToken?: string; behaviour?: Partial<FanvueBehaviour> } = {}): Promise<FakeFanvue> {
  const calls: RecordedCall[] = [];
  const behaviour: FanvueBehaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  const clientId = options.clientId ?? 'fanvue-client-id';
  const clientSecret = options.clientSecret ?? 'fanvue-client-secret';
  const creatorUserUuid = randomUUID();
  let accessToken = options.accessToken ?? 'fanvue-access-token';
  let refreshToken = options.refreshToken ?? 'fanvue-refresh-token';
  let rateLimitUsed = false;
  let refreshedSinceMode = false;
  /** Codes the consent page handed out (single use), with what the token call must match. */
  const codes = new Map<string, { challenge: string; redirectUri: string; scope: string }>();
  const posts: FakeFanvuePost[] = [];
  const trackingLinks: FakeFanvueTrackingLink[] = [];
  const messages: FakeFanvueMessage[] = [];
  const earnings: FakeFanvueEarning[] = [];
  const media = new Map<string, FakeFanvueMedia>();
  const chats = new Map<string, FakeFanvueChat>();
  const creator: FakeFanvueUser = { uuid: randomUUID(), handle: 'atelier-persona', displayName: 'Atelier Persona', nickname: null };
  let baseUrl = '';

  const openChat = (user: FakeFanvueUser) => {
    let chat = chats.get(user.uuid);
    if (!chat) {
      chat = { user, createdAt: new Date().toISOString(), messages: [] };
      chats.set(user.uuid, chat);
    }
    return chat;
  };
  const userJson = (u: FakeFanvueUser) => ({ uuid: u.uuid, handle: u.handle, displayName: u.displayName, nickname: u.nickname ?? null, isTopSpender: false, avatarUrl: null, registeredAt: '2025-01-01T00:00:00.000Z' });
  const lastOf = (chat: FakeFanvueChat) => chat.messages.at(-1);
  const lastAt = (chat: FakeFanvueChat) => lastOf(chat)?.sentAt ?? chat.createdAt;
  const chatMessageJson = (chat: FakeFanvueChat, m: FakeFanvueChatMessage) => {
    const fromCreator = m.senderUuid === creator.uuid;
    return {
      uuid: m.uuid,
      text: m.text,
      sentAt: m.sentAt,
      sender: userJson(fromCreator ? creator : chat.user),
      recipient: userJson(fromCreator ? chat.user : creator),
      type: m.type,
      hasMedia: m.mediaUuids.length > 0,
      mediaType: m.mediaUuids.length ? 'image' : null,
      mediaUuids: m.mediaUuids,
      pricing: m.price === null ? null : { USD: { price: m.price } },
      purchasedAt: null,
      sentByUserId: null,
      isRead: m.isRead,
    };
  };
  const pageParams = (query: Record<string, string>, fallback = 15) => {
    const page = query.page === undefined ? 1 : Number(query.page);
    const size = query.size === undefined ? fallback : Number(query.size);
    return Number.isInteger(page) && page >= 1 && Number.isInteger(size) && size >= 1 && size <= 50 ? { page, size } : null;
  };

  const error = (res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}) => sendJson(res, status, { error: http.STATUS_CODES[status] ?? 'Error', message, statusCode: status }, headers);

  const server = http.createServer((req, res) => {
    void (async () => {
      const call = await recordRequest(req, calls);

      // ---- bucket (presigned PUT, no auth)
      const bucket = /^\/bucket\/([^/]+)\/(\d+)$/.exec(call.path);
      if (bucket && call.method === 'PUT') {
        const item = [...media.values()].find((m) => m.uploadId === bucket[1]);
        if (!item || call.query['X-Amz-Signature'] !== `sig-${item.uploadId}-${bucket[2]}` || req.headers.authorization) {
          res.writeHead(403, { 'Content-Type': 'application/xml' });
          res.end('<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error>');
          return;
        }
        const bytes = Buffer.isBuffer(call.body) ? call.body : Buffer.alloc(0);
        const etag = `"${randomBytes(8).toString('hex')}"`;
        item.parts.set(Number(bucket[2]), { bytes, etag });
        res.writeHead(200, { ETag: etag, 'Content-Length': '0' });
        res.end();
        return;
      }

      // ---- consent page (auth.fanvue.com/oauth2/auth): PKCE S256 required; the user says yes at once
      if (call.path === '/oauth2/auth' && call.method === 'GET') {
        const q = call.query;
        if (q.response_type !== 'code' || q.client_id !== clientId || !q.redirect_uri || !q.state || !q.code_challenge || q.code_challenge_method !== 'S256') {
          sendJson(res, 400, { error: 'invalid_request', error_description: 'The request is missing a required parameter (PKCE is required).' });
          return;
        }
        const code = `fanvue-code-${randomBytes(12).toString('hex')}`;
        codes.set(code, { challenge: q.code_challenge, redirectUri: q.redirect_uri, scope: q.scope ?? '' });
        const back = new URL(q.redirect_uri);
        back.searchParams.set('code', code);
        back.searchParams.set('scope', q.scope ?? '');
        back.searchParams.set('state', q.state);
        res.writeHead(302, { location: back.toString() });
        res.end();
        return;
      }

      // ---- token endpoint
      if (call.path === '/oauth2/token' && call.method === 'POST') {
        const form = formOf(call);
        let id: string | undefined;
        let secret: string | undefined;
        const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
        if (behaviour.tokenAuth === 'basic' && basic) {
          [id, secret] = Buffer.from(basic, 'base64').toString('utf8').split(':').map((s) => decodeURIComponent(s));
        } else if (behaviour.tokenAuth === 'post') {
          id = form.client_id;
          secret = form.client_secret;
        }
        if (id !== clientId || secret !== clientSecret) {
          sendJson(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).' });
          return;
        }
        if (form.grant_type === 'authorization_code') {
          const grant = codes.get(form.code ?? '');
          codes.delete(form.code ?? '');
          const challenge = createHash('sha256').update(form.code_verifier ?? '').digest('base64url');
          if (!grant || grant.redirectUri !== form.redirect_uri || grant.challenge !== challenge) {
            sendJson(res, 400, { error: 'invalid_grant', error_description: 'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or the PKCE verifier does not match.' });
            return;
          }
          accessToken = `fanvue-access-${randomBytes(6).toString('hex')}`;
          const answer: Record<string, unknown> = { access_token: accessToken, token_type: 'bearer', expires_in: 3599, scope: grant.scope };
          if (!behaviour.codeWithoutRefreshToken) {
            refreshToken = `fanvue-refresh-${randomBytes(6).toString('hex')}`;
            answer.refresh_token = refreshToken;
          }
          sendJson(res, 200, answer);
          return;
        }
        if (form.grant_type !== 'refresh_token') {
          sendJson(res, 400, { error: 'unsupported_grant_type' });
          return;
        }
        if (behaviour.mode === 'revokedRefresh' || form.refresh_token !== refreshToken) {
          sendJson(res, 400, { error: 'invalid_grant', error_description: 'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.' });
          return;
        }
        accessToken = `fanvue-access-${randomBytes(6).toString('hex')}`;
        refreshToken = `fanvue-refresh-${randomBytes(6).toString('hex')}`; // rotation: the old one is now invalid
        refreshedSinceMode = true;
        sendJson(res, 200, { access_token: accessToken, refresh_token: refreshToken, token_type: 'bearer', expires_in: 3599, scope: 'openid offline_access read:self write:post read:post write:media read:media' });
        return;
      }

      // ---- API: version header, auth
      const version = req.headers['x-fanvue-api-version'];
      if (typeof version !== 'string') {
        error(res, 400, 'Missing required header X-Fanvue-API-Version');
        return;
      }
      if (version < '2025-06-26') {
        error(res, 410, `API version ${version} is no longer supported`);
        return;
      }
      if (version !== FAKE_FANVUE_VERSION) {
        error(res, 400, `API version ${version} not supported`);
        return;
      }
      const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const tokenDead = (behaviour.mode === 'expiredToken' || behaviour.mode === 'revokedRefresh') && !refreshedSinceMode;
      if (!bearer || bearer !== accessToken || tokenDead) {
        error(res, 401, 'Unauthorized');
        return;
      }
      if (behaviour.mode === 'http500') {
        error(res, 500, 'Internal server error');
        return;
      }
      if (behaviour.mode === 'http503') {
        error(res, 503, 'Service unavailable');
        return;
      }
      const reset = String(Math.floor(Date.now() / 1000) + 60);
      if (behaviour.mode === 'rateLimitOnce' && !rateLimitUsed) {
        rateLimitUsed = true;
        error(res, 429, 'Too many requests', { 'retry-after': String(behaviour.retryAfterSeconds), 'x-ratelimit-limit': '200', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset });
        return;
      }
      const headers = { 'x-ratelimit-limit': '200', 'x-ratelimit-remaining': '150', 'x-ratelimit-reset': reset };

      // Agency routes map onto the same handlers.
      let path = call.path;
      const agency = /^\/creators\/([^/]+)(\/.*)$/.exec(path);
      if (agency) {
        if (agency[1] !== creatorUserUuid) {
          error(res, 403, 'Not a creator of this agency', headers);
          return;
        }
        path = agency[2]!;
      }
      const body = (call.body && typeof call.body === 'object' && !Buffer.isBuffer(call.body) ? call.body : {}) as Record<string, unknown>;

      if (path === '/users/me' && call.method === 'GET') {
        sendJson(res, 200, { uuid: creator.uuid, handle: creator.handle, displayName: creator.displayName, isCreator: true, createdAt: '2025-01-01T00:00:00.000Z' }, headers);
        return;
      }

      if (path === '/media/uploads' && call.method === 'POST') {
        const name = body.name;
        const filename = body.filename;
        const mediaType = body.mediaType;
        if (typeof name !== 'string' || !name || name.length > 255 || typeof filename !== 'string' || !filename || filename.length > 255 || !['image', 'video', 'audio', 'document'].includes(String(mediaType))) {
          error(res, 400, 'Request validation failed: name, filename (1-255) and mediaType (image|video|audio|document) are required', headers);
          return;
        }
        const item: FakeFanvueMedia = { uuid: randomUUID(), uploadId: `upl_${randomBytes(10).toString('hex')}`, name, filename, mediaType: mediaType as FakeFanvueMedia['mediaType'], status: 'created', pollsLeft: behaviour.pollsToReady, parts: new Map() };
        media.set(item.uuid, item);
        sendJson(res, 200, { mediaUuid: item.uuid, uploadId: item.uploadId }, headers);
        return;
      }

      const partUrl = /^\/media\/uploads\/([^/]+)\/parts\/(\d+)\/url$/.exec(path);
      if (partUrl && call.method === 'GET') {
        const item = [...media.values()].find((m) => m.uploadId === partUrl[1]);
        if (!item || item.status !== 'created') {
          error(res, 404, 'Upload session not found', headers);
          return;
        }
        const signed = `${baseUrl}/bucket/${item.uploadId}/${partUrl[2]}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=sig-${item.uploadId}-${partUrl[2]}`;
        sendJson(res, 200, behaviour.partUrlShape === 'string' ? signed : { url: signed }, headers);
        return;
      }

      const complete = /^\/media\/uploads\/([^/]+)$/.exec(path);
      if (complete && call.method === 'PATCH') {
        const item = [...media.values()].find((m) => m.uploadId === complete[1]);
        if (!item || item.status !== 'created') {
          error(res, 404, 'Upload session not found', headers);
          return;
        }
        const parts = Array.isArray(body.parts) ? (body.parts as { ETag?: string; PartNumber?: number }[]) : [];
        const numbers = [...item.parts.keys()].sort((a, b) => a - b);
        const ok = parts.length === numbers.length && parts.every((p, i) => p.PartNumber === numbers[i] && p.ETag === item.parts.get(numbers[i]!)?.etag);
        if (!ok || numbers.length === 0 || numbers.some((n, i) => n !== i + 1)) {
          error(res, 400, 'InvalidPart: the parts list does not match the uploaded parts', headers);
          return;
        }
        item.bytes = Buffer.concat(numbers.map((n) => item.parts.get(n)!.bytes));
        item.status = behaviour.mediaError ? 'error' : item.pollsLeft > 0 ? 'processing' : 'ready';
        sendJson(res, 200, { status: item.status === 'error' ? 'processing' : item.status }, headers);
        return;
      }

      const mediaGet = /^\/media\/([0-9a-f-]{36})$/.exec(path);
      if (mediaGet && call.method === 'GET') {
        const item = media.get(mediaGet[1]!);
        if (!item) {
          error(res, 404, 'Media not found', headers);
          return;
        }
        if (item.status === 'processing') {
          if (item.pollsLeft > 0) item.pollsLeft -= 1;
          if (item.pollsLeft === 0) item.status = 'ready';
          sendJson(res, 200, { uuid: item.uuid, status: 'processing' }, headers);
          return;
        }
        if (item.status !== 'ready') {
          sendJson(res, 200, { uuid: item.uuid, status: item.status }, headers);
          return;
        }
        sendJson(res, 200, { uuid: item.uuid, status: 'ready', createdAt: '2026-01-01', caption: null, description: null, name: item.name, mediaType: item.mediaType, recommendedPrice: null, variants: [] }, headers);
        return;
      }

      if (path === '/posts' && call.method === 'POST') {
        const problems: string[] = [];
        const audience = body.audience;
        if (audience !== 'subscribers' && audience !== 'followers-and-subscribers') problems.push('audience must be subscribers or followers-and-subscribers');
        if (body.text !== undefined && (typeof body.text !== 'string' || body.text.length > 5000)) problems.push('text must be a string of at most 5000 characters');
        const mediaUuids = Array.isArray(body.mediaUuids) ? (body.mediaUuids as unknown[]).map(String) : [];
        for (const uuid of mediaUuids) if (media.get(uuid)?.status !== 'ready') problems.push(`media ${uuid} is not ready`);
        if (body.price !== undefined) {
          if (typeof body.price !== 'number' || body.price < 300) problems.push('price must be >= 300');
          if (mediaUuids.length === 0) problems.push('price requires media');
        }
        if (problems.length > 0) {
          sendJson(res, 400, { error: 'Bad Request', message: 'Request validation failed', errors: problems.map((message) => ({ message })) }, headers);
          return;
        }
        const now = new Date().toISOString();
        const post: FakeFanvuePost = {
          uuid: randomUUID(),
          createdAt: now,
          text: typeof body.text === 'string' ? body.text : null,
          price: typeof body.price === 'number' ? body.price : null,
          audience: audience as FakeFanvuePost['audience'],
          publishAt: null,
          publishedAt: now,
          expiresAt: null,
          mediaUuids,
          isPinned: false,
          likesCount: 0,
          commentsCount: 0,
          tips: { count: 0, totalGross: 0, totalNet: 0 },
        };
        posts.push(post);
        if (behaviour.delayPublishMs > 0) await delay(behaviour.delayPublishMs);
        if (res.destroyed) return;
        const { mediaUuids: _m, isPinned: _p, likesCount: _l, commentsCount: _c, tips: _t, ...created } = post;
        sendJson(res, 201, { ...created, mediaPreviewUuid: null }, headers);
        return;
      }

      const chatMessage = /^\/chats\/([^/]+)\/message$/.exec(path);
      if (chatMessage && call.method === 'POST') {
        const userUuid = decodeURIComponent(chatMessage[1]!);
        if (!/^[0-9a-f-]{36}$/i.test(userUuid)) {
          error(res, 404, 'Chat not found', headers);
          return;
        }
        const problems: string[] = [];
        if (body.text !== undefined && body.text !== null && (typeof body.text !== 'string' || body.text.length < 1 || body.text.length > 5000)) problems.push('text must be 1-5000 characters');
        const mediaUuids = Array.isArray(body.mediaUuids) ? (body.mediaUuids as unknown[]).map(String) : [];
        for (const uuid of mediaUuids) if (media.get(uuid)?.status !== 'ready') problems.push(`media ${uuid} is not ready`);
        if (body.price !== undefined && body.price !== null) {
          if (typeof body.price !== 'number' || body.price < 300) problems.push('price must be >= 300');
          if (mediaUuids.length === 0) problems.push('price requires media');
        }
        if (typeof body.text !== 'string' && mediaUuids.length === 0) problems.push('text or media is required');
        if (problems.length > 0) {
          sendJson(res, 400, { error: 'Bad Request', message: 'Request validation failed', errors: problems.map((message) => ({ message })) }, headers);
          return;
        }
        const message: FakeFanvueMessage = {
          messageUuid: randomUUID(),
          userUuid,
          text: typeof body.text === 'string' ? body.text : null,
          mediaUuids,
          price: typeof body.price === 'number' ? body.price : null,
          createdAt: new Date().toISOString(),
        };
        messages.push(message);
        openChat(chats.get(userUuid)?.user ?? { uuid: userUuid, handle: `fan-${userUuid.slice(0, 6)}`, displayName: 'Fan' }).messages.push({
          uuid: message.messageUuid,
          text: message.text,
          sentAt: message.createdAt,
          senderUuid: creator.uuid,
          type: 'SINGLE_RECIPIENT',
          mediaUuids,
          price: message.price,
          isRead: false,
        });
        if (behaviour.delayMessageMs > 0) await delay(behaviour.delayMessageMs);
        if (res.destroyed) return;
        sendJson(res, 200, { messageUuid: message.messageUuid }, headers);
        return;
      }

      if (path === '/chats' && call.method === 'GET') {
        const p = pageParams(call.query);
        if (!p) {
          error(res, 400, 'Request validation failed: page >= 1, size 1-50', headers);
          return;
        }
        const all = [...chats.values()].sort((a, b) => lastAt(b).localeCompare(lastAt(a)));
        const slice = all.slice((p.page - 1) * p.size, p.page * p.size);
        const data = slice.map((chat) => {
          const last = lastOf(chat);
          const unread = chat.messages.filter((m) => m.senderUuid !== creator.uuid && !m.isRead).length;
          return {
            createdAt: chat.createdAt,
            lastMessageAt: last?.sentAt ?? null,
            isRead: unread === 0,
            isMuted: false,
            unreadMessagesCount: unread,
            user: userJson(chat.user),
            lastMessage: last ? { uuid: last.uuid, text: last.text, sentAt: last.sentAt, type: last.type, hasMedia: last.mediaUuids.length > 0, senderUuid: last.senderUuid } : null,
          };
        });
        sendJson(res, 200, { data, pagination: { page: p.page, size: slice.length, hasMore: p.page * p.size < all.length } }, headers);
        return;
      }

      const chatMessages = /^\/chats\/([^/]+)\/messages$/.exec(path);
      if (chatMessages && call.method === 'GET') {
        const chat = chats.get(decodeURIComponent(chatMessages[1]!));
        const p = pageParams(call.query);
        if (!chat) {
          error(res, 404, 'Chat not found', headers);
          return;
        }
        if (!p) {
          error(res, 400, 'Request validation failed: page >= 1, size 1-50', headers);
          return;
        }
        const newestFirst = [...chat.messages].reverse();
        const slice = newestFirst.slice((p.page - 1) * p.size, p.page * p.size);
        const data = slice.map((m) => chatMessageJson(chat, m));
        if (call.query.markAsRead !== 'false') for (const m of chat.messages) if (m.senderUuid !== creator.uuid) m.isRead = true;
        sendJson(res, 200, { data, pagination: { page: p.page, size: slice.length, hasMore: p.page * p.size < newestFirst.length } }, headers);
        return;
      }

      if (path === '/posts' && call.method === 'GET') {
        const page = Math.max(1, Number(call.query.page ?? 1));
        const size = Number(call.query.size ?? 15);
        if (!Number.isInteger(size) || size < 1 || size > 50) {
          error(res, 400, 'Request validation failed: size must be 1-50', headers);
          return;
        }
        const all = [...posts].sort((a, b) => Number(b.isPinned) - Number(a.isPinned) || b.createdAt.localeCompare(a.createdAt));
        const slice = all.slice((page - 1) * size, page * size);
        sendJson(res, 200, { data: slice, pagination: { page, size: slice.length, hasMore: page * size < all.length } }, headers);
        return;
      }

      if (path === '/insights/earnings' && call.method === 'GET') {
        const size = call.query.size === undefined ? 20 : Number(call.query.size);
        const start = call.query.startDate === undefined ? -Infinity : Date.parse(String(call.query.startDate));
        const end = call.query.endDate === undefined ? Infinity : Date.parse(String(call.query.endDate));
        const offset = call.query.cursor === undefined ? 0 : Number(Buffer.from(String(call.query.cursor), 'base64url').toString('utf8').replace(/^off:/, ''));
        if (!Number.isInteger(size) || size < 1 || size > 50 || Number.isNaN(start) || Number.isNaN(end) || !Number.isInteger(offset) || offset < 0) {
          error(res, 400, 'Request validation failed: startDate/endDate must be ISO 8601, size 1-50, cursor as given', headers);
          return;
        }
        const inRange = earnings.filter((e) => Date.parse(e.date) >= start && Date.parse(e.date) < end).sort((a, b) => a.date.localeCompare(b.date));
        const slice = inRange.slice(offset, offset + size);
        const next = offset + size < inRange.length ? Buffer.from(`off:${offset + size}`).toString('base64url') : null;
        sendJson(res, 200, { data: slice, nextCursor: next }, headers);
        return;
      }

      if (path === '/tracking-links' && call.method === 'POST') {
        const platforms = ['facebook', 'instagram', 'other', 'reddit', 'snapchat', 'tiktok', 'twitter', 'youtube'];
        if (typeof body.name !== 'string' || body.name.length < 1 || !platforms.includes(String(body.externalSocialPlatform))) {
          error(res, 400, 'Request validation failed: name (≥ 1 character) and externalSocialPlatform are required', headers);
          return;
        }
        const link: FakeFanvueTrackingLink = {
          uuid: randomUUID(),
          name: body.name,
          linkUrl: `fv-${trackingLinks.length + 101}`,
          externalSocialPlatform: String(body.externalSocialPlatform),
          createdAt: new Date().toISOString(),
          clicks: 0,
          engagement: { acquiredSubscribers: 0, acquiredFollowers: 0, totalSubscribers: 0, totalFollowers: 0 },
          earnings: null,
        };
        trackingLinks.push(link);
        sendJson(res, 201, link, headers);
        return;
      }

      if (path === '/tracking-links' && call.method === 'GET') {
        const limit = call.query.limit === undefined ? 20 : Number(call.query.limit);
        const offset = call.query.cursor === undefined ? 0 : Number(call.query.cursor);
        if (!Number.isInteger(limit) || limit < 1 || limit > 50 || !Number.isInteger(offset) || offset < 0) {
          error(res, 400, 'Request validation failed: limit 1-50, cursor as given', headers);
          return;
        }
        const slice = trackingLinks.slice(offset, offset + limit);
        sendJson(res, 200, { data: slice, nextCursor: offset + limit < trackingLinks.length ? String(offset + limit) : null }, headers);
        return;
      }

      error(res, 404, `Cannot ${call.method} ${call.path}`, headers);
    })().catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'Internal Server Error', message: String(err) });
    });
  });

  const handle = await listen(server);
  baseUrl = handle.url;
  return {
    url: handle.url,
    tokenUrl: `${handle.url}/oauth2/token`,
    clientId,
    clientSecret,
    creatorUserUuid,
    calls,
    behaviour,
    set(patch) {
      Object.assign(behaviour, patch);
      if (patch.mode !== undefined) {
        rateLimitUsed = false;
        refreshedSinceMode = false;
      }
    },
    posts,
    trackingLinks,
    messages,
    earnings,
    media,
    chats,
    creatorUuid: creator.uuid,
    fanWrites(fan, text, o = {}) {
      const chat = openChat({ handle: `fan-${fan.uuid.slice(0, 6)}`, displayName: 'Fan', ...chats.get(fan.uuid)?.user, ...fan });
      const message: FakeFanvueChatMessage = { uuid: randomUUID(), text, sentAt: (o.sentAt ?? new Date()).toISOString(), senderUuid: fan.uuid, type: o.type ?? 'SINGLE_RECIPIENT', mediaUuids: [], price: null, isRead: false };
      chat.messages.push(message);
      chat.messages.sort((a, b) => a.sentAt.localeCompare(b.sentAt));
      return message;
    },
    get accessToken() {
      return accessToken;
    },
    get refreshToken() {
      return refreshToken;
    },
    callsTo(path, method) {
      return calls.filter((c) => (typeof path === 'string' ? c.path === path : path.test(c.path)) && (method === undefined || c.method === method));
    },
    close: handle.close,
  };
}
