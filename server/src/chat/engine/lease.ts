/**
 * Strict order per conversation, across workers: a lease on the conversation row.
 *
 * Why a lease and not a pg-boss singleton key or an advisory lock:
 * - an advisory lock belongs to a session (or a transaction); holding one through a model call that streams for
 *   seconds would pin a pooled connection per conversation (500 parallel conversations = 500 connections), and on
 *   PGlite, which has a single connection, it would serialise everything;
 * - pg-boss singleton policies dedupe queued jobs but still let a retry or a second queue run beside an active
 *   one, and they say nothing about the fan message that arrives while a reply is being written.
 * The lease is one UPDATE: whoever sets `lease_token` on a row whose lease is free or expired processes that
 * conversation's pending messages, oldest first, renewing as it goes; everyone else leaves. A worker that dies
 * loses the lease when it expires and the sweep job hands the conversation to another. Nothing is held open
 * between statements, so parallel conversations only share the pool.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.ts';
import { chatConversations } from '../../platform/db/schema/index.ts';
import type { ConversationRow } from '../repository.ts';

export const LEASE_SECONDS = 120;

/**
 * Takes a free (or expired) lease, only when a fan message is pending: a worker with nothing to answer (the job
 * behind a message the in-process drain already answered) leaves after this one statement. Answers the token and
 * the conversation row as it stands under the row lock.
 */
export async function claim(tx: Tx, conversationId: string): Promise<{ token: string; conversation: ConversationRow } | null> {
  const token = randomUUID();
  const [row] = await tx
    .update(chatConversations)
    .set({ leaseToken: token, leaseUntil: sql`now() + make_interval(secs => ${LEASE_SECONDS})` })
    .where(
      and(
        eq(chatConversations.id, conversationId),
        or(isNull(chatConversations.leaseUntil), lt(chatConversations.leaseUntil, sql`now()`)),
        sql`exists (select 1 from chat_messages m where m.conversation_id = ${conversationId} and m.state = 'pending')`,
      ),
    )
    .returning();
  return row ? { token, conversation: row } : null;
}

/**
 * Extends a lease still held, answering the conversation row (under its row lock until the transaction ends);
 * null when the lease was lost (expired and taken): the holder must stop.
 */
export async function renew(tx: Tx, conversationId: string, token: string): Promise<ConversationRow | null> {
  const [row] = await tx
    .update(chatConversations)
    .set({ leaseUntil: sql`now() + make_interval(secs => ${LEASE_SECONDS})` })
    .where(and(eq(chatConversations.id, conversationId), eq(chatConversations.leaseToken, token)))
    .returning();
  return row ?? null;
}

export async function release(tx: Tx, conversationId: string, token: string): Promise<void> {
  await tx
    .update(chatConversations)
    .set({ leaseToken: null, leaseUntil: null })
    .where(and(eq(chatConversations.id, conversationId), eq(chatConversations.leaseToken, token)));
}
