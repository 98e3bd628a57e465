/**
 * X (API v2) connector on `twitter-api-v2`, OAuth 2.0 user context (PKCE) with rotating refresh tokens.
 *
 * Pointing the SDK elsewhere: its prefixes (`https://api.x.com/2/`) are hard-coded per sub-client, so a
 * plugin's `onBeforeRequestConfig` hook rewrites every request URL onto `settings.baseUrl`; an
 * `http.Agent` is passed as `httpAgent` when that base is plain http (the SDK always calls
 * `https.request`, which accepts `http:` only with an http agent). A second hook (`onBeforeRequest`)
 * adds an AbortSignal (the call's signal + a per-request timeout) to the node request options, since
 * the SDK itself only knows timeouts.
 *
 * Publish: media first (images one-shot `POST /2/media/upload` up to `oneShotMaxBytes`; video, GIFs and
 * big images chunked `initialize → append × n → finalize`, then `STATUS` polling honouring
 * `check_after_secs`), `POST /2/media/metadata` with alt text and `sensitive_media_warning.adult_content`
 * when the post is not sfw, then `POST /2/tweets` with `made_with_ai: true`. Everything before the tweet
 * is safe to redo (orphan media expire); anything that goes wrong while the tweet POST is in flight is
 * `unknown_outcome`, and `find` then looks for the text in the user's timeline.
 */
import http from 'node:http';
import { TwitterApi } from 'twitter-api-v2';
import type { ITwitterApiClientPlugin } from 'twitter-api-v2';
import { ConnectorError } from '../types.ts';
import type { ChannelAccount, ChannelPolicy, Connector, ConnectorContext, PublishMedia, PublishRequest, PublishResult } from '../types.ts';
import { xOAuth } from './oauth.ts';
import { RefreshFlights } from '../refresh.ts';
import { xInteractions, xReply, type XEngagementApi } from './engagement.ts';
import { xAccountMetrics, xPostMetrics } from './metrics.ts';

const PLATFORM = 'x' as const;
const DEFAULT_BASE_URL = 'https://api.x.com';
const SDK_ORIGIN = 'https://api.x.com';

export interface XSettings {
  /** API origin; default https://api.x.com (tests: the fake's URL). */
  baseUrl?: string;
  /** The dispatcher's per-channel budget (see xPostCostCents); the connector only reports each post's cost. */
  costBudgetCents?: number;
  /** Accounts that regularly post adult content must mark all their media sensitive (X media policy). */
  markAllMediaSensitive?: boolean;
}

export interface XConnectorOptions {
  /** Images up to this size are sent one-shot; bigger images, GIFs and video go chunked. Default 5 MiB. */
  oneShotMaxBytes?: number;
  /** APPEND segment size. Default 1 MiB. */
  chunkBytes?: number;
  /** Longest wait for video processing. Default 10 min. */
  processingTimeoutMs?: number;
  /** Each HTTP request, layered on the call's signal. Default 60 s. */
  requestTimeoutMs?: number;
  /** Refresh ahead of `expires_at` by this much. Default 60 s. */
  refreshSkewMs?: number;
  /** Injected by tests (records the STATUS waits instead of sleeping). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
}

/** Cost of one post in US cents under pay-per-use billing (PLATFORMS.md: $0.015, $0.20 with a URL). */
export function xPostCostCents(text: string, hasMedia: boolean): number {
  void hasMedia; // media does not change the per-post price in the 2026 price list
  return containsUrl(text) ? 20 : 1.5;
}

const URL_PATTERN = /\bhttps?:\/\/\S|\bwww\.[a-z0-9-]+\.[a-z]|\b[a-z0-9][a-z0-9-]*\.(?:com|net|org|io|co|me|app|dev|ly|gg|tv|xyz|fr|de|uk|eu|info|link|page|site|shop|store)\b(?:\/|\b)/i;
function containsUrl(text: string): boolean {
  return URL_PATTERN.test(text);
}

// ---------------------------------------------------------------------------------------------------
// Errors

/** Error codes of a request that never reached the server: safe to retry even for the tweet POST. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL', 'ERR_INVALID_PROTOCOL']);

type Stage = 'prepare' | 'create' | 'read' | 'token';

interface SdkError {
  type: 'request' | 'partial-response' | 'response';
  code?: number;
  data?: unknown;
  headers?: http.IncomingHttpHeaders;
  message: string;
}

function isSdkError(e: unknown): e is SdkError {
  if (!(e instanceof Error)) return false;
  const type = (e as { type?: unknown }).type;
  return type === 'request' || type === 'partial-response' || type === 'response';
}

/**
 * The socket error behind an ApiRequestError. (The SDK stores it as `_options.error` while its
 * `requestError` getter reads `_options.requestError`, which is always undefined in 1.29.)
 */
function requestCause(e: unknown): (Error & { code?: string }) | undefined {
  const options = (e as { _options?: { error?: unknown; requestError?: unknown } })._options;
  const cause = options?.error ?? options?.requestError;
  return cause instanceof Error ? cause : undefined;
}

function header(headers: http.IncomingHttpHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Seconds until the exhausted limit resets: `x-rate-limit-reset` / 24-hour limits (epoch s) or Retry-After. */
export function xRetryAfterSeconds(headers: http.IncomingHttpHeaders | undefined, nowMs: number = Date.now()): number | undefined {
  const candidates: number[] = [];
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) candidates.push(seconds);
    else if (!Number.isNaN(Date.parse(retryAfter))) candidates.push((Date.parse(retryAfter) - nowMs) / 1000);
  }
  const resetOf = (prefix: string, requireExhausted: boolean) => {
    const reset = Number(header(headers, `${prefix}-reset`));
    const remaining = header(headers, `${prefix}-remaining`);
    if (!Number.isFinite(reset) || reset <= 0) return;
    if (requireExhausted && remaining !== '0') return;
    candidates.push(reset - nowMs / 1000);
  };
  resetOf('x-rate-limit', false);
  resetOf('x-user-limit-24hour', true);
  resetOf('x-app-limit-24hour', true);
  if (candidates.length === 0) return undefined;
  return Math.max(1, Math.ceil(Math.max(...candidates)));
}

function problemText(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return typeof data === 'string' && data ? data.slice(0, 300) : undefined;
  const d = data as Record<string, unknown>;
  const first = Array.isArray(d.errors) ? (d.errors[0] as Record<string, unknown> | undefined) : undefined;
  const parts = [d.detail, d.error_description, first?.message, first?.detail, d.title, typeof d.error === 'string' ? d.error : undefined].filter((p): p is string => typeof p === 'string' && p.length > 0);
  return parts[0];
}

function mapXError(e: unknown, stage: Stage, nowMs: number): ConnectorError {
  if (e instanceof ConnectorError) return e;
  if (isSdkError(e) && e.type === 'response') {
    const status = e.code ?? 0;
    const detail = problemText(e.data) ?? e.message;
    const details = { status, body: e.data };
    if (status === 429) return new ConnectorError(PLATFORM, 'rate_limited', `X rate limit reached: ${detail}`, { retryAfterSeconds: xRetryAfterSeconds(e.headers, nowMs), details, cause: e });
    if (status === 402) return new ConnectorError(PLATFORM, 'rejected', `X API out of credit (402): ${detail}`, { details, cause: e });
    if (stage === 'token') {
      if (status === 400 || status === 401 || status === 403) return new ConnectorError(PLATFORM, 'auth', `X refused the refresh token — reconnect the account (${detail})`, { details, cause: e });
      if (status >= 500) return new ConnectorError(PLATFORM, 'unavailable', `X token endpoint answered ${status}`, { details, cause: e });
      return new ConnectorError(PLATFORM, 'unavailable', `X token endpoint answered ${status}: ${detail}`, { details, cause: e });
    }
    if (status === 401) return new ConnectorError(PLATFORM, 'auth', `X refused the access token (401): ${detail}`, { details, cause: e });
    if (status >= 500) {
      if (stage === 'create') return new ConnectorError(PLATFORM, 'unknown_outcome', `X answered ${status} to the post; it may or may not exist`, { details, cause: e });
      return new ConnectorError(PLATFORM, 'unavailable', `X answered ${status}: ${detail}`, { details, cause: e });
    }
    if (status === 403 && stage !== 'create') {
      const type = typeof (e.data as { type?: unknown } | undefined)?.type === 'string' ? String((e.data as { type: string }).type) : '';
      if (/client-forbidden|unsupported-authentication|oauth/i.test(type) || /scope|permission|authori[sz]/i.test(detail)) {
        return new ConnectorError(PLATFORM, 'auth', `X refused this app or token the action (403): ${detail}`, { details, cause: e });
      }
    }
    return new ConnectorError(PLATFORM, 'rejected', `X rejected the ${stage === 'create' ? 'post' : 'request'} (${status}): ${detail}`, { details, cause: e });
  }
  const cause = isSdkError(e) && e.type === 'request' ? requestCause(e) : undefined;
  const notSent = cause?.code !== undefined && NOT_SENT_CODES.has(cause.code);
  const what = cause ? `${cause.name}${cause.code ? ` ${cause.code}` : ''}: ${cause.message}` : e instanceof Error ? e.message : String(e);
  if (stage === 'create' && !notSent) return new ConnectorError(PLATFORM, 'unknown_outcome', `The connection failed while the post was being sent (${what}); it may or may not exist`, { cause: e });
  return new ConnectorError(PLATFORM, 'unavailable', `X could not be reached (${what})`, { cause: e });
}

// ---------------------------------------------------------------------------------------------------
// Text matching for find()

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** X returns `&amp;`-escaped text, wraps links in t.co and appends a t.co link per media post: compare without them. */
export function normalizeXText(text: string): string {
  return text
    .replace(/&(?:amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m)
    .replace(/\bhttps?:\/\/\S+/gi, ' ')
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    .trim();
}

function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

// ---------------------------------------------------------------------------------------------------
// Connector

interface TokenResponse {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
  token_type?: string;
}

interface MediaUploadData {
  id?: string;
  media_key?: string;
  processing_info?: { state?: string; check_after_secs?: number; progress_percent?: number; error?: { message?: string; name?: string } };
}

function settingsOf(account: Pick<ChannelAccount, 'settings'>): XSettings {
  const s = account.settings;
  return {
    baseUrl: typeof s.baseUrl === 'string' && s.baseUrl ? s.baseUrl : undefined,
    costBudgetCents: typeof s.costBudgetCents === 'number' ? s.costBudgetCents : undefined,
    markAllMediaSensitive: s.markAllMediaSensitive === true,
  };
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** One call's view of the account: a client with the current token, refreshed at most once. */
class XSession {
  readonly #connector: XConnector;
  readonly #ctx: ConnectorContext;
  readonly #allowRefresh: boolean;
  readonly account: ChannelAccount;
  credentials: Record<string, string>;
  client: TwitterApi;
  #refreshed = false;

  constructor(connector: XConnector, account: ChannelAccount, ctx: ConnectorContext, allowRefresh: boolean) {
    this.#connector = connector;
    this.#ctx = ctx;
    this.#allowRefresh = allowRefresh;
    this.credentials = { ...account.credentials };
    this.account = account;
    this.client = connector.client(account, this.credentials.access_token ?? '', ctx.signal);
  }

  get canRefresh(): boolean {
    return this.#allowRefresh && !this.#refreshed && !!this.credentials.refresh_token && !!this.credentials.client_id && !!this.#ctx.onCredentials;
  }

  async refresh(): Promise<void> {
    this.#refreshed = true;
    const next = await this.#connector.refreshCredentials(this.account, this.credentials, this.#ctx.signal);
    this.credentials = next;
    this.client = this.#connector.client(this.account, next.access_token ?? '', this.#ctx.signal);
    await this.#ctx.onCredentials?.(next);
  }

  /** Refreshes first when the token is (about to be) expired. */
  async ensureFresh(): Promise<void> {
    const expiresAt = Date.parse(this.credentials.expires_at ?? '');
    const missing = !this.credentials.access_token;
    if ((missing || (Number.isFinite(expiresAt) && expiresAt - this.#connector.refreshSkewMs <= this.#connector.now())) && this.canRefresh) await this.refresh();
  }

  /** Runs one request; a 401 refreshes the token once and runs it again (a 401 means X did nothing). */
  async call<T>(stage: Stage, run: (client: TwitterApi) => Promise<T>): Promise<T> {
    try {
      return await run(this.client);
    } catch (e) {
      if (isSdkError(e) && e.type === 'response' && e.code === 401 && this.canRefresh) {
        await this.refresh();
        try {
          return await run(this.client);
        } catch (again) {
          throw mapXError(again, stage, this.#connector.now());
        }
      }
      throw mapXError(e, stage, this.#connector.now());
    }
  }
}

export class XConnector implements Connector {
  readonly platform = PLATFORM;
  /** Concurrent refreshes of one channel's token share one answer (../refresh.ts). */
  readonly #refreshes = new RefreshFlights();
  readonly oauth = xOAuth;
  readonly oneShotMaxBytes: number;
  readonly chunkBytes: number;
  readonly processingTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly refreshSkewMs: number;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly now: () => number;

  constructor(options: XConnectorOptions = {}) {
    this.oneShotMaxBytes = options.oneShotMaxBytes ?? 5 * 1024 * 1024;
    this.chunkBytes = options.chunkBytes ?? 1024 * 1024;
    this.processingTimeoutMs = options.processingTimeoutMs ?? 10 * 60_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.refreshSkewMs = options.refreshSkewMs ?? 60_000;
    this.#sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
  }

  policy(): ChannelPolicy {
    return { accepts: ['sfw', 'suggestive', 'explicit'], disclosureRequired: true, maxMedia: 4, maxTextLength: 280, flagsAdultMedia: true, needsPublicMediaUrl: false };
  }

  /** A twitter-api-v2 client whose requests go to the channel's base URL and obey `signal`. */
  client(account: Pick<ChannelAccount, 'settings'>, token: string | { clientId: string; clientSecret?: string }, signal: AbortSignal): TwitterApi {
    const base = (settingsOf(account).baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    const timeoutMs = this.requestTimeoutMs;
    const plugin: ITwitterApiClientPlugin = {
      onBeforeRequestConfig({ params }) {
        if (params.url.startsWith(SDK_ORIGIN)) params.url = base + params.url.slice(SDK_ORIGIN.length);
      },
      onBeforeRequest({ requestOptions }) {
        requestOptions.signal = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
      },
    };
    const httpAgent = base.startsWith('http:') ? new http.Agent({ keepAlive: false }) : undefined;
    const settings = { plugins: [plugin], ...(httpAgent ? { httpAgent } : {}) };
    return typeof token === 'string' ? new TwitterApi(token, settings) : new TwitterApi(token, settings);
  }

  async publish(account: ChannelAccount, request: PublishRequest, ctx: ConnectorContext): Promise<PublishResult> {
    const settings = settingsOf(account);
    if (request.media.length > 4) throw new ConnectorError(PLATFORM, 'rejected', `X takes at most 4 media per post (got ${request.media.length})`);
    const videos = request.media.filter((m) => m.kind === 'video' || m.mimeType === 'image/gif');
    if (videos.length > 0 && request.media.length > 1) throw new ConnectorError(PLATFORM, 'rejected', 'X takes one video or GIF per post, alone');
    if (!request.text.trim() && request.media.length === 0) throw new ConnectorError(PLATFORM, 'rejected', 'Nothing to post');

    const session = new XSession(this, account, ctx, true);
    await session.ensureFresh();

    const sensitive = settings.markAllMediaSensitive === true || request.rating !== 'sfw';
    const mediaIds: string[] = [];
    for (const media of request.media) {
      const id = await this.#upload(session, media, ctx.signal);
      const metadata: Record<string, unknown> = {};
      if (media.altText) metadata.alt_text = { text: media.altText.slice(0, 1000) };
      if (sensitive || media.rating !== 'sfw') metadata.sensitive_media_warning = { adult_content: true };
      if (Object.keys(metadata).length > 0) await session.call('prepare', (c) => c.v2.post('media/metadata', { id, metadata }));
      mediaIds.push(id);
    }

    if (ctx.signal.aborted) throw new ConnectorError(PLATFORM, 'unavailable', 'Cancelled before the post was sent', { cause: ctx.signal.reason });
    const body: Record<string, unknown> = { text: request.text, made_with_ai: true };
    if (mediaIds.length > 0) body.media = { media_ids: mediaIds };
    const created = await session.call('create', (c) => c.v2.post<{ data?: { id?: string; text?: string } }>('tweets', body));
    const id = created.data?.id;
    if (!id) throw new ConnectorError(PLATFORM, 'unknown_outcome', 'X accepted the post but answered no id', { details: created });
    return {
      remoteId: id,
      url: postUrl(account.handle, id),
      meta: { costCents: xPostCostCents(request.text, mediaIds.length > 0), mediaIds, sensitive: sensitive && mediaIds.length > 0 },
    };
  }

  async #upload(session: XSession, media: PublishMedia, signal: AbortSignal): Promise<string> {
    const gif = media.mimeType === 'image/gif';
    const category = media.kind === 'video' ? 'tweet_video' : gif ? 'tweet_gif' : 'tweet_image';
    let data: MediaUploadData | undefined;
    if (category === 'tweet_image' && media.bytes.length <= this.oneShotMaxBytes) {
      const res = await session.call('prepare', (c) =>
        c.v2.post<{ data?: MediaUploadData }>('media/upload', { media: media.bytes, media_category: category, media_type: media.mimeType }, { forceBodyMode: 'form-data' }),
      );
      data = res.data;
    } else {
      const init = await session.call('prepare', (c) => c.v2.post<{ data?: MediaUploadData }>('media/upload/initialize', { media_type: media.mimeType, total_bytes: media.bytes.length, media_category: category }));
      const id = init.data?.id;
      if (!id) throw new ConnectorError(PLATFORM, 'unavailable', 'X media initialize answered no id', { details: init });
      for (let index = 0, offset = 0; offset < media.bytes.length; index++, offset += this.chunkBytes) {
        const segment = media.bytes.subarray(offset, Math.min(offset + this.chunkBytes, media.bytes.length));
        await session.call('prepare', (c) => c.v2.post(`media/upload/${id}/append`, { media: Buffer.from(segment), segment_index: index }, { forceBodyMode: 'form-data' }));
      }
      const finalized = await session.call('prepare', (c) => c.v2.post<{ data?: MediaUploadData }>(`media/upload/${id}/finalize`));
      data = { ...finalized.data, id: finalized.data?.id ?? id };
    }
    const id = data?.id;
    if (!id) throw new ConnectorError(PLATFORM, 'unavailable', 'X media upload answered no id', { details: data });
    if (data?.processing_info) await this.#waitProcessed(session, id, data.processing_info, signal);
    return id;
  }

  async #waitProcessed(session: XSession, id: string, first: NonNullable<MediaUploadData['processing_info']>, signal: AbortSignal): Promise<void> {
    const deadline = this.now() + this.processingTimeoutMs;
    let info: MediaUploadData['processing_info'] = first;
    for (;;) {
      const state = info?.state;
      if (state === undefined || state === 'succeeded') return;
      if (state === 'failed') throw new ConnectorError(PLATFORM, 'rejected', `X could not process the media: ${info?.error?.message ?? info?.error?.name ?? 'failed'}`, { details: info });
      if (this.now() >= deadline) throw new ConnectorError(PLATFORM, 'unavailable', `X was still processing media ${id} after ${Math.round(this.processingTimeoutMs / 1000)} s`);
      const waitSeconds = typeof info?.check_after_secs === 'number' && info.check_after_secs > 0 ? info.check_after_secs : 1;
      try {
        await this.#sleep(Math.min(waitSeconds * 1000, Math.max(0, deadline - this.now())), signal);
      } catch (e) {
        throw new ConnectorError(PLATFORM, 'unavailable', 'Cancelled while X was processing the media', { cause: e });
      }
      const status = await session.call('prepare', (c) => c.v2.get<{ data?: MediaUploadData }>('media/upload', { command: 'STATUS', media_id: id }));
      info = status.data?.processing_info ?? { state: 'succeeded' };
    }
  }

  async #userId(session: XSession): Promise<string> {
    if (session.credentials.user_id) return session.credentials.user_id;
    const me = await session.call('read', (c) => c.v2.get<{ data?: { id?: string } }>('users/me'));
    const id = me.data?.id;
    if (!id) throw new ConnectorError(PLATFORM, 'unavailable', 'X answered no user id for /2/users/me', { details: me });
    return id;
  }

  async find(account: ChannelAccount, request: Pick<PublishRequest, 'idempotencyKey' | 'text'>, since: Date, ctx: ConnectorContext): Promise<PublishResult | null> {
    const session = new XSession(this, account, ctx, true);
    await session.ensureFresh();
    const userId = await this.#userId(session);
    const wanted = normalizeXText(request.text);
    // A minute of slack for clock skew between us and X.
    const start = isoSeconds(new Date(since.getTime() - 60_000));
    let token: string | undefined;
    for (let page = 0; page < 5; page++) {
      const query: Record<string, string | number> = { start_time: start, max_results: 100, 'tweet.fields': 'created_at', exclude: 'retweets,replies' };
      if (token) query.pagination_token = token;
      const res = await session.call('read', (c) =>
        c.v2.get<{ data?: { id: string; text: string; created_at?: string }[]; meta?: { next_token?: string } }>(`users/${encodeURIComponent(userId)}/tweets`, query),
      );
      const match = (res.data ?? []).find((t) => normalizeXText(t.text) === wanted);
      if (match) return { remoteId: match.id, url: postUrl(account.handle, match.id), meta: { foundBy: 'text', createdAt: match.created_at } };
      token = res.meta?.next_token;
      if (!token) break;
    }
    return null;
  }

  async interactions(account: ChannelAccount, since: Date | null, ctx: ConnectorContext) {
    return xInteractions(await this.#engagementApi(account, ctx), since);
  }

  async reply(account: ChannelAccount, parentRemoteId: string, text: string, ctx: ConnectorContext) {
    return xReply(await this.#engagementApi(account, ctx), account, parentRemoteId, text, ctx.signal);
  }

  async #engagementApi(account: ChannelAccount, ctx: ConnectorContext): Promise<XEngagementApi> {
    const session = new XSession(this, account, ctx, true);
    await session.ensureFresh();
    return { call: (stage, run) => session.call(stage, run), userId: () => this.#userId(session) };
  }

  async delete(account: ChannelAccount, remoteId: string, ctx: ConnectorContext): Promise<void> {
    const session = new XSession(this, account, ctx, true);
    await session.ensureFresh();
    try {
      await session.call('read', (c) => c.v2.delete(`tweets/${encodeURIComponent(remoteId)}`));
    } catch (e) {
      // Already gone is what we wanted.
      if (e instanceof ConnectorError && (e.details as { status?: number } | undefined)?.status === 404) return;
      throw e;
    }
  }

  async metrics(account: ChannelAccount, remoteIds: string[], ctx: ConnectorContext) {
    const session = new XSession(this, account, ctx, true);
    await session.ensureFresh();
    return xPostMetrics(session, remoteIds);
  }

  async accountMetrics(account: ChannelAccount, ctx: ConnectorContext) {
    const session = new XSession(this, account, ctx, true);
    await session.ensureFresh();
    return xAccountMetrics(session);
  }

  async refresh(account: ChannelAccount, ctx: ConnectorContext): Promise<Record<string, string>> {
    return this.refreshCredentials(account, account.credentials, ctx.signal);
  }

  /**
   * `POST /2/oauth2/token` grant_type=refresh_token; never returns an empty refresh token. X's refresh
   * tokens are single-use: concurrent refreshes of one channel share one answer (../refresh.ts).
   */
  async refreshCredentials(account: Pick<ChannelAccount, 'settings'> & Partial<Pick<ChannelAccount, 'id'>>, credentials: Record<string, string>, signal: AbortSignal): Promise<Record<string, string>> {
    const refreshToken = credentials.refresh_token;
    const clientId = credentials.client_id;
    if (!refreshToken) throw new ConnectorError(PLATFORM, 'auth', 'No refresh token stored — reconnect the X account');
    if (!clientId) throw new ConnectorError(PLATFORM, 'auth', 'No OAuth client_id stored — reconnect the X account');
    const run = () => this.#exchangeRefresh(account, credentials, refreshToken, clientId, signal);
    if (!account.id) return run();
    const answer = await this.#refreshes.once({ accountId: account.id, endpoint: settingsOf(account).baseUrl ?? SDK_ORIGIN }, refreshToken, run);
    return { ...credentials, ...answer };
  }

  async #exchangeRefresh(account: Pick<ChannelAccount, 'settings'>, credentials: Record<string, string>, refreshToken: string, clientId: string, signal: AbortSignal): Promise<Record<string, string>> {
    const clientSecret = credentials.client_secret || undefined;
    // Confidential clients authenticate with Basic (the SDK does it when given a secret); public clients send client_id.
    const client = this.client(account, { clientId, ...(clientSecret ? { clientSecret } : {}) }, signal);
    let res: TokenResponse;
    try {
      res = await client.post<TokenResponse>(`${SDK_ORIGIN}/2/oauth2/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }, { forceBodyMode: 'url' });
    } catch (e) {
      throw mapXError(e, 'token', this.now());
    }
    if (!res.access_token) throw new ConnectorError(PLATFORM, 'unavailable', 'X token endpoint answered no access_token', { details: { ...res, access_token: undefined, refresh_token: undefined } });
    const next: Record<string, string> = { ...credentials, access_token: res.access_token };
    // X rotates refresh tokens; keep the old one if the answer has none (never blank it).
    next.refresh_token = res.refresh_token || refreshToken;
    next.expires_at = new Date(this.now() + (typeof res.expires_in === 'number' && res.expires_in > 0 ? res.expires_in : 7200) * 1000).toISOString();
    if (res.scope) next.scope = res.scope;
    return next;
  }

  async verify(account: ChannelAccount, ctx: ConnectorContext): Promise<{ ok: boolean; problems: string[] }> {
    const session = new XSession(this, account, ctx, true);
    await session.ensureFresh();
    const me = await session.call('read', (c) => c.v2.get<{ data?: { id: string; username?: string; description?: string; url?: string } }>('users/me', { 'user.fields': 'description,url,verified_type,protected' }));
    const user = me.data;
    const problems: string[] = [];
    let ok = true;
    const bio = user?.description ?? '';
    if (!mentionsAutomation(bio)) {
      ok = false;
      problems.push('The bio does not say the account is automated / AI-generated (e.g. "AI-generated persona, automated account" or « compte automatisé, personnage généré par IA »).');
    }
    if (!namesOperator(bio)) {
      ok = false;
      problems.push('The bio does not say who runs the account (e.g. "run by @studio" or « géré par @studio »).');
    }
    const handle = account.handle.replace(/^@/, '').toLowerCase();
    if (user?.username && handle && user.username.toLowerCase() !== handle) {
      ok = false;
      problems.push(`The token belongs to @${user.username}, not @${handle}.`);
    }
    // X API v2 user objects have no field for the "Automated" label (checked against the documented user.fields):
    // someone who manages the channel confirms it (settings.automatedLabelConfirmedAt), and the check says so until then.
    if (!automatedLabelConfirmed(account.settings)) {
      problems.push(
        'The "Automated" account label cannot be verified by API; turn it on in X settings (Your account → Account information → Automation), then confirm it here.',
      );
    }
    return { ok, problems };
  }
}

const AUTOMATION_PATTERNS = [
  /\b(?:automated|automation|bot|ai[- ]?(?:generated|made|created|powered)|made with ai|artificial intelligence|virtual (?:influencer|creator|model|persona)|fictional|not a real person)\b/i,
  /\b(?:compte automatis[ée]|automatis[ée]e?s?|robot|g[ée]n[ée]r[ée]e?s? (?:par|avec) (?:l['’]|une )?ia|cr[ée]{1,2}e?s? (?:par|avec) (?:l['’]|une )?ia|intelligence artificielle|personnage fictif|fictive?|virtuel(?:le)?)\b/i,
  /(?:^|[\s(#])(?:ai|ia)(?=[\s).,!:;#]|$)/i,
  /🤖/u,
];
const OPERATOR_PATTERNS = [
  /\b(?:run|operated|managed|maintained|made|created|curated|powered) by\b/i,
  /\b(?:g[ée]r[ée]e?|op[ée]r[ée]e?|anim[ée]e?|tenue?|cr[ée]{1,2}e?|pilot[ée]e?) par\b/i,
  /(?:^|\s)(?:by|par|via)\s+@\w+/i,
];

/** Set when a person confirmed the account carries X's "Automated" label (ISO time of the confirmation). */
export function automatedLabelConfirmed(settings: Record<string, unknown>): boolean {
  return typeof settings.automatedLabelConfirmedAt === 'string' && !Number.isNaN(Date.parse(settings.automatedLabelConfirmedAt));
}

export function mentionsAutomation(bio: string): boolean {
  return AUTOMATION_PATTERNS.some((p) => p.test(bio));
}

export function namesOperator(bio: string): boolean {
  return OPERATOR_PATTERNS.some((p) => p.test(bio));
}

function postUrl(handle: string, id: string): string {
  const name = handle.replace(/^@/, '').trim();
  return name ? `https://x.com/${encodeURIComponent(name)}/status/${id}` : `https://x.com/i/web/status/${id}`;
}
