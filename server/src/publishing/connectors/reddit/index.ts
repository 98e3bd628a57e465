/**
 * Reddit (OAuth, oauth.reddit.com). Image post:
 *   1. `POST /api/media/asset.json {filepath, mimetype}` → an upload lease `{args: {action, fields}, asset}`;
 *   2. multipart POST of the lease's fields + the file to `https:` + action (an S3 bucket, no auth);
 *      the asset URL is `{action}/{key}`;
 *   3. `POST /api/submit {kind: image, url, sr, title, nsfw, flair_id, sendreplies, api_type: json}` —
 *      the only call that creates the post (a timeout there is an unknown outcome);
 *   4. the media submit answer carries no post id (it is announced on a websocket), so the post is
 *      recovered from `/user/{name}/submitted` by subreddit + title (→ `t3_…` + permalink).
 * Several images → `POST /api/submit_gallery_post.json` (answers with the id directly); no media → a
 * self post. Video is not supported (Reddit needs a poster frame and a websocket wait).
 *
 * Reddit API bodies are form-encoded; errors come back as HTTP 200 with `json.errors: [[CODE, message,
 * field]]`. Access tokens last an hour: refreshed early and on 401 with HTTP basic client_id:secret;
 * Reddit usually answers without a new refresh token, so the stored one is kept (never blanked).
 * Rate limits: 429, or `x-ratelimit-remaining` reaching 0 with `x-ratelimit-reset` seconds to wait.
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
import type { Rating } from '../../../safety/types.ts';
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
import { redditOAuth } from './oauth.ts';
import { RefreshFlights } from '../refresh.ts';
import { redditInteractions, redditReply, type RedditEngagementApi } from './engagement.ts';
import { redditAccountMetrics, redditPostMetrics } from './metrics.ts';

const PLATFORM = 'reddit';
export const REDDIT_DEFAULT_OAUTH_URL = 'https://oauth.reddit.com';
export const REDDIT_DEFAULT_TOKEN_URL = 'https://www.reddit.com/api/v1/access_token';
export const REDDIT_MAX_TITLE = 300;
export const REDDIT_MAX_SELFTEXT = 40_000;
export const REDDIT_MAX_GALLERY = 20;

export interface SubredditSettings {
  nsfwAllowed: boolean;
  aiAllowed: boolean;
  flairRequired?: boolean;
  minHoursBetweenPosts?: number;
}

export interface RedditSettings {
  oauthBaseUrl?: string;
  tokenUrl?: string;
  username: string;
  userAgent?: string;
  subreddits?: Record<string, SubredditSettings>;
}

export interface RedditPostOptions {
  subreddit: string;
  title?: string;
  flairId?: string;
  flairText?: string;
  nsfw?: boolean;
  spoiler?: boolean;
  sendReplies?: boolean;
}

export interface RedditConnectorOptions {
  requestTimeoutMs?: number;
  /** Reads of /user/{name}/submitted after a media submit before giving up (→ unknown_outcome). Default 4. */
  recoveryAttempts?: number;
  /** Delay between those reads (the listing can lag a little). Default 1.5 s. */
  recoveryDelayMs?: number;
  /** Refresh the access token when it expires within this window. Default 2 min. */
  refreshWindowMs?: number;
  fetch?: FetchLike;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `r/Name`, `/r/Name/`, `Name` → `Name`. */
export function normalizeSubreddit(name: string): string {
  return name.trim().replace(/^\/?r\//i, '').replace(/\/+$/, '');
}

function subredditsOf(settings: Record<string, unknown>): Record<string, SubredditSettings> {
  const raw = settings.subreddits;
  if (!isRecord(raw)) return {};
  const result: Record<string, SubredditSettings> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!isRecord(value)) continue;
    result[normalizeSubreddit(name).toLowerCase()] = {
      nsfwAllowed: value.nsfwAllowed === true,
      aiAllowed: value.aiAllowed !== false,
      flairRequired: value.flairRequired === true,
      minHoursBetweenPosts: typeof value.minHoursBetweenPosts === 'number' ? value.minHoursBetweenPosts : undefined,
    };
  }
  return result;
}

export interface SubredditPolicyResult {
  subreddit: string;
  /** Whether the subreddit is configured in the channel's settings. */
  configured: boolean;
  /** Ratings this subreddit may receive from this channel ([] when it may receive nothing). */
  accepts: Rating[];
  /** Why nothing (or less) is accepted, for the router to show. */
  reason?: string;
  flairRequired: boolean;
  minHoursBetweenPosts?: number;
}

/**
 * The per-target check for the router: AI content disallowed → nothing accepted; flair required and
 * none given → nothing accepted, with the reason; NSFW allowed → all ratings, else sfw + suggestive
 * (suggestive goes out flagged nsfw). Unconfigured subreddits get the conservative sfw + suggestive.
 */
export function subredditPolicy(settings: Record<string, unknown>, subreddit: string, options: { flairId?: string } = {}): SubredditPolicyResult {
  const name = normalizeSubreddit(subreddit);
  const config = subredditsOf(settings)[name.toLowerCase()];
  if (!config) return { subreddit: name, configured: false, accepts: ['sfw', 'suggestive'], flairRequired: false };
  const base = { subreddit: name, configured: true, flairRequired: config.flairRequired === true, minHoursBetweenPosts: config.minHoursBetweenPosts };
  if (!config.aiAllowed) return { ...base, accepts: [], reason: `r/${name} does not allow AI-generated content` };
  if (config.flairRequired && !options.flairId) return { ...base, accepts: [], reason: `r/${name} requires a post flair — choose one (flairId)` };
  return { ...base, accepts: config.nsfwAllowed ? ['sfw', 'suggestive', 'explicit'] : ['sfw', 'suggestive'] };
}

interface ParsedSettings {
  oauthBaseUrl: string;
  tokenUrl: string;
  username: string;
  userAgent: string;
}

function parseSettings(settings: Record<string, unknown>): ParsedSettings {
  const username = typeof settings.username === 'string' ? settings.username.replace(/^\/?u\//i, '').trim() : '';
  if (!username) throw new ConnectorError(PLATFORM, 'rejected', 'Reddit channel settings: username is missing');
  const oauthBaseUrl = (typeof settings.oauthBaseUrl === 'string' && settings.oauthBaseUrl ? settings.oauthBaseUrl : REDDIT_DEFAULT_OAUTH_URL).replace(/\/+$/, '');
  const tokenUrl = typeof settings.tokenUrl === 'string' && settings.tokenUrl ? settings.tokenUrl : REDDIT_DEFAULT_TOKEN_URL;
  const userAgent = typeof settings.userAgent === 'string' && settings.userAgent ? settings.userAgent : `server:atelier:0.1.0 (by /u/${username})`;
  return { oauthBaseUrl, tokenUrl, username, userAgent };
}

function parseOptions(options: Record<string, unknown>): RedditPostOptions {
  const subreddit = typeof options.subreddit === 'string' ? normalizeSubreddit(options.subreddit) : '';
  if (!subreddit) throw new ConnectorError(PLATFORM, 'rejected', 'Reddit target has no subreddit');
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  return {
    subreddit,
    title: str(options.title),
    flairId: str(options.flairId) ?? str(options.flair_id),
    flairText: str(options.flairText) ?? str(options.flair_text),
    nsfw: options.nsfw === true,
    spoiler: options.spoiler === true,
    sendReplies: options.sendReplies !== false,
  };
}

/** The title: the option, else the text's first line (cut to 300 characters). */
export function redditTitle(text: string, title?: string): string {
  if (title) return title;
  const firstLine = text.split(/\r?\n/).find((line) => line.trim() !== '')?.trim() ?? '';
  const chars = [...firstLine];
  return chars.length > REDDIT_MAX_TITLE ? `${chars.slice(0, REDDIT_MAX_TITLE - 1).join('')}…` : firstLine;
}

/** Seconds from "…try again in 5 minutes." / "…in 30 seconds" / "…Take a break for 9 minutes…". */
export function parseRedditRatelimitMessage(message: string): number | undefined {
  const match = /(\d+)\s*(second|minute|hour|ms|millisecond)s?/i.exec(message);
  if (!match) return undefined;
  const n = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  if (unit === 'ms' || unit === 'millisecond') return Math.ceil(n / 1000);
  return unit === 'second' ? n : unit === 'minute' ? n * 60 : n * 3600;
}

type RedditApiError = [string, string, string?];

function apiErrors(data: unknown): RedditApiError[] {
  if (!isRecord(data)) return [];
  const json = isRecord(data.json) ? data.json : undefined;
  const errors = json?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.filter(Array.isArray).map((e) => [String(e[0] ?? ''), String(e[1] ?? ''), e[2] === undefined || e[2] === null ? undefined : String(e[2])] as RedditApiError);
}

const AUTH_ERROR_CODES = new Set(['USER_REQUIRED', 'INVALID_OAUTH_TOKEN', 'OAUTH_SCOPE_MISSING']);

function errorFromApiErrors(errors: RedditApiError[]): ConnectorError {
  const message = errors.map(([code, text, field]) => `${code}: ${text}${field ? ` (${field})` : ''}`).join('; ');
  const ratelimit = errors.find(([code]) => code === 'RATELIMIT');
  if (ratelimit) {
    return new ConnectorError(PLATFORM, 'rate_limited', `Reddit: ${message}`, { retryAfterSeconds: parseRedditRatelimitMessage(ratelimit[1]), details: { errors } });
  }
  if (errors.some(([code]) => AUTH_ERROR_CODES.has(code))) return new ConnectorError(PLATFORM, 'auth', `Reddit: ${message}`, { details: { errors } });
  return new ConnectorError(PLATFORM, 'rejected', `Reddit refused the post: ${message}`, { details: { errors } });
}

/** Seconds until the rate-limit window resets, from Reddit's headers. */
function redditResetSeconds(headers: Headers): number | undefined {
  return parseRetryAfter(headers.get('retry-after')) ?? parseRetryAfter(headers.get('x-ratelimit-reset'));
}

export interface RedditPostSummary {
  id: string;
  name: string;
  title: string;
  subreddit: string;
  createdUtc: number;
  permalink: string;
  url?: string;
  over18: boolean;
  selftext?: string;
}

export interface SubredditRule {
  shortName: string;
  description: string;
  kind: string;
  violationReason?: string;
  priority?: number;
}

export interface SubredditRules {
  subreddit: string;
  rules: SubredditRule[];
  flairRequired: boolean;
  /** From /r/{sr}/about when readable. */
  over18?: boolean;
  allowImages?: boolean;
  allowGalleries?: boolean;
  allowVideos?: boolean;
  /** any | link | self */
  submissionType?: string;
  titleMaxLength?: number;
  fetchedAt: string;
}

/** One connector call: the account, its (possibly refreshed) credentials and the rate-limit state. */
class RedditCall {
  readonly settings: ParsedSettings;
  readonly ctx: ConnectorContext;
  credentials: Record<string, string>;
  /** Known rate-limit state from the last answer. */
  remaining: number | undefined;
  resetAt: number | undefined;
  refreshed = false;
  /** The channel's id: concurrent refreshes of one channel share one answer (../refresh.ts). */
  readonly accountId: string;

  constructor(account: ChannelAccount, settings: ParsedSettings, ctx: ConnectorContext) {
    this.settings = settings;
    this.ctx = ctx;
    this.credentials = { ...account.credentials };
    this.accountId = account.id;
  }
}

export class RedditConnector implements Connector {
  readonly platform = PLATFORM;
  /** Concurrent refreshes of one channel's token share one answer (../refresh.ts). */
  readonly #refreshes = new RefreshFlights();
  readonly oauth = redditOAuth;
  private readonly options: Required<Omit<RedditConnectorOptions, 'fetch'>> & { fetch?: FetchLike };

  constructor(options: RedditConnectorOptions = {}) {
    this.options = {
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      recoveryAttempts: options.recoveryAttempts ?? 4,
      recoveryDelayMs: options.recoveryDelayMs ?? 1_500,
      refreshWindowMs: options.refreshWindowMs ?? 120_000,
      fetch: options.fetch,
    };
  }

  policy(account: Pick<ChannelAccount, 'settings'>): ChannelPolicy {
    const anyNsfw = Object.values(subredditsOf(account.settings)).some((s) => s.nsfwAllowed && s.aiAllowed);
    return {
      accepts: anyNsfw ? ['sfw', 'suggestive', 'explicit'] : ['sfw', 'suggestive'],
      disclosureRequired: true,
      maxMedia: REDDIT_MAX_GALLERY,
      maxTextLength: REDDIT_MAX_SELFTEXT,
      flagsAdultMedia: true,
      needsPublicMediaUrl: false,
      // Image and gallery posts; Reddit's video upload flow is not implemented (publish refuses videos).
      mediaKinds: ['image'],
    };
  }

  // -------------------------------------------------------------------------------------------------
  // Tokens

  async refresh(account: ChannelAccount, ctx: ConnectorContext): Promise<Record<string, string>> {
    const call = new RedditCall(account, parseSettings(account.settings), ctx);
    await this.refreshCall(call);
    return call.credentials;
  }

  private async refreshCall(call: RedditCall): Promise<void> {
    const { refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret = '' } = call.credentials;
    if (!refreshToken) throw new ConnectorError(PLATFORM, 'auth', 'Reddit: the access token expired and no refresh token is stored — reconnect the account');
    if (!clientId) throw new ConnectorError(PLATFORM, 'auth', 'Reddit: client_id is missing from the credentials — reconnect the account');
    const exchange = async (): Promise<Record<string, string>> => {
      const response = await connectorFetch(PLATFORM, call.settings.tokenUrl, {
        method: 'POST',
        signal: call.ctx.signal,
        timeoutMs: this.options.requestTimeoutMs,
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
          'user-agent': call.settings.userAgent,
        },
        form: { grant_type: 'refresh_token', refresh_token: refreshToken },
        allowErrorStatus: true,
        fetch: this.options.fetch,
      });
      const data = isRecord(response.data) ? response.data : {};
      // Reddit answers invalid_grant with 400 (or even 200); bad client credentials with 401.
      if (!response.ok || typeof data.error === 'string' || typeof data.access_token !== 'string') {
        if (response.status === 429 || response.status >= 500) throw errorFromResponse(PLATFORM, response, { retryAfterSeconds: redditResetSeconds(response.headers) });
        const reason = typeof data.error === 'string' ? data.error : `HTTP ${response.status}`;
        throw new ConnectorError(PLATFORM, 'auth', `Reddit token refresh refused (${reason}) — reconnect the account`, { details: { status: response.status, body: response.data } });
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
    await call.ctx.onCredentials?.(call.credentials);
  }

  // -------------------------------------------------------------------------------------------------
  // HTTP

  private noteRateLimit(call: RedditCall, headers: Headers): void {
    const remaining = headers.get('x-ratelimit-remaining');
    const reset = headers.get('x-ratelimit-reset');
    if (remaining !== null && reset !== null && !Number.isNaN(Number(remaining)) && !Number.isNaN(Number(reset))) {
      call.remaining = Number(remaining);
      call.resetAt = Date.now() + Number(reset) * 1000;
    }
  }

  /** An OAuth API request; refreshes once on 401 (and early when the token is about to expire). */
  private async api<T = unknown>(
    call: RedditCall,
    method: 'GET' | 'POST',
    path: string,
    init: { query?: Record<string, string>; form?: Record<string, string | number | boolean | undefined>; json?: unknown; sendsPost?: boolean } = {},
  ): Promise<ConnectorResponse<T>> {
    if (!call.refreshed && (!call.credentials.access_token || expiresWithin(call.credentials.expires_at, this.options.refreshWindowMs)) && call.credentials.refresh_token) {
      await this.refreshCall(call);
    }
    if (call.remaining !== undefined && call.remaining < 1 && call.resetAt !== undefined && call.resetAt > Date.now()) {
      const wait = Math.ceil((call.resetAt - Date.now()) / 1000);
      throw new ConnectorError(PLATFORM, 'rate_limited', `Reddit rate limit used up for this window (resets in ${wait} s)`, { retryAfterSeconds: wait });
    }
    const url = new URL(`${call.settings.oauthBaseUrl}${path}`);
    url.searchParams.set('raw_json', '1');
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    const send = () =>
      connectorFetch<T>(PLATFORM, url, {
        method,
        signal: call.ctx.signal,
        timeoutMs: this.options.requestTimeoutMs,
        sendsPost: init.sendsPost,
        headers: { authorization: `Bearer ${call.credentials.access_token ?? ''}`, 'user-agent': call.settings.userAgent },
        form: init.form,
        json: init.json,
        allowErrorStatus: true,
        fetch: this.options.fetch,
      });
    let response = await send();
    if (response.status === 401 && !call.refreshed && call.credentials.refresh_token) {
      await this.refreshCall(call);
      response = await send();
    }
    this.noteRateLimit(call, response.headers);
    if (response.ok) return response;
    const kind: ConnectorErrorKind | undefined = response.status === 401 ? 'auth' : response.status === 403 ? 'rejected' : undefined;
    const retryAfterSeconds = response.status === 429 ? redditResetSeconds(response.headers) : undefined;
    let message = defaultErrorMessage(response.data, response.text);
    if (response.status === 401) message = `access token refused${call.refreshed ? ' even after a refresh' : ''} — reconnect the account (${message ?? 'Unauthorized'})`;
    if (response.status === 403) message = `forbidden (banned from the subreddit, private subreddit, or missing scope): ${message ?? ''}`;
    throw errorFromResponse(PLATFORM, response, { sendsPost: init.sendsPost, kind, message, retryAfterSeconds });
  }

  // -------------------------------------------------------------------------------------------------
  // Publishing

  private async uploadMedia(call: RedditCall, media: PublishMedia): Promise<{ assetId: string; url: string }> {
    const lease = await this.api<{ args?: { action?: string; fields?: { name: string; value: string }[] }; asset?: { asset_id?: string; websocket_url?: string } }>(
      call,
      'POST',
      '/api/media/asset.json',
      { form: { filepath: media.filename, mimetype: media.mimeType } },
    );
    const action = lease.data.args?.action;
    const fields = lease.data.args?.fields ?? [];
    const assetId = lease.data.asset?.asset_id;
    if (!action || !assetId) throw new ConnectorError(PLATFORM, 'unavailable', 'Reddit media lease came back without an upload action or asset id', { details: lease.data });
    const uploadUrl = action.startsWith('//') ? `https:${action}` : action;
    const form = new FormData();
    for (const field of fields) form.append(field.name, field.value);
    form.append('file', new Blob([new Uint8Array(media.bytes)], { type: media.mimeType }), media.filename);
    const upload = await connectorFetch(PLATFORM, uploadUrl, {
      method: 'POST',
      signal: call.ctx.signal,
      timeoutMs: Math.max(this.options.requestTimeoutMs, 120_000),
      body: form,
      headers: { accept: '*/*' },
      allowErrorStatus: true,
      fetch: this.options.fetch,
    });
    if (!upload.ok) {
      const kind: ConnectorErrorKind = upload.status === 400 || upload.status === 413 ? 'rejected' : 'unavailable';
      const code = /<Code>([^<]+)<\/Code>/.exec(upload.text)?.[1];
      const detail = /<Message>([^<]+)<\/Message>/.exec(upload.text)?.[1];
      throw errorFromResponse(PLATFORM, upload, { kind, message: `media upload to Reddit's bucket failed${code ? `: ${code}` : ''}${detail ? ` — ${detail}` : ''}` });
    }
    const key = fields.find((f) => f.name === 'key')?.value;
    const location = /<Location>([^<]+)<\/Location>/.exec(upload.text)?.[1];
    const url = key ? `${uploadUrl.replace(/\/+$/, '')}/${key}` : location ? decodeURIComponent(location) : undefined;
    if (!url) throw new ConnectorError(PLATFORM, 'unavailable', 'Reddit media upload: no key in the lease and no Location in the answer');
    return { assetId, url };
  }

  private checkTarget(account: ChannelAccount, request: PublishRequest, options: RedditPostOptions): void {
    const policy = subredditPolicy(account.settings, options.subreddit, { flairId: options.flairId });
    if (policy.accepts.length === 0) throw new ConnectorError(PLATFORM, 'rejected', policy.reason ?? `r/${options.subreddit} accepts nothing from this channel`);
    if (!policy.accepts.includes(request.rating)) {
      const hint = policy.configured ? '' : ` (configure r/${options.subreddit} with nsfwAllowed in the channel's subreddits to post adult content there)`;
      throw new ConnectorError(PLATFORM, 'rejected', `r/${options.subreddit} does not accept ${request.rating} content from this channel${hint}`);
    }
    if (request.media.length > REDDIT_MAX_GALLERY) throw new ConnectorError(PLATFORM, 'rejected', `Reddit galleries hold at most ${REDDIT_MAX_GALLERY} images`);
    if (request.media.some((m) => m.kind === 'video')) throw new ConnectorError(PLATFORM, 'rejected', 'Reddit video posts are not supported by this connector yet');
    if ([...request.text].length > REDDIT_MAX_SELFTEXT) throw new ConnectorError(PLATFORM, 'rejected', `Reddit post text is limited to ${REDDIT_MAX_SELFTEXT} characters`);
    const title = redditTitle(request.text, options.title);
    if (!title) throw new ConnectorError(PLATFORM, 'rejected', 'Reddit posts need a title');
    if ([...title].length > REDDIT_MAX_TITLE) throw new ConnectorError(PLATFORM, 'rejected', `Reddit titles are limited to ${REDDIT_MAX_TITLE} characters`);
  }

  async publish(account: ChannelAccount, request: PublishRequest, ctx: ConnectorContext): Promise<PublishResult> {
    const settings = parseSettings(account.settings);
    const options = parseOptions(request.options);
    this.checkTarget(account, request, options);
    const call = new RedditCall(account, settings, ctx);
    const title = redditTitle(request.text, options.title);
    const nsfw = options.nsfw === true || request.rating === 'explicit' || request.rating === 'suggestive' || request.media.some((m) => m.rating !== 'sfw');
    // The caption goes in the body when the title is separate (Reddit may ignore bodies on image posts
    // in some subreddits: put the disclosure in the title when it must be seen).
    const body = request.text && request.text.trim() !== title ? request.text : undefined;
    const common = {
      sr: options.subreddit,
      title,
      nsfw,
      spoiler: options.spoiler ? true : undefined,
      flair_id: options.flairId,
      flair_text: options.flairText,
      sendreplies: options.sendReplies !== false,
      api_type: 'json',
    };
    const startedAt = Date.now();

    if (request.media.length === 0) {
      const response = await this.api(call, 'POST', '/api/submit', { form: { ...common, kind: 'self', text: request.text, resubmit: true }, sendsPost: true });
      const errors = apiErrors(response.data);
      if (errors.length > 0) throw errorFromApiErrors(errors);
      const data = isRecord(response.data) && isRecord(response.data.json) && isRecord(response.data.json.data) ? response.data.json.data : {};
      if (typeof data.name === 'string') return { remoteId: data.name, url: typeof data.url === 'string' ? data.url : undefined, meta: { subreddit: options.subreddit, nsfw } };
      return this.recover(call, options.subreddit, title, startedAt, { nsfw });
    }

    const uploads: { assetId: string; url: string }[] = [];
    for (const media of request.media) uploads.push(await this.uploadMedia(call, media));

    if (uploads.length === 1) {
      const response = await this.api(call, 'POST', '/api/submit', {
        form: { ...common, kind: 'image', url: uploads[0]!.url, text: body, resubmit: true },
        sendsPost: true,
      });
      const errors = apiErrors(response.data);
      if (errors.length > 0) throw errorFromApiErrors(errors);
      return this.recover(call, options.subreddit, title, startedAt, { nsfw, assetIds: uploads.map((u) => u.assetId) });
    }

    const response = await this.api(call, 'POST', '/api/submit_gallery_post.json', {
      json: {
        ...common,
        text: body,
        show_error_list: true,
        items: uploads.map((u, i) => ({ media_id: u.assetId, caption: request.media[i]?.altText?.slice(0, 180) ?? '', outbound_url: '' })),
      },
      sendsPost: true,
    });
    const errors = apiErrors(response.data);
    if (errors.length > 0) throw errorFromApiErrors(errors);
    const data = isRecord(response.data) && isRecord(response.data.json) && isRecord(response.data.json.data) ? response.data.json.data : {};
    if (typeof data.id === 'string') {
      const remoteId = data.id.startsWith('t3_') ? data.id : `t3_${data.id}`;
      return { remoteId, url: typeof data.url === 'string' ? data.url : undefined, meta: { subreddit: options.subreddit, nsfw, assetIds: uploads.map((u) => u.assetId) } };
    }
    return this.recover(call, options.subreddit, title, startedAt, { nsfw });
  }

  /** After an accepted submit: the post from the user's submitted listing, or unknown_outcome. */
  private async recover(call: RedditCall, subreddit: string, title: string, startedAt: number, meta: Record<string, unknown>): Promise<PublishResult> {
    let lastError: unknown;
    for (let attempt = 0; attempt < this.options.recoveryAttempts; attempt++) {
      if (attempt > 0) {
        try {
          await sleep(this.options.recoveryDelayMs, call.ctx.signal);
        } catch {
          break;
        }
      }
      try {
        const post = (await this.listSubmitted(call, 10)).posts.find((p) => p.subreddit.toLowerCase() === subreddit.toLowerCase() && p.title === title && p.createdUtc * 1000 >= startedAt - 5 * 60_000);
        if (post) return { remoteId: post.name, url: post.permalink, meta: { subreddit, ...meta } };
      } catch (error) {
        lastError = error;
        if (isConnectorError(error, 'auth')) break;
      }
    }
    throw new ConnectorError(PLATFORM, 'unknown_outcome', `Reddit accepted the submission but the post was not found in /user/${call.settings.username}/submitted yet — look for it later`, {
      cause: lastError,
      details: { subreddit, title },
    });
  }

  private async listSubmitted(call: RedditCall, limit: number, after?: string): Promise<{ posts: RedditPostSummary[]; after?: string }> {
    const response = await this.api<unknown>(call, 'GET', `/user/${encodeURIComponent(call.settings.username)}/submitted`, {
      query: { limit: String(limit), sort: 'new', ...(after ? { after } : {}) },
    });
    const listing = isRecord(response.data) && isRecord(response.data.data) ? response.data.data : {};
    const children = Array.isArray(listing.children) ? listing.children : [];
    const posts = children
      .map((child) => (isRecord(child) && isRecord(child.data) ? child.data : undefined))
      .filter((d): d is Record<string, unknown> => d !== undefined)
      .map(
        (d): RedditPostSummary => ({
          id: String(d.id ?? ''),
          name: String(d.name ?? (d.id ? `t3_${String(d.id)}` : '')),
          title: String(d.title ?? ''),
          subreddit: String(d.subreddit ?? ''),
          createdUtc: Number(d.created_utc ?? 0),
          permalink: typeof d.permalink === 'string' ? (d.permalink.startsWith('http') ? d.permalink : `https://www.reddit.com${d.permalink}`) : '',
          url: typeof d.url === 'string' ? d.url : undefined,
          over18: d.over_18 === true,
          selftext: typeof d.selftext === 'string' ? d.selftext : undefined,
        }),
      );
    return { posts, after: typeof listing.after === 'string' ? listing.after : undefined };
  }

  /**
   * Own submissions since `since` whose title matches (the `options.title` when the caller passes the
   * whole request, else the title derived from the text) or whose body is the text.
   */
  async find(account: ChannelAccount, request: Pick<PublishRequest, 'idempotencyKey' | 'text'>, since: Date, ctx: ConnectorContext): Promise<PublishResult | null> {
    const settings = parseSettings(account.settings);
    const call = new RedditCall(account, settings, ctx);
    const options = isRecord((request as Partial<PublishRequest>).options) ? (request as PublishRequest).options : {};
    const title = redditTitle(request.text, typeof options.title === 'string' && options.title.trim() ? options.title.trim() : undefined);
    const subreddit = typeof options.subreddit === 'string' ? normalizeSubreddit(options.subreddit).toLowerCase() : undefined;
    let after: string | undefined;
    for (let page = 0; page < 4; page++) {
      const { posts, after: nextAfter } = await this.listSubmitted(call, 100, after);
      let older = false;
      for (const post of posts) {
        if (post.createdUtc * 1000 < since.getTime() - 60_000) {
          older = true;
          continue;
        }
        if (subreddit && post.subreddit.toLowerCase() !== subreddit) continue;
        if (post.title === title || (request.text && post.selftext === request.text)) return { remoteId: post.name, url: post.permalink };
      }
      after = nextAfter;
      if (!after || older) break;
    }
    return null;
  }

  async interactions(account: ChannelAccount, since: Date | null, ctx: ConnectorContext) {
    return redditInteractions(this.engagementApi(account, ctx), since);
  }

  async reply(account: ChannelAccount, parentRemoteId: string, text: string, ctx: ConnectorContext) {
    return redditReply(this.engagementApi(account, ctx), parentRemoteId, text);
  }

  private engagementApi(account: ChannelAccount, ctx: ConnectorContext): RedditEngagementApi {
    const call = new RedditCall(account, parseSettings(account.settings), ctx);
    return { api: (method, path, init) => this.api(call, method, path, init), username: call.settings.username };
  }

  async delete(account: ChannelAccount, remoteId: string, ctx: ConnectorContext): Promise<void> {
    const call = new RedditCall(account, parseSettings(account.settings), ctx);
    await this.api(call, 'POST', '/api/del', { form: { id: remoteId.startsWith('t3_') ? remoteId : `t3_${remoteId}` } });
  }

  async metrics(account: ChannelAccount, remoteIds: string[], ctx: ConnectorContext) {
    const call = new RedditCall(account, parseSettings(account.settings), ctx);
    return redditPostMetrics(async (path, query) => (await this.api(call, 'GET', path, { query })).data, remoteIds);
  }

  async accountMetrics(account: ChannelAccount, ctx: ConnectorContext) {
    const call = new RedditCall(account, parseSettings(account.settings), ctx);
    return redditAccountMetrics(async (path, query) => (await this.api(call, 'GET', path, { query })).data);
  }

  /** Rules, flair requirement and basic facts of a subreddit — a plain, cacheable object. */
  async fetchSubredditRules(account: ChannelAccount, subreddit: string, ctx: ConnectorContext): Promise<SubredditRules> {
    const name = normalizeSubreddit(subreddit);
    const call = new RedditCall(account, parseSettings(account.settings), ctx);
    const sr = encodeURIComponent(name);
    const rulesResponse = await this.api(call, 'GET', `/r/${sr}/about/rules`);
    const rulesData = isRecord(rulesResponse.data) ? rulesResponse.data : {};
    const rules: SubredditRule[] = (Array.isArray(rulesData.rules) ? rulesData.rules : []).filter(isRecord).map((r) => ({
      shortName: String(r.short_name ?? ''),
      description: String(r.description ?? ''),
      kind: String(r.kind ?? 'all'),
      violationReason: typeof r.violation_reason === 'string' ? r.violation_reason : undefined,
      priority: typeof r.priority === 'number' ? r.priority : undefined,
    }));

    const optional = async (path: string): Promise<Record<string, unknown> | undefined> => {
      try {
        const response = await this.api(call, 'GET', path);
        return isRecord(response.data) ? response.data : undefined;
      } catch (error) {
        if (isConnectorError(error, 'rejected')) return undefined; // 403/404: not readable for this account
        throw error;
      }
    };
    const about = await optional(`/r/${sr}/about`);
    const aboutData = about && isRecord(about.data) ? about.data : undefined;
    // is_flair_required lives in post_requirements (the about object does not carry it).
    const requirements = await optional(`/api/v1/${sr}/post_requirements`);
    const flairRequired = requirements?.is_flair_required === true || aboutData?.is_flair_required === true;
    const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
    return {
      subreddit: name,
      rules,
      flairRequired,
      over18: bool(aboutData?.over18),
      allowImages: bool(aboutData?.allow_images),
      allowGalleries: bool(aboutData?.allow_galleries),
      allowVideos: bool(aboutData?.allow_videos),
      submissionType: typeof aboutData?.submission_type === 'string' ? aboutData.submission_type : undefined,
      titleMaxLength: typeof requirements?.title_text_max_length === 'number' ? requirements.title_text_max_length : undefined,
      fetchedAt: new Date().toISOString(),
    };
  }

  async verify(account: ChannelAccount, ctx: ConnectorContext): Promise<{ ok: boolean; problems: string[] }> {
    const problems: string[] = [];
    try {
      const call = new RedditCall(account, parseSettings(account.settings), ctx);
      const me = await this.api<{ name?: string }>(call, 'GET', '/api/v1/me');
      if (me.data.name && me.data.name.toLowerCase() !== call.settings.username.toLowerCase()) {
        problems.push(`The token belongs to u/${me.data.name}, not u/${call.settings.username}`);
      }
    } catch (error) {
      problems.push(error instanceof Error ? truncate(error.message) : String(error));
    }
    return { ok: problems.length === 0, problems };
  }
}
