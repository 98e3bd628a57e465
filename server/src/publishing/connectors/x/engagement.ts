/**
 * X engagement: mentions of the account (`GET /2/users/:id/mentions`, which also holds every reply to
 * her posts, since a reply names the author it answers) and replies (`POST /2/tweets` with
 * `reply.in_reply_to_tweet_id` and `made_with_ai: true`, like every post of ours).
 *
 * `since` becomes a `since_id`: X ids are snowflakes whose top bits are milliseconds since the Twitter
 * epoch, so the smallest id of that instant selects exactly the tweets created after it.
 */
import type { TwitterApi } from 'twitter-api-v2';
import { ConnectorError, type ChannelAccount, type PublishResult, type RemoteInteraction } from '../types.ts';

/** What the connector lends us: authenticated calls (refresh included) and the account's user id. */
export interface XEngagementApi {
  call<T>(stage: 'read' | 'create', run: (client: TwitterApi) => Promise<T>): Promise<T>;
  userId(): Promise<string>;
}

const TWITTER_EPOCH_MS = 1288834974657n;
const MAX_PAGES = 5;

/** The smallest snowflake id created at `at` (ids above it are later tweets). */
export function snowflakeAt(at: Date): string {
  const ms = BigInt(Math.max(0, at.getTime())) - TWITTER_EPOCH_MS;
  return ms > 0n ? (ms << 22n).toString() : '1';
}

interface XTweet {
  id: string;
  text: string;
  author_id?: string;
  created_at?: string;
  conversation_id?: string;
  in_reply_to_user_id?: string;
  referenced_tweets?: { type: 'replied_to' | 'quoted' | 'retweeted'; id: string }[];
}

interface MentionsPage {
  data?: XTweet[];
  includes?: { users?: { id: string; username: string }[] };
  meta?: { next_token?: string; result_count?: number };
}

export async function xInteractions(api: XEngagementApi, since: Date | null): Promise<RemoteInteraction[]> {
  const me = await api.userId();
  const out: RemoteInteraction[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query: Record<string, string | number> = {
      max_results: 100,
      expansions: 'author_id',
      'tweet.fields': 'created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets',
      'user.fields': 'username',
    };
    if (since) query.since_id = snowflakeAt(since);
    if (token) query.pagination_token = token;
    const res = await api.call('read', (c) => c.v2.get<MentionsPage>(`users/${encodeURIComponent(me)}/mentions`, query));
    const users = new Map((res.includes?.users ?? []).map((u) => [u.id, u.username]));
    for (const t of res.data ?? []) {
      // Retweets of her own words are not someone talking to her; her own tweets are not engagement.
      if (!t.author_id || t.author_id === me || t.referenced_tweets?.some((r) => r.type === 'retweeted')) continue;
      const repliedTo = t.referenced_tweets?.find((r) => r.type === 'replied_to')?.id;
      const quoted = t.referenced_tweets?.find((r) => r.type === 'quoted')?.id;
      const reply = repliedTo !== undefined && t.in_reply_to_user_id === me;
      out.push({
        remoteId: t.id,
        kind: reply ? 'reply' : 'mention',
        ...(t.conversation_id ? { postRemoteId: t.conversation_id } : {}),
        ...((repliedTo ?? quoted) ? { parentRemoteId: (repliedTo ?? quoted)! } : {}),
        authorRemoteId: t.author_id,
        authorHandle: users.get(t.author_id) ?? '',
        text: t.text,
        createdAt: t.created_at ? new Date(t.created_at) : new Date(),
      });
    }
    token = res.meta?.next_token;
    if (!token) break;
  }
  return out;
}

export async function xReply(api: XEngagementApi, account: Pick<ChannelAccount, 'handle'>, parentRemoteId: string, text: string, signal: AbortSignal): Promise<PublishResult> {
  if (!text.trim()) throw new ConnectorError('x', 'rejected', 'Nothing to reply');
  if (signal.aborted) throw new ConnectorError('x', 'unavailable', 'Cancelled before the reply was sent', { cause: signal.reason });
  const body = { text, reply: { in_reply_to_tweet_id: parentRemoteId }, made_with_ai: true };
  const created = await api.call('create', (c) => c.v2.post<{ data?: { id?: string } }>('tweets', body));
  const id = created.data?.id;
  if (!id) throw new ConnectorError('x', 'unknown_outcome', 'X accepted the reply but answered no id', { details: created });
  const name = account.handle.replace(/^@/, '').trim();
  return { remoteId: id, url: name ? `https://x.com/${encodeURIComponent(name)}/status/${id}` : `https://x.com/i/web/status/${id}` };
}
