import { and, desc, eq, gt, inArray, isNotNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.ts';
import { channelCache, channels, engagements, postTargets } from '../../platform/db/schema/index.ts';

export type EngagementRow = typeof engagements.$inferSelect;
export type EngagementStatus = EngagementRow['status'];

/** Inserts what is not there yet (same channel + remote id = same engagement); returns only the new rows. */
export function insertNew(tx: Tx, rows: (typeof engagements.$inferInsert)[]) {
  if (!rows.length) return Promise.resolve([] as EngagementRow[]);
  return tx.insert(engagements).values(rows).onConflictDoNothing({ target: [engagements.channelId, engagements.remoteId] }).returning();
}

/** Our published targets on a channel, by their remote ids. */
export async function targetsByRemote(tx: Tx, channelId: string, remoteIds: string[]) {
  if (!remoteIds.length) return new Map<string, string>();
  const rows = await tx
    .select({ id: postTargets.id, remoteId: postTargets.remoteId })
    .from(postTargets)
    .where(and(eq(postTargets.channelId, channelId), inArray(postTargets.remoteId, remoteIds)));
  return new Map(rows.map((r) => [r.remoteId!, r.id]));
}

export async function byId(tx: Tx, id: string) {
  return (await tx.select().from(engagements).where(eq(engagements.id, id)))[0];
}

export interface ListFilter {
  personaIds: string[] | null;
  personaId?: string | undefined;
  status?: EngagementStatus | undefined;
  channelId?: string | undefined;
  /** Keyset: rows strictly older than this (receivedAt, id). */
  before?: { at: Date; id: string } | undefined;
  limit: number;
}

export function list(tx: Tx, f: ListFilter) {
  const where: (SQL | undefined)[] = [
    f.personaIds ? inArray(engagements.personaId, f.personaIds.length ? f.personaIds : ['00000000-0000-0000-0000-000000000000']) : undefined,
    f.personaId ? eq(engagements.personaId, f.personaId) : undefined,
    f.status ? eq(engagements.status, f.status) : undefined,
    f.channelId ? eq(engagements.channelId, f.channelId) : undefined,
    f.before ? or(lt(engagements.receivedAt, f.before.at), and(eq(engagements.receivedAt, f.before.at), lt(engagements.id, f.before.id))) : undefined,
  ];
  return tx
    .select()
    .from(engagements)
    .where(and(...where))
    .orderBy(desc(engagements.receivedAt), desc(engagements.id))
    .limit(f.limit);
}

/** What the inbox shows next to each item: the channel and our post there. */
export async function context(tx: Tx, rows: EngagementRow[]) {
  const channelIds = [...new Set(rows.map((r) => r.channelId))];
  const targetIds = [...new Set(rows.map((r) => r.targetId).filter((id): id is string => !!id))];
  const chans = channelIds.length ? await tx.select({ id: channels.id, platform: channels.platform, handle: channels.handle }).from(channels).where(inArray(channels.id, channelIds)) : [];
  const targets = targetIds.length
    ? await tx.select({ id: postTargets.id, postId: postTargets.postId, remoteUrl: postTargets.remoteUrl, text: postTargets.text }).from(postTargets).where(inArray(postTargets.id, targetIds))
    : [];
  return { channels: new Map(chans.map((c) => [c.id, c])), targets: new Map(targets.map((t) => [t.id, t])) };
}

/**
 * Automatic replies already sent on a channel to one author: in the same conversation (ever) or
 * anywhere within the window. Either one forbids another automatic reply.
 */
export async function automaticRepliesTo(tx: Tx, channelId: string, authorRemoteId: string, conversation: { targetId: string | null; parentRemoteId: string | null }, since: Date) {
  const sameConversation = [
    conversation.targetId ? eq(engagements.targetId, conversation.targetId) : undefined,
    conversation.parentRemoteId ? eq(engagements.parentRemoteId, conversation.parentRemoteId) : undefined,
  ].filter((c): c is SQL => !!c);
  const rows = await tx
    .select({ id: engagements.id })
    .from(engagements)
    .where(
      and(
        eq(engagements.channelId, channelId),
        eq(engagements.authorRemoteId, authorRemoteId),
        eq(engagements.automatic, true),
        isNotNull(engagements.repliedAt),
        or(gt(engagements.repliedAt, since), ...sameConversation),
      ),
    )
    .limit(1);
  return rows.length > 0;
}

export async function cacheGet<T>(tx: Tx, channelId: string, key: string): Promise<T | undefined> {
  const row = (await tx.select({ value: channelCache.value }).from(channelCache).where(and(eq(channelCache.channelId, channelId), eq(channelCache.key, key))))[0];
  return row?.value as T | undefined;
}

export async function cachePut(tx: Tx, orgId: string, channelId: string, key: string, value: unknown) {
  await tx
    .insert(channelCache)
    .values({ orgId, channelId, key, value })
    .onConflictDoUpdate({ target: [channelCache.channelId, channelCache.key], set: { value, fetchedAt: sql`now()` } });
}
