/**
 * Bluesky (atproto) connector on `@atproto/api`'s AtpAgent, app-password sessions.
 *
 * Pointing the SDK elsewhere: `new AtpAgent({ service })` takes any base URL (the fake's, in tests); a
 * wrapped `fetch` adds the call's signal and a per-request timeout to every request, the SDK's own
 * session refreshes included.
 *
 * Session: the cached `access_jwt`/`refresh_jwt`/`did` are put back into the agent as they are; the SDK
 * refreshes an expired access token itself (401, or 400 `ExpiredToken`) with the refresh token; when that
 * fails too we log in again with `identifier` + `app_password` once. New tokens go to
 * `ctx.onCredentials` (merged over the stored ones, so nothing is ever blanked).
 *
 * Exactly-once: the post's record key is derived from `idempotencyKey` (a valid TID, as
 * `app.bsky.feed.post` requires), so a retry of the same target addresses the same record: we look it
 * up before uploading anything, and a create that fails because it exists is answered with the
 * existing record. `find` is a `getRecord` of that key.
 */
import { createHash } from 'node:crypto';
import { AtpAgent, RichText, XRPCError } from '@atproto/api';
import type { AtpSessionData, BlobRef } from '@atproto/api';
import type { Rating } from '../../../safety/types.ts';
import { ConnectorError } from '../types.ts';
import type { ChannelAccount, ChannelPolicy, Connector, ConnectorContext, PublishMedia, PublishRequest, PublishResult } from '../types.ts';
import { blueskyInteractions, blueskyReply, type BlueskyEngagementApi } from './engagement.ts';
import { blueskyAccountMetrics, blueskyPostMetrics } from './metrics.ts';

const PLATFORM = 'bluesky' as const;
const DEFAULT_SERVICE = 'https://bsky.social';
export const BLUESKY_POST_COLLECTION = 'app.bsky.feed.post';
/** `app.bsky.embed.images` image blob limit (lexicon maxSize, @atproto/api 0.21; it was 1 MB before). */
export const BLUESKY_MAX_IMAGE_BYTES = 2_000_000;
export const BLUESKY_MAX_GRAPHEMES = 300;
/** The post lexicon's `maxLength` for text (UTF-8 bytes). */
export const BLUESKY_MAX_TEXT_BYTES = 3000;

export interface BlueskySettings {
  /** PDS / entryway URL; default https://bsky.social. */
  service?: string;
  /** Post languages (BCP-47, at most 3), e.g. ['en'] or ['fr']. */
  langs?: string[];
}

export interface BlueskyConnectorOptions {
  /** Each HTTP request, layered on the call's signal. Default 60 s. */
  requestTimeoutMs?: number;
  fetch?: typeof globalThis.fetch;
  now?: () => Date;
}

// ---------------------------------------------------------------------------------------------------
// Record keys

const S32 = '234567abcdefghijklmnopqrstuvwxyz';
/** Spec regex for TIDs (https://atproto.com/specs/tid). */
export const TID_PATTERN = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;
const TID_EPOCH_US = BigInt(Date.UTC(2023, 0, 1)) * 1000n;
const TID_SPAN_US = BigInt(2 * 365 * 24 * 3600) * 1_000_000n;

/**
 * A deterministic TID for a target: 53-bit microsecond timestamp (hashed into 2023–2024, so never in the
 * future) and a 10-bit clock id, both from SHA-256 of the idempotency key; 13 base32-sortable chars.
 */
export function blueskyRkey(idempotencyKey: string): string {
  const hash = createHash('sha256').update(`atelier/bluesky/${idempotencyKey}`).digest();
  const timestamp = TID_EPOCH_US + (hash.readBigUInt64BE(0) % TID_SPAN_US);
  let value = (timestamp << 10n) | BigInt(hash.readUInt16BE(8) & 0x3ff);
  let out = '';
  for (let i = 0; i < 13; i++) {
    out = S32[Number(value & 31n)]! + out;
    value >>= 5n;
  }
  return out;
}

/** Self-labels for a rating: explicit → porn, suggestive → sexual, sfw → none. */
export function blueskySelfLabels(rating: Rating): { $type: 'com.atproto.label.defs#selfLabels'; values: { val: string }[] } | undefined {
  if (rating === 'explicit') return { $type: 'com.atproto.label.defs#selfLabels', values: [{ val: 'porn' }] };
  if (rating === 'suggestive') return { $type: 'com.atproto.label.defs#selfLabels', values: [{ val: 'sexual' }] };
  return undefined;
}

export function graphemeCount(text: string): number {
  let n = 0;
  for (const _ of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------------
// Errors

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const AUTH_ERRORS = new Set(['AuthenticationRequired', 'ExpiredToken', 'InvalidToken', 'AccountTakedown', 'AccountDeactivated', 'AuthMissing', 'InvalidAuthentication']);

type Stage = 'prepare' | 'create' | 'read' | 'session';

function headerOf(headers: Record<string, string | undefined> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? headers[key] : undefined;
}

/** Seconds until `ratelimit-reset` (epoch s), or Retry-After. */
export function blueskyRetryAfterSeconds(headers: Record<string, string | undefined> | undefined, nowMs: number = Date.now()): number | undefined {
  const candidates: number[] = [];
  const reset = Number(headerOf(headers, 'ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) candidates.push(reset - nowMs / 1000);
  const retryAfter = Number(headerOf(headers, 'retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter > 0) candidates.push(retryAfter);
  if (candidates.length === 0) return undefined;
  return Math.max(1, Math.ceil(Math.max(...candidates)));
}

function networkCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur instanceof Error; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = cur.cause;
  }
  return undefined;
}

function isAuthError(e: unknown): boolean {
  return e instanceof XRPCError && (e.status === 401 || AUTH_ERRORS.has(e.error));
}

function mapBlueskyError(e: unknown, stage: Stage): ConnectorError {
  if (e instanceof ConnectorError) return e;
  if (e instanceof XRPCError && e.status >= 200) {
    const details = { status: e.status, error: e.error };
    const text = e.message && e.message !== e.error ? `${e.error}: ${e.message}` : e.error;
    if (e.status === 429) return new ConnectorError(PLATFORM, 'rate_limited', `Bluesky rate limit reached (${text})`, { retryAfterSeconds: blueskyRetryAfterSeconds(e.headers), details, cause: e });
    if (isAuthError(e)) return new ConnectorError(PLATFORM, 'auth', `Bluesky refused the credentials (${text}) — check the app password`, { details, cause: e });
    if (e.status >= 500) return new ConnectorError(PLATFORM, 'unavailable', `Bluesky answered ${e.status} (${text})`, { details, cause: e });
    return new ConnectorError(PLATFORM, 'rejected', `Bluesky rejected the ${stage === 'create' ? 'post' : 'request'} (${text})`, { details, cause: e });
  }
  const code = networkCode(e);
  const what = e instanceof Error ? `${e.message}${code ? ` (${code})` : ''}` : String(e);
  if (stage === 'create' && !(code && NOT_SENT_CODES.has(code))) {
    return new ConnectorError(PLATFORM, 'unknown_outcome', `The connection failed while the post was being sent (${what}); it may or may not exist`, { cause: e });
  }
  return new ConnectorError(PLATFORM, 'unavailable', `Bluesky could not be reached (${what})`, { cause: e });
}

// ---------------------------------------------------------------------------------------------------
// Connector

function settingsOf(account: Pick<ChannelAccount, 'settings'>): BlueskySettings {
  const s = account.settings;
  const langs = Array.isArray(s.langs) ? s.langs.filter((l): l is string => typeof l === 'string' && l.length > 0).slice(0, 3) : undefined;
  return { service: typeof s.service === 'string' && s.service ? s.service : undefined, ...(langs && langs.length > 0 ? { langs } : {}) };
}

function postUrl(did: string, rkey: string): string {
  return `https://bsky.app/profile/${did}/post/${rkey}`;
}

/** One call's agent: cached session first, a fresh login at most once, new tokens reported at the end. */
class BlueskySession {
  readonly agent: AtpAgent;
  readonly #account: ChannelAccount;
  readonly #ctx: ConnectorContext;
  #latest: AtpSessionData | undefined;
  #changed = false;
  #loggedIn = false;

  constructor(connector: BlueskyConnector, account: ChannelAccount, ctx: ConnectorContext) {
    this.#account = account;
    this.#ctx = ctx;
    const service = settingsOf(account).service ?? DEFAULT_SERVICE;
    const baseFetch = connector.fetch;
    const timeoutMs = connector.requestTimeoutMs;
    const fetchWithSignal: typeof globalThis.fetch = (input, init) => {
      const signals = [ctx.signal, AbortSignal.timeout(timeoutMs)];
      if (init?.signal) signals.push(init.signal);
      if (input instanceof Request) signals.push(input.signal);
      return baseFetch(input, { ...init, signal: AbortSignal.any(signals) });
    };
    this.agent = new AtpAgent({
      service,
      fetch: fetchWithSignal,
      persistSession: (event, session) => {
        if ((event === 'create' || event === 'update') && session) {
          this.#latest = session;
          this.#changed = true;
        }
      },
    });
    const c = account.credentials;
    if (c.access_jwt && c.refresh_jwt && c.did) {
      this.agent.sessionManager.session = { accessJwt: c.access_jwt, refreshJwt: c.refresh_jwt, did: c.did, handle: c.handle || account.handle.replace(/^@/, ''), active: true };
      if (c.pds_url) {
        try {
          this.agent.sessionManager.pdsUrl = new URL(c.pds_url);
        } catch {
          // ignore a bad cached PDS URL: the service proxies
        }
      }
    }
  }

  get did(): string {
    const did = this.agent.sessionManager.session?.did;
    if (!did) throw new ConnectorError(PLATFORM, 'auth', 'No Bluesky session');
    return did;
  }

  async login(): Promise<void> {
    const { identifier, app_password: password } = this.#account.credentials;
    if (!identifier || !password) throw new ConnectorError(PLATFORM, 'auth', 'Bluesky identifier and app password are required — reconnect the account');
    this.#loggedIn = true;
    try {
      await this.agent.login({ identifier, password });
    } catch (e) {
      if (e instanceof XRPCError && (e.status === 401 || e.error === 'AuthenticationRequired')) {
        throw new ConnectorError(PLATFORM, 'auth', `Bluesky refused the identifier or app password (${e.message}) — create a new app password and reconnect`, { details: { status: e.status, error: e.error }, cause: e });
      }
      throw mapBlueskyError(e, 'session');
    }
  }

  async ensure(): Promise<void> {
    if (!this.agent.sessionManager.session) await this.login();
  }

  /** Runs one call; an auth failure the SDK could not refresh away logs in again once. */
  async call<T>(stage: Stage, run: () => Promise<T>): Promise<T> {
    await this.ensure();
    try {
      return await run();
    } catch (e) {
      if (isAuthError(e) && !this.#loggedIn && !(e instanceof XRPCError && (e.error === 'AccountTakedown' || e.error === 'AccountDeactivated'))) {
        await this.login();
        try {
          return await run();
        } catch (again) {
          throw mapBlueskyError(again, stage);
        }
      }
      throw mapBlueskyError(e, stage);
    }
  }

  /** The stored credentials with the current session's tokens (null when unchanged). */
  credentials(): Record<string, string> | null {
    const s = this.#latest;
    if (!this.#changed || !s) return null;
    const next: Record<string, string> = { ...this.#account.credentials, access_jwt: s.accessJwt, did: s.did };
    // Never blank a refresh token.
    next.refresh_jwt = s.refreshJwt || this.#account.credentials.refresh_jwt || '';
    if (!next.refresh_jwt) delete next.refresh_jwt;
    if (s.handle) next.handle = s.handle;
    const pds = this.agent.sessionManager.pdsUrl;
    if (pds) next.pds_url = pds.toString();
    return next;
  }

  /** Hands new tokens to the caller (also after a failure: refresh tokens rotate). */
  async flush(): Promise<void> {
    const next = this.credentials();
    if (next && this.#ctx.onCredentials) {
      this.#changed = false;
      await this.#ctx.onCredentials(next);
    }
  }
}

export class BlueskyConnector implements Connector {
  readonly platform = PLATFORM;
  readonly requestTimeoutMs: number;
  readonly fetch: typeof globalThis.fetch;
  readonly #now: () => Date;

  constructor(options: BlueskyConnectorOptions = {}) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#now = options.now ?? (() => new Date());
  }

  policy(): ChannelPolicy {
    // Images only: video embeds (app.bsky.embed.video) are not implemented (publish refuses videos).
    return { accepts: ['sfw', 'suggestive', 'explicit'], disclosureRequired: true, maxMedia: 4, maxTextLength: BLUESKY_MAX_GRAPHEMES, flagsAdultMedia: true, needsPublicMediaUrl: false, mediaKinds: ['image'] };
  }

  async #withSession<T>(account: ChannelAccount, ctx: ConnectorContext, run: (session: BlueskySession) => Promise<T>): Promise<T> {
    const session = new BlueskySession(this, account, ctx);
    try {
      return await run(session);
    } finally {
      await session.flush();
    }
  }

  async #existing(session: BlueskySession, rkey: string): Promise<PublishResult | null> {
    const did = session.did;
    try {
      const res = await session.call('read', () => session.agent.com.atproto.repo.getRecord({ repo: did, collection: BLUESKY_POST_COLLECTION, rkey }));
      return { remoteId: res.data.uri, url: postUrl(did, rkey), meta: { cid: res.data.cid, rkey } };
    } catch (e) {
      const cause = e instanceof ConnectorError ? e.cause : e;
      if (cause instanceof XRPCError && (cause.error === 'RecordNotFound' || cause.status === 404)) return null;
      throw e instanceof ConnectorError && e.kind === 'rejected' ? new ConnectorError(PLATFORM, 'unavailable', e.message, { cause: e }) : e;
    }
  }

  #validate(request: PublishRequest): void {
    if (request.media.some((m) => m.kind === 'video')) throw new ConnectorError(PLATFORM, 'rejected', 'Video posts to Bluesky are not supported yet (images only)');
    if (request.media.length > 4) throw new ConnectorError(PLATFORM, 'rejected', `Bluesky takes at most 4 images per post (got ${request.media.length})`);
    const tooBig = request.media.find((m) => m.bytes.length > BLUESKY_MAX_IMAGE_BYTES);
    if (tooBig) throw new ConnectorError(PLATFORM, 'rejected', `${tooBig.filename} is ${tooBig.bytes.length} bytes; Bluesky images must be at most ${BLUESKY_MAX_IMAGE_BYTES} bytes`);
    const graphemes = graphemeCount(request.text);
    if (graphemes > BLUESKY_MAX_GRAPHEMES) throw new ConnectorError(PLATFORM, 'rejected', `The text is ${graphemes} graphemes; Bluesky allows ${BLUESKY_MAX_GRAPHEMES}`);
    const bytes = Buffer.byteLength(request.text, 'utf8');
    if (bytes > BLUESKY_MAX_TEXT_BYTES) throw new ConnectorError(PLATFORM, 'rejected', `The text is ${bytes} bytes of UTF-8; Bluesky allows ${BLUESKY_MAX_TEXT_BYTES}`);
    if (!request.text.trim() && request.media.length === 0) throw new ConnectorError(PLATFORM, 'rejected', 'Nothing to post');
  }

  async publish(account: ChannelAccount, request: PublishRequest, ctx: ConnectorContext): Promise<PublishResult> {
    this.#validate(request);
    const rkey = blueskyRkey(request.idempotencyKey);
    return this.#withSession(account, ctx, async (session) => {
      await session.ensure();
      // A retry of this target: the record may already be there.
      const before = await this.#existing(session, rkey);
      if (before) return { ...before, meta: { ...before.meta, existed: true } };

      const images = [];
      for (const media of request.media) images.push(await this.#uploadImage(session, media));

      const record: Record<string, unknown> = { $type: BLUESKY_POST_COLLECTION, text: request.text, createdAt: this.#now().toISOString() };
      const facets = linkAndTagFacets(request.text);
      if (facets.length > 0) record.facets = facets;
      const langs = Array.isArray(request.options.langs) ? request.options.langs.filter((l): l is string => typeof l === 'string').slice(0, 3) : settingsOf(account).langs;
      if (langs && langs.length > 0) record.langs = langs;
      if (images.length > 0) record.embed = { $type: 'app.bsky.embed.images', images };
      const labels = blueskySelfLabels(request.rating);
      if (labels) record.labels = labels;

      if (ctx.signal.aborted) throw new ConnectorError(PLATFORM, 'unavailable', 'Cancelled before the post was sent', { cause: ctx.signal.reason });
      const did = session.did;
      try {
        const res = await session.call('create', () => session.agent.com.atproto.repo.createRecord({ repo: did, collection: BLUESKY_POST_COLLECTION, rkey, record }));
        return { remoteId: res.data.uri, url: postUrl(did, rkey), meta: { cid: res.data.cid, rkey, labels: labels?.values.map((v) => v.val) ?? [] } };
      } catch (e) {
        // "Already exists" (a PDS answers 400 InvalidRequest or 500 for a taken key) or any refusal that is not
        // auth/rate limiting: if our record is there, the post landed (same key ⇒ same target).
        if (e instanceof ConnectorError && (e.kind === 'rejected' || e.kind === 'unavailable') && !ctx.signal.aborted) {
          const existing = await this.#existing(session, rkey).catch(() => null);
          if (existing) return { ...existing, meta: { ...existing.meta, existed: true } };
        }
        throw e;
      }
    });
  }

  async #uploadImage(session: BlueskySession, media: PublishMedia): Promise<Record<string, unknown>> {
    const res = await session.call('prepare', () => session.agent.com.atproto.repo.uploadBlob(new Uint8Array(media.bytes), { encoding: media.mimeType }));
    const blob: BlobRef = res.data.blob;
    const image: Record<string, unknown> = { image: blob, alt: media.altText ?? '' };
    if (media.width && media.height) image.aspectRatio = { width: media.width, height: media.height };
    return image;
  }

  async find(account: ChannelAccount, request: Pick<PublishRequest, 'idempotencyKey' | 'text'>, _since: Date, ctx: ConnectorContext): Promise<PublishResult | null> {
    const rkey = blueskyRkey(request.idempotencyKey);
    return this.#withSession(account, ctx, async (session) => {
      await session.ensure();
      return this.#existing(session, rkey);
    });
  }

  async interactions(account: ChannelAccount, since: Date | null, ctx: ConnectorContext) {
    return this.#withSession(account, ctx, (session) => blueskyInteractions(this.#engagementApi(account, session), since));
  }

  async reply(account: ChannelAccount, parentRemoteId: string, text: string, ctx: ConnectorContext) {
    return this.#withSession(account, ctx, (session) => blueskyReply(this.#engagementApi(account, session), parentRemoteId, text, ctx.signal));
  }

  #engagementApi(account: ChannelAccount, session: BlueskySession): BlueskyEngagementApi {
    const langs = settingsOf(account).langs;
    return { agent: session.agent, call: (stage, run) => session.call(stage, run), did: () => session.did, rkeyFor: blueskyRkey, ...(langs ? { langs } : {}) };
  }

  async delete(account: ChannelAccount, remoteId: string, ctx: ConnectorContext): Promise<void> {
    await this.#withSession(account, ctx, async (session) => {
      await session.ensure();
      const parsed = /^at:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(remoteId);
      const repo = parsed?.[1] ?? session.did;
      const collection = parsed?.[2] ?? BLUESKY_POST_COLLECTION;
      const rkey = parsed?.[3] ?? remoteId;
      await session.call('read', () => session.agent.com.atproto.repo.deleteRecord({ repo, collection, rkey }));
    });
  }

  async metrics(account: ChannelAccount, remoteIds: string[], ctx: ConnectorContext) {
    return this.#withSession(account, ctx, async (session) => {
      await session.ensure();
      return blueskyPostMetrics(session, remoteIds);
    });
  }

  async accountMetrics(account: ChannelAccount, ctx: ConnectorContext) {
    return this.#withSession(account, ctx, async (session) => {
      await session.ensure();
      return blueskyAccountMetrics(session);
    });
  }

  /** A working session's tokens: refresh with refresh_jwt, else log in with the app password. */
  async refresh(account: ChannelAccount, ctx: ConnectorContext): Promise<Record<string, string>> {
    const session = new BlueskySession(this, account, { signal: ctx.signal });
    if (session.agent.sessionManager.session) {
      try {
        await session.agent.sessionManager.refreshSession();
      } catch (e) {
        if (!isAuthError(e)) throw mapBlueskyError(e, 'session');
        await session.login();
      }
    } else {
      await session.login();
    }
    const next = session.credentials();
    if (!next) throw new ConnectorError(PLATFORM, 'auth', 'Bluesky gave no session');
    return next;
  }

  async verify(account: ChannelAccount, ctx: ConnectorContext): Promise<{ ok: boolean; problems: string[] }> {
    return this.#withSession(account, ctx, async (session) => {
      const res = await session.call('read', () => session.agent.com.atproto.server.getSession());
      const problems: string[] = [];
      const handle = account.handle.replace(/^@/, '').toLowerCase();
      if (handle && res.data.handle.toLowerCase() !== handle) problems.push(`The app password belongs to @${res.data.handle}, not @${handle}.`);
      if (res.data.active === false) problems.push(`The account is not active (${res.data.status ?? 'inactive'}).`);
      return { ok: problems.length === 0, problems };
    });
  }
}

/** Link and hashtag facets (mentions need DID resolution, so they stay plain text). */
function linkAndTagFacets(text: string): unknown[] {
  const rt = new RichText({ text });
  rt.detectFacetsWithoutResolution();
  return (rt.facets ?? [])
    .map((f) => ({ ...f, features: f.features.filter((feature) => feature.$type === 'app.bsky.richtext.facet#link' || feature.$type === 'app.bsky.richtext.facet#tag') }))
    .filter((f) => f.features.length > 0);
}
