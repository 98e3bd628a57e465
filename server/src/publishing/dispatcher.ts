import { and, eq, sql } from 'drizzle-orm';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { Redis } from 'ioredis';
import type { Platform } from '../platform/platform.ts';
import { channels as channelsTable, mediaAssets, postTargets } from '../platform/db/schema/index.ts';
import type { JobContext, JobPayload } from '../platform/jobs/jobs.ts';
import type { ChannelsService } from '../channels/index.ts';
import type { StudioService } from '../generation/index.ts';
import type { Rating } from '../safety/types.ts';
import { ConnectorError, type ChannelAccount, type Connector, type PlatformName, type PublishMedia, type PublishRequest, type PublishResult } from './connectors/types.ts';
import type { Connectors } from './connectors/registry.ts';
import { route } from './router.ts';
import { publicMediaUrl } from './public-media.ts';
import { DISPATCH_JOB } from './calendar.service.ts';
import * as repo from './calendar.repository.ts';
import { PlatformRules } from './platform-rules.ts';
import { BUDGET_HOLD, bookPublishCost } from './budget.ts';

export const SWEEP_JOB = 'publishing.sweep';

interface DispatchPayload extends JobPayload {
  orgId: string;
  targetId: string;
  version: number;
}

/** Requests per window and account, below each platform's documented limit. */
const ACCOUNT_LIMITS: Record<PlatformName, { points: number; seconds: number }> = {
  x: { points: 90, seconds: 15 * 60 },
  instagram: { points: 20, seconds: 3600 },
  reddit: { points: 30, seconds: 3600 },
  telegram: { points: 20, seconds: 60 },
  discord: { points: 30, seconds: 60 },
  bluesky: { points: 1000, seconds: 3600 },
  fanvue: { points: 60, seconds: 3600 },
  onlyfans_export: { points: 100_000, seconds: 60 },
  sandbox: { points: 100_000, seconds: 60 },
};
/**
 * Per developer app (OAuth client id), across every account connected through it: X allows 10,000 posts per
 * 24 h per app (PLATFORMS.md). Other platforms' app limits are per request and read from their headers.
 */
const APP_LIMITS: Partial<Record<PlatformName, { points: number; seconds: number }>> = {
  x: { points: 10_000, seconds: 24 * 3600 },
};
const MAX_UNAVAILABLE_ATTEMPTS = 5;
const BREAKER_THRESHOLD = 5;
const BREAKER_OPEN_MS = 60_000;

/**
 * Publishes due targets exactly once. State is written before and after every remote call; a crash or
 * a timeout leaves the target `publishing`, and recovery asks the platform (connector.find) instead of
 * sending again — if the platform cannot tell, the target waits for a person (`needs_review`).
 */
export class Dispatcher {
  readonly #platform: Platform;
  readonly #channels: ChannelsService;
  readonly #studio: StudioService;
  readonly #connectors: Connectors;
  readonly #rules: PlatformRules;
  readonly #limiters = new Map<string, RateLimiterAbstract>();
  readonly #appLimits: Partial<Record<PlatformName, { points: number; seconds: number }>>;
  readonly #breakers = new Map<PlatformName, { failures: number; openUntil: number }>();
  readonly #redis: Redis | null;
  readonly publishTimeoutMs: number;

  constructor(
    platform: Platform,
    deps: { channels: ChannelsService; studio: StudioService; connectors: Connectors },
    opts: { publishTimeoutMs?: number; appLimits?: Partial<Record<PlatformName, { points: number; seconds: number }>> } = {},
  ) {
    this.#appLimits = opts.appLimits ?? APP_LIMITS;
    this.#platform = platform;
    this.#channels = deps.channels;
    this.#studio = deps.studio;
    this.#connectors = deps.connectors;
    this.#rules = new PlatformRules(platform, deps);
    this.publishTimeoutMs = opts.publishTimeoutMs ?? platform.env.PUBLISH_TIMEOUT_SECONDS * 1000;
    this.#redis = platform.env.REDIS_URL ? new Redis(platform.env.REDIS_URL, { maxRetriesPerRequest: 1 }) : null;
    this.#redis?.on('error', () => {});
  }

  register() {
    this.#platform.jobs.register<DispatchPayload>({
      name: DISPATCH_JOB,
      concurrency: this.#platform.env.PUBLISH_CONCURRENCY,
      // The dispatcher reschedules by itself; a pg-boss retry only follows a dead worker (→ recovery).
      options: { retryLimit: 2, retryDelay: 5, retryBackoff: true, expireInSeconds: Math.ceil(this.publishTimeoutMs / 1000) + 60 },
      handler: (job) => this.dispatch(job),
    });
    this.#platform.jobs.register({ name: SWEEP_JOB, schedule: '* * * * *', options: { retryLimit: 0, expireInSeconds: 300 }, handler: () => this.sweep(new Date()) });
  }

  async close() {
    this.#redis?.disconnect();
  }

  async dispatch(job: Pick<JobContext<DispatchPayload>, 'data'>) {
    const { orgId, targetId, version } = job.data;
    const { db } = this.#platform;
    const claim = await db.withOrg(orgId, async (tx) => {
      const [row] = await tx.select().from(postTargets).where(eq(postTargets.id, targetId)).for('update', { skipLocked: true });
      if (!row) return { action: 'none' as const };
      if (row.status === 'scheduled' && row.version === version) {
        if (row.scheduledAt && row.scheduledAt.getTime() > Date.now() + 5_000) return { action: 'none' as const }; // rescheduled later meanwhile
        const [claimed] = await tx
          .update(postTargets)
          // A budget hold left by an earlier attempt is not this one's (budget.ts holdBudgetForSend).
          .set({ status: 'publishing', claimedAt: new Date(), attempts: row.attempts + 1, meta: sql`coalesce(${postTargets.meta}, '{}'::jsonb) - ${BUDGET_HOLD}::text`, updatedAt: new Date() })
          .where(eq(postTargets.id, targetId))
          .returning();
        await repo.rollUp(tx, row.postId);
        return { action: 'send' as const, target: claimed! };
      }
      // Left `publishing` by a worker that died mid-call (or a sweep found it stale).
      if (row.status === 'publishing' && row.claimedAt && Date.now() - row.claimedAt.getTime() > this.publishTimeoutMs) return { action: 'recover' as const, target: row };
      return { action: 'none' as const };
    });
    if (claim.action === 'none') return;
    if (claim.action === 'recover') return this.#recover(claim.target);
    return this.#send(claim.target);
  }

  async #send(target: repo.TargetRow) {
    const account = await this.#channels.account(target.orgId, target.channelId);
    const connector = this.#connectors.get(account.platform);
    if (account.status === 'reconnect_needed') return this.#fail(target, 'auth', `Reconnect ${account.handle}: its authorisation was revoked`);
    let request: PublishRequest;
    try {
      request = await this.#request(target, account, connector);
    } catch (error) {
      return this.#fail(target, 'rejected', (error as Error).message);
    }
    // Budget spent or subreddit rules changed since scheduling: stop here, before anything is sent.
    const refusal = await this.#rules.beforeSend(target, account, request.rating);
    if (refusal?.retry && target.attempts < MAX_UNAVAILABLE_ATTEMPTS) return this.#reschedule(target, backoffMs(target.attempts), refusal.message);
    if (refusal) return this.#fail(target, refusal.code, refusal.message, refusal.details);
    const breaker = this.#breakers.get(account.platform);
    if (breaker && breaker.openUntil > Date.now()) return this.#reschedule(target, breaker.openUntil - Date.now(), `${account.platform} is failing: waiting before trying again`);
    const appWaitMs = await this.#appRateLimit(account);
    if (appWaitMs > 0) return this.#reschedule(target, appWaitMs, `Rate limit of the ${account.platform} app reached`);
    const waitMs = await this.#rateLimit(account);
    if (waitMs > 0) return this.#reschedule(target, waitMs, 'Rate limit of the account reached');

    let refreshed = false;
    let triedStored = false;
    for (;;) {
      try {
        const result = await connector.publish(account, request, this.#ctx(target, account));
        this.#breakers.delete(account.platform);
        return this.#published(target, result, account.platform);
      } catch (error) {
        const e = error instanceof ConnectorError ? error : null;
        if (!e || e.kind === 'unknown_outcome') return this.#recover(target, connector, account, request, (error as Error).message);
        if (e.kind === 'auth') {
          if (!refreshed) {
            refreshed = true;
            // Another worker may have refreshed meanwhile (X's and Fanvue's refresh tokens are single-use):
            // what is stored now is tried before a spent refresh token is sent. An auth error means the
            // platform did nothing, so trying again is safe.
            const newer = await this.#channels.storedSince(target.orgId, account.id, account.credentials);
            if (newer) {
              account.credentials = newer;
              continue;
            }
            if (connector.refresh && account.credentials.refresh_token) {
              try {
                const next = await connector.refresh(account, this.#ctx(target, account));
                await this.#channels.storeCredentials(target.orgId, account.id, next);
                account.credentials = { ...account.credentials, ...Object.fromEntries(Object.entries(next).filter(([, v]) => v)) };
                continue;
              } catch (refreshError) {
                if (!(refreshError instanceof ConnectorError && refreshError.kind === 'auth')) {
                  return this.#reschedule(target, backoffMs(target.attempts), `Could not refresh the token: ${(refreshError as Error).message}`);
                }
              }
            }
          }
          // Flagged only when the refused credentials are still the stored ones (channels.service.ts).
          const verdict = await this.#channels.authRefused(target.orgId, account.id, account.credentials, { message: e.message, by: 'dispatcher' });
          if (verdict.flagged) return this.#fail(target, 'auth', `Reconnect ${account.handle}: ${e.message}`);
          if (!triedStored) {
            triedStored = true;
            account.credentials = verdict.credentials;
            continue;
          }
          return this.#reschedule(target, backoffMs(target.attempts), `Authorisation refused while the channel's tokens were being replaced: ${e.message}`);
        }
        if (e.kind === 'rate_limited') return this.#reschedule(target, (e.retryAfterSeconds ?? 60) * 1000 + jitter(), e.message);
        if (e.kind === 'unavailable') {
          this.#trip(account.platform);
          if (target.attempts >= MAX_UNAVAILABLE_ATTEMPTS) return this.#fail(target, 'unavailable', e.message);
          return this.#reschedule(target, backoffMs(target.attempts), e.message);
        }
        return this.#fail(target, 'rejected', e.message, e.details);
      }
    }
  }

  async #request(target: repo.TargetRow, account: ChannelAccount, connector: Connector): Promise<PublishRequest> {
    const { db, storage } = this.#platform;
    const asset = target.assetId
      ? await db.withOrg(target.orgId, (tx) => tx.select().from(mediaAssets).where(eq(mediaAssets.id, target.assetId!)).then((r) => r[0]))
      : undefined;
    const post = await db.withOrg(target.orgId, (tx) => repo.post(tx, target.postId));
    const media: PublishMedia[] = [];
    let rating: Rating = 'sfw';
    if (asset) {
      if (asset.status !== 'approved') throw new Error('The media is no longer approved');
      rating = asset.rating === 'unrated' ? 'explicit' : asset.rating;
      const variants = asset.variants as { name: string; key: string; width: number | null; height: number | null; mimeType: string }[];
      const variant = variants.find((v) => v.name === target.variant) ?? variants.find((v) => v.name === 'original');
      const key = variant?.key ?? asset.storageKey;
      media.push({
        kind: asset.kind === 'video' ? 'video' : 'image',
        mimeType: variant?.mimeType ?? asset.mimeType,
        bytes: await storage.get(key),
        filename: key.split('/').at(-1)!,
        width: variant?.width ?? asset.width,
        height: variant?.height ?? asset.height,
        rating,
        ...(connector.policy(account).needsPublicMediaUrl ? { publicUrl: (await publicMediaUrl(storage, this.#platform.env, key)) ?? undefined } : {}),
      });
    }
    // The channel's settings may have changed since scheduling: route again before sending.
    const principal = { orgId: target.orgId, role: 'admin' as const, userId: null, apiKeyId: null, personaScope: null, sessionId: null };
    const { settings } = await this.#studio.settings(principal, post!.personaId);
    const verdict = route({ platform: account.platform, handle: account.handle, policy: connector.policy(account), rating, mediaCount: media.length, mediaKinds: media.map((m) => m.kind), text: target.text, disclosure: settings.disclosureText });
    if (!verdict.ok) throw new Error(verdict.message);
    return {
      text: verdict.text,
      media,
      rating,
      idempotencyKey: target.idempotencyKey,
      options: { ...(target.options as Record<string, unknown>), scheduledAt: target.scheduledAt?.toISOString() },
    };
  }

  /** After an unknown outcome: ask the platform; never send again on a guess. */
  async #recover(target: repo.TargetRow, connector?: Connector, account?: ChannelAccount, request?: PublishRequest, reason = 'The worker stopped during the call') {
    account ??= await this.#channels.account(target.orgId, target.channelId);
    connector ??= this.#connectors.get(account.platform);
    if (connector.find) {
      try {
        const found = await connector.find(account, { idempotencyKey: target.idempotencyKey, text: request?.text ?? target.text }, target.claimedAt ?? target.createdAt, this.#ctx(target, account));
        if (found) return this.#published(target, found, account.platform);
      } catch {
        // The platform cannot be asked right now: a person decides.
      }
    }
    return this.#finish(target, 'needs_review', { message: `Outcome unknown (${reason}); check ${account.handle} before republishing`, kind: 'unknown_outcome' });
  }

  async #published(target: repo.TargetRow, result: PublishResult, platform: PlatformName) {
    await this.#platform.db.withOrg(target.orgId, async (tx) => {
      await bookPublishCost(tx, target.id, result);
      await tx
        .update(postTargets)
        .set({ status: 'published', remoteId: result.remoteId, remoteUrl: result.url ?? null, meta: result.meta ?? {}, publishedAt: new Date(), error: null, updatedAt: new Date() })
        .where(eq(postTargets.id, target.id));
      await repo.rollUp(tx, target.postId);
    });
    await this.#event(target, 'published');
    this.#platform.metrics.publishOutcomes.inc({ platform, outcome: 'published' });
  }

  async #reschedule(target: repo.TargetRow, delayMs: number, message: string) {
    const at = new Date(Date.now() + delayMs);
    await this.#platform.db.withOrg(target.orgId, async (tx) => {
      const [row] = await tx
        .update(postTargets)
        .set({ status: 'scheduled', scheduledAt: at, version: target.version + 1, error: { message, kind: 'retry' }, updatedAt: new Date() })
        .where(and(eq(postTargets.id, target.id), eq(postTargets.status, 'publishing')))
        .returning();
      if (row) await this.#platform.jobs.enqueue(tx, DISPATCH_JOB, { orgId: target.orgId, targetId: target.id, version: row.version }, { startAfter: at });
      await repo.rollUp(tx, target.postId);
    });
    await this.#event(target, 'rescheduled');
  }

  async #fail(target: repo.TargetRow, kind: string, message: string, details?: unknown) {
    return this.#finish(target, 'failed', { message, kind, ...(details !== undefined ? { details } : {}) });
  }

  async #finish(target: repo.TargetRow, status: 'failed' | 'needs_review', error: Record<string, unknown>) {
    const platform = await this.#platform.db.withOrg(target.orgId, async (tx) => {
      await tx.update(postTargets).set({ status, error, updatedAt: new Date() }).where(eq(postTargets.id, target.id));
      await repo.rollUp(tx, target.postId);
      // The per-platform alert rules (deploy/prometheus/alerts.yml) need the failure's platform, not a lump.
      const [channel] = await tx.select({ platform: channelsTable.platform }).from(channelsTable).where(eq(channelsTable.id, target.channelId));
      return channel?.platform ?? 'unknown';
    });
    this.#platform.metrics.publishOutcomes.inc({ platform, outcome: status });
    await this.#event(target, status);
  }

  /** Due targets whose job vanished, and targets stuck in `publishing`: queue them again (claims are idempotent). */
  async sweep(now: Date) {
    const stale = new Date(now.getTime() - this.publishTimeoutMs - 60_000);
    const rows = await this.#platform.db.withSystem((tx) =>
      tx
        .select({ id: postTargets.id, orgId: postTargets.orgId, version: postTargets.version })
        .from(postTargets)
        .where(
          sql`(${postTargets.status} = 'scheduled' and ${postTargets.scheduledAt} < ${new Date(now.getTime() - 120_000)}) or (${postTargets.status} = 'publishing' and ${postTargets.claimedAt} < ${stale})`,
        )
        .limit(1000),
    );
    for (const r of rows) await this.#platform.jobs.send(DISPATCH_JOB, { orgId: r.orgId, targetId: r.id, version: r.version }, { singletonKey: `sweep:${r.id}:${r.version}` });
    return rows.length;
  }

  #ctx(target: repo.TargetRow, account: ChannelAccount) {
    return {
      signal: AbortSignal.timeout(this.publishTimeoutMs),
      onCredentials: (next: Record<string, string>) => this.#channels.storeCredentials(target.orgId, account.id, next),
    };
  }

  async #rateLimit(account: ChannelAccount): Promise<number> {
    return this.#consume(`atelier:rl:publish:${account.platform}`, ACCOUNT_LIMITS[account.platform], account.id);
  }

  /** The app's share: keyed by the OAuth client id the account was connected through. */
  async #appRateLimit(account: ChannelAccount): Promise<number> {
    const limit = this.#appLimits[account.platform];
    if (!limit) return 0;
    return this.#consume(`atelier:rl:publish-app:${account.platform}`, limit, account.credentials.client_id || 'default');
  }

  /** Takes one point for `key` (shared across workers through Redis when configured); ms to wait when none is left. */
  async #consume(keyPrefix: string, limit: { points: number; seconds: number }, key: string): Promise<number> {
    let limiter = this.#limiters.get(keyPrefix);
    if (!limiter) {
      const { points, seconds } = limit;
      limiter = this.#redis
        ? new RateLimiterRedis({ storeClient: this.#redis, keyPrefix, points, duration: seconds, insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: seconds }) })
        : new RateLimiterMemory({ keyPrefix, points, duration: seconds });
      this.#limiters.set(keyPrefix, limiter);
    }
    try {
      await limiter.consume(key);
      return 0;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return rejection.msBeforeNext + jitter();
      throw rejection;
    }
  }

  #trip(platform: PlatformName) {
    const b = this.#breakers.get(platform) ?? { failures: 0, openUntil: 0 };
    b.failures++;
    if (b.failures >= BREAKER_THRESHOLD) b.openUntil = Date.now() + BREAKER_OPEN_MS;
    this.#breakers.set(platform, b);
  }

  async #event(target: repo.TargetRow, outcome: string) {
    await this.#platform.events.publish({ type: 'post.target_updated', orgId: target.orgId, data: { postId: target.postId, targetId: target.id, outcome } });
  }
}

const jitter = () => Math.floor(Math.random() * 2_000);
const backoffMs = (attempt: number) => Math.min(30 * 60_000, 15_000 * 2 ** Math.max(0, attempt - 1)) + jitter();

