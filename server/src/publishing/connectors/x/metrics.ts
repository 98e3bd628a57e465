/**
 * X post and account figures: `GET /2/tweets?ids=…&tweet.fields=public_metrics` (at most 100 ids per
 * request; ids X no longer finds come back in `errors` and are left out) and `GET /2/users/me?user.fields=
 * public_metrics`. Public metrics are what any reader sees; `impression_count` is included there.
 */
import type { TwitterApi } from 'twitter-api-v2';
import type { AccountMetrics, RemoteMetrics } from '../types.ts';

export const X_LOOKUP_BATCH = 100;

/** What the connector's per-call session offers (refresh on 401, errors mapped to ConnectorError). */
export interface XReader {
  call<T>(stage: 'read', run: (client: TwitterApi) => Promise<T>): Promise<T>;
}

interface PublicMetrics {
  retweet_count?: number;
  reply_count?: number;
  like_count?: number;
  quote_count?: number;
  bookmark_count?: number;
  impression_count?: number;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export async function xPostMetrics(session: XReader, remoteIds: string[]): Promise<RemoteMetrics[]> {
  const out: RemoteMetrics[] = [];
  for (let i = 0; i < remoteIds.length; i += X_LOOKUP_BATCH) {
    const ids = remoteIds.slice(i, i + X_LOOKUP_BATCH);
    const res = await session.call('read', (c) => c.v2.get<{ data?: { id: string; public_metrics?: PublicMetrics }[] }>('tweets', { ids: ids.join(','), 'tweet.fields': 'public_metrics' }));
    for (const tweet of res.data ?? []) {
      const m = tweet.public_metrics ?? {};
      const reposts = (num(m.retweet_count) ?? 0) + (num(m.quote_count) ?? 0);
      out.push({
        remoteId: tweet.id,
        impressions: num(m.impression_count),
        likes: num(m.like_count),
        comments: num(m.reply_count),
        shares: m.retweet_count === undefined && m.quote_count === undefined ? undefined : reposts,
        raw: { ...m },
      });
    }
  }
  return out;
}

export async function xAccountMetrics(session: XReader): Promise<AccountMetrics> {
  const me = await session.call('read', (c) => c.v2.get<{ data?: { public_metrics?: { followers_count?: number; following_count?: number; tweet_count?: number } } }>('users/me', { 'user.fields': 'public_metrics' }));
  const m = me.data?.public_metrics ?? {};
  return { followers: num(m.followers_count) ?? 0, raw: { ...m } };
}
