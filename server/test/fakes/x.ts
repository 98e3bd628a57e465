/**
 * A fake X API v2 for the X connector: OAuth 2.0 consent page (`GET /i/oauth2/authorize`, approves at
 * once) and token endpoint (authorization code checked against the PKCE S256 challenge; refresh with rotating refresh
 * tokens, Basic auth for confidential clients), `GET /2/users/me`, `GET /2/users/:id/tweets`, media
 * upload (one-shot `POST /2/media/upload`; chunked `initialize → append → finalize`, `GET
 * /2/media/upload?command=STATUS` pending → in_progress → succeeded after N polls with
 * `check_after_secs`), `POST /2/media/metadata`, `POST /2/tweets`, `DELETE /2/tweets/:id`.
 *
 * It checks what a real server would (bearer token, media ids that exist, belong to the user and are
 * processed, segments that add up to `total_bytes`) and what our policy demands (`made_with_ai: true` on
 * every post). Errors use X's problem bodies (`{title, detail, type, status}`); the token endpoint answers
 * OAuth errors (`{error, error_description}`). Everything is in memory; `posts` is what was created.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { delay, listen, readBody, sendJson, type MultipartPart, type RecordedCall } from './util.ts';

export type XRoute = 'authorize' | 'token' | 'me' | 'timeline' | 'upload' | 'status' | 'metadata' | 'tweet' | 'delete' | 'lookup' | 'mentions' | 'any';

export interface XBehaviour {
  /** Answer 429 on `route` this many times (then normally), with reset `resetInSeconds` from now and optional Retry-After. */
  rateLimit: { route: XRoute; times: number; resetInSeconds: number; retryAfterSeconds?: number } | null;
  /** Answer `status` (5xx) on `route` this many times. */
  serverError: { route: XRoute; times: number; status: number } | null;
  /** 402 on POST /2/tweets (pay-per-use credit exhausted). */
  outOfCredit: boolean;
  /** The post IS created, the answer comes this much later (a hung create). */
  delayCreateMs: number;
  /** The post IS created, then the connection is cut without an answer. */
  resetAfterCreate: boolean;
  /** 403 "duplicate content" when the same user posts the same text again. */
  duplicateDetection: boolean;
  /** STATUS polls before processing succeeds (video/GIF). */
  processingPolls: number;
  /** `check_after_secs` in processing_info. */
  checkAfterSecs: number;
  /** Processing ends `failed`. */
  processingFails: boolean;
  /** The refresh token is revoked: the token endpoint answers this OAuth error. */
  revoked: boolean;
  revokedError: 'invalid_request' | 'invalid_grant';
  /** A refresh answer without `refresh_token` (the client must keep its old one). */
  omitRefreshToken: boolean;
  /** Token lifetime given on refresh. */
  expiresIn: number;
}

const DEFAULT_BEHAVIOUR: XBehaviour = {
  rateLimit: null,
  serverError: null,
  outOfCredit: false,
  delayCreateMs: 0,
  resetAfterCreate: false,
  duplicateDetection: true,
  processingPolls: 2,
  checkAfterSecs: 1,
  processingFails: false,
  revoked: false,
  revokedError: 'invalid_request',
  omitRefreshToken: false,
  expiresIn: 7200,
};

export interface FakeXUser {
  id: string;
  username: string;
  name: string;
  description: string;
}

export interface FakeXMedia {
  id: string;
  media_key: string;
  media_type: string;
  media_category: string;
  total_bytes: number;
  flow: 'one-shot' | 'chunked';
  segments: Map<number, Buffer>;
  bytes?: Buffer;
  state: 'uploading' | 'pending' | 'in_progress' | 'succeeded' | 'failed';
  polls: number;
  /** Metadata set through POST /2/media/metadata (merged). */
  metadata: Record<string, unknown>;
  ownerId: string;
}

export interface FakeXPost {
  id: string;
  text: string;
  author_id: string;
  created_at: string;
  media_ids: string[];
  made_with_ai: boolean;
  /** Media of this post marked with sensitive_media_warning.adult_content. */
  sensitive: boolean[];
  alt: (string | undefined)[];
  body: Record<string, unknown>;
}

export interface FakeX {
  url: string;
  calls: RecordedCall[];
  behaviour: XBehaviour;
  set(patch: Partial<XBehaviour>): void;
  /** Live tokens: the access token the API accepts and the refresh token the token endpoint accepts. */
  tokens: { access: string; refresh: string; clientId: string; clientSecret: string | null };
  /** Makes the current access token expired (401) — a refresh gives a working one. */
  expireAccessToken(): void;
  user: FakeXUser;
  media: Map<string, FakeXMedia>;
  /** Posts that exist (created and not deleted). */
  posts: FakeXPost[];
  deleted: FakeXPost[];
  callsTo(path: string | RegExp, method?: string): RecordedCall[];
  /** Tweets of other users naming the account, newest last (`GET /2/users/:id/mentions` serves them). */
  mentions: FakeXMention[];
  /** Another user mentions the account or replies to one of its tweets (`inReplyTo`); ids follow the clock like X's. */
  addMention(m: { text: string; username: string; authorId?: string; inReplyTo?: string; quoted?: string; at?: Date }): FakeXMention;
  /** Our replies: created tweets that carry `reply.in_reply_to_tweet_id`. */
  replies(): FakeXPost[];
  /** Figures `GET /2/tweets?ids=` and `users/me?user.fields=public_metrics` report (tests set them; unknown posts report zeros). */
  figures: { followers: number; posts: Map<string, Record<string, number>> };
  close(): Promise<void>;
}

export interface FakeXMention {
  id: string;
  text: string;
  author_id: string;
  username: string;
  created_at: string;
  conversation_id: string;
  in_reply_to_user_id?: string;
  referenced_tweets?: { type: 'replied_to' | 'quoted'; id: string }[];
}

/** A clock-based snowflake (ms since the Twitter epoch << 22), as X's ids are. */
let sequence = 0;
function clockSnowflake(at: Date): string {
  sequence = (sequence + 1) % 4096;
  return (((BigInt(at.getTime()) - 1288834974657n) << 22n) | BigInt(sequence)).toString();
}

export interface FakeXOptions {
  behaviour?: Partial<XBehaviour>;
  accessToken?: string;
  refreshToken?: string;
  clientId?: string;
  /** Set: a confidential client (token endpoint requires Basic client_id:secret). */
  clientSecret?: string | null;
  user?: Partial<FakeXUser>;
}

let idCounter = 1_800_000_000_000_000_000n;
function snowflake(): string {
  idCounter += BigInt(1 + Math.floor(Math.random() * 1000));
  return idCounter.toString();
}

function problem(res: http.ServerResponse, status: number, title: string, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  sendJson(res, status, { title, detail, type: extra.type ?? 'about:blank', status, ...extra }, { 'Content-Type': 'application/problem+json', ...headers });
}

/** Multipart parsing that keeps every part as bytes (the SDK's parts carry no filename). */
function parseParts(body: Buffer, contentType: string): Map<string, MultipartPart> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const parts = new Map<string, MultipartPart>();
  if (!boundary) return parts;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    const part = body.subarray(partStart + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headerText = part.subarray(0, headerEnd).toString('utf8');
    const name = /\bname="([^"]*)"/i.exec(headerText)?.[1] ?? '';
    const filename = /\bfilename="([^"]*)"/i.exec(headerText)?.[1];
    const type = /content-type:\s*([^\r\n]*)/i.exec(headerText)?.[1]?.trim();
    parts.set(name, { name, ...(filename !== undefined ? { filename } : {}), ...(type ? { contentType: type } : {}), data: Buffer.from(part.subarray(headerEnd + 4)) });
    start = next;
  }
  return parts;
}

function routeOf(method: string, path: string): XRoute | null {
  if (path === '/i/oauth2/authorize') return 'authorize';
  if (path === '/2/oauth2/token') return 'token';
  if (path === '/2/users/me') return 'me';
  if (/^\/2\/users\/[^/]+\/tweets$/.test(path)) return 'timeline';
  if (path === '/2/media/upload' && method === 'GET') return 'status';
  if (path.startsWith('/2/media/upload')) return 'upload';
  if (path === '/2/media/metadata') return 'metadata';
  if (path === '/2/tweets' && method === 'POST') return 'tweet';
  if (path === '/2/tweets' && method === 'GET') return 'lookup';
  if (/^\/2\/users\/[^/]+\/mentions$/.test(path) && method === 'GET') return 'mentions';
  if (/^\/2\/tweets\/[^/]+$/.test(path) && method === 'DELETE') return 'delete';
  return null;
}

export async function startFakeX(options: FakeXOptions = {}): Promise<FakeX> {
  const behaviour: XBehaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  const calls: RecordedCall[] = [];
  const media = new Map<string, FakeXMedia>();
  const posts: FakeXPost[] = [];
  const deleted: FakeXPost[] = [];
  const mentions: FakeXMention[] = [];
  const authorIds = new Map<string, string>();
  const tweetExists = (id: string) => posts.some((p) => p.id === id) || mentions.some((m) => m.id === id);
  const tokens = {
    access: options.accessToken ?? 'x-access-1',
    refresh: options.refreshToken ?? 'x-refresh-1',
    clientId: options.clientId ?? 'x-client-id',
    clientSecret: options.clientSecret === undefined ? null : options.clientSecret,
  };
  const user: FakeXUser = { id: '1790000000000000001', username: 'atelier_persona', name: 'Atelier Persona', description: 'AI-generated fictional persona · automated account run by @atelier_studio', ...options.user };
  let rateLimited = 0;
  let failed = 0;
  let generation = 1;
  /** Authorization codes the consent page handed out (single use), with what the token call must match. */
  const codes = new Map<string, { challenge: string; redirectUri: string; scope: string }>();
  const figures: FakeX['figures'] = { followers: 0, posts: new Map() };

  const matches = (route: XRoute, actual: XRoute) => route === 'any' || route === actual;

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const raw = await readBody(req);
      const type = req.headers['content-type'] ?? '';
      let body: unknown = raw.length > 0 ? raw : undefined;
      let parts = new Map<string, MultipartPart>();
      if (raw.length > 0 && type.includes('application/json')) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          body = raw.toString('utf8');
        }
      } else if (raw.length > 0 && type.includes('application/x-www-form-urlencoded')) {
        body = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
      } else if (raw.length > 0 && type.includes('multipart/form-data')) {
        parts = parseParts(raw, type);
        const fields: Record<string, string> = {};
        const files: MultipartPart[] = [];
        for (const part of parts.values()) {
          if (part.filename !== undefined || part.contentType === 'application/octet-stream') files.push(part);
          else fields[part.name] = part.data.toString('utf8');
        }
        body = { fields, files };
      }
      const call: RecordedCall = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body, at: Date.now() };
      calls.push(call);
      const method = call.method;
      const route = routeOf(method, call.path);
      if (!route) return problem(res, 404, 'Not Found Error', `No route for ${method} ${call.path}`);

      // ---- OAuth 2.0 consent page (x.com/i/oauth2/authorize): the user says yes at once
      if (route === 'authorize') {
        const q = call.query;
        if (q.response_type !== 'code' || q.client_id !== tokens.clientId || !q.redirect_uri || !q.state || !q.code_challenge || q.code_challenge_method !== 'S256') {
          return problem(res, 400, 'Invalid Request', 'Something went wrong. You weren’t able to give access to the App.');
        }
        const code = `x-code-${randomBytes(12).toString('hex')}`;
        codes.set(code, { challenge: q.code_challenge, redirectUri: q.redirect_uri, scope: q.scope ?? '' });
        const back = new URL(q.redirect_uri);
        back.searchParams.set('state', q.state);
        back.searchParams.set('code', code);
        res.writeHead(302, { location: back.toString() });
        res.end();
        return;
      }

      if (behaviour.rateLimit && rateLimited < behaviour.rateLimit.times && matches(behaviour.rateLimit.route, route)) {
        rateLimited++;
        const reset = Math.floor(Date.now() / 1000) + behaviour.rateLimit.resetInSeconds;
        const headers: Record<string, string> = { 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) };
        if (behaviour.rateLimit.retryAfterSeconds !== undefined) headers['retry-after'] = String(behaviour.rateLimit.retryAfterSeconds);
        return problem(res, 429, 'Too Many Requests', 'Too Many Requests', {}, headers);
      }
      if (behaviour.serverError && failed < behaviour.serverError.times && matches(behaviour.serverError.route, route)) {
        failed++;
        return problem(res, behaviour.serverError.status, 'Service Unavailable', 'Service is temporarily unavailable.');
      }

      // ---- OAuth 2.0 token endpoint
      if (route === 'token') {
        const form = (body ?? {}) as Record<string, string>;
        if (!type.includes('application/x-www-form-urlencoded')) return sendJson(res, 400, { error: 'invalid_request', error_description: 'Missing required parameter [grant_type].' });
        if (tokens.clientSecret !== null) {
          const expected = `Basic ${Buffer.from(`${tokens.clientId}:${tokens.clientSecret}`).toString('base64')}`;
          if (req.headers.authorization !== expected) return sendJson(res, 401, { error: 'unauthorized_client', error_description: 'Missing valid authorization header' });
        } else if (form.client_id !== tokens.clientId) {
          return sendJson(res, 400, { error: 'invalid_request', error_description: 'Missing required parameter [client_id].' });
        }
        if (form.grant_type === 'authorization_code') {
          const grant = codes.get(form.code ?? '');
          codes.delete(form.code ?? '');
          const challenge = createHash('sha256').update(form.code_verifier ?? '').digest('base64url');
          if (!grant || grant.redirectUri !== form.redirect_uri || grant.challenge !== challenge) {
            return sendJson(res, 400, { error: 'invalid_request', error_description: 'Value passed for the authorization code was invalid.' });
          }
          generation++;
          tokens.access = `x-access-${generation}-${randomBytes(4).toString('hex')}`;
          const answer: Record<string, unknown> = { token_type: 'bearer', expires_in: behaviour.expiresIn, access_token: tokens.access, scope: grant.scope };
          if (!behaviour.omitRefreshToken) {
            tokens.refresh = `x-refresh-${generation}-${randomBytes(4).toString('hex')}`;
            answer.refresh_token = tokens.refresh;
          }
          return sendJson(res, 200, answer);
        }
        if (form.grant_type !== 'refresh_token') return sendJson(res, 400, { error: 'unsupported_grant_type', error_description: 'grant_type not supported' });
        if (behaviour.revoked || form.refresh_token !== tokens.refresh) {
          return sendJson(res, 400, { error: behaviour.revokedError, error_description: 'Value passed for the token was invalid.' });
        }
        generation++;
        tokens.access = `x-access-${generation}-${randomBytes(4).toString('hex')}`;
        tokens.refresh = `x-refresh-${generation}-${randomBytes(4).toString('hex')}`;
        const answer: Record<string, unknown> = { token_type: 'bearer', expires_in: behaviour.expiresIn, access_token: tokens.access, scope: 'tweet.write users.read tweet.read offline.access media.write' };
        // A refresh answer without a new refresh token: the old one stays valid.
        if (behaviour.omitRefreshToken) tokens.refresh = form.refresh_token;
        else answer.refresh_token = tokens.refresh;
        return sendJson(res, 200, answer);
      }

      // ---- everything else needs the user's bearer token
      if (req.headers.authorization !== `Bearer ${tokens.access}`) return problem(res, 401, 'Unauthorized', 'Unauthorized');

      if (route === 'me') {
        const fields = (call.query['user.fields'] ?? '').split(',').filter(Boolean);
        const data: Record<string, unknown> = { id: user.id, name: user.name, username: user.username };
        if (fields.includes('description')) data.description = user.description;
        if (fields.includes('protected')) data.protected = false;
        if (fields.includes('verified_type')) data.verified_type = 'none';
        if (fields.includes('public_metrics')) data.public_metrics = { followers_count: figures.followers, following_count: 0, tweet_count: posts.length, listed_count: 0 };
        return sendJson(res, 200, { data });
      }

      if (route === 'timeline') {
        const id = call.path.split('/')[3];
        if (id !== user.id) return sendJson(res, 200, { meta: { result_count: 0 } });
        const start = call.query.start_time ? Date.parse(call.query.start_time) : 0;
        if (call.query.start_time && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/.test(call.query.start_time)) {
          return problem(res, 400, 'Invalid Request', 'One or more parameters to your request was invalid.', { errors: [{ parameters: { start_time: [call.query.start_time] }, message: 'Invalid start_time' }] });
        }
        const max = Math.min(Number(call.query.max_results ?? 10), 100);
        const offset = Number(call.query.pagination_token ?? 0);
        const mine = posts.filter((p) => p.author_id === user.id && Date.parse(p.created_at) >= start).reverse();
        const page = mine.slice(offset, offset + max);
        const render = (p: FakeXPost) => {
          // Like X: HTML-escaped text, plus a t.co link to the media.
          let text = p.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\bhttps?:\/\/\S+/g, 'https://t.co/AbCdEf1234');
          if (p.media_ids.length > 0) text += ' https://t.co/MeDiA98765';
          return { id: p.id, text, created_at: p.created_at, edit_history_tweet_ids: [p.id] };
        };
        const meta: Record<string, unknown> = { result_count: page.length };
        if (page.length > 0) {
          meta.newest_id = page[0]!.id;
          meta.oldest_id = page[page.length - 1]!.id;
        }
        if (offset + max < mine.length) meta.next_token = String(offset + max);
        return sendJson(res, 200, page.length > 0 ? { data: page.map(render), meta } : { meta });
      }

      if (route === 'status') {
        if (call.query.command !== 'STATUS') return problem(res, 400, 'Invalid Request', 'command must be STATUS');
        const m = media.get(call.query.media_id ?? '');
        if (!m || m.ownerId !== user.id) return problem(res, 400, 'Invalid Request', 'Invalid media_id');
        if (m.state === 'pending' || m.state === 'in_progress') {
          m.polls++;
          if (m.polls >= behaviour.processingPolls) m.state = behaviour.processingFails ? 'failed' : 'succeeded';
          else m.state = 'in_progress';
        }
        return sendJson(res, 200, { data: { id: m.id, media_key: m.media_key, expires_after_secs: 86_000, processing_info: processingInfo(m) } });
      }

      if (route === 'upload') {
        // one-shot
        if (call.path === '/2/media/upload' && method === 'POST') {
          const file = parts.get('media');
          const category = parts.get('media_category')?.data.toString('utf8');
          if (!file || file.data.length === 0) return problem(res, 400, 'Invalid Request', 'media is required');
          if (!category) return problem(res, 400, 'Invalid Request', 'media_category is required');
          if (category !== 'tweet_image' && category !== 'dm_image' && category !== 'subtitles') return problem(res, 400, 'Invalid Request', `media_category ${category} needs the chunked upload`);
          const m = newMedia(parts.get('media_type')?.data.toString('utf8') ?? 'image/png', category, file.data.length, 'one-shot');
          m.bytes = file.data;
          m.state = 'succeeded';
          return sendJson(res, 200, { data: { id: m.id, media_key: m.media_key, size: m.total_bytes, expires_after_secs: 86_400, image: { image_type: m.media_type, w: 64, h: 64 } } });
        }
        if (call.path === '/2/media/upload/initialize' && method === 'POST') {
          const b = (body ?? {}) as Record<string, unknown>;
          if (typeof b.media_type !== 'string' || typeof b.total_bytes !== 'number' || b.total_bytes <= 0) return problem(res, 400, 'Invalid Request', 'media_type and total_bytes are required');
          const category = typeof b.media_category === 'string' ? b.media_category : b.media_type.startsWith('video/') ? 'tweet_video' : 'tweet_image';
          const m = newMedia(b.media_type, category, b.total_bytes, 'chunked');
          return sendJson(res, 200, { data: { id: m.id, media_key: m.media_key, expires_after_secs: 86_400 } });
        }
        const step = /^\/2\/media\/upload\/([^/]+)\/(append|finalize)$/.exec(call.path);
        const m = step ? media.get(step[1]!) : undefined;
        if (!step || !m || m.ownerId !== user.id || m.flow !== 'chunked') return problem(res, 400, 'Invalid Request', 'Invalid media id');
        if (step[2] === 'append') {
          if (m.state !== 'uploading') return problem(res, 400, 'Invalid Request', 'Upload already finalized');
          const file = parts.get('media');
          const index = Number(parts.get('segment_index')?.data.toString('utf8'));
          if (!file || !Number.isInteger(index) || index < 0 || index > 999) return problem(res, 400, 'Invalid Request', 'media and segment_index are required');
          m.segments.set(index, file.data);
          return sendJson(res, 200, { data: { expires_at: Math.floor(Date.now() / 1000) + 86_400 } });
        }
        if (m.state !== 'uploading') return problem(res, 400, 'Invalid Request', 'Upload already finalized');
        const indexes = [...m.segments.keys()].sort((a, b) => a - b);
        if (indexes.some((v, i) => v !== i)) return problem(res, 400, 'Invalid Request', 'Segments are missing');
        const bytes = Buffer.concat(indexes.map((i) => m.segments.get(i)!));
        if (bytes.length !== m.total_bytes) return problem(res, 400, 'Invalid Request', `File size mismatch: got ${bytes.length}, expected ${m.total_bytes}`);
        m.bytes = bytes;
        const needsProcessing = m.media_category === 'tweet_video' || m.media_category === 'tweet_gif';
        m.state = needsProcessing ? 'pending' : 'succeeded';
        return sendJson(res, 200, { data: { id: m.id, media_key: m.media_key, size: m.total_bytes, expires_after_secs: 86_400, ...(needsProcessing ? { processing_info: processingInfo(m) } : {}) } });
      }

      if (route === 'metadata') {
        const b = (body ?? {}) as { id?: unknown; metadata?: Record<string, unknown> };
        const m = typeof b.id === 'string' ? media.get(b.id) : undefined;
        if (!m || m.ownerId !== user.id) return problem(res, 400, 'Invalid Request', 'Invalid media id');
        if (typeof b.metadata !== 'object' || b.metadata === null) return problem(res, 400, 'Invalid Request', 'metadata is required');
        const warning = b.metadata.sensitive_media_warning;
        if (warning !== undefined && (typeof warning !== 'object' || warning === null || Array.isArray(warning) || Object.values(warning).some((v) => typeof v !== 'boolean'))) {
          return problem(res, 400, 'Invalid Request', 'sensitive_media_warning must be an object of booleans (adult_content, graphic_violence, other)');
        }
        Object.assign(m.metadata, b.metadata);
        return sendJson(res, 200, { data: { id: m.id, associated_metadata: m.metadata } });
      }

      if (route === 'tweet') {
        const b = (body ?? {}) as Record<string, unknown>;
        const text = typeof b.text === 'string' ? b.text : '';
        const mediaIds = (b.media as { media_ids?: unknown } | undefined)?.media_ids;
        if (b.made_with_ai !== true) return problem(res, 400, 'Invalid Request', 'fake X: every Atelier post must carry made_with_ai: true');
        if (behaviour.outOfCredit) return problem(res, 402, 'CreditsDepleted', 'Your enrolled account does not have any credits to fulfill this request.', { type: 'https://api.twitter.com/2/problems/credits' });
        if ([...text].length > 280) return problem(res, 400, 'Invalid Request', 'Your Tweet text is too long.');
        if (!text && mediaIds === undefined) return problem(res, 400, 'Invalid Request', 'text or media is required');
        const ids: string[] = [];
        if (mediaIds !== undefined) {
          if (!Array.isArray(mediaIds) || mediaIds.length < 1 || mediaIds.length > 4 || mediaIds.some((id) => typeof id !== 'string')) return problem(res, 400, 'Invalid Request', 'media.media_ids must hold 1 to 4 ids');
          for (const id of mediaIds as string[]) {
            const m = media.get(id);
            if (!m || m.ownerId !== user.id) return problem(res, 400, 'Invalid Request', 'Your media IDs are invalid.');
            if (m.state !== 'succeeded') return problem(res, 400, 'Invalid Request', 'Your media IDs are invalid. (media not processed)');
            ids.push(id);
          }
        }
        if (b.reply !== undefined) {
          const parent = (b.reply as { in_reply_to_tweet_id?: unknown } | null)?.in_reply_to_tweet_id;
          if (typeof parent !== 'string' || !tweetExists(parent)) return problem(res, 400, 'Invalid Request', 'The Tweet you are replying to does not exist or is not visible.');
        }
        if (behaviour.duplicateDetection && posts.some((p) => p.author_id === user.id && p.text === text)) {
          return problem(res, 403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.');
        }
        const post: FakeXPost = {
          id: snowflake(),
          text,
          author_id: user.id,
          created_at: new Date().toISOString(),
          media_ids: ids,
          made_with_ai: true,
          sensitive: ids.map((id) => (media.get(id)!.metadata.sensitive_media_warning as { adult_content?: boolean } | undefined)?.adult_content === true),
          alt: ids.map((id) => (media.get(id)!.metadata.alt_text as { text?: string } | undefined)?.text),
          body: b,
        };
        posts.push(post);
        if (behaviour.resetAfterCreate) {
          req.socket.destroy();
          return;
        }
        if (behaviour.delayCreateMs > 0) await delay(behaviour.delayCreateMs);
        if (res.destroyed || req.socket.destroyed) return;
        return sendJson(res, 201, { data: { id: post.id, text: post.text, edit_history_tweet_ids: [post.id] } });
      }

      if (route === 'lookup') {
        const ids = (call.query.ids ?? '').split(',').filter(Boolean);
        if (ids.length < 1 || ids.length > 100) return problem(res, 400, 'Invalid Request', 'The `ids` query parameter value must hold 1 to 100 ids.');
        const found = ids.map((id) => posts.find((p) => p.id === id)).filter((p) => p !== undefined);
        const withMetrics = (call.query['tweet.fields'] ?? '').split(',').includes('public_metrics');
        const data = found.map((p) => ({
          id: p.id,
          text: p.text,
          edit_history_tweet_ids: [p.id],
          ...(withMetrics ? { public_metrics: { retweet_count: 0, reply_count: 0, like_count: 0, quote_count: 0, bookmark_count: 0, impression_count: 0, ...figures.posts.get(p.id) } } : {}),
        }));
        const errors = ids.filter((id) => !found.some((p) => p.id === id)).map((id) => ({ value: id, detail: `Could not find tweet with ids: [${id}].`, title: 'Not Found Error', resource_type: 'tweet', parameter: 'ids', resource_id: id, type: 'https://api.twitter.com/2/problems/resource-not-found' }));
        return sendJson(res, 200, { ...(data.length ? { data } : {}), ...(errors.length ? { errors } : {}) });
      }

      if (route === 'mentions') {
        if (call.path.split('/')[3] !== user.id) return problem(res, 403, 'Forbidden', 'You can only read the mentions of the authenticated user.');
        const max = Number(call.query.max_results ?? 10);
        if (!Number.isInteger(max) || max < 5 || max > 100) return problem(res, 400, 'Invalid Request', 'The `max_results` query parameter value must be between 5 and 100');
        if (call.query.since_id !== undefined && !/^\d{1,19}$/.test(call.query.since_id)) return problem(res, 400, 'Invalid Request', 'The `since_id` query parameter value is not valid');
        const since = call.query.since_id ? BigInt(call.query.since_id) : -1n;
        const fields = (call.query['tweet.fields'] ?? '').split(',');
        const newest = mentions.filter((m) => BigInt(m.id) > since).reverse();
        const offset = Number(call.query.pagination_token ?? 0);
        const page = newest.slice(offset, offset + max);
        const render = (m: FakeXMention) => {
          const t: Record<string, unknown> = { id: m.id, text: m.text, edit_history_tweet_ids: [m.id] };
          for (const f of ['author_id', 'created_at', 'conversation_id', 'in_reply_to_user_id', 'referenced_tweets'] as const) if (fields.includes(f) && m[f] !== undefined) t[f] = m[f];
          return t;
        };
        const meta: Record<string, unknown> = { result_count: page.length };
        if (page.length > 0) Object.assign(meta, { newest_id: page[0]!.id, oldest_id: page.at(-1)!.id });
        if (offset + max < newest.length) meta.next_token = String(offset + max);
        const answer: Record<string, unknown> = { meta };
        if (page.length > 0) answer.data = page.map(render);
        if (page.length > 0 && (call.query.expansions ?? '').split(',').includes('author_id')) {
          answer.includes = { users: [...new Map(page.map((m) => [m.author_id, { id: m.author_id, name: m.username, username: m.username }])).values()] };
        }
        return sendJson(res, 200, answer);
      }

      if (route === 'delete') {
        const id = call.path.split('/')[3]!;
        const index = posts.findIndex((p) => p.id === id);
        if (index === -1) return problem(res, 404, 'Not Found Error', 'Could not find tweet with id: [' + id + '].', { type: 'https://api.twitter.com/2/problems/resource-not-found' });
        if (posts[index]!.author_id !== user.id) return problem(res, 403, 'Forbidden', 'You are not allowed to delete this Tweet.');
        deleted.push(...posts.splice(index, 1));
        return sendJson(res, 200, { data: { deleted: true } });
      }
      return problem(res, 404, 'Not Found Error', 'Unknown route');
    })().catch((e: unknown) => {
      if (!res.headersSent) problem(res, 500, 'Internal Server Error', e instanceof Error ? e.message : String(e));
    });
  });

  function newMedia(mediaType: string, category: string, totalBytes: number, flow: FakeXMedia['flow']): FakeXMedia {
    const id = snowflake();
    const m: FakeXMedia = { id, media_key: `${category === 'tweet_video' ? 7 : 3}_${id}`, media_type: mediaType, media_category: category, total_bytes: totalBytes, flow, segments: new Map(), state: 'uploading', polls: 0, metadata: {}, ownerId: user.id };
    media.set(id, m);
    return m;
  }

  function processingInfo(m: FakeXMedia): Record<string, unknown> {
    if (m.state === 'succeeded') return { state: 'succeeded', progress_percent: 100 };
    if (m.state === 'failed') return { state: 'failed', progress_percent: 40, error: { code: 1, name: 'InvalidMedia', message: 'Unsupported video format' } };
    return { state: m.state, check_after_secs: behaviour.checkAfterSecs, progress_percent: Math.min(95, Math.round((m.polls / Math.max(1, behaviour.processingPolls)) * 100)) };
  }

  const { url, close } = await listen(server);
  return {
    url,
    calls,
    behaviour,
    set(patch) {
      Object.assign(behaviour, patch);
      if (patch.rateLimit !== undefined) rateLimited = 0;
      if (patch.serverError !== undefined) failed = 0;
    },
    tokens,
    expireAccessToken() {
      tokens.access = `x-access-expired-${randomBytes(4).toString('hex')}`;
    },
    user,
    media,
    posts,
    deleted,
    mentions,
    addMention(m) {
      const at = m.at ?? new Date();
      const parent = m.inReplyTo ? (posts.find((p) => p.id === m.inReplyTo) ?? mentions.find((x) => x.id === m.inReplyTo)) : undefined;
      const mention: FakeXMention = {
        id: clockSnowflake(at),
        text: m.text,
        author_id: m.authorId ?? authorIds.get(m.username) ?? authorIds.set(m.username, String(1_700_000_000_000_000_000n + BigInt(authorIds.size + 1))).get(m.username)!,
        username: m.username,
        created_at: at.toISOString(),
        conversation_id: '',
      };
      mention.conversation_id = parent ? ('conversation_id' in parent ? parent.conversation_id : parent.id) : mention.id;
      if (parent) {
        mention.in_reply_to_user_id = 'conversation_id' in parent ? parent.author_id : user.id;
        mention.referenced_tweets = [{ type: 'replied_to', id: parent.id }];
      } else if (m.quoted) mention.referenced_tweets = [{ type: 'quoted', id: m.quoted }];
      mentions.push(mention);
      return mention;
    },
    replies() {
      return posts.filter((p) => p.body.reply !== undefined);
    },
    figures,
    callsTo(path, method) {
      return calls.filter((c) => (typeof path === 'string' ? c.path === path : path.test(c.path)) && (method === undefined || c.method === method));
    },
    close,
  };
}
