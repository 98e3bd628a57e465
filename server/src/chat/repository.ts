/** SQL of the chat capability. Every function runs in the caller's withOrg transaction (RLS applies). */
import { and, asc, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import type { Tx } from '../platform/db/database.ts';
import { channels, chatConversations, chatMemories, chatMessages, chatProfiles, fans, personas, salesSettings } from '../platform/db/schema/index.ts';

export type ProfileRow = typeof chatProfiles.$inferSelect;
export type ConversationRow = typeof chatConversations.$inferSelect;
export type MessageRow = typeof chatMessages.$inferSelect;
export type MemoryRow = typeof chatMemories.$inferSelect;
export type FanRow = typeof fans.$inferSelect;
export type ConversationStatus = ConversationRow['status'];

export async function profile(tx: Tx, personaId: string): Promise<ProfileRow | undefined> {
  return (await tx.select().from(chatProfiles).where(eq(chatProfiles.personaId, personaId)))[0];
}

export async function saveProfile(tx: Tx, orgId: string, personaId: string, values: Partial<Omit<ProfileRow, 'personaId' | 'orgId' | 'createdAt'>>): Promise<ProfileRow> {
  const [row] = await tx
    .insert(chatProfiles)
    .values({ orgId, personaId, ...values })
    .onConflictDoUpdate({ target: chatProfiles.personaId, set: { ...values, updatedAt: new Date() } })
    .returning();
  return row!;
}

export async function persona(tx: Tx, personaId: string) {
  return (await tx.select().from(personas).where(eq(personas.id, personaId)))[0];
}

export async function channel(tx: Tx, channelId: string) {
  return (await tx.select().from(channels).where(eq(channels.id, channelId)))[0];
}

/** Finds or opens the conversation of one fan on one channel, locking its row until the transaction ends. */
export async function openConversation(tx: Tx, v: { orgId: string; personaId: string; channelId: string; fanId: string; remoteChatId: string }): Promise<ConversationRow> {
  const [row] = await tx
    .insert(chatConversations)
    .values(v)
    .onConflictDoUpdate({ target: [chatConversations.channelId, chatConversations.fanId], set: { remoteChatId: v.remoteChatId, lastActivityAt: new Date(), updatedAt: new Date() } })
    .returning();
  return row!;
}

export async function conversation(tx: Tx, id: string): Promise<ConversationRow | undefined> {
  return (await tx.select().from(chatConversations).where(eq(chatConversations.id, id)))[0];
}

/**
 * The next sequence number of a conversation. The UPDATE holds the conversation's row lock until commit, so
 * messages of one conversation commit in sequence order: a reader never sees seq n+1 before n.
 */
export async function nextSeq(tx: Tx, conversationId: string, counters: { fan?: boolean; bot?: boolean } = {}): Promise<number> {
  const [row] = await tx
    .update(chatConversations)
    .set({
      lastSeq: sql`${chatConversations.lastSeq} + 1`,
      lastActivityAt: new Date(),
      updatedAt: new Date(),
      ...(counters.fan ? { fanMessages: sql`${chatConversations.fanMessages} + 1` } : {}),
      ...(counters.bot ? { botMessages: sql`${chatConversations.botMessages} + 1` } : {}),
    })
    .where(eq(chatConversations.id, conversationId))
    .returning({ seq: chatConversations.lastSeq });
  return row!.seq;
}

export async function inboundByRemoteId(tx: Tx, channelId: string, remoteId: string) {
  return (await tx.select().from(chatMessages).where(and(eq(chatMessages.channelId, channelId), eq(chatMessages.direction, 'in'), eq(chatMessages.remoteId, remoteId))))[0];
}

export async function insertMessage(tx: Tx, v: typeof chatMessages.$inferInsert): Promise<MessageRow | undefined> {
  const rows = await tx.insert(chatMessages).values(v).onConflictDoNothing().returning();
  return rows[0];
}

export async function inboundSince(tx: Tx, conversationId: string, since: Date): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(chatMessages)
    .where(and(eq(chatMessages.conversationId, conversationId), eq(chatMessages.direction, 'in'), gt(chatMessages.createdAt, since)));
  return row?.n ?? 0;
}

export async function nextPending(tx: Tx, conversationId: string): Promise<MessageRow | undefined> {
  return (
    await tx
      .select()
      .from(chatMessages)
      .where(and(eq(chatMessages.conversationId, conversationId), eq(chatMessages.state, 'pending')))
      .orderBy(asc(chatMessages.seq))
      .limit(1)
  )[0];
}

export async function settleInbound(tx: Tx, id: string, state: 'handled' | 'skipped', safety?: Record<string, unknown>): Promise<MessageRow | undefined> {
  const [row] = await tx
    .update(chatMessages)
    .set({ state, handledAt: new Date(), ...(safety ? { safety } : {}) })
    .where(eq(chatMessages.id, id))
    .returning();
  return row;
}

export async function setOutcome(tx: Tx, id: string, state: 'sent' | 'failed', remoteId: string | null, error?: string) {
  await tx
    .update(chatMessages)
    .set({ state, remoteId, ...(error ? { safety: sql`coalesce(${chatMessages.safety}, '{}'::jsonb) || ${JSON.stringify({ sendError: error })}::jsonb` } : {}) })
    .where(eq(chatMessages.id, id));
}

/**
 * The newest `limit` messages, oldest first. With `throughSeq`, fan messages after it (not answered yet) are left
 * out; what was sent meanwhile stays, so a reply always sees the replies before it.
 */
export async function recent(tx: Tx, conversationId: string, limit: number, throughSeq?: number): Promise<MessageRow[]> {
  const rows = await tx
    .select()
    .from(chatMessages)
    .where(and(eq(chatMessages.conversationId, conversationId), throughSeq !== undefined ? sql`(${chatMessages.seq} <= ${throughSeq} or ${chatMessages.direction} = 'out')` : undefined))
    .orderBy(desc(chatMessages.seq))
    .limit(limit);
  return rows.reverse();
}

export async function range(tx: Tx, conversationId: string, afterSeq: number, throughSeq: number): Promise<MessageRow[]> {
  return tx
    .select()
    .from(chatMessages)
    .where(and(eq(chatMessages.conversationId, conversationId), gt(chatMessages.seq, afterSeq), sql`${chatMessages.seq} <= ${throughSeq}`))
    .orderBy(asc(chatMessages.seq));
}

export async function page(tx: Tx, conversationId: string, opts: { limit: number; beforeSeq?: number | undefined }): Promise<MessageRow[]> {
  const rows = await tx
    .select()
    .from(chatMessages)
    .where(and(eq(chatMessages.conversationId, conversationId), opts.beforeSeq !== undefined ? lt(chatMessages.seq, opts.beforeSeq) : undefined))
    .orderBy(desc(chatMessages.seq))
    .limit(opts.limit);
  return rows.reverse();
}

export async function updateConversation(tx: Tx, id: string, set: Partial<ConversationRow>) {
  const [row] = await tx
    .update(chatConversations)
    .set({ ...set, updatedAt: new Date() })
    .where(eq(chatConversations.id, id))
    .returning();
  return row;
}

/** Replies that offered a pack since `since` (the guard's verdict lists what a reply offered). */
export async function offersSince(tx: Tx, conversationId: string, since: Date): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(chatMessages)
    .where(
      and(
        eq(chatMessages.conversationId, conversationId),
        eq(chatMessages.direction, 'out'),
        eq(chatMessages.state, 'sent'),
        gt(chatMessages.createdAt, since),
        sql`jsonb_array_length(coalesce(${chatMessages.safety}->'reply'->'offered', '[]'::jsonb)) > 0`,
      ),
    );
  return row?.n ?? 0;
}

export async function recordOffer(tx: Tx, id: string, seq: number) {
  await tx
    .update(chatConversations)
    .set({ offersMade: sql`${chatConversations.offersMade} + 1`, lastOfferSeq: seq, lastOfferAt: new Date() })
    .where(eq(chatConversations.id, id));
}

export async function fan(tx: Tx, fanId: string): Promise<FanRow | undefined> {
  return (await tx.select().from(fans).where(eq(fans.id, fanId)))[0];
}

/** Adds a flag to a fan once (chat safety: stated_under_18, self_harm_signal; operators: blocked). Returns true when it was new. */
export async function flagFan(tx: Tx, fanId: string, flag: string): Promise<boolean> {
  const rows = await tx
    .update(fans)
    .set({ flags: sql`array_append(${fans.flags}, ${flag})`, updatedAt: new Date() })
    .where(and(eq(fans.id, fanId), sql`not (${fans.flags} @> array[${flag}]::text[])`))
    .returning({ id: fans.id });
  return rows.length > 0;
}

/** Removes a flag from a fan. Returns true when the fan had it. */
export async function unflagFan(tx: Tx, fanId: string, flag: string): Promise<boolean> {
  const rows = await tx
    .update(fans)
    .set({ flags: sql`array_remove(${fans.flags}, ${flag})`, updatedAt: new Date() })
    .where(and(eq(fans.id, fanId), sql`${fans.flags} @> array[${flag}]::text[]`))
    .returning({ id: fans.id });
  return rows.length > 0;
}

export async function reportingCurrency(tx: Tx): Promise<string> {
  return (await tx.select({ c: salesSettings.reportingCurrency }).from(salesSettings))[0]?.c ?? 'EUR';
}

export async function memories(tx: Tx, fanId: string): Promise<MemoryRow[]> {
  return tx.select().from(chatMemories).where(eq(chatMemories.fanId, fanId)).orderBy(asc(chatMemories.createdAt));
}

export async function addMemories(tx: Tx, rows: (typeof chatMemories.$inferInsert)[]) {
  if (rows.length) await tx.insert(chatMemories).values(rows);
}

export async function list(tx: Tx, opts: { personaIds: string[] | null; personaId?: string | undefined; status?: ConversationStatus | undefined; limit: number; before?: Date | undefined }) {
  return tx
    .select({ c: chatConversations, f: fans, ch: { platform: channels.platform, handle: channels.handle } })
    .from(chatConversations)
    .innerJoin(fans, eq(fans.id, chatConversations.fanId))
    .innerJoin(channels, eq(channels.id, chatConversations.channelId))
    .where(
      and(
        opts.personaIds ? inArray(chatConversations.personaId, opts.personaIds.length ? opts.personaIds : ['00000000-0000-0000-0000-000000000000']) : undefined,
        opts.personaId ? eq(chatConversations.personaId, opts.personaId) : undefined,
        opts.status ? eq(chatConversations.status, opts.status) : undefined,
        opts.before ? lt(chatConversations.lastActivityAt, opts.before) : undefined,
      ),
    )
    .orderBy(desc(chatConversations.lastActivityAt))
    .limit(opts.limit);
}
