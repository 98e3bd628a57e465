/**
 * One interface for every social platform (Postiz-style: adding a network touches one folder). The
 * dispatcher owns scheduling, idempotency, rate limits and recovery; a connector only speaks its
 * platform's protocol and says clearly what happened.
 */
import type { Rating } from '../../safety/types.ts';

export const platforms = ['x', 'instagram', 'reddit', 'telegram', 'discord', 'bluesky', 'fanvue', 'onlyfans_export', 'sandbox'] as const;
export type PlatformName = (typeof platforms)[number];

/** A channel as a connector sees it: the persona's account, its settings and its opened credentials. */
export interface ChannelAccount {
  id: string;
  orgId: string;
  platform: PlatformName;
  handle: string;
  /** Per-channel settings (base URL override, chat id, subreddit, age-restricted, price…), validated by the connector. */
  settings: Record<string, unknown>;
  /** Opened secrets: access_token, refresh_token, expires_at (ISO), bot_token, app_password, webhook_url… */
  credentials: Record<string, string>;
}

export interface PublishMedia {
  kind: 'image' | 'video';
  mimeType: string;
  /** Bytes of the chosen variant (already stripped and XMP-marked by the studio). */
  bytes: Buffer;
  filename: string;
  width: number | null;
  height: number | null;
  rating: Rating;
  altText?: string;
  /** A short-lived public URL of the same bytes, for platforms that fetch media themselves (Instagram). */
  publicUrl?: string;
}

export interface PublishRequest {
  /** Final text, disclosure included where the channel's policy asks for it. */
  text: string;
  media: PublishMedia[];
  /** The most restricted rating among the media (sfw when there is none). */
  rating: Rating;
  /**
   * Stable for the life of the target: retries of the same target reuse it. Connectors pass it where the
   * platform deduplicates (e.g. a deterministic record key) and may embed it invisibly for recovery.
   */
  idempotencyKey: string;
  /** Per-target options: subreddit, flair_id, title, price (minor units), subscribersOnly, spoiler… */
  options: Record<string, unknown>;
}

export interface PublishResult {
  remoteId: string;
  url?: string;
  /** Platform facts worth keeping (cost, container id…). */
  meta?: Record<string, unknown>;
}

export interface ConnectorContext {
  signal: AbortSignal;
  /** Credentials the connector refreshed during the call (the caller stores them, never blanking a refresh token). */
  onCredentials?(next: Record<string, string>): Promise<void>;
}

/**
 * - auth: the platform refused the credentials (401/403 with a recognised auth error) → refresh, then
 *   "reconnect needed" if refreshing fails;
 * - rate_limited: 429 / quota; `retryAfterSeconds` when the platform says;
 * - unavailable: refused before accepting the post (connection refused, 5xx before acceptance) → safe to retry;
 * - rejected: the post itself is wrong (too long, forbidden media) → fail, show `message`;
 * - unknown_outcome: the request may have landed (timeout, connection reset after sending) → never resend blindly.
 */
export type ConnectorErrorKind = 'auth' | 'rate_limited' | 'unavailable' | 'rejected' | 'unknown_outcome';

export class ConnectorError extends Error {
  readonly kind: ConnectorErrorKind;
  readonly platform: PlatformName;
  readonly retryAfterSeconds: number | undefined;
  readonly details: unknown;
  constructor(platform: PlatformName, kind: ConnectorErrorKind, message: string, opts: { retryAfterSeconds?: number; details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'ConnectorError';
    this.platform = platform;
    this.kind = kind;
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.details = opts.details;
  }
}

/** What a channel accepts, for the policy router (declared by the connector from the channel's settings). */
export interface ChannelPolicy {
  /** Ratings this channel may receive. */
  accepts: Rating[];
  /** The AI disclosure text must be in the post. */
  disclosureRequired: boolean;
  maxMedia: number;
  /** Max text length in the platform's own counting (the captions module enforces it). */
  maxTextLength: number;
  /** Adult media needs a platform flag (X sensitive media, Reddit nsfw, Bluesky self-label) — the connector sets it. */
  flagsAdultMedia: boolean;
  /** Needs media at a public URL (Instagram). */
  needsPublicMediaUrl: boolean;
  /** Kinds of media the connector can post; absent: images and videos. Checked by the router when scheduling. */
  mediaKinds?: PublishMedia['kind'][];
}

/** Cumulative figures of one published post, as the platform reports them (absent = not reported). */
export interface RemoteMetrics {
  remoteId: string;
  impressions?: number;
  likes?: number;
  comments?: number;
  shares?: number;
  clicks?: number;
  raw?: Record<string, unknown>;
}

/** Account-level figures (followers / subscribers). */
export interface AccountMetrics {
  followers: number;
  raw?: Record<string, unknown>;
}

/** A comment, mention or reply addressed to the persona's account, as pulled from the platform. */
export interface RemoteInteraction {
  remoteId: string;
  kind: 'comment' | 'mention' | 'reply';
  /** Our post it belongs to (its remote id), when the platform says. */
  postRemoteId?: string;
  /** What it answers directly (our post or a comment). */
  parentRemoteId?: string;
  authorRemoteId?: string;
  authorHandle: string;
  text: string;
  createdAt: Date;
}

/** OAuth 2.0 authorization-code (PKCE where the platform supports it) connect flow for one platform. */
export interface OAuthFlow {
  /** Scopes the connector needs. */
  readonly scopes: string[];
  /** The URL the browser is sent to. `settings` carries the app's client id and base URL overrides. */
  authorizeUrl(params: { settings: Record<string, unknown>; clientId: string; redirectUri: string; state: string; codeChallenge: string }): string;
  /**
   * Code → credentials (access_token, refresh_token, expires_at ISO…), plus the account's handle when the
   * platform tells it and the channel settings the connector needs (account id, base URL overrides).
   */
  exchange(
    params: { settings: Record<string, unknown>; clientId: string; clientSecret?: string; code: string; codeVerifier: string; redirectUri: string },
    ctx: ConnectorContext,
  ): Promise<{ credentials: Record<string, string>; handle?: string; settings?: Record<string, unknown> }>;
}

export interface Connector {
  readonly platform: PlatformName;
  /** Present when the platform connects by OAuth redirect (X, Fanvue, Reddit, Instagram). */
  readonly oauth?: OAuthFlow;
  policy(account: Pick<ChannelAccount, 'settings'>): ChannelPolicy;
  publish(account: ChannelAccount, request: PublishRequest, ctx: ConnectorContext): Promise<PublishResult>;
  /**
   * After an unknown outcome or a crash mid-call: look for the post on the platform (by its idempotency
   * marker or exact text since `since`). null = certainly not there; throw ConnectorError('unavailable')
   * when the platform cannot be asked. Connectors that cannot look omit it (→ needs-review).
   */
  find?(account: ChannelAccount, request: Pick<PublishRequest, 'idempotencyKey' | 'text'>, since: Date, ctx: ConnectorContext): Promise<PublishResult | null>;
  /** `meta`: what the publication answered, as stored on the target (a Telegram album's message ids). */
  delete?(account: ChannelAccount, remoteId: string, ctx: ConnectorContext, meta?: Record<string, unknown>): Promise<void>;
  /** New credentials from the refresh token; throws ConnectorError('auth') when the grant is revoked. */
  refresh?(account: ChannelAccount, ctx: ConnectorContext): Promise<Record<string, string>>;
  /** Setup checks shown when connecting (X: Automated label and bio disclosure present). */
  verify?(account: ChannelAccount, ctx: ConnectorContext): Promise<{ ok: boolean; problems: string[] }>;
  /** Figures for these published posts (batched as the platform allows; missing ids = not found). */
  metrics?(account: ChannelAccount, remoteIds: string[], ctx: ConnectorContext): Promise<RemoteMetrics[]>;
  accountMetrics?(account: ChannelAccount, ctx: ConnectorContext): Promise<AccountMetrics>;
  /** Comments, mentions and replies addressed to the account since `since` (null: the platform's recent window). */
  interactions?(account: ChannelAccount, since: Date | null, ctx: ConnectorContext): Promise<RemoteInteraction[]>;
  /** Publishes `text` as a reply to `parentRemoteId` (only ever in answer to someone who engaged first). */
  reply?(account: ChannelAccount, parentRemoteId: string, text: string, ctx: ConnectorContext): Promise<PublishResult>;
}
