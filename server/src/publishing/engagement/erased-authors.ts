/**
 * A GDPR erase must stay done in the engagement inbox too. Pulls overlap the previous one by ten minutes
 * (and a platform may list older comments again), so a comment the erase deleted could be read back in.
 * The erase therefore leaves, per channel it covered, a hash of the author's platform id and of the handle
 * with the time of the erase — no identifier in clear, as the ledger keeps a hash of an import key that
 * named the fan (sales/crm/fan-data.ts `erasedSourceId`). A pull drops what such an author wrote up to that
 * time. What the same account writes after the erase is new data (a new fan), as in the ledger.
 *
 * Erase and pull take the channel's row lock (channels/lock.ts) before touching these marks and the
 * engagements, so a pull that read the platform before an erase cannot insert after it what the erase deleted.
 */
import { createHash } from 'node:crypto';
import type { Tx } from '../../platform/db/database.ts';
import { lockChannels } from '../../channels/lock.ts';
import * as repo from './engagement.repository.ts';

export const ERASED_AUTHORS = 'engagement.erased_authors';
/** Long past any pull's overlap, and past a pull that failed for weeks before it caught up. */
const KEEP_MS = 90 * 86_400_000;

interface Mark {
  /** sha256 of channel id + kind + identifier. */
  h: string;
  /** When the erase happened: items written up to then are the erased fan's. */
  at: string;
}
interface Marks {
  marks: Mark[];
}

export interface Author {
  authorRemoteId?: string | null | undefined;
  authorHandle?: string | null | undefined;
}

const normHandle = (h: string) => h.trim().replace(/^@/, '').toLowerCase();
const digest = (channelId: string, kind: 'id' | 'handle', value: string) => createHash('sha256').update(`atelier:erased-author:${channelId}:${kind}:${value}`).digest('hex');

function hashesOf(channelId: string, author: Author): string[] {
  const out: string[] = [];
  if (author.authorRemoteId) out.push(digest(channelId, 'id', author.authorRemoteId));
  const handle = author.authorHandle ? normHandle(author.authorHandle) : '';
  if (handle.length >= 2) out.push(digest(channelId, 'handle', handle));
  return out;
}

/** Called by the fan erase, in its transaction, for each channel of the fan's persona and platform. */
export async function rememberErasedAuthor(tx: Tx, orgId: string, channelIds: readonly string[], author: Author, at = new Date()) {
  await lockChannels(tx, channelIds);
  for (const channelId of channelIds) {
    const hashes = hashesOf(channelId, author);
    if (!hashes.length) continue;
    const kept = ((await repo.cacheGet<Marks>(tx, channelId, ERASED_AUTHORS))?.marks ?? []).filter((m) => Date.parse(m.at) > at.getTime() - KEEP_MS);
    await repo.cachePut(tx, orgId, channelId, ERASED_AUTHORS, { marks: [...kept, ...hashes.map((h) => ({ h, at: at.toISOString() }))] } satisfies Marks);
  }
}

/**
 * For a pull, inside the transaction that stores its items, after lockChannels: true for an item an erased
 * fan wrote before the erase.
 */
export async function erasedAuthorTest(tx: Tx, channelId: string): Promise<(item: Author & { createdAt: Date }) => boolean> {
  const marks = (await repo.cacheGet<Marks>(tx, channelId, ERASED_AUTHORS))?.marks ?? [];
  if (!marks.length) return () => false;
  const until = new Map<string, number>();
  for (const m of marks) until.set(m.h, Math.max(until.get(m.h) ?? 0, Date.parse(m.at)));
  return (item) => hashesOf(channelId, item).some((h) => (until.get(h) ?? -Infinity) >= item.createdAt.getTime());
}
