/**
 * Subreddit rules (Reddit's /about/rules, /about and post requirements), cached per channel and
 * subreddit in channel_cache for a day. A failed fetch falls back to the stale copy; with no copy at all
 * the target is refused ("cannot check"), never waved through on a guess.
 */
import { and, eq } from 'drizzle-orm';
import type { Database } from '../platform/db/database.ts';
import { channelCache } from '../platform/db/schema/index.ts';
import { HttpError } from '../platform/http/problem.ts';
import type { ChannelAccount, Connector, ConnectorContext } from './connectors/types.ts';
import { normalizeSubreddit, type SubredditRules } from './connectors/reddit/index.ts';

export const RULES_TTL_MS = 24 * 3600_000;
const FETCH_TIMEOUT_MS = 15_000;

type RulesReader = Connector & { fetchSubredditRules(account: ChannelAccount, subreddit: string, ctx: ConnectorContext): Promise<SubredditRules> };

const canRead = (c: Connector): c is RulesReader => typeof (c as Partial<RulesReader>).fetchSubredditRules === 'function';

export const rulesKey = (subreddit: string) => `subreddit:${normalizeSubreddit(subreddit).toLowerCase()}`;

export class SubredditRulesCache {
  readonly #db: Database;
  readonly #now: () => number;
  readonly #storeCredentials: ((account: ChannelAccount, next: Record<string, string>) => Promise<void>) | undefined;
  /** `storeCredentials` keeps a token the connector refreshed while reading the rules. */
  constructor(db: Database, now: () => number = Date.now, storeCredentials?: (account: ChannelAccount, next: Record<string, string>) => Promise<void>) {
    this.#db = db;
    this.#now = now;
    this.#storeCredentials = storeCredentials;
  }

  /**
   * The rules for `subreddit` as seen by this channel's account; null when the connector cannot read
   * rules at all (a stand-in connector). Throws 422 `reddit_rules_unavailable` when they cannot be known.
   */
  async get(account: ChannelAccount, connector: Connector, subreddit: string): Promise<SubredditRules | null> {
    if (!canRead(connector)) return null;
    const key = rulesKey(subreddit);
    const cached = await this.#db.withOrg(account.orgId, (tx) =>
      tx
        .select()
        .from(channelCache)
        .where(and(eq(channelCache.channelId, account.id), eq(channelCache.key, key)))
        .then((r) => r[0]),
    );
    if (cached && this.#now() - cached.fetchedAt.getTime() < RULES_TTL_MS) return cached.value as SubredditRules;
    let rules: SubredditRules;
    try {
      const store = this.#storeCredentials;
      rules = await connector.fetchSubredditRules(account, subreddit, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), ...(store ? { onCredentials: (next: Record<string, string>) => store(account, next) } : {}) });
    } catch (error) {
      if (cached) return cached.value as SubredditRules;
      throw new HttpError(422, 'reddit_rules_unavailable', `Cannot check the rules of r/${normalizeSubreddit(subreddit)} right now (${(error as Error).message}); try again later`, {
        channelId: account.id,
        subreddit: normalizeSubreddit(subreddit),
      });
    }
    const fetchedAt = new Date(this.#now());
    await this.#db.withOrg(account.orgId, (tx) =>
      tx
        .insert(channelCache)
        .values({ orgId: account.orgId, channelId: account.id, key, value: rules, fetchedAt })
        .onConflictDoUpdate({ target: [channelCache.channelId, channelCache.key], set: { value: rules, fetchedAt } }),
    );
    return rules;
  }
}
