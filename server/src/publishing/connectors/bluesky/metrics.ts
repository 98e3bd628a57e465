/**
 * Bluesky post and account figures from the AppView (through the PDS): `app.bsky.feed.getPosts` (at most
 * 25 AT-URIs per call; deleted posts are simply absent) and `app.bsky.actor.getProfile`. Bluesky reports
 * no views, so its posts carry likes, replies and reposts + quotes but never impressions.
 */
import type { AtpAgent } from '@atproto/api';
import type { AccountMetrics, RemoteMetrics } from '../types.ts';

export const BLUESKY_GET_POSTS_BATCH = 25;

/** What the connector's per-call session offers (login/refresh handled, errors mapped to ConnectorError). */
export interface BlueskyReader {
  readonly agent: AtpAgent;
  readonly did: string;
  call<T>(stage: 'read', run: () => Promise<T>): Promise<T>;
}

export async function blueskyPostMetrics(session: BlueskyReader, remoteIds: string[]): Promise<RemoteMetrics[]> {
  const out: RemoteMetrics[] = [];
  const uris = remoteIds.filter((id) => id.startsWith('at://'));
  for (let i = 0; i < uris.length; i += BLUESKY_GET_POSTS_BATCH) {
    const batch = uris.slice(i, i + BLUESKY_GET_POSTS_BATCH);
    const res = await session.call('read', () => session.agent.app.bsky.feed.getPosts({ uris: batch }));
    for (const post of res.data.posts) {
      const reposts = (post.repostCount ?? 0) + (post.quoteCount ?? 0);
      out.push({
        remoteId: post.uri,
        likes: post.likeCount,
        comments: post.replyCount,
        shares: post.repostCount === undefined && post.quoteCount === undefined ? undefined : reposts,
        raw: { likeCount: post.likeCount, replyCount: post.replyCount, repostCount: post.repostCount, quoteCount: post.quoteCount },
      });
    }
  }
  return out;
}

export async function blueskyAccountMetrics(session: BlueskyReader): Promise<AccountMetrics> {
  const did = session.did;
  const res = await session.call('read', () => session.agent.app.bsky.actor.getProfile({ actor: did }));
  return { followers: res.data.followersCount ?? 0, raw: { followersCount: res.data.followersCount, followsCount: res.data.followsCount, postsCount: res.data.postsCount } };
}
