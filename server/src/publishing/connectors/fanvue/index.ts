/**
 * Fanvue (official API, https://api.fanvue.com). Every call carries `Authorization: Bearer <token>` and
 * `X-Fanvue-API-Version: 2025-06-26`. Verified against Fanvue's API reference (api.fanvue.com/docs,
 * 2025-06-26 version; see the module's report for sources):
 *
 * - media upload is an S3 multipart session:
 *   `POST /media/uploads {name, filename, mediaType: image|video|audio|document}` → `{mediaUuid, uploadId}`;
 *   per part `GET /media/uploads/{uploadId}/parts/{partNumber}/url` → a presigned URL (the reference
 *   leaves the answer's schema open: a JSON string or `{url}`-like object are both accepted) and a `PUT`
 *   of the bytes there (no auth, the ETag header kept); `PATCH /media/uploads/{uploadId}
 *   {parts: [{ETag, PartNumber}]}` → `{status: created|processing|ready|error}`; then
 *   `GET /media/{uuid}` until `status: ready`;
 * - `POST /posts {audience: subscribers|followers-and-subscribers, text ≤ 5000, mediaUuids, price ≥ 300
 *   (cents, needs media), publishAt?, expiresAt?}` → 201 `{uuid, createdAt, …}`;
 * - `GET /posts?page=&size=(1–50)` → `{data: [{uuid, text, createdAt, publishedAt, isPinned, …}],
 *   pagination: {page, size, hasMore}}` (pinned first, then newest);
 * - agency tokens act for a creator under `/creators/{creatorUserUuid}/…` (settings.creatorUserUuid);
 * - OAuth 2.0 + PKCE at auth.fanvue.com; access tokens last about an hour; refresh tokens ROTATE and are
 *   single-use, so the new one is handed to `onCredentials` at once (and the old one never blanked when
 *   an answer lacks it);
 * - 200 requests / 60 s per user per app; `X-RateLimit-Reset` (unix seconds) and `Retry-After` on 429;
 *   410 = API version sunset.
 */
import {
  ConnectorError,
  type ChannelAccount,
  type ChannelPolicy,
  type Connector,
  type ConnectorContext,
  type ConnectorErrorKind,
  type PublishMedia,
  type PublishRequest,
  type PublishResult,
} from '../types.ts';
import {
  connectorFetch,
  defaultErrorMessage,
  errorFromResponse,
  expiresAtFrom,
  expiresWithin,
  isConnectorError,
  mergeCredentials,
  parseRetryAfter,
  sleep,
  truncate,
  type ConnectorResponse,
  type FetchLike,
} from '../http.ts';
import { fanvueOAuth } from './oauth.ts';
import { RefreshFlights } from '../refresh.ts';

const PLATFORM = 'fanvue';
export const FANVUE_DEFAULT_BASE_URL = 'https://api.fanvue.com';
export const FANVUE_DEFAULT_TOKEN_URL = 'https://auth.fanvue.com/oauth2/token';
export const FANVUE_API_VERSION = '2025-06-26';
export const FANVUE_MAX_TEXT = 5000;
export const FANVUE_MAX_MEDIA = 20;
/** Fanvue's minimum price for a paid post, in cents. */
export const FANVUE_MIN_PRICE_CENTS = 300;

export interface FanvueSettings {
  baseUrl?: string;
  apiVersion?: string;
  tokenUrl?: string;
  /** Agency access: act for this creator through /creators/{uuid}/… routes. */
  creatorUserUuid?: string;
  /** How the client authenticates at the token endpoint: HTTP basic (default) or client_secret in the body. */
  tokenAuth?: 'basic' | 'post';
}

export interface FanvuePostOptions {
  /** true (default): subscribers only; false: followers and subscribers. */
  subscribersOnly?: boolean;
  /** Pay-to-view price in cents (≥ 300; needs media). */
  priceCents?: number;
}

export interface FanvueConnectorOptions {
  requestTimeoutMs?: number;
  /** Upload part size (S3 multipart: ≥ 5 MiB except the last). Default 8 MiB. */
  partSizeBytes?: number;
  /** Media processing poll: first delay (×1.5 up to maxPollIntervalMs). Default 1 s. */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** Give up waiting for media processing after this long (→ unavailable). Default 5 min. */
  maxMediaWaitMs?: number;
  /** Refresh the access token when it expires within this window. Default 2 min. */
  refreshWindowMs?: number;
  /** Pages of own posts `find` reads at most. Default 5. */
  findMaxPages?: number;
  fetch?: FetchLike;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface ParsedSettings {
  baseUrl: string;
  apiVersion: string;
  tokenUrl: string;
  creatorUserUuid?: string;
  tokenAuth: 'basic' | 'post';
}

export function parseSettings(settings: Record<string, unknown>): ParsedSettings {
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  return {
    baseUrl: (str(settings.baseUrl) ?? FANVUE_DEFAULT_BASE_URL).replace(/\/+$/, ''),
    apiVersion: str(settings.apiVersion) ?? FANVUE_API_VERSION,
    tokenUrl: str(settings.tokenUrl) ?? FANVUE_DEFAULT_TOKEN_URL,
    creatorUserUuid: str(settings.creatorUserUuid),
    tokenAuth: settings.tokenAuth === 'post' ? 'post' : 'basic',
  };
}

function parseOptions(options: Record<string, unknown>): FanvuePostOptions {
  const price = options.priceCents ?? options.price;
  let priceCents: number | undefined;
  if (price !== undefined && price !== null && price !== 0) {
    const n = typeof price === 'string' ? Number(price) : price;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new ConnectorError(PLATFORM, 'rejected', `Fanvue price must be a whole number of cents (got ${String(price)})`);
    priceCents = n;
  }
  return { subscribersOnly: options.subscribersOnly !== false, priceCents };
}

/** Pulls the presigned URL out of the part-URL answer (a JSON string, `{url}`, `{signedUrl}`, `{uploadUrl}` or plain text). */
export function presignedUrlFrom(response: Pick<ConnectorResponse, 'data' | 'text'>): string | undefined {
  const data = response.data;
  const candidates: unknown[] = [];
  if (typeof data === 'string') candidates.push(data.trim().replace(/^"|"$/g, ''));
  if (isRecord(data)) {
    candidates.push(data.url, data.signedUrl, data.uploadUrl, data.presignedUrl);
    if (isRecord(data.data)) candidates.push(data.data.url, data.data.signedUrl, data.data.uploadUrl);
  }
  candidates.push(response.text.trim().replace(/^"|"$/g, ''));
  return candidates.find((c): c is string => typeof c === 'string' && /^https?:\/\//i.test(c));
}

/** One logical operation's state (credentials refreshed once, reused); messages.ts keeps one across a PPV batch. */
export class FanvueCall {
  readonly settings: ParsedSettings;
  readonly ctx: ConnectorContext;
  credentials: Record<string, string>;
  refreshed = false;
  /** The channel's id: concurrent refreshes of one channel share one answer (../refresh.ts). */
  readonly accountId: string;

  constructor(account: ChannelAccount, settings: ParsedSettings, ctx: ConnectorContext) {
    this.settings = settings;
    this.ctx = ctx;
    this.credentials = { ...account.credentials };
    this.accountId = account.id;
  }

  /** `/posts` → `/creators/{uuid}/posts` for agency access. */
  path(path: string): string {
    return this.settings.creatorUserUuid ? `/creators/${encodeURIComponent(this.settings.creatorUserUuid)}${path}` : path;
  }
}

export class FanvueConnector implements Connector {
  readonly platform = PLATFORM;
  /** Concurrent refreshes of one channel's token share one answer (../refresh.ts). */
  readonly #refreshes = new RefreshFlights();
  readonly oauth = fanvueOAuth;
  private readonly options: Required<Omit<FanvueConnectorOptions, 'fetch'>> & { fetch?: FetchLike };

  constructor(options: FanvueConnectorOptions = {}) {
    this.options = {
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      partSizeBytes: Math.max(1, options.partSizeBytes ?? 8 * 1024 * 1024),
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      maxPollIntervalMs: options.maxPollIntervalMs ?? 5_000,
      maxMediaWaitMs: options.maxMediaWaitMs ?? 5 * 60_000,
      refreshWindowMs: options.refreshWindowMs ?? 120_000,
      findMaxPages: options.findMaxPages ?? 5,
      fetch: options.fetch,
    };
  }

  policy(_account: Pick<ChannelAccount, 'settings'>): ChannelPolicy {
    return {
      accepts: ['sfw', 'suggestive', 'explicit'],
      disclosureRequired: true,
      maxMedia: FANVUE_MAX_MEDIA,
      maxTextLength: FANVUE_MAX_TEXT,
      flagsAdultMedia: false,
      needsPublicMediaUrl: false,
    };
  }

  // -------------------------------------------------------------------------------------------------
  // Tokens

  async refresh(account: ChannelAccount, ctx: ConnectorContext): Promise<Record<string, string>> {
    const call = new FanvueCall(account, parseSettings(account.settings), ctx);
    await this.refreshCall(call);
    return call.credentials;
  }

  private async refreshCall(call: FanvueCall): Promise<void> {
    const { refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret } = call.credentials;
    if (!refreshToken) throw new ConnectorError(PLATFORM, 'auth', 'Fanvue: the access token expired and no refresh token is stored — reconnect the account');
    if (!clientId) throw new ConnectorError(PLATFORM, 'auth', 'Fanvue: client_id is missing from the credentials — reconnect the account');
    const headers: Record<string, string> = {};
    const form: Record<string, string | undefined> = { grant_type: 'refresh_token', refresh_token: refreshToken };
    if (clientSecret && call.settings.tokenAuth === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
    } else {
      form.client_id = clientId;
      form.client_secret = clientSecret;
    }
    const exchange = async (): Promise<Record<string, string>> => {
      const response = await connectorFetch(PLATFORM, call.settings.tokenUrl, {
        method: 'POST',
        signal: call.ctx.signal,
        timeoutMs: this.options.requestTimeoutMs,
        headers,
        form,
        allowErrorStatus: true,
        fetch: this.options.fetch,
      });
      const data = isRecord(response.data) ? response.data : {};
      if (!response.ok || typeof data.access_token !== 'string') {
        if (response.status === 429 || response.status >= 500) throw errorFromResponse(PLATFORM, response, { retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')) });
        const reason = [data.error, data.error_description].filter((x) => typeof x === 'string').join(': ') || `HTTP ${response.status}`;
        throw new ConnectorError(PLATFORM, 'auth', `Fanvue token refresh refused (${reason}) — reconnect the account`, { details: { status: response.status, body: response.data } });
      }
      const answer: Record<string, string> = { access_token: data.access_token };
      if (typeof data.refresh_token === 'string' && data.refresh_token) answer.refresh_token = data.refresh_token;
      const expiresAt = expiresAtFrom(data.expires_in);
      if (expiresAt) answer.expires_at = expiresAt;
      return answer;
    };
    const answer = await this.#refreshes.once({ accountId: call.accountId, endpoint: call.settings.tokenUrl }, refreshToken, exchange);
    call.credentials = mergeCredentials(call.credentials, answer);
    call.refreshed = true;
    // Refresh tokens are single-use: store the new one before anything else can fail.
    await call.ctx.onCredentials?.(call.credentials);
  }

  // -------------------------------------------------------------------------------------------------
  // HTTP

  private classify(response: ConnectorResponse, sendsPost: boolean): { kind?: ConnectorErrorKind; message?: string; retryAfterSeconds?: number } {
    const detail = defaultErrorMessage(response.data, response.text);
    switch (response.status) {
      case 401:
        return { kind: 'auth', message: `access token refused — reconnect the account (${detail ?? 'Unauthorized'})` };
      case 403:
        return { kind: 'auth', message: `forbidden — the token lacks a scope (write:post, write:media, read:media, read:post) or the account is not a creator (${detail ?? 'Forbidden'})` };
      case 410:
        return { kind: 'rejected', message: `API version ${response.headers.get('x-fanvue-api-version') ?? ''} is no longer supported (sunset) — update apiVersion (${detail ?? 'Gone'})`.replace('  ', ' ') };
      case 429: {
        const reset = Number(response.headers.get('x-ratelimit-reset'));
        const fromReset = Number.isFinite(reset) && reset > 0 ? Math.max(0, Math.ceil(reset - Date.now() / 1000)) : undefined;
        return { kind: 'rate_limited', retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')) ?? fromReset, message: detail };
      }
      default:
        return { kind: undefined, message: detail ?? (sendsPost ? 'no answer body' : undefined) };
    }
  }

  /** Authorised request with refresh-on-401; also used by ./messages.ts (pay-to-view chat messages). */
  async api<T = unknown>(
    call: FanvueCall,
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    init: { query?: Record<string, string>; json?: unknown; sendsPost?: boolean } = {},
  ): Promise<ConnectorResponse<T>> {
    if (!call.refreshed && call.credentials.refresh_token && (!call.credentials.access_token || expiresWithin(call.credentials.expires_at, this.options.refreshWindowMs))) {
      await this.refreshCall(call);
    }
    const url = new URL(`${call.settings.baseUrl}${path}`);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    const send = () =>
      connectorFetch<T>(PLATFORM, url, {
        method,
        signal: call.ctx.signal,
        timeoutMs: this.options.requestTimeoutMs,
        sendsPost: init.sendsPost,
        headers: { authorization: `Bearer ${call.credentials.access_token ?? ''}`, 'x-fanvue-api-version': call.settings.apiVersion },
        json: init.json,
        allowErrorStatus: true,
        fetch: this.options.fetch,
      });
    let response = await send();
    if (response.status === 401 && !call.refreshed && call.credentials.refresh_token) {
      await this.refreshCall(call);
      response = await send();
    }
    if (response.ok) return response;
    const { kind, message, retryAfterSeconds } = this.classify(response, init.sendsPost === true);
    throw errorFromResponse(PLATFORM, response, { sendsPost: init.sendsPost, kind, message, retryAfterSeconds });
  }

  // -------------------------------------------------------------------------------------------------
  // Media

  /** Uploads one media item through Fanvue's multipart session and waits until it is ready; returns its uuid. */
  async uploadMedia(call: FanvueCall, media: PublishMedia): Promise<string> {
    const name = media.filename.replace(/\.[^.]+$/, '').slice(0, 255) || 'media';
    const session = await this.api<{ mediaUuid?: string; uploadId?: string }>(call, 'POST', call.path('/media/uploads'), {
      json: { name, filename: media.filename.slice(0, 255), mediaType: media.kind },
    });
    const { mediaUuid, uploadId } = session.data ?? {};
    if (!mediaUuid || !uploadId) throw new ConnectorError(PLATFORM, 'unavailable', 'Fanvue upload session came back without mediaUuid/uploadId', { details: session.data });

    const parts: { ETag: string; PartNumber: number }[] = [];
    const partSize = this.options.partSizeBytes;
    const count = Math.max(1, Math.ceil(media.bytes.length / partSize));
    for (let index = 0; index < count; index++) {
      const partNumber = index + 1;
      const chunk = media.bytes.subarray(index * partSize, Math.min(media.bytes.length, (index + 1) * partSize));
      const signed = await this.api(call, 'GET', call.path(`/media/uploads/${encodeURIComponent(uploadId)}/parts/${partNumber}/url`));
      const target = presignedUrlFrom(signed);
      if (!target) throw new ConnectorError(PLATFORM, 'unavailable', `Fanvue gave no usable upload URL for part ${partNumber}: ${truncate(signed.text, 120)}`);
      const put = await connectorFetch(PLATFORM, target, {
        method: 'PUT',
        signal: call.ctx.signal,
        timeoutMs: Math.max(this.options.requestTimeoutMs, 120_000),
        body: new Uint8Array(chunk),
        headers: { accept: '*/*' },
        allowErrorStatus: true,
        fetch: this.options.fetch,
      });
      if (!put.ok) {
        const code = /<Code>([^<]+)<\/Code>/.exec(put.text)?.[1];
        throw errorFromResponse(PLATFORM, put, { kind: put.status === 400 || put.status === 413 ? 'rejected' : 'unavailable', message: `upload of part ${partNumber} failed${code ? `: ${code}` : ''}` });
      }
      const etag = put.headers.get('etag');
      parts.push({ ETag: etag ?? '', PartNumber: partNumber });
    }
    const completed = await this.api<{ status?: string }>(call, 'PATCH', call.path(`/media/uploads/${encodeURIComponent(uploadId)}`), {
      json: { parts: parts.map((p) => (p.ETag ? p : { PartNumber: p.PartNumber })) },
    });
    if (completed.data?.status === 'error') throw new ConnectorError(PLATFORM, 'rejected', `Fanvue could not process ${media.filename}`, { details: { mediaUuid } });
    if (completed.data?.status !== 'ready') await this.waitForMedia(call, mediaUuid, media.filename);
    return mediaUuid;
  }

  private async waitForMedia(call: FanvueCall, mediaUuid: string, filename: string): Promise<void> {
    const deadline = Date.now() + this.options.maxMediaWaitMs;
    let interval = this.options.pollIntervalMs;
    for (;;) {
      const response = await this.api<{ status?: string }>(call, 'GET', call.path(`/media/${encodeURIComponent(mediaUuid)}`));
      const status = response.data?.status;
      if (status === 'ready') return;
      if (status === 'error' || status === 'failed') throw new ConnectorError(PLATFORM, 'rejected', `Fanvue could not process ${filename} (status ${status})`, { details: { mediaUuid } });
      if (Date.now() + interval > deadline) throw new ConnectorError(PLATFORM, 'unavailable', `Fanvue media ${mediaUuid} still ${status ?? 'unknown'} after ${Math.round(this.options.maxMediaWaitMs / 1000)} s`);
      try {
        await sleep(interval, call.ctx.signal);
      } catch (error) {
        throw new ConnectorError(PLATFORM, 'unavailable', 'Fanvue: cancelled while waiting for media processing', { cause: error });
      }
      interval = Math.min(this.options.maxPollIntervalMs, Math.round(interval * 1.5));
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Publishing

  async publish(account: ChannelAccount, request: PublishRequest, ctx: ConnectorContext): Promise<PublishResult> {
    const settings = parseSettings(account.settings);
    const options = parseOptions(request.options);
    if ([...request.text].length > FANVUE_MAX_TEXT) throw new ConnectorError(PLATFORM, 'rejected', `Fanvue post text is limited to ${FANVUE_MAX_TEXT} characters`);
    if (request.media.length > FANVUE_MAX_MEDIA) throw new ConnectorError(PLATFORM, 'rejected', `at most ${FANVUE_MAX_MEDIA} media per Fanvue post`);
    if (!request.text && request.media.length === 0) throw new ConnectorError(PLATFORM, 'rejected', 'a Fanvue post needs text or media');
    if (options.priceCents !== undefined) {
      if (options.priceCents < FANVUE_MIN_PRICE_CENTS) throw new ConnectorError(PLATFORM, 'rejected', `Fanvue paid posts cost at least ${FANVUE_MIN_PRICE_CENTS} cents`);
      if (request.media.length === 0) throw new ConnectorError(PLATFORM, 'rejected', 'Fanvue paid posts need media');
    }
    const call = new FanvueCall(account, settings, ctx);
    const mediaUuids: string[] = [];
    for (const media of request.media) mediaUuids.push(await this.uploadMedia(call, media));

    const body: Record<string, unknown> = { audience: options.subscribersOnly === false ? 'followers-and-subscribers' : 'subscribers' };
    if (request.text) body.text = request.text;
    if (mediaUuids.length > 0) body.mediaUuids = mediaUuids;
    if (options.priceCents !== undefined) body.price = options.priceCents;
    const created = await this.api<{ uuid?: string; id?: string; createdAt?: string; publishedAt?: string | null }>(call, 'POST', call.path('/posts'), { json: body, sendsPost: true });
    const remoteId = created.data?.uuid ?? created.data?.id;
    if (!remoteId) throw new ConnectorError(PLATFORM, 'unknown_outcome', 'Fanvue created the post but its answer has no uuid', { details: created.data });
    return { remoteId: String(remoteId), meta: { mediaUuids, audience: body.audience, price: options.priceCents ?? null, createdAt: created.data?.createdAt } };
  }

  /** Own posts since `since` whose text is exactly the request's text. */
  async find(account: ChannelAccount, request: Pick<PublishRequest, 'idempotencyKey' | 'text'>, since: Date, ctx: ConnectorContext): Promise<PublishResult | null> {
    const call = new FanvueCall(account, parseSettings(account.settings), ctx);
    for (let page = 1; page <= this.options.findMaxPages; page++) {
      const response = await this.api<{ data?: Record<string, unknown>[]; pagination?: { hasMore?: boolean } }>(call, 'GET', call.path('/posts'), { query: { page: String(page), size: '50' } });
      const posts = Array.isArray(response.data?.data) ? response.data.data : [];
      let sawOlderUnpinned = false;
      for (const post of posts) {
        const at = Date.parse(String(post.createdAt ?? post.publishedAt ?? ''));
        if (!Number.isNaN(at) && at < since.getTime() - 60_000) {
          if (post.isPinned !== true) sawOlderUnpinned = true;
          continue;
        }
        if ((post.text ?? '') === request.text && (post.uuid || post.id)) return { remoteId: String(post.uuid ?? post.id) };
      }
      if (!response.data?.pagination?.hasMore || sawOlderUnpinned) break;
    }
    return null;
  }

  /**
   * One authenticated GET for sibling modules (earnings sync…), with the same refresh and error mapping
   * as publishing; `path` is relative to the creator (agency access adds /creators/{uuid}).
   */
  async getJson<T = unknown>(account: ChannelAccount, path: string, query: Record<string, string>, ctx: ConnectorContext): Promise<T> {
    const call = new FanvueCall(account, parseSettings(account.settings), ctx);
    return (await this.api<T>(call, 'GET', call.path(path), { query })).data;
  }

  /** The POST twin of getJson (tracking links…): a timeout reads as an unknown outcome, never resent. */
  async postJson<T = unknown>(account: ChannelAccount, path: string, json: unknown, ctx: ConnectorContext): Promise<T> {
    const call = new FanvueCall(account, parseSettings(account.settings), ctx);
    return (await this.api<T>(call, 'POST', call.path(path), { json, sendsPost: true })).data;
  }

  async verify(account: ChannelAccount, ctx: ConnectorContext): Promise<{ ok: boolean; problems: string[] }> {
    const problems: string[] = [];
    try {
      const call = new FanvueCall(account, parseSettings(account.settings), ctx);
      const me = await this.api<{ isCreator?: boolean; handle?: string }>(call, 'GET', '/users/me');
      if (me.data?.isCreator === false) problems.push('This Fanvue account is not a creator account');
    } catch (error) {
      if (isConnectorError(error) || error instanceof Error) problems.push(truncate(error.message));
      else problems.push(String(error));
    }
    return { ok: problems.length === 0, problems };
  }
}
