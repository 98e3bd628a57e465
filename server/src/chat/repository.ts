/** SQL of the chat capability. Every function runs in the caller's withOrg transaction (RLS applies). */
import { and, asc, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import { rowsOf, type Tx } from '../platform/db/database.ts';
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

export async function channel(tx: Tx, channelId: string) {
  return (await tx.select().from(channels).where(eq(channels.id, channelId)))[0];
}

/** A channel with its persona's chat profile (what receive needs), in one statement. */
export async function channelWithProfile(tx: Tx, channelId: string) {
  const [row] = await tx
    .select({ channel: channels, profile: chatProfiles })
    .from(channels)
    .leftJoin(chatProfiles, eq(chatProfiles.personaId, channels.personaId))
    .where(eq(channels.id, channelId));
  return row ? { channel: row.channel, profile: row.profile ?? undefined } : undefined;
}

export type TurnParts = NonNullable<Awaited<ReturnType<typeof turnParts>>>;

/**
 * What one reply reads besides the conversation and the message: fan, persona, her chat profile, the channel and
 * the reporting currency, in one statement. Undefined when the fan, persona or channel is gone.
 */
export async function turnParts(tx: Tx, c: Pick<ConversationRow, 'fanId' | 'personaId' | 'channelId'>) {
  const [row] = await tx
    .select({ fan: fans, persona: personas, channel: channels, profile: chatProfiles, currency: salesSettings.reportingCurrency })
    .from(fans)
    .innerJoin(personas, eq(personas.id, c.personaId))
    .innerJoin(channels, eq(channels.id, c.channelId))
    .leftJoin(chatProfiles, eq(chatProfiles.personaId, personas.id))
    .leftJoin(salesSettings, eq(salesSettings.orgId, fans.orgId))
    .where(eq(fans.id, c.fanId));
  return row ? { fan: row.fan, persona: row.persona, channel: row.channel, profile: row.profile ?? undefined, currency: row.currency ?? 'EUR' } : undefined;
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
  return (await advance(tx, conversationId, counters))!.lastSeq;
}

/**
 * nextSeq, answering the whole conversation row as it stands under the lock (status included): its `lastSeq` is
 * the new sequence number. Read after the lock is taken, the status is the latest committed one.
 */
export async function advance(tx: Tx, conversationId: string, counters: { fan?: boolean; bot?: boolean } = {}): Promise<ConversationRow | undefined> {
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
    .returning();
  return row;
}

/** Receive's two checks in one statement: is this platform message stored already, and how many came in since `since`. */
export async function inboundState(tx: Tx, v: { channelId: string; conversationId: string; remoteId: string; since: Date }): Promise<{ duplicate: boolean; recent: number }> {
  const rows = await tx.execute(sql`
    select exists (select 1 from chat_messages where channel_id = ${v.channelId} and direction = 'in' and remote_id = ${v.remoteId}) as duplicate,
           (select count(*)::int from chat_messages where conversation_id = ${v.conversationId} and direction = 'in' and created_at > ${v.since.toISOString()}::timestamptz) as recent`);
  const row = rowsOf<{ duplicate: boolean; recent: number }>(rows)[0];
  return { duplicate: !!row?.duplicate, recent: Number(row?.recent ?? 0) };
}

export async function insertMessage(tx: Tx, v: typeof chatMessages.$inferInsert): Promise<MessageRow | undefined> {
  const rows = await tx.insert(chatMessages).values(v).onConflictDoNothing().returning();
  return rows[0];
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

/**
 * Records how a send ended. The platform's id of a sent message is unique per channel in the schema, but not every
 * platform numbers messages per channel (Telegram counts per chat; a sandbox restarts its count): an id another
 * outgoing message of the channel already has is kept in `safety.remoteId` instead. Recording a message that did
 * reach the fan must not fail, or its fan message would stay pending and be answered twice.
 */
export async function setOutcome(tx: Tx, id: string, state: 'sent' | 'failed', remoteId: string | null, error?: string) {
  const taken = sql`exists (select 1 from chat_messages o where o.channel_id = m.channel_id and o.direction = m.direction and o.remote_id = ${remoteId}::text and o.id <> m.id)`;
  const extra = { ...(error ? { sendError: error } : {}) };
  await tx.execute(sql`
    update chat_messages m
    set state = ${state},
        remote_id = case when ${taken} then null else ${remoteId}::text end,
        safety = case when ${taken} then coalesce(m.safety, '{}'::jsonb) || ${JSON.stringify(extra)}::jsonb || jsonb_build_object('remoteId', ${remoteId}::text)
                      when ${error ? sql`true` : sql`false`} then coalesce(m.safety, '{}'::jsonb) || ${JSON.stringify(extra)}::jsonb
                      else m.safety end
    where m.id = ${id}`);
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
