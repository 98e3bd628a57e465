/**
 * A fake Bluesky PDS (XRPC over HTTP) for the Bluesky connector: `com.atproto.server.createSession` /
 * `refreshSession` / `getSession` (HS256 JWTs it signs itself: access and refresh tokens, rotated on
 * refresh), `com.atproto.repo.uploadBlob` (raw body → blob ref with a real CIDv1), `createRecord`,
 * `getRecord`, `deleteRecord` for `app.bsky.feed.post`.
 *
 * It checks what a PDS would: the bearer JWT (issued by it, right scope, not expired/revoked), the repo
 * is the caller's, the record key is a TID (the post lexicon's key type) and not taken, the record's
 * shape (text ≤ 300 graphemes, datetime, langs, facets, ≤ 4 images with alt text whose blob refs resolve
 * to blobs this account uploaded, self-labels with known values). Errors are XRPC `{error, message}`.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import { delay, listen, readBody, sendJson, type RecordedCall } from './util.ts';

export type BlueskyRoute = 'createSession' | 'refreshSession' | 'getSession' | 'uploadBlob' | 'createRecord' | 'getRecord' | 'deleteRecord' | 'any';

export interface BlueskyBehaviour {
  /** 429 `times` times on `route`, with `ratelimit-reset` `resetInSeconds` from now. */
  rateLimit: { route: BlueskyRoute; times: number; resetInSeconds: number } | null;
  /** `status` (5xx) `times` times on `route`. */
  serverError: { route: BlueskyRoute; times: number; status: number } | null;
  /** The record IS written, the answer comes this much later. */
  delayCreateMs: number;
  /** How a taken record key is refused (PDS versions differ). */
  duplicate: 'invalid_request' | 'internal_error';
  /** The app password no longer works (revoked in settings). */
  appPasswordRevoked: boolean;
  /** HTTP status of an expired access token (400 ExpiredToken historically; 401 also seen). */
  expiredStatus: 400 | 401;
  /** Access token lifetime in seconds. */
  accessTtlSeconds: number;
  /** getRecord answers RecordNotFound this many times even when the record exists (a lagging read). */
  getRecordMisses: number;
}

const DEFAULT_BEHAVIOUR: BlueskyBehaviour = {
  rateLimit: null,
  serverError: null,
  delayCreateMs: 0,
  duplicate: 'invalid_request',
  appPasswordRevoked: false,
  expiredStatus: 400,
  accessTtlSeconds: 7200,
  getRecordMisses: 0,
};

export interface FakeBlueskyPost {
  uri: string;
  cid: string;
  rkey: string;
  value: Record<string, unknown>;
  indexedAt: string;
  /** Set on posts of other accounts (seeded by tests); absent on the account's own. */
  author?: { did: string; handle: string };
}

export interface FakeBlueskyBlob {
  cid: string;
  mimeType: string;
  size: number;
  bytes: Buffer;
  did: string;
}

export interface FakeBluesky {
  url: string;
  calls: RecordedCall[];
  behaviour: BlueskyBehaviour;
  set(patch: Partial<BlueskyBehaviour>): void;
  account: { did: string; handle: string; email: string; password: string };
  /** Sessions issued so far (latest last). */
  sessions: { accessJwt: string; refreshJwt: string }[];
  /** Makes every issued access token expired (refresh tokens still work). */
  expireAccessTokens(): void;
  /** Revokes every refresh token (a new login is needed). */
  revokeRefreshTokens(): void;
  blobs: Map<string, FakeBlueskyBlob>;
  /** Records that exist (created and not deleted). */
  posts: FakeBlueskyPost[];
  deleted: FakeBlueskyPost[];
  callsTo(nsid: string, method?: string): RecordedCall[];
  /** Posts of other accounts (replies to, mentions and quotes of the account), oldest first. */
  others: FakeBlueskyPost[];
  /**
   * Another account replies to `replyTo` (a post uri, ours or theirs), mentions or quotes the account:
   * the post exists and the account gets the matching notification (`reason`).
   */
  addInteraction(i: { handle: string; text: string; reason: 'reply' | 'mention' | 'quote'; replyTo?: string; quote?: string; at?: Date }): FakeBlueskyPost;
  /** Our posts that are replies (`record.reply` set). */
  replies(): FakeBlueskyPost[];
  /** Counts `app.bsky.feed.getPosts` / `app.bsky.actor.getProfile` report (tests set them; by post URI). */
  figures: { followers: number; posts: Map<string, { likeCount?: number; replyCount?: number; repostCount?: number; quoteCount?: number }> };
  close(): Promise<void>;
}

export interface FakeBlueskyOptions {
  behaviour?: Partial<BlueskyBehaviour>;
  handle?: string;
  password?: string;
}

// ---------------------------------------------------------------------------------------------------
// CIDs, TIDs, JWTs

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

/** CIDv1, sha2-256, base32 multibase: codec 0x55 raw (blobs) or 0x71 dag-cbor (records; we hash JSON). */
export function fakeCid(bytes: Buffer, codec: 0x55 | 0x71): string {
  const digest = createHash('sha256').update(bytes).digest();
  return `b${base32(Buffer.concat([Buffer.from([0x01, codec, 0x12, 0x20]), digest]))}`;
}

const TID_RE = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;
const DATETIME_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const SELF_LABELS = new Set(['!no-unauthenticated', 'porn', 'sexual', 'nudity', 'graphic-media', 'gore']);

function graphemes(text: string): number {
  let n = 0;
  for (const _ of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) n++;
  return n;
}

function b64url(value: Buffer | string): string {
  return Buffer.from(value).toString('base64url');
}

function xrpcError(res: http.ServerResponse, status: number, error: string, message: string, headers: Record<string, string> = {}) {
  sendJson(res, status, { error, message }, headers);
}

export async function startFakeBluesky(options: FakeBlueskyOptions = {}): Promise<FakeBluesky> {
  const behaviour: BlueskyBehaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  const calls: RecordedCall[] = [];
  const secret = randomBytes(32);
  const account = {
    did: `did:plc:${base32(randomBytes(15)).slice(0, 24)}`,
    handle: options.handle ?? 'atelier-persona.bsky.social',
    email: 'persona@atelier.example',
    password: options.password ?? 'abcd-efgh-ijkl-mnop',
  };
  const sessions: { accessJwt: string; refreshJwt: string }[] = [];
  const revokedRefresh = new Set<string>();
  let issued = 0;
  let minGeneration = 0; // access tokens of an older generation count as expired
  const blobs = new Map<string, FakeBlueskyBlob>();
  const posts: FakeBlueskyPost[] = [];
  const figures: FakeBluesky['figures'] = { followers: 0, posts: new Map() };
  const deleted: FakeBlueskyPost[] = [];
  const others: FakeBlueskyPost[] = [];
  const notifications: { post: FakeBlueskyPost; reason: string; reasonSubject?: string }[] = [];
  const anyPost = (uri: string) => posts.find((p) => p.uri === uri) ?? others.find((p) => p.uri === uri);
  let rateLimited = 0;
  let failed = 0;

  const sign = (claims: Record<string, unknown>, typ: string) => {
    const head = b64url(JSON.stringify({ typ, alg: 'HS256' }));
    const body = b64url(JSON.stringify(claims));
    const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${signature}`;
  };
  const verify = (token: string): { claims: Record<string, unknown>; typ: string } | null => {
    const [head, body, signature] = token.split('.');
    if (!head || !body || !signature) return null;
    const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
    if (expected !== signature) return null;
    try {
      return { claims: JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>, typ: (JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { typ: string }).typ };
    } catch {
      return null;
    }
  };
  const issue = () => {
    const now = Math.floor(Date.now() / 1000);
    const accessJwt = sign({ scope: 'com.atproto.appPass', sub: account.did, aud: 'did:web:fake.pds', iat: now, gen: ++issued, exp: now + behaviour.accessTtlSeconds, jti: randomBytes(8).toString('hex') }, 'at+jwt');
    const refreshJwt = sign({ scope: 'com.atproto.refresh', sub: account.did, aud: 'did:web:fake.pds', iat: now, exp: now + 90 * 86400, jti: randomBytes(8).toString('hex') }, 'refresh+jwt');
    sessions.push({ accessJwt, refreshJwt });
    return { accessJwt, refreshJwt };
  };
  const sessionBody = (tokens: { accessJwt: string; refreshJwt: string }) => ({
    ...tokens,
    handle: account.handle,
    did: account.did,
    email: account.email,
    emailConfirmed: true,
    emailAuthFactor: false,
    active: true,
  });

  /** Checks the bearer token: null when fine, else the answer was sent. */
  const checkAccess = (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!token) {
      xrpcError(res, 401, 'AuthenticationRequired', 'Authentication Required');
      return false;
    }
    const parsed = verify(token);
    if (!parsed || parsed.typ !== 'at+jwt' || parsed.claims.scope !== 'com.atproto.appPass' || parsed.claims.sub !== account.did) {
      xrpcError(res, 401, 'InvalidToken', 'Bad token scope');
      return false;
    }
    const exp = Number(parsed.claims.exp) * 1000;
    if (exp <= Date.now() || Number(parsed.claims.gen) < minGeneration) {
      xrpcError(res, behaviour.expiredStatus, 'ExpiredToken', 'Token has expired');
      return false;
    }
    return true;
  };

  const matches = (route: BlueskyRoute, actual: string) => route === 'any' || `com.atproto.server.${route}` === actual || `com.atproto.repo.${route}` === actual;

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const raw = await readBody(req);
      const type = req.headers['content-type'] ?? '';
      let body: unknown = raw.length > 0 ? raw : undefined;
      if (raw.length > 0 && type.includes('application/json')) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          return xrpcError(res, 400, 'InvalidRequest', 'Invalid JSON');
        }
      }
      const call: RecordedCall = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body, at: Date.now() };
      calls.push(call);
      const nsid = url.pathname.startsWith('/xrpc/') ? url.pathname.slice('/xrpc/'.length) : '';

      if (behaviour.rateLimit && rateLimited < behaviour.rateLimit.times && matches(behaviour.rateLimit.route, nsid)) {
        rateLimited++;
        const reset = Math.floor(Date.now() / 1000) + behaviour.rateLimit.resetInSeconds;
        return xrpcError(res, 429, 'RateLimitExceeded', 'Rate Limit Exceeded', { 'ratelimit-limit': '5000', 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset), 'ratelimit-policy': '5000;w=3600' });
      }
      if (behaviour.serverError && failed < behaviour.serverError.times && matches(behaviour.serverError.route, nsid)) {
        failed++;
        return xrpcError(res, behaviour.serverError.status, 'InternalServerError', 'Internal Server Error');
      }
      const input = (body ?? {}) as Record<string, unknown>;

      switch (`${call.method} ${nsid}`) {
        case 'POST com.atproto.server.createSession': {
          const idOk = input.identifier === account.handle || input.identifier === account.did || input.identifier === account.email;
          if (!idOk || input.password !== account.password || behaviour.appPasswordRevoked) return xrpcError(res, 401, 'AuthenticationRequired', 'Invalid identifier or password');
          return sendJson(res, 200, sessionBody(issue()));
        }
        case 'POST com.atproto.server.refreshSession': {
          const auth = req.headers.authorization ?? '';
          const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
          const parsed = verify(token);
          if (!parsed || parsed.typ !== 'refresh+jwt' || parsed.claims.scope !== 'com.atproto.refresh') return xrpcError(res, 400, 'InvalidToken', 'Invalid token type');
          if (revokedRefresh.has(token)) return xrpcError(res, 400, 'ExpiredToken', 'Token has been revoked');
          revokedRefresh.add(token); // refresh tokens rotate
          return sendJson(res, 200, sessionBody(issue()));
        }
        case 'GET com.atproto.server.getSession': {
          if (!checkAccess(req, res)) return;
          return sendJson(res, 200, { handle: account.handle, did: account.did, email: account.email, emailConfirmed: true, emailAuthFactor: false, active: true });
        }
        case 'POST com.atproto.repo.uploadBlob': {
          if (!checkAccess(req, res)) return;
          if (!Buffer.isBuffer(body) || body.length === 0) return xrpcError(res, 400, 'InvalidRequest', 'Request body is empty');
          const mimeType = type.split(';')[0]!.trim() || 'application/octet-stream';
          const cid = fakeCid(body, 0x55);
          blobs.set(cid, { cid, mimeType, size: body.length, bytes: body, did: account.did });
          return sendJson(res, 200, { blob: { $type: 'blob', ref: { $link: cid }, mimeType, size: body.length } });
        }
        case 'POST com.atproto.repo.createRecord': {
          if (!checkAccess(req, res)) return;
          if (input.repo !== account.did && input.repo !== account.handle) return xrpcError(res, 401, 'AuthenticationRequired', 'Could not find repo or it is not yours');
          if (input.collection !== 'app.bsky.feed.post') return xrpcError(res, 400, 'InvalidRequest', `fake PDS only stores app.bsky.feed.post, not ${String(input.collection)}`);
          const rkey = typeof input.rkey === 'string' ? input.rkey : tidNow();
          if (!TID_RE.test(rkey)) return xrpcError(res, 400, 'InvalidRequest', `Invalid record key for app.bsky.feed.post (must be a tid): ${rkey}`);
          const problem = checkPost(input.record);
          if (problem) return xrpcError(res, 400, 'InvalidRequest', `Invalid app.bsky.feed.post record: ${problem}`);
          const uri = `at://${account.did}/app.bsky.feed.post/${rkey}`;
          if (posts.some((p) => p.rkey === rkey)) {
            return behaviour.duplicate === 'invalid_request'
              ? xrpcError(res, 400, 'InvalidRequest', `Record already exists: ${uri}`)
              : xrpcError(res, 500, 'InternalServerError', 'Internal Server Error');
          }
          const value = input.record as Record<string, unknown>;
          const cid = fakeCid(Buffer.from(JSON.stringify(value)), 0x71);
          posts.push({ uri, cid, rkey, value, indexedAt: new Date().toISOString() });
          if (behaviour.delayCreateMs > 0) await delay(behaviour.delayCreateMs);
          if (res.destroyed || req.socket.destroyed) return;
          return sendJson(res, 200, { uri, cid, commit: { cid: fakeCid(randomBytes(16), 0x71), rev: tidNow() }, validationStatus: 'valid' });
        }
        case 'GET com.atproto.repo.getRecord': {
          // Public read: no auth needed (like a PDS).
          const { repo, collection, rkey } = call.query;
          if (!repo || !collection || !rkey) return xrpcError(res, 400, 'InvalidRequest', 'repo, collection and rkey are required');
          if (behaviour.getRecordMisses > 0) {
            behaviour.getRecordMisses--;
            return xrpcError(res, 400, 'RecordNotFound', `Could not locate record: at://${repo}/${collection}/${rkey}`);
          }
          const post = (repo === account.did || repo === account.handle) && collection === 'app.bsky.feed.post' ? posts.find((p) => p.rkey === rkey) : undefined;
          if (!post) return xrpcError(res, 400, 'RecordNotFound', `Could not locate record: at://${repo}/${collection}/${rkey}`);
          return sendJson(res, 200, { uri: post.uri, cid: post.cid, value: post.value });
        }
        case 'POST com.atproto.repo.deleteRecord': {
          if (!checkAccess(req, res)) return;
          if (input.repo !== account.did && input.repo !== account.handle) return xrpcError(res, 401, 'AuthenticationRequired', 'Could not find repo or it is not yours');
          const index = posts.findIndex((p) => p.rkey === input.rkey && input.collection === 'app.bsky.feed.post');
          if (index !== -1) deleted.push(...posts.splice(index, 1));
          return sendJson(res, 200, { commit: { cid: fakeCid(randomBytes(16), 0x71), rev: tidNow() } });
        }
        case 'GET app.bsky.notification.listNotifications': {
          if (!checkAccess(req, res)) return;
          const reasons = url.searchParams.getAll('reasons');
          const limit = Number(call.query.limit ?? 50);
          if (!Number.isInteger(limit) || limit < 1 || limit > 100) return xrpcError(res, 400, 'InvalidRequest', 'limit must be between 1 and 100');
          const newest = [...notifications].reverse().filter((n) => reasons.length === 0 || reasons.includes(n.reason));
          const offset = Number(call.query.cursor ?? 0);
          const page = newest.slice(offset, offset + limit);
          return sendJson(res, 200, {
            notifications: page.map((n) => ({
              uri: n.post.uri,
              cid: n.post.cid,
              author: { did: n.post.author!.did, handle: n.post.author!.handle },
              reason: n.reason,
              ...(n.reasonSubject ? { reasonSubject: n.reasonSubject } : {}),
              record: n.post.value,
              isRead: false,
              indexedAt: n.post.indexedAt,
              labels: [],
            })),
            ...(offset + limit < newest.length ? { cursor: String(offset + limit) } : {}),
          });
        }
        case 'GET app.bsky.feed.getPosts': {
          if (!checkAccess(req, res)) return;
          const uris = url.searchParams.getAll('uris');
          if (uris.length > 25) return xrpcError(res, 400, 'InvalidRequest', 'uris must not have more than 25 elements');
          const author = { did: account.did, handle: account.handle };
          const views = uris
            .map((uri) => anyPost(uri))
            .filter((p) => p !== undefined)
            .map((p) => ({ uri: p.uri, cid: p.cid, author: p.author ?? author, record: p.value, indexedAt: p.indexedAt, likeCount: 0, replyCount: 0, repostCount: 0, quoteCount: 0, ...figures.posts.get(p.uri) }));
          return sendJson(res, 200, { posts: views });
        }
        case 'GET app.bsky.actor.getProfile': {
          if (!checkAccess(req, res)) return;
          if (call.query.actor !== account.did && call.query.actor !== account.handle) return xrpcError(res, 400, 'InvalidRequest', 'Profile not found');
          return sendJson(res, 200, { did: account.did, handle: account.handle, followersCount: figures.followers, followsCount: 0, postsCount: posts.length });
        }
        default:
          return xrpcError(res, 501, 'MethodNotImplemented', `Method Not Implemented: ${call.method} ${nsid}`);
      }
    })().catch((e: unknown) => {
      if (!res.headersSent) xrpcError(res, 500, 'InternalServerError', e instanceof Error ? e.message : String(e));
    });
  });

  /** A reason the record is not a valid post, or null. */
  function checkPost(record: unknown): string | null {
    if (typeof record !== 'object' || record === null) return 'record must be an object';
    const r = record as Record<string, unknown>;
    if (r.$type !== 'app.bsky.feed.post') return '$type must be app.bsky.feed.post';
    if (typeof r.text !== 'string') return 'text is required';
    if (graphemes(r.text) > 300 || Buffer.byteLength(r.text) > 3000) return 'text must not be longer than 300 graphemes';
    if (typeof r.createdAt !== 'string' || !DATETIME_RE.test(r.createdAt)) return 'createdAt must be a valid datetime';
    if (r.langs !== undefined && (!Array.isArray(r.langs) || r.langs.length > 3 || r.langs.some((l) => typeof l !== 'string' || !/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]+)*$/.test(l)))) return 'langs must be at most 3 language tags';
    if (r.facets !== undefined) {
      if (!Array.isArray(r.facets)) return 'facets must be an array';
      const bytes = Buffer.byteLength(r.text);
      for (const f of r.facets as { index?: { byteStart?: number; byteEnd?: number }; features?: { $type?: string }[] }[]) {
        if (!f.index || typeof f.index.byteStart !== 'number' || typeof f.index.byteEnd !== 'number' || f.index.byteStart < 0 || f.index.byteEnd > bytes || f.index.byteStart >= f.index.byteEnd) return 'facet index out of range';
        if (!Array.isArray(f.features) || f.features.length === 0) return 'facet needs features';
        for (const feature of f.features) {
          if (feature.$type === 'app.bsky.richtext.facet#mention' && !/^did:/.test(String((feature as { did?: unknown }).did))) return 'mention facet needs a did';
        }
      }
    }
    if (r.embed !== undefined) {
      const embed = r.embed as { $type?: string; images?: unknown };
      if (embed.$type !== 'app.bsky.embed.images') return `fake PDS only knows app.bsky.embed.images embeds, not ${String(embed.$type)}`;
      if (!Array.isArray(embed.images) || embed.images.length < 1 || embed.images.length > 4) return 'embed.images must hold 1 to 4 images';
      for (const image of embed.images as { image?: { $type?: string; ref?: { $link?: string }; mimeType?: string; size?: number }; alt?: unknown; aspectRatio?: { width?: unknown; height?: unknown } }[]) {
        if (typeof image.alt !== 'string') return 'image alt is required (may be empty)';
        const ref = image.image;
        if (!ref || ref.$type !== 'blob' || typeof ref.ref?.$link !== 'string') return 'image must be a blob ref';
        const blob = blobs.get(ref.ref.$link);
        if (!blob || blob.did !== account.did) return `blob ${ref.ref.$link} was not uploaded by this account`;
        if (ref.mimeType !== blob.mimeType || ref.size !== blob.size) return 'blob ref does not match the uploaded blob';
        if (!blob.mimeType.startsWith('image/')) return 'embed images must be images';
        if (blob.size > 2_000_000) return 'image blob too large';
        if (image.aspectRatio !== undefined && (!Number.isInteger(image.aspectRatio.width) || !Number.isInteger(image.aspectRatio.height))) return 'aspectRatio needs integer width and height';
      }
    }
    if (r.reply !== undefined) {
      const reply = r.reply as { root?: { uri?: unknown; cid?: unknown }; parent?: { uri?: unknown; cid?: unknown } };
      for (const ref of [reply.root, reply.parent]) {
        if (!ref || typeof ref.uri !== 'string' || typeof ref.cid !== 'string') return 'reply needs root and parent strong refs {uri, cid}';
        const target = anyPost(ref.uri);
        if (!target || target.cid !== ref.cid) return `reply ref ${ref.uri} does not match an existing post`;
      }
    }
    if (r.labels !== undefined) {
      const labels = r.labels as { $type?: string; values?: unknown };
      if (labels.$type !== 'com.atproto.label.defs#selfLabels') return 'labels must be com.atproto.label.defs#selfLabels';
      if (!Array.isArray(labels.values) || labels.values.length > 10) return 'labels.values must be an array of at most 10';
      for (const v of labels.values as { val?: unknown }[]) {
        if (typeof v.val !== 'string' || !SELF_LABELS.has(v.val)) return `unknown self-label ${String(v.val)}`;
      }
    }
    return null;
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
    account,
    sessions,
    expireAccessTokens() {
      minGeneration = issued + 1;
    },
    revokeRefreshTokens() {
      for (const s of sessions) revokedRefresh.add(s.refreshJwt);
    },
    blobs,
    posts,
    deleted,
    figures,
    others,
    addInteraction(i) {
      const did = `did:plc:${base32(createHash('sha256').update(i.handle).digest()).slice(0, 24)}`;
      const rkey = tidNow();
      const value: Record<string, unknown> = { $type: 'app.bsky.feed.post', text: i.text, createdAt: (i.at ?? new Date()).toISOString() };
      let reasonSubject: string | undefined;
      if (i.replyTo) {
        const parent = anyPost(i.replyTo);
        if (!parent) throw new Error(`no post ${i.replyTo}`);
        const root = (parent.value.reply as { root?: { uri: string; cid: string } } | undefined)?.root ?? { uri: parent.uri, cid: parent.cid };
        value.reply = { root, parent: { uri: parent.uri, cid: parent.cid } };
        reasonSubject = parent.uri;
      }
      if (i.quote) {
        const quoted = anyPost(i.quote);
        if (!quoted) throw new Error(`no post ${i.quote}`);
        value.embed = { $type: 'app.bsky.embed.record', record: { uri: quoted.uri, cid: quoted.cid } };
        reasonSubject = quoted.uri;
      }
      const post: FakeBlueskyPost = { uri: `at://${did}/app.bsky.feed.post/${rkey}`, cid: fakeCid(Buffer.from(JSON.stringify(value)), 0x71), rkey, value, indexedAt: (i.at ?? new Date()).toISOString(), author: { did, handle: i.handle } };
      others.push(post);
      notifications.push({ post, reason: i.reason, ...(reasonSubject ? { reasonSubject } : {}) });
      return post;
    },
    replies() {
      return posts.filter((p) => p.value.reply !== undefined);
    },
    callsTo(nsid, method) {
      return calls.filter((c) => c.path === `/xrpc/${nsid}` && (method === undefined || c.method === method));
    },
    close,
  };
}

let lastTid = 0n;
function tidNow(): string {
  let us = BigInt(Date.now()) * 1000n;
  if (us <= lastTid) us = lastTid + 1n;
  lastTid = us;
  let value = (us << 10n) | BigInt(Math.floor(Math.random() * 1024));
  const S32 = '234567abcdefghijklmnopqrstuvwxyz';
  let out = '';
  for (let i = 0; i < 13; i++) {
    out = S32[Number(value & 31n)]! + out;
    value >>= 5n;
  }
  return out;
}
