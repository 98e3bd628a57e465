/**
 * The chat's share of a fan's data for the CRM's GDPR export and erase: every conversation with its messages,
 * and the facts remembered about the fan. Erase deletes them (messages and memories cascade with the
 * conversations); audit rows keep only ids, never message text.
 */
import { asc, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../platform/db/database.ts';
import { chatConversations, chatMemories, chatMessages } from '../platform/db/schema/index.ts';
import { registerFanDataPart, type FanDataPart } from '../sales/crm/index.ts';

export async function collectFanChat(tx: Tx, fanId: string) {
  const conversations = await tx.select().from(chatConversations).where(eq(chatConversations.fanId, fanId)).orderBy(asc(chatConversations.createdAt));
  const ids = conversations.map((c) => c.id);
  const messages = ids.length ? await tx.select().from(chatMessages).where(inArray(chatMessages.conversationId, ids)).orderBy(asc(chatMessages.conversationId), asc(chatMessages.seq)) : [];
  const memories = await tx.select().from(chatMemories).where(eq(chatMemories.fanId, fanId)).orderBy(asc(chatMemories.createdAt));
  return {
    conversations: conversations.map((c) => ({
      id: c.id,
      personaId: c.personaId,
      channelId: c.channelId,
      status: c.status,
      language: c.language,
      summary: c.summary,
      createdAt: c.createdAt.toISOString(),
      messages: messages
        .filter((m) => m.conversationId === c.id)
        .map((m) => ({ seq: m.seq, direction: m.direction, author: m.author, text: m.text, state: m.state, createdAt: m.createdAt.toISOString() })),
    })),
    memories: memories.map((m) => ({ fact: m.fact, createdAt: m.createdAt.toISOString() })),
  };
}

/** Deletes the fan's conversations (with their messages) and remembered facts; returns rows deleted. */
export async function eraseFanChat(tx: Tx, fanId: string): Promise<number> {
  const memories = await tx.delete(chatMemories).where(eq(chatMemories.fanId, fanId)).returning({ id: chatMemories.id });
  const conversations = await tx.select({ id: chatConversations.id }).from(chatConversations).where(eq(chatConversations.fanId, fanId));
  const messages = conversations.length ? await tx.delete(chatMessages).where(inArray(chatMessages.conversationId, conversations.map((c) => c.id))).returning({ id: chatMessages.id }) : [];
  await tx.delete(chatConversations).where(eq(chatConversations.fanId, fanId));
  return memories.length + messages.length + conversations.length;
}

export const chatFanData: FanDataPart = {
  name: 'chat',
  collect: (tx, fan) => collectFanChat(tx, fan.id),
  erase: (tx, fan) => eraseFanChat(tx, fan.id),
};

let registered = false;
export function registerChatFanData() {
  if (registered) return;
  registered = true;
  registerFanDataPart(chatFanData);
}
