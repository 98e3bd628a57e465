/**
 * Post metrics: the latest cumulative figures each platform reports for our published targets, pulled
 * by a scheduled job (and on demand for one post) and kept in `post_metrics`, one row per target.
 *
 * Every round reads targets published in the last `METRICS_WINDOW_DAYS` days, channel by channel, in
 * batches of `METRICS_BATCH` remote ids (connectors split further where the platform asks). A channel
 * that is rate limited is skipped until the platform's reset (or `RATE_LIMIT_BACKOFF_SECONDS`); a
 * channel that fails for any other reason is skipped this round. Nothing of one channel fails the run.
 * Rows are upserted, so a second run with the same figures leaves the same rows. After each channel, the
 * A/B tests of the posts it touched are evaluated again.
 */
import { and, eq, gte, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Platform } from '../platform/platform.ts';
import { channelCache, channels as channelsTable, postMetrics, postTargets } from '../platform/db/schema/index.ts';
import type { Principal } from '../platform/auth/principal.ts';
import type { ChannelsService } from '../channels/index.ts';
import type { CalendarService } from './calendar.service.ts';
import type { Connectors } from './connectors/registry.ts';
import { ConnectorError, type ChannelAccount, type ConnectorContext, type RemoteMetrics } from './connectors/types.ts';
import type { VariantsService } from './variants.service.ts';

export const METRICS_JOB = 'publishing.metrics';
/** Hourly, off the hour (platforms are busiest on it). */
export const METRICS_SCHEDULE = '23 * * * *';
/** Older posts hardly change any more; platforms also stop reporting some figures after ~30–90 days. */
export const METRICS_WINDOW_DAYS = 30;
export const METRICS_BATCH = 100;
/** Back-off after a rate limit when the platform does not say how long. */
export const RATE_LIMIT_BACKOFF_SECONDS = 15 * 60;
/** channel_cache key of the account's followers ({followers, raw}). */
export const ACCOUNT_METRICS_KEY = 'account_metrics';

export const FIGURES = ['impressions', 'likes', 'comments', 'shares', 'clicks'] as const;
export type Figure = (typeof FIGURES)[number];
/** null: the platform does not report this figure. */
export type Figures = Record<Figure, number | null>;

type MetricsRow = typeof postMetrics.$inferSelect;

/** A stored row as figures: those the platform did not report are null. */
export function figuresOf(row: Pick<MetricsRow, Figure | 'raw'>): Figures {
  const reported = new Set(((row.raw as { reported?: unknown }).reported as string[] | undefined) ?? FIGURES);
  return Object.fromEntries(FIGURES.map((f) => [f, reported.has(f) ? row[f] : null])) as Figures;
}

function toRow(remote: RemoteMetrics) {
  const reported = FIGURES.filter((f) => typeof remote[f] === 'number');
  const count = (f: Figure) => Math.max(0, Math.round(remote[f] ?? 0));
  return {
    impressions: count('impressions'),
    likes: count('likes'),
    comments: count('comments'),
    shares: count('shares'),
    clicks: count('clicks'),
    raw: { reported, platform: remote.raw ?? {} },
  };
}

export interface ChannelProblem {
  channelId: string;
  kind: string;
  message: string;
}

export class MetricsService {
  readonly #platform: Platform;
  readonly #channels: ChannelsService;
  readonly #connectors: Connectors;
  readonly #calendar: CalendarService;
  readonly #variants: VariantsService;
  /** Channel id → epoch ms before which it is not asked again (after a rate limit). */
  readonly #backoff = new Map<string, number>();

  constructor(platform: Platform, deps: { channels: ChannelsService; connectors: Connectors; calendar: CalendarService; variants: VariantsService }) {
    this.#platform = platform;
    this.#channels = deps.channels;
    this.#connectors = deps.connectors;
    this.#calendar = deps.calendar;
    this.#variants = deps.variants;
  }

  register() {
    this.#platform.jobs.register({ name: METRICS_JOB, schedule: METRICS_SCHEDULE, options: { retryLimit: 0, expireInSeconds: 3600 }, handler: () => this.ingestAll(new Date()) });
  }

  /** One round over every organization's active channels with recently published targets. */
  async ingestAll(now = new Date()) {
    const since = new Date(now.getTime() - METRICS_WINDOW_DAYS * 86_400_000);
    const channels = await this.#platform.db.withSystem((tx) =>
      tx
        .selectDistinct({ orgId: postTargets.orgId, channelId: postTargets.channelId })
        .from(postTargets)
        .innerJoin(channelsTable, eq(channelsTable.id, postTargets.channelId))
        .where(and(eq(postTargets.status, 'published'), isNotNull(postTargets.remoteId), gte(postTargets.publishedAt, since), eq(channelsTable.status, 'active'))),
    );
    let updated = 0;
    const problems: ChannelProblem[] = [];
    for (const c of channels) {
      const result = await this.#safely(c.orgId, c.channelId, now, null);
      if ('problem' in result) problems.push(result.problem);
      else updated += result.updated;
    }
    return { channels: channels.length, updated, problems };
  }

  /** Pulls the figures of one post's published targets now (skipping channels still backing off). */
  async refreshPost(p: Principal, postId: string) {
    const post = await this.#calendar.get(p, postId);
    const published = post.targets.filter((t) => t.status === 'published' && t.remoteId);
    const byChannel = new Map<string, string[]>();
    for (const t of published) byChannel.set(t.channelId, [...(byChannel.get(t.channelId) ?? []), t.id]);
    const problems: ChannelProblem[] = [];
    for (const [channelId, targetIds] of byChannel) {
      const result = await this.#safely(p.orgId, channelId, new Date(), targetIds);
      if ('problem' in result) problems.push(result.problem);
    }
    return { ...(await this.forPost(p, postId)), problems };
  }

  /** Each target of the post with its latest figures (null until fetched). */
  async forPost(p: Principal, postId: string) {
    const post = await this.#calendar.get(p, postId);
    const rows = await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const ids = post.targets.map((t) => t.id);
      if (!ids.length) return { metrics: new Map<string, typeof postMetrics.$inferSelect>(), keys: new Map<string, string | null>() };
      const metrics = await tx.select().from(postMetrics).where(inArray(postMetrics.targetId, ids));
      const keys = await tx.select({ id: postTargets.id, variantKey: postTargets.variantKey }).from(postTargets).where(inArray(postTargets.id, ids));
      return { metrics: new Map(metrics.map((m) => [m.targetId, m])), keys: new Map(keys.map((k) => [k.id, k.variantKey])) };
    });
    return {
      postId,
      targets: post.targets.map((t) => {
        const m = rows.metrics.get(t.id);
        return {
          targetId: t.id,
          channelId: t.channelId,
          variantKey: rows.keys.get(t.id) ?? null,
          status: t.status,
          publishedAt: t.publishedAt,
          metrics: m ? { ...figuresOf(m), fetchedAt: m.fetchedAt.toISOString() } : null,
        };
      }),
    };
  }

  async #safely(orgId: string, channelId: string, now: Date, targetIds: string[] | null): Promise<{ updated: number } | { problem: ChannelProblem }> {
    const until = this.#backoff.get(channelId);
    if (until && until > now.getTime()) return { problem: { channelId, kind: 'rate_limited', message: `Waiting for the platform's rate limit until ${new Date(until).toISOString()}` } };
    try {
      return { updated: await this.#ingestChannel(orgId, channelId, now, targetIds) };
    } catch (error) {
      const kind = error instanceof ConnectorError ? error.kind : 'error';
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof ConnectorError && error.kind === 'rate_limited') {
        this.#backoff.set(channelId, now.getTime() + (error.retryAfterSeconds ?? RATE_LIMIT_BACKOFF_SECONDS) * 1000);
      }
      this.#platform.log.warn({ channelId, kind, err: message }, 'metrics: channel skipped this round');
      return { problem: { channelId, kind, message } };
    }
  }

  async #ingestChannel(orgId: string, channelId: string, now: Date, targetIds: string[] | null): Promise<number> {
    const account = await this.#channels.account(orgId, channelId);
    if (!this.#connectors.has(account.platform)) return 0;
    const connector = this.#connectors.get(account.platform);
    if (!connector.metrics) return 0;
    const since = new Date(now.getTime() - METRICS_WINDOW_DAYS * 86_400_000);
    const targets = await this.#platform.db.withOrg(orgId, (tx) =>
      tx
        .select({ id: postTargets.id, postId: postTargets.postId, remoteId: postTargets.remoteId })
        .from(postTargets)
        .where(
          and(
            eq(postTargets.channelId, channelId),
            eq(postTargets.status, 'published'),
            isNotNull(postTargets.remoteId),
            targetIds ? inArray(postTargets.id, targetIds) : gte(postTargets.publishedAt, since),
          ),
        ),
    );
    const ctx = { signal: AbortSignal.timeout(120_000), onCredentials: (next: Record<string, string>) => this.#channels.storeCredentials(orgId, channelId, next) };
    let updated = 0;
    for (let i = 0; i < targets.length; i += METRICS_BATCH) {
      const batch = targets.slice(i, i + METRICS_BATCH);
      const figures = await connector.metrics(account, batch.map((t) => t.remoteId!), ctx);
      const byRemote = new Map(figures.map((f) => [f.remoteId, f]));
      const rows = batch.flatMap((t) => {
        const remote = byRemote.get(t.remoteId!);
        return remote ? [{ targetId: t.id, orgId, channelId, ...toRow(remote), fetchedAt: new Date() }] : [];
      });
      if (!rows.length) continue;
      await this.#platform.db.withOrg(orgId, (tx) =>
        tx
          .insert(postMetrics)
          .values(rows)
          .onConflictDoUpdate({
            target: postMetrics.targetId,
            set: {
              impressions: sql`excluded.impressions`,
              likes: sql`excluded.likes`,
              comments: sql`excluded.comments`,
              shares: sql`excluded.shares`,
              clicks: sql`excluded.clicks`,
              raw: sql`excluded.raw`,
              fetchedAt: sql`excluded.fetched_at`,
            },
          }),
      );
      updated += rows.length;
    }
    for (const postId of new Set(targets.map((t) => t.postId))) await this.#variants.evaluate(orgId, postId);
    if (!targetIds) await this.#accountFigures(orgId, channelId, account, ctx);
    return updated;
  }

  /** Followers, kept in the channel cache (`account_metrics`) on scheduled rounds; a failure here is not the posts'. */
  async #accountFigures(orgId: string, channelId: string, account: ChannelAccount, ctx: ConnectorContext) {
    const connector = this.#connectors.get(account.platform);
    if (!connector.accountMetrics) return;
    try {
      const figures = await connector.accountMetrics(account, ctx);
      const value = { followers: figures.followers, raw: figures.raw ?? {} };
      await this.#platform.db.withOrg(orgId, (tx) =>
        tx
          .insert(channelCache)
          .values({ orgId, channelId, key: ACCOUNT_METRICS_KEY, value, fetchedAt: new Date() })
          .onConflictDoUpdate({ target: [channelCache.channelId, channelCache.key], set: { value, fetchedAt: new Date() } }),
      );
    } catch (error) {
      this.#platform.log.warn({ channelId, err: error instanceof Error ? error.message : String(error) }, 'metrics: account figures skipped');
    }
  }
}
