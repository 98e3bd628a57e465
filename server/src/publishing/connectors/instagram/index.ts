/**
 * Instagram (Graph API, professional account, Instagram Login on graph.instagram.com by default;
 * `graphBaseUrl: https://graph.facebook.com` works for Facebook Login tokens too).
 *
 * Publishing is three-step and Meta fetches the media itself, so every media item needs a public URL:
 *   1. a container per item: `POST /{ig-user-id}/media` (`image_url` + `alt_text`, or `media_type=REELS` +
 *      `video_url`); 2–10 items → children with `is_carousel_item=true`, then a `CAROUSEL` parent;
 *   2. poll `GET /{container}?fields=status_code,status` until FINISHED (ERROR/EXPIRED → rejected);
 *   3. read `content_publishing_limit` (quota_usage vs config.quota_total, never a hard-coded number),
 *      then `POST /{ig-user-id}/media_publish {creation_id}` (the only call that creates the post:
 *      a timeout there is an unknown outcome) and `GET /{media-id}?fields=permalink`.
 *
 * Instagram accepts SFW only (no nudity, digitally created included). Long-lived tokens (60 days) are
 * refreshed with `GET /refresh_access_token?grant_type=ig_refresh_token` while still valid; an expired
 * token (code 190) cannot be refreshed → auth (reconnect).
 */
import { isIP } from 'node:net';
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
  errorFromResponse,
  expiresAtFrom,
  expiresWithin,
  isConnectorError,
  mergeCredentials,
  sleep,
  truncate,
  type ConnectorResponse,
  type FetchLike,
} from '../http.ts';
import { instagramOAuth } from './oauth.ts';
import { RefreshFlights } from '../refresh.ts';
import { instagramInteractions, instagramReply, type InstagramEngagementApi } from './engagement.ts';
import { instagramAccountMetrics, instagramPostMetrics } from './metrics.ts';

const PLATFORM = 'instagram';
export const INSTAGRAM_DEFAULT_GRAPH_URL = 'https://graph.instagram.com';
export const INSTAGRAM_DEFAULT_API_VERSION = 'v23.0';
export const INSTAGRAM_MAX_CAPTION = 2200;
export const INSTAGRAM_MAX_CAROUSEL = 10;

export interface InstagramSettings {
  graphBaseUrl?: string;
  igUserId: string;
  apiVersion?: string;
}

export interface InstagramConnectorOptions {
  /** First container status poll delay; grows ×1.5 up to maxPollIntervalMs. Default 2 s. */
  pollIntervalMs?: number;
  /** Default 10 s. */
  maxPollIntervalMs?: number;
  /** Give up waiting for containers after this long (→ unavailable). Default 10 min (Reels can be slow). */
  maxContainerWaitMs?: number;
  /** Per-request timeout. Default 30 s. */
  requestTimeoutMs?: number;
  /** Refresh the long-lived token when it expires within this window. Default 7 days. */
  refreshWindowMs?: number;
  /** Pages of own media `find` reads at most. Default 5. */
  findMaxPages?: number;
  /** Media per page `find` asks for. Default 50. */
  findPageSize?: number;
  fetch?: FetchLike;
}

interface GraphError {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
  error_user_msg?: string;
  error_user_title?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function graphErrorOf(data: unknown): GraphError | undefined {
  if (isRecord(data) && isRecord(data.error)) return data.error as GraphError;
  return undefined;
}

const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80001, 80002]);
const AUTH_CODES = new Set([102, 190, 10]);
const MEDIA_UNREACHABLE_CODES = new Set([9004]);
const MEDIA_UNREACHABLE_SUBCODES = new Set([2207052, 2207003, 2207020]);
/** "You have reached the maximum number of posts allowed in 24 hours" style subcodes. */
const QUOTA_SUBCODES = new Set([2207042]);

/** Minutes until access is regained, from Meta's usage headers (`x-business-use-case-usage`, `x-app-usage` has none). */
export function metaRetryAfterSeconds(headers: Headers): number | undefined {
  const raw = headers.get('x-business-use-case-usage') ?? headers.get('x-ad-account-usage');
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as unknown;
    let minutes: number | undefined;
    const visit = (value: unknown) => {
      if (Array.isArray(value)) value.forEach(visit);
      else if (isRecord(value)) {
        const m = value.estimated_time_to_regain_access;
        if (typeof m === 'number' && m > 0) minutes = Math.max(minutes ?? 0, m);
        Object.values(value).forEach(visit);
      }
    };
    visit(parsed);
    return minutes === undefined ? undefined : minutes * 60;
  } catch {
    return undefined;
  }
}

/** Kind for a Graph API error body (undefined: fall back to the HTTP status). */
export function graphErrorKind(error: GraphError | undefined, sendsPost: boolean): ConnectorErrorKind | undefined {
  if (!error) return undefined;
  const code = error.code ?? -1;
  const sub = error.error_subcode ?? -1;
  if (AUTH_CODES.has(code) || (code >= 200 && code <= 299)) return 'auth';
  if (RATE_LIMIT_CODES.has(code) || QUOTA_SUBCODES.has(sub)) return 'rate_limited';
  if (MEDIA_UNREACHABLE_CODES.has(code) || MEDIA_UNREACHABLE_SUBCODES.has(sub)) return 'rejected';
  if (error.is_transient === true || code === 1 || code === 2) return sendsPost ? 'unknown_outcome' : 'unavailable';
  if (code === 100 || code === 36003 || code === 352 || code === 9007) return 'rejected';
  return undefined;
}

function graphMessage(error: GraphError | undefined, fallback: string): string {
  if (!error) return fallback;
  const code = error.code ?? -1;
  const sub = error.error_subcode ?? -1;
  const base = error.error_user_msg ?? error.message ?? fallback;
  const ids = `(code ${error.code ?? '?'}${error.error_subcode ? `/${error.error_subcode}` : ''})`;
  if (MEDIA_UNREACHABLE_CODES.has(code) || MEDIA_UNREACHABLE_SUBCODES.has(sub)) {
    return `Instagram could not fetch the media from its URL — the URL must be publicly reachable over the internet and serve the image/video itself: ${base} ${ids}`;
  }
  if (code === 190) return `Instagram refused the access token (expired or revoked — reconnect the account): ${base} ${ids}`;
  return `${base} ${ids}`;
}

function parseSettings(settings: Record<string, unknown>): Required<InstagramSettings> {
  const igUserId = settings.igUserId;
  if (typeof igUserId !== 'string' && typeof igUserId !== 'number') {
    throw new ConnectorError(PLATFORM, 'rejected', 'Instagram channel settings: igUserId (the professional account id) is missing');
  }
  const base = typeof settings.graphBaseUrl === 'string' && settings.graphBaseUrl ? settings.graphBaseUrl : INSTAGRAM_DEFAULT_GRAPH_URL;
  const version = typeof settings.apiVersion === 'string' && settings.apiVersion ? settings.apiVersion : INSTAGRAM_DEFAULT_API_VERSION;
  return { igUserId: String(igUserId), graphBaseUrl: base.replace(/\/+$/, ''), apiVersion: version.replace(/^\/+|\/+$/g, '') };
}

/** Quota as the API reports it (`quota_total` undefined when the API gives none: we then do not guess). */
export interface InstagramQuota {
  usage: number;
  total: number | undefined;
  durationSeconds: number | undefined;
}

interface Session {
  account: ChannelAccount;
  settings: Required<InstagramSettings>;
  token: string;
  ctx: ConnectorContext;
}

export class InstagramConnector implements Connector {
  readonly platform = PLATFORM;
  /** Concurrent refreshes of one channel's token share one answer (../refresh.ts). */
  readonly #refreshes = new RefreshFlights();
  readonly oauth = instagramOAuth;
  private readonly options: Required<Omit<InstagramConnectorOptions, 'fetch'>> & { fetch?: FetchLike };

  constructor(options: InstagramConnectorOptions = {}) {
    this.options = {
      pollIntervalMs: options.pollIntervalMs ?? 2_000,
      maxPollIntervalMs: options.maxPollIntervalMs ?? 10_000,
      maxContainerWaitMs: options.maxContainerWaitMs ?? 10 * 60_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      refreshWindowMs: options.refreshWindowMs ?? 7 * 24 * 3600_000,
      findMaxPages: options.findMaxPages ?? 5,
      findPageSize: options.findPageSize ?? 50,
      fetch: options.fetch,
    };
  }

  policy(_account: Pick<ChannelAccount, 'settings'>): ChannelPolicy {
    return {
      accepts: ['sfw'],
      disclosureRequired: true,
      maxMedia: INSTAGRAM_MAX_CAROUSEL,
      maxTextLength: INSTAGRAM_MAX_CAPTION,
      flagsAdultMedia: false,
      needsPublicMediaUrl: true,
    };
  }

  // -------------------------------------------------------------------------------------------------
  // HTTP

  private url(settings: Required<InstagramSettings>, path: string, query: Record<string, string> = {}, versioned = true): URL {
    const url = new URL(`${settings.graphBaseUrl}${versioned ? `/${settings.apiVersion}` : ''}/${path.replace(/^\/+/, '')}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url;
  }

  private async graph<T>(
    session: Pick<Session, 'settings' | 'token' | 'ctx'>,
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string | undefined> = {},
    opts: { sendsPost?: boolean; versioned?: boolean; absoluteUrl?: string } = {},
  ): Promise<T> {
    const sendsPost = opts.sendsPost ?? false;
    let url: URL;
    if (opts.absoluteUrl) url = new URL(opts.absoluteUrl);
    else url = this.url(session.settings, path, method === 'GET' ? (Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<string, string>) : {}, opts.versioned ?? true);
    if (!url.searchParams.has('access_token')) url.searchParams.set('access_token', session.token);
    const response = await connectorFetch(PLATFORM, url, {
      method,
      signal: session.ctx.signal,
      timeoutMs: this.options.requestTimeoutMs,
      sendsPost,
      form: method === 'POST' ? params : undefined,
      fetch: this.options.fetch,
      allowErrorStatus: true,
    });
    const error = graphErrorOf(response.data);
    if (response.ok && !error) return response.data as T;
    throw this.errorFrom(response, error, sendsPost);
  }

  private errorFrom(response: ConnectorResponse, error: GraphError | undefined, sendsPost: boolean): ConnectorError {
    const kind = graphErrorKind(error, sendsPost);
    return errorFromResponse(PLATFORM, response, {
      sendsPost,
      kind,
      message: graphMessage(error, truncate(response.text || `HTTP ${response.status}`)),
      retryAfterSeconds: kind === 'rate_limited' || response.status === 429 ? metaRetryAfterSeconds(response.headers) : undefined,
    });
  }

  // -------------------------------------------------------------------------------------------------
  // Tokens

  /** Long-lived token refresh (valid tokens only, at least 24 h old): new access_token + expires_at. */
  async refresh(account: ChannelAccount, ctx: ConnectorContext): Promise<Record<string, string>> {
    const settings = parseSettings(account.settings);
    const token = account.credentials.access_token;
    if (!token) throw new ConnectorError(PLATFORM, 'auth', 'Instagram: no access token stored — connect the account');
    // Concurrent refreshes of one channel share one answer (../refresh.ts).
    const answer = await this.#refreshes.once({ accountId: account.id, endpoint: JSON.stringify(settings) }, token, async () => {
      const data = await this.graph<{ access_token?: string; expires_in?: number }>({ settings, token, ctx }, 'GET', 'refresh_access_token', { grant_type: 'ig_refresh_token' }, { versioned: false });
      if (!data.access_token) throw new ConnectorError(PLATFORM, 'auth', 'Instagram token refresh answered without an access_token');
      const fresh: Record<string, string> = { access_token: data.access_token };
      const expiresAt = expiresAtFrom(data.expires_in);
      if (expiresAt) fresh.expires_at = expiresAt;
      return fresh;
    });
    const next = mergeCredentials(account.credentials, answer);
    await ctx.onCredentials?.(next);
    return next;
  }

  private async session(account: ChannelAccount, ctx: ConnectorContext): Promise<Session> {
    const settings = parseSettings(account.settings);
    let token = account.credentials.access_token;
    if (!token) throw new ConnectorError(PLATFORM, 'auth', 'Instagram: no access token stored — connect the account');
    const expiresAt = account.credentials.expires_at;
    if (expiresAt && Date.parse(expiresAt) <= Date.now()) {
      throw new ConnectorError(PLATFORM, 'auth', 'Instagram: the long-lived token has expired (it can no longer be refreshed) — reconnect the account');
    }
    if (expiresWithin(expiresAt, this.options.refreshWindowMs)) {
      try {
        const next = await this.refresh(account, ctx);
        token = next.access_token ?? token;
      } catch (error) {
        // A failed early refresh is not fatal while the token still works; a refused token is.
        if (isConnectorError(error, 'auth')) throw error;
      }
    }
    return { account, settings, token, ctx };
  }

  // -------------------------------------------------------------------------------------------------
  // Publishing

  private validate(request: PublishRequest): void {
    if (request.media.length === 0) throw new ConnectorError(PLATFORM, 'rejected', 'Instagram posts need at least one image or video');
    if (request.media.length > INSTAGRAM_MAX_CAROUSEL) throw new ConnectorError(PLATFORM, 'rejected', `Instagram carousels hold at most ${INSTAGRAM_MAX_CAROUSEL} items (got ${request.media.length})`);
    if ([...request.text].length > INSTAGRAM_MAX_CAPTION) throw new ConnectorError(PLATFORM, 'rejected', `Instagram captions are limited to ${INSTAGRAM_MAX_CAPTION} characters`);
    if (request.rating !== 'sfw' || request.media.some((m) => m.rating !== 'sfw')) {
      throw new ConnectorError(PLATFORM, 'rejected', 'Instagram accepts SFW media only (no nudity, digitally created included)');
    }
    const missing = request.media.findIndex((m) => !m.publicUrl);
    if (missing !== -1) {
      throw new ConnectorError(PLATFORM, 'rejected', `Instagram fetches media from a public URL, and media #${missing + 1} has none (configure a public media base URL)`);
    }
  }

  private async createContainer(session: Session, params: Record<string, string | undefined>): Promise<string> {
    const data = await this.graph<{ id?: string }>(session, 'POST', `${session.settings.igUserId}/media`, params);
    if (!data.id) throw new ConnectorError(PLATFORM, 'unavailable', 'Instagram created a container without an id');
    return String(data.id);
  }

  private itemParams(media: PublishMedia, inCarousel: boolean): Record<string, string | undefined> {
    if (media.kind === 'video') {
      return { media_type: inCarousel ? 'VIDEO' : 'REELS', video_url: media.publicUrl, is_carousel_item: inCarousel ? 'true' : undefined };
    }
    return { image_url: media.publicUrl, alt_text: media.altText || undefined, is_carousel_item: inCarousel ? 'true' : undefined };
  }

  /** Polls until FINISHED; ERROR/EXPIRED → rejected; too long → unavailable. */
  async waitForContainer(session: Session, containerId: string): Promise<void> {
    const deadline = Date.now() + this.options.maxContainerWaitMs;
    let interval = this.options.pollIntervalMs;
    for (;;) {
      const data = await this.graph<{ status_code?: string; status?: string }>(session, 'GET', containerId, { fields: 'status_code,status' });
      const code = data.status_code;
      if (code === 'FINISHED' || code === 'PUBLISHED') return;
      if (code === 'ERROR' || code === 'EXPIRED') {
        const reason = data.status ? `: ${data.status}` : '';
        throw new ConnectorError(PLATFORM, 'rejected', `Instagram could not process the media (container ${code.toLowerCase()})${reason}`, { details: { containerId, ...data } });
      }
      if (Date.now() + interval > deadline) {
        throw new ConnectorError(PLATFORM, 'unavailable', `Instagram container ${containerId} still ${code ?? 'unknown'} after ${Math.round(this.options.maxContainerWaitMs / 1000)} s`, { details: { containerId } });
      }
      try {
        await sleep(interval, session.ctx.signal);
      } catch (error) {
        throw new ConnectorError(PLATFORM, 'unavailable', 'Instagram: cancelled while waiting for the media container', { cause: error });
      }
      interval = Math.min(this.options.maxPollIntervalMs, Math.round(interval * 1.5));
    }
  }

  /** The account's publishing quota, as the API reports it. */
  async readQuota(session: Pick<Session, 'settings' | 'token' | 'ctx'>): Promise<InstagramQuota> {
    const data = await this.graph<{ data?: { quota_usage?: number; config?: { quota_total?: number; quota_duration?: number } }[] }>(
      session,
      'GET',
      `${session.settings.igUserId}/content_publishing_limit`,
      { fields: 'quota_usage,config' },
    );
    const entry = data.data?.[0];
    return {
      usage: typeof entry?.quota_usage === 'number' ? entry.quota_usage : 0,
      total: typeof entry?.config?.quota_total === 'number' ? entry.config.quota_total : undefined,
      durationSeconds: typeof entry?.config?.quota_duration === 'number' ? entry.config.quota_duration : undefined,
    };
  }

  async publish(account: ChannelAccount, request: PublishRequest, ctx: ConnectorContext): Promise<PublishResult> {
    this.validate(request);
    const session = await this.session(account, ctx);
    const caption = request.text || undefined;

    // 1–2. Containers (creating one publishes nothing: errors here are safe to retry).
    let creationId: string;
    const childIds: string[] = [];
    if (request.media.length === 1) {
      const media = request.media[0]!;
      creationId = await this.createContainer(session, { ...this.itemParams(media, false), caption });
      await this.waitForContainer(session, creationId);
    } else {
      for (const media of request.media) childIds.push(await this.createContainer(session, this.itemParams(media, true)));
      for (const id of childIds) await this.waitForContainer(session, id);
      creationId = await this.createContainer(session, { media_type: 'CAROUSEL', children: childIds.join(','), caption });
      await this.waitForContainer(session, creationId);
    }

    // 3. Quota, read from the API right before publishing.
    const quota = await this.readQuota(session);
    if (quota.total !== undefined && quota.usage >= quota.total) {
      throw new ConnectorError(PLATFORM, 'rate_limited', `Instagram publishing quota used up: ${quota.usage}/${quota.total} posts in the last ${Math.round((quota.durationSeconds ?? 86_400) / 3600)} h`, {
        details: { quota, creationId },
      });
    }

    const published = await this.graph<{ id?: string }>(session, 'POST', `${session.settings.igUserId}/media_publish`, { creation_id: creationId }, { sendsPost: true });
    if (!published.id) throw new ConnectorError(PLATFORM, 'unknown_outcome', 'Instagram media_publish answered without a media id', { details: { creationId } });
    const remoteId = String(published.id);

    let url: string | undefined;
    try {
      const media = await this.graph<{ permalink?: string }>(session, 'GET', remoteId, { fields: 'permalink' });
      url = media.permalink;
    } catch {
      // The post exists; a missing permalink is cosmetic.
    }
    return {
      remoteId,
      url,
      meta: { creationId, ...(childIds.length > 0 ? { childIds } : {}), quotaUsage: quota.usage + 1, quotaTotal: quota.total },
    };
  }

  async interactions(account: ChannelAccount, since: Date | null, ctx: ConnectorContext) {
    return instagramInteractions(await this.engagementApi(account, ctx), since);
  }

  async reply(account: ChannelAccount, parentRemoteId: string, text: string, ctx: ConnectorContext) {
    return instagramReply(await this.engagementApi(account, ctx), parentRemoteId, text);
  }

  private async engagementApi(account: ChannelAccount, ctx: ConnectorContext): Promise<InstagramEngagementApi> {
    const session = await this.session(account, ctx);
    return { graph: (method, path, params, opts) => this.graph(session, method, path, params, opts), igUserId: session.settings.igUserId, username: account.handle.replace(/^@/, '') };
  }

  /** Own media since `since` whose caption is exactly the text. */
  async find(account: ChannelAccount, request: Pick<PublishRequest, 'idempotencyKey' | 'text'>, since: Date, ctx: ConnectorContext): Promise<PublishResult | null> {
    const settings = parseSettings(account.settings);
    const token = account.credentials.access_token;
    if (!token) throw new ConnectorError(PLATFORM, 'auth', 'Instagram: no access token stored');
    const session = { settings, token, ctx };
    const sinceSeconds = Math.floor(since.getTime() / 1000);
    let next: string | undefined;
    for (let page = 0; page < this.options.findMaxPages; page++) {
      const data: { data?: { id?: string; caption?: string; timestamp?: string; permalink?: string }[]; paging?: { next?: string } } = next
        ? await this.graph(session, 'GET', '', {}, { absoluteUrl: next })
        : await this.graph(session, 'GET', `${settings.igUserId}/media`, { fields: 'id,caption,timestamp,permalink', since: String(sinceSeconds), limit: String(this.options.findPageSize) });
      let older = false;
      for (const item of data.data ?? []) {
        const at = item.timestamp ? Date.parse(item.timestamp) : NaN;
        if (!Number.isNaN(at) && at < since.getTime() - 60_000) {
          older = true;
          continue;
        }
        if (item.id && (item.caption ?? '') === request.text) return { remoteId: String(item.id), url: item.permalink };
      }
      next = data.paging?.next;
      if (!next || older) break;
      // Follow only pages on the same host as the configured Graph base.
      if (new URL(next).origin !== new URL(settings.graphBaseUrl).origin) break;
    }
    return null;
  }

  async metrics(account: ChannelAccount, remoteIds: string[], ctx: ConnectorContext) {
    const session = await this.session(account, ctx);
    return instagramPostMetrics((path, params) => this.graph(session, 'GET', path, params), remoteIds);
  }

  async accountMetrics(account: ChannelAccount, ctx: ConnectorContext) {
    const session = await this.session(account, ctx);
    return instagramAccountMetrics((path, params) => this.graph(session, 'GET', path, params), session.settings.igUserId);
  }

  async verify(account: ChannelAccount, ctx: ConnectorContext): Promise<{ ok: boolean; problems: string[] }> {
    const problems: string[] = [];
    try {
      const session = await this.session(account, ctx);
      await this.graph(session, 'GET', session.settings.igUserId, { fields: 'id,username' });
      const quota = await this.readQuota(session);
      if (quota.total !== undefined && quota.usage >= quota.total) problems.push(`Publishing quota used up (${quota.usage}/${quota.total})`);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
    return { ok: problems.length === 0, problems };
  }
}

// ---------------------------------------------------------------------------------------------------
// Public URL check (the scheduler calls it before scheduling an Instagram target)

export type PublicUrlCheck = { ok: true; status: number; contentType: string } | { ok: false; status?: number; contentType?: string; problem: string };

function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) return true;
  const family = isIP(host);
  if (family === 4) {
    const [a = 0, b = 0] = host.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (family === 6) return host === '::1' || host.startsWith('fc') || host.startsWith('fd') || host.startsWith('fe80') || host.startsWith('::ffff:127.') || host.startsWith('::ffff:10.') || host.startsWith('::ffff:192.168.');
  return false;
}

/**
 * HEAD (falling back to a ranged GET) of a media URL: 200/206 with an image/* or video/* content type.
 * From our own server this cannot prove Meta reaches it, so loopback/private hosts are refused unless
 * `allowPrivateHosts` (tests, private previews).
 */
export async function checkPublicUrl(url: string, signal: AbortSignal, options: { allowPrivateHosts?: boolean; timeoutMs?: number; fetch?: FetchLike } = {}): Promise<PublicUrlCheck> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, problem: 'not a valid URL' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { ok: false, problem: `unsupported scheme ${parsed.protocol}` };
  if (!options.allowPrivateHosts && isPrivateHost(parsed.hostname)) {
    return { ok: false, problem: `${parsed.hostname} is a private/loopback address that Instagram cannot reach` };
  }
  const attempt = async (method: 'HEAD' | 'GET') => {
    const response = await connectorFetch(PLATFORM, parsed, {
      method,
      signal,
      timeoutMs: options.timeoutMs ?? 15_000,
      headers: method === 'GET' ? { range: 'bytes=0-0', accept: '*/*' } : { accept: '*/*' },
      allowErrorStatus: true,
      fetch: options.fetch,
    });
    return { status: response.status, contentType: (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase() };
  };
  let result: { status: number; contentType: string };
  try {
    result = await attempt('HEAD');
    if (result.status === 405 || result.status === 501 || result.status === 403 || (result.status === 200 && !result.contentType)) result = await attempt('GET');
  } catch (error) {
    return { ok: false, problem: `unreachable: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (result.status !== 200 && result.status !== 206) return { ok: false, status: result.status, contentType: result.contentType, problem: `answered HTTP ${result.status}` };
  if (!/^(image|video)\//.test(result.contentType)) {
    return { ok: false, status: result.status, contentType: result.contentType, problem: `serves ${result.contentType || 'no content type'}, not an image or video` };
  }
  return { ok: true, status: result.status, contentType: result.contentType };
}
