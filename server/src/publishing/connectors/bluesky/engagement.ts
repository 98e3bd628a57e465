/**
 * Bluesky engagement: `app.bsky.notification.listNotifications` filtered to replies, mentions and
 * quotes (likes, reposts and follows are not conversation), newest first, paged until `since`.
 *
 * A reply is an `app.bsky.feed.post` record with `reply: {root, parent}` strong refs (uri + cid): the
 * parent comes from `app.bsky.feed.getPosts`, the root from the parent's own `reply.root` (or the
 * parent itself when it starts the thread). Its record key is derived from the parent's uri, so one
 * parent gets at most one reply from us: a retry after an unclear failure finds the same record.
 */
import type { AtpAgent } from '@atproto/api';
import { ConnectorError, type PublishResult, type RemoteInteraction } from '../types.ts';

const COLLECTION = 'app.bsky.feed.post';
const REASONS = ['reply', 'mention', 'quote'];
const MAX_PAGES = 5;

/** What the connector lends us: its session (login and refresh handled there). */
export interface BlueskyEngagementApi {
  agent: AtpAgent;
  call<T>(stage: 'read' | 'create', run: () => Promise<T>): Promise<T>;
  /** The account's DID (valid once a call has run). */
  did(): string;
  /** A deterministic record key for a string (the connector's TID derivation). */
  rkeyFor(key: string): string;
  langs?: string[];
}

interface StrongRef {
  uri: string;
  cid: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refOf(value: unknown): StrongRef | undefined {
  return isRecord(value) && typeof value.uri === 'string' && typeof value.cid === 'string' ? { uri: value.uri, cid: value.cid } : undefined;
}

export async function blueskyInteractions(api: BlueskyEngagementApi, since: Date | null): Promise<RemoteInteraction[]> {
  const out: RemoteInteraction[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await api.call('read', () => api.agent.app.bsky.notification.listNotifications({ reasons: REASONS, limit: 50, ...(cursor ? { cursor } : {}) }));
    const me = api.did();
    let older = false;
    for (const n of res.data.notifications) {
      const record = n.record as { text?: unknown; createdAt?: unknown; reply?: { root?: unknown; parent?: unknown } };
      const createdAt = new Date(typeof record.createdAt === 'string' && !Number.isNaN(Date.parse(record.createdAt)) ? record.createdAt : n.indexedAt);
      if (since && new Date(n.indexedAt) <= since) {
        older = true;
        continue;
      }
      if (!REASONS.includes(n.reason) || n.author.did === me) continue;
      const root = refOf(record.reply?.root);
      const parent = refOf(record.reply?.parent);
      const postRemoteId = root?.uri ?? (n.reason === 'quote' ? n.reasonSubject : undefined);
      const parentRemoteId = parent?.uri ?? n.reasonSubject;
      out.push({
        remoteId: n.uri,
        kind: n.reason === 'reply' ? 'reply' : 'mention',
        ...(postRemoteId ? { postRemoteId } : {}),
        ...(parentRemoteId ? { parentRemoteId } : {}),
        authorRemoteId: n.author.did,
        authorHandle: n.author.handle,
        text: typeof record.text === 'string' ? record.text : '',
        createdAt,
      });
    }
    cursor = res.data.cursor;
    if (!cursor || older) break;
  }
  return out;
}

export async function blueskyReply(api: BlueskyEngagementApi, parentRemoteId: string, text: string, signal: AbortSignal): Promise<PublishResult> {
  if (!text.trim()) throw new ConnectorError('bluesky', 'rejected', 'Nothing to reply');
  const found = await api.call('read', () => api.agent.app.bsky.feed.getPosts({ uris: [parentRemoteId] }));
  const post = found.data.posts[0];
  if (!post) throw new ConnectorError('bluesky', 'rejected', 'The post to answer no longer exists');
  const parent = { uri: post.uri, cid: post.cid };
  const root = refOf((post.record as { reply?: { root?: unknown } }).reply?.root) ?? parent;
  const did = api.did();
  const rkey = api.rkeyFor(`reply:${parentRemoteId}`);
  const uri = `at://${did}/${COLLECTION}/${rkey}`;
  const record: Record<string, unknown> = { $type: COLLECTION, text, createdAt: new Date().toISOString(), reply: { root, parent } };
  if (api.langs?.length) record.langs = api.langs;
  if (signal.aborted) throw new ConnectorError('bluesky', 'unavailable', 'Cancelled before the reply was sent', { cause: signal.reason });
  try {
    const res = await api.call('create', () => api.agent.com.atproto.repo.createRecord({ repo: did, collection: COLLECTION, rkey, record }));
    return { remoteId: res.data.uri, url: `https://bsky.app/profile/${did}/post/${rkey}`, meta: { cid: res.data.cid } };
  } catch (error) {
    // Same key ⇒ our reply to this parent is already there (an earlier attempt landed).
    if (error instanceof ConnectorError && (error.kind === 'rejected' || error.kind === 'unavailable')) {
      const existing = await api.call('read', () => api.agent.com.atproto.repo.getRecord({ repo: did, collection: COLLECTION, rkey })).catch(() => null);
      if (existing) return { remoteId: uri, url: `https://bsky.app/profile/${did}/post/${rkey}`, meta: { cid: existing.data.cid, existed: true } };
    }
    throw error;
  }
}
