/**
 * Reddit post and account figures: `GET /api/info?id=t3_a,t3_b` (up to 100 fullnames; removed posts are
 * absent) gives score/ups, num_comments, num_crossposts and `view_count` (almost always null: Reddit
 * does not share views, so its posts rarely carry impressions); `GET /api/v1/me` gives the followers of
 * the user's profile (`subreddit.subscribers`).
 */
import type { AccountMetrics, RemoteMetrics } from '../types.ts';

export const REDDIT_INFO_BATCH = 100;

/** A GET on the OAuth API through the connector (refresh on 401, rate-limit headers, errors mapped). */
export type RedditGet = (path: string, query: Record<string, string>) => Promise<unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function redditFullname(remoteId: string): string {
  return remoteId.startsWith('t3_') ? remoteId : `t3_${remoteId}`;
}

export async function redditPostMetrics(get: RedditGet, remoteIds: string[]): Promise<RemoteMetrics[]> {
  const out: RemoteMetrics[] = [];
  const wanted = new Map(remoteIds.map((id) => [redditFullname(id), id]));
  const names = [...wanted.keys()];
  for (let i = 0; i < names.length; i += REDDIT_INFO_BATCH) {
    const batch = names.slice(i, i + REDDIT_INFO_BATCH);
    const data = await get('/api/info', { id: batch.join(',') });
    const listing = isRecord(data) && isRecord(data.data) ? data.data : {};
    const children = Array.isArray(listing.children) ? listing.children : [];
    for (const child of children) {
      const d = isRecord(child) && isRecord(child.data) ? child.data : undefined;
      const name = typeof d?.name === 'string' ? d.name : undefined;
      if (!d || !name || !wanted.has(name)) continue;
      out.push({
        remoteId: wanted.get(name)!,
        impressions: num(d.view_count),
        likes: num(d.ups) ?? num(d.score),
        comments: num(d.num_comments),
        shares: num(d.num_crossposts),
        raw: { score: d.score, ups: d.ups, upvote_ratio: d.upvote_ratio, num_comments: d.num_comments, num_crossposts: d.num_crossposts, view_count: d.view_count },
      });
    }
  }
  return out;
}

export async function redditAccountMetrics(get: RedditGet): Promise<AccountMetrics> {
  const me = await get('/api/v1/me', {});
  const profile = isRecord(me) && isRecord(me.subreddit) ? me.subreddit : {};
  return { followers: num(profile.subscribers) ?? 0, raw: { subscribers: profile.subscribers, total_karma: isRecord(me) ? me.total_karma : undefined } };
}
