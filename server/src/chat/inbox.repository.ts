/**
 * Reads of the operator inbox beside the engine's repository: what a conversation list needs at a glance (the
 * last message; safety alerts are fan flags, on the fan row already read). Runs in the caller's withOrg transaction.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../platform/db/database.ts';
import { chatMessages } from '../platform/db/schema/index.ts';

export interface LastMessage {
  author: 'bot' | 'operator' | 'fan' | 'system';
  text: string;
  state: string;
  createdAt: Date;
}

/** The newest message of each conversation, found through (conversation_id, seq) with the known last seq. */
export async function lastMessages(tx: Tx, conversations: { id: string; lastSeq: number }[]): Promise<Map<string, LastMessage>> {
  const wanted = conversations.filter((c) => c.lastSeq > 0);
  if (!wanted.length) return new Map();
  const rows = await tx
    .select({ conversationId: chatMessages.conversationId, author: chatMessages.author, text: chatMessages.text, state: chatMessages.state, createdAt: chatMessages.createdAt })
    .from(chatMessages)
    .where(sql`(${chatMessages.conversationId}, ${chatMessages.seq}) in (${sql.join(wanted.map((c) => sql`(${c.id}::uuid, ${c.lastSeq}::int)`), sql`, `)})`);
  return new Map(rows.map(({ conversationId, ...m }) => [conversationId, m]));
}
