/**
 * Platform rules the policy router cannot judge from a channel's static policy alone: X's monthly cost
 * budget, and per subreddit Reddit's rules (AI content, NSFW, flair) and posting frequency. Checked when a
 * target is planned (content) and scheduled (time), and once more by the dispatcher just before sending.
 */
import { and, eq, gte, inArray, lte, ne, sql } from 'drizzle-orm';
import type { Platform } from '../platform/platform.ts';
import type { Tx } from '../platform/db/database.ts';
import { channels, postTargets } from '../platform/db/schema/index.ts';
import { HttpError } from '../platform/http/problem.ts';
import type { ChannelsService } from '../channels/index.ts';
import type { Rating } from '../safety/types.ts';
import type { Connectors } from './connectors/registry.ts';
import type { ChannelAccount, Connector, PlatformName } from './connectors/types.ts';
import { normalizeSubreddit } from './connectors/reddit/index.ts';
import { routeSubreddit } from './router.ts';
import { budgetRefusal, holdBudgetForSend } from './budget.ts';
import { lockChannels } from '../channels/lock.ts';
import { SubredditRulesCache } from './subreddit-rules.ts';
import type { TargetRow } from './calendar.repository.ts';

export const DEFAULT_MIN_HOURS_BETWEEN_POSTS = 24;

export interface Refusal {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  /** The rules could not be read: try again later rather than fail. */
  retry?: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function subredditOf(options: unknown): string | null {
  const sr = isRecord(options) && typeof options.subreddit === 'string' ? normalizeSubreddit(options.subreddit) : '';
  return sr || null;
}

/** channel.settings.subreddits entry for `subreddit`, matched case-insensitively. */
export function subredditConfig(settings: Record<string, unknown>, subreddit: string): Record<string, unknown> | undefined {
  if (!isRecord(settings.subreddits)) return undefined;
  const wanted = subreddit.toLowerCase();
  const entry = Object.entries(settings.subreddits).find(([name]) => normalizeSubreddit(name).toLowerCase() === wanted)?.[1];
  return isRecord(entry) ? entry : undefined;
}

/** Hours between two posts of one account in one subreddit: the subreddit's setting, else the channel's, else 24. */
export function minHoursBetweenPosts(settings: Record<string, unknown>, subreddit: string): number {
  const own = subredditConfig(settings, subreddit)?.minHoursBetweenPosts;
  if (typeof own === 'number' && own >= 0) return own;
  return typeof settings.minHoursBetweenPosts === 'number' && settings.minHoursBetweenPosts >= 0 ? settings.minHoursBetweenPosts : DEFAULT_MIN_HOURS_BETWEEN_POSTS;
}

export class PlatformRules {
  readonly #platform: Platform;
  readonly #channels: ChannelsService;
  readonly #connectors: Connectors;
  readonly #rules: SubredditRulesCache;
  constructor(platform: Platform, deps: { channels: ChannelsService; connectors: Connectors }) {
    this.#platform = platform;
    this.#channels = deps.channels;
    this.#connectors = deps.connectors;
    this.#rules = new SubredditRulesCache(platform.db, Date.now, (account, next) => deps.channels.storeCredentials(account.orgId, account.id, next));
  }

  /** Content rules of one target (outside any transaction: it may ask the platform). Throws 422. */
  async checkContent(orgId: string, channel: { id: string; platform: string }, target: { options?: Record<string, unknown> | undefined }, rating: Rating) {
    if (channel.platform !== 'reddit') return;
    const account = await this.#channels.account(orgId, channel.id);
    const refusal = await this.#reddit(account, this.#connectors.get('reddit'), target.options ?? {}, rating);
    if (refusal) throw new HttpError(422, refusal.code, refusal.message, { channelId: channel.id, ...refusal.details });
  }

  async #reddit(account: ChannelAccount, connector: Connector, options: Record<string, unknown>, rating: Rating): Promise<Refusal | null> {
    const subreddit = subredditOf(options);
    if (!subreddit) return { code: 'subreddit_missing', message: `${account.handle}: choose the subreddit this post goes to (options.subreddit)` };
    const facts = await this.#rules.get(account, connector, subreddit);
    if (!facts) return null;
    const flairId = [options.flairId, options.flair_id].find((v): v is string => typeof v === 'string' && v.trim() !== '');
    const verdict = routeSubreddit({ subreddit, config: subredditConfig(account.settings, subreddit), facts, rating, flairId });
    return verdict.ok ? null : { code: verdict.code, message: verdict.message, details: { subreddit } };
  }

  /**
   * Rules that depend on when the target goes out; runs in the scheduling transaction. Throws 422. The
   * channel's row stays locked until that transaction ends (it books the slot or the cost): a simultaneous
   * schedule of the same channel waits, then counts this one (PostgreSQL reads committed rows per statement).
   * Callers scheduling several targets lock their channels first, in order (lockChannels), to avoid deadlocks.
   */
  async checkTiming(tx: Tx, target: TargetRow, at: Date) {
    await lockChannels(tx, [target.channelId]);
    const [channel] = await tx.select().from(channels).where(eq(channels.id, target.channelId));
    if (!channel) return;
    if (channel.platform === 'x') {
      const refusal = await budgetRefusal(tx, channel, target, at);
      if (refusal) throw new HttpError(422, refusal.code, refusal.message, refusal.details);
    }
    if (channel.platform === 'reddit') {
      const subreddit = subredditOf(target.options);
      if (!subreddit) return;
      const hours = minHoursBetweenPosts(channel.settings as Record<string, unknown>, subreddit);
      if (hours <= 0) return;
      const windowMs = hours * 3600_000;
      const when = sql`coalesce(${postTargets.publishedAt}, ${postTargets.scheduledAt})`;
      const near = await tx
        .select({ id: postTargets.id, postId: postTargets.postId, options: postTargets.options, at: sql<Date | string>`${when}` })
        .from(postTargets)
        .where(
          and(
            eq(postTargets.channelId, channel.id),
            ne(postTargets.id, target.id),
            inArray(postTargets.status, ['scheduled', 'publishing', 'published', 'needs_review']),
            gte(when, new Date(at.getTime() - windowMs + 1)),
            lte(when, new Date(at.getTime() + windowMs - 1)),
          ),
        );
      const clash = near.find((t) => subredditOf(t.options)?.toLowerCase() === subreddit.toLowerCase());
      if (clash) {
        const clashAt = new Date(clash.at).toISOString();
        throw new HttpError(422, 'reddit_too_frequent', `${channel.handle} already posts to r/${subreddit} at ${clashAt}: keep ${hours} h between two posts there`, {
          channelId: channel.id,
          subreddit,
          minHoursBetweenPosts: hours,
          conflictingPostId: clash.postId,
          conflictingAt: clashAt,
        });
      }
    }
  }

  /** The last look before sending: what must stop this target now (null: send it). */
  async beforeSend(target: TargetRow, account: ChannelAccount, rating: Rating): Promise<Refusal | null> {
    const platform: PlatformName = account.platform;
    if (platform === 'x') {
      // Under the channel's lock, and held for this send until it is published or given up (budget.ts).
      return this.#platform.db.withOrg(target.orgId, async (tx) => {
        await lockChannels(tx, [target.channelId]);
        const [channel] = await tx.select().from(channels).where(eq(channels.id, target.channelId));
        return channel ? holdBudgetForSend(tx, channel, target) : null;
      });
    }
    if (platform === 'reddit') {
      try {
        return await this.#reddit(account, this.#connectors.get('reddit'), target.options as Record<string, unknown>, rating);
      } catch (error) {
        if (error instanceof HttpError) return { code: error.code, message: error.message, retry: true };
        throw error;
      }
    }
    return null;
  }
}
