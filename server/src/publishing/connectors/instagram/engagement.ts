/**
 * Instagram engagement (scope `instagram_business_manage_comments`): comments on the account's recent
 * media (`GET /{ig-user-id}/media`, then `GET /{media-id}/comments` with their replies), and replies
 * with `POST /{ig-comment-id}/replies {message}`. Instagram threads one level deep: answering a reply
 * files ours under its top-level comment, which is what the platform does by itself.
 */
import { ConnectorError, type PublishResult, type RemoteInteraction } from '../types.ts';

type Graph = <T>(method: 'GET' | 'POST', path: string, params?: Record<string, string | undefined>, opts?: { sendsPost?: boolean }) => Promise<T>;

/** What the connector lends us: its Graph call (token, versions and error mapping included). */
export interface InstagramEngagementApi {
  graph: Graph;
  igUserId: string;
  /** The account's own username, to leave out her own replies. */
  username: string;
}

/** Recent media whose comments are read on each pull. */
const RECENT_MEDIA = 10;

interface IgComment {
  id: string;
  text?: string;
  timestamp?: string;
  username?: string;
  from?: { id?: string; username?: string };
  replies?: { data?: IgComment[] };
}

export async function instagramInteractions(ig: InstagramEngagementApi, since: Date | null): Promise<RemoteInteraction[]> {
  const media = await ig.graph<{ data?: { id: string; comments_count?: number }[] }>('GET', `${ig.igUserId}/media`, { fields: 'id,timestamp,comments_count', limit: String(RECENT_MEDIA) });
  const out: RemoteInteraction[] = [];
  const own = (c: IgComment) => c.from?.id === ig.igUserId || (c.username ?? c.from?.username ?? '').toLowerCase() === ig.username.toLowerCase();
  const push = (c: IgComment, mediaId: string, parentId: string, kind: RemoteInteraction['kind']) => {
    const createdAt = c.timestamp ? new Date(c.timestamp.replace(/\+0000$/, 'Z')) : new Date();
    if ((since && createdAt <= since) || own(c)) return;
    out.push({
      remoteId: c.id,
      kind,
      postRemoteId: mediaId,
      parentRemoteId: parentId,
      ...(c.from?.id ? { authorRemoteId: c.from.id } : {}),
      authorHandle: c.username ?? c.from?.username ?? '',
      text: c.text ?? '',
      createdAt,
    });
  };
  for (const m of media.data ?? []) {
    if (m.comments_count === 0) continue;
    const comments = await ig.graph<{ data?: IgComment[] }>('GET', `${m.id}/comments`, {
      fields: 'id,text,timestamp,username,from,replies{id,text,timestamp,username,from}',
      limit: '50',
    });
    for (const c of comments.data ?? []) {
      push(c, m.id, m.id, 'comment');
      for (const r of c.replies?.data ?? []) push(r, m.id, c.id, 'reply');
    }
  }
  return out;
}

export async function instagramReply(ig: InstagramEngagementApi, parentRemoteId: string, text: string): Promise<PublishResult> {
  if (!text.trim()) throw new ConnectorError('instagram', 'rejected', 'Nothing to reply');
  const res = await ig.graph<{ id?: string }>('POST', `${parentRemoteId}/replies`, { message: text }, { sendsPost: true });
  if (!res.id) throw new ConnectorError('instagram', 'unknown_outcome', 'Instagram accepted the reply but answered no comment id');
  return { remoteId: String(res.id) };
}
