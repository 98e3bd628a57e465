/**
 * Reddit engagement: the account's inbox (`GET /message/inbox`, scope `privatemessages`) holds replies
 * to her posts (`post_reply`), replies to her comments (`comment_reply`) and username mentions, all as
 * `t1` comments; `t4` private messages belong to chat, not here. Read with `mark=false`, so pulling
 * never marks anything read for the person who also uses the account.
 *
 * Reply: `POST /api/comment {thing_id, text, api_type: json}` (scope `submit`); errors come back as
 * HTTP 200 with `json.errors`.
 */
import { ConnectorError, type PublishResult, type RemoteInteraction } from '../types.ts';
import { parseRedditRatelimitMessage } from './index.ts';

type Api = <T = unknown>(
  method: 'GET' | 'POST',
  path: string,
  init?: { query?: Record<string, string>; form?: Record<string, string | number | boolean | undefined>; sendsPost?: boolean },
) => Promise<{ data: T }>;

/** What the connector lends us: its authenticated request (refresh and rate-limit handling included). */
export interface RedditEngagementApi {
  api: Api;
  username: string;
}

const MAX_PAGES = 3;
const KINDS: Record<string, RemoteInteraction['kind']> = { post_reply: 'comment', comment_reply: 'reply', username_mention: 'mention' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function redditInteractions(r: RedditEngagementApi, since: Date | null): Promise<RemoteInteraction[]> {
  const out: RemoteInteraction[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await r.api<unknown>('GET', '/message/inbox', { query: { limit: '100', mark: 'false', ...(after ? { after } : {}) } });
    const listing = isRecord(res.data) && isRecord(res.data.data) ? res.data.data : {};
    const children = Array.isArray(listing.children) ? listing.children : [];
    let older = false;
    for (const child of children) {
      if (!isRecord(child) || child.kind !== 't1' || !isRecord(child.data)) continue;
      const d = child.data;
      const createdAt = new Date(Number(d.created_utc ?? 0) * 1000);
      if (since && createdAt <= since) {
        older = true;
        continue;
      }
      const kind = KINDS[String(d.type ?? '')] ?? (d.subject === 'username mention' ? 'mention' : 'reply');
      const author = String(d.author ?? '');
      if (!author || author.toLowerCase() === r.username.toLowerCase() || author === '[deleted]') continue;
      const post = typeof d.context === 'string' ? /\/comments\/([a-z0-9]+)\//i.exec(d.context)?.[1] : undefined;
      const name = typeof d.name === 'string' ? d.name : `t1_${String(d.id ?? '')}`;
      out.push({
        remoteId: name,
        kind,
        ...(post ? { postRemoteId: `t3_${post}` } : {}),
        ...(typeof d.parent_id === 'string' ? { parentRemoteId: d.parent_id } : {}),
        ...(typeof d.author_fullname === 'string' ? { authorRemoteId: d.author_fullname } : {}),
        authorHandle: author,
        text: String(d.body ?? ''),
        createdAt,
      });
    }
    after = typeof listing.after === 'string' ? listing.after : undefined;
    if (!after || older) break;
  }
  return out;
}

export async function redditReply(r: RedditEngagementApi, parentRemoteId: string, text: string): Promise<PublishResult> {
  if (!text.trim()) throw new ConnectorError('reddit', 'rejected', 'Nothing to reply');
  const res = await r.api<unknown>('POST', '/api/comment', { form: { thing_id: parentRemoteId, text, api_type: 'json' }, sendsPost: true });
  const json = isRecord(res.data) && isRecord(res.data.json) ? res.data.json : {};
  const errors = Array.isArray(json.errors) ? json.errors.filter(Array.isArray).map((e) => e.map((x: unknown) => String(x ?? ''))) : [];
  if (errors.length > 0) {
    const message = `Reddit refused the reply: ${errors.map((e) => `${e[0]}: ${e[1]}`).join('; ')}`;
    const ratelimit = errors.find((e) => e[0] === 'RATELIMIT');
    if (ratelimit) throw new ConnectorError('reddit', 'rate_limited', message, { retryAfterSeconds: parseRedditRatelimitMessage(ratelimit[1] ?? ''), details: { errors } });
    throw new ConnectorError('reddit', 'rejected', message, { details: { errors } });
  }
  const things = isRecord(json.data) && Array.isArray(json.data.things) ? json.data.things : [];
  const thing = things.find((t): t is { data: Record<string, unknown> } => isRecord(t) && isRecord(t.data))?.data;
  const name = typeof thing?.name === 'string' ? thing.name : undefined;
  if (!name) throw new ConnectorError('reddit', 'unknown_outcome', 'Reddit accepted the reply but answered no comment id', { details: res.data });
  const permalink = typeof thing?.permalink === 'string' ? `https://www.reddit.com${thing.permalink}` : undefined;
  return { remoteId: name, ...(permalink ? { url: permalink } : {}) };
}
