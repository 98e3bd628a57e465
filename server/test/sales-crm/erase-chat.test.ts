/**
 * GDPR erase reaches the chat: a fan who chatted with the persona (real engine, real jobs) and has a
 * remembered fact and a conversation summary leaves no message text, memory, summary, handle, name or
 * platform id anywhere in the database (every text/JSON column of every table, pg-boss's included),
 * while another fan's conversation stays whole. Export before the erase carries the chat part.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/runtime.ts';
import { chatConversations, chatMemories, chatMessages, fans } from '../../src/platform/db/schema/index.ts';
import type { SandboxChatAdapter } from '../../src/chat/channels/sandbox.ts';
import { chatWorld, until, type ChatWorld } from '../chat/support.ts';
import { findAnywhere } from './support.ts';

const HANDLE = 'marigold_wanderer_77';
const DISPLAY = 'Marigold Q. Wanderer';
const PLATFORM_ID = 'sbx-user-5501927';
const CHAT_ID = 'sbx-chat-5501927';
const MESSAGE = 'do you remember the zanzibar kite festival';
const FACT = 'keeps a collection of paper lanterns from Hoi An';
const SUMMARY = 'They talked about origami cranes at length';
const OTHER_MESSAGE = 'a quiet question about the harbour lights';

describe.each(backends)('fan erase covers the chat (%s)', (backend) => {
  let w: ChatWorld;
  let fanId: string;
  let otherFanId: string;

  const say = async (fan: { id: string; chat: string; handle: string; name: string }, text: string, n: number) => {
    const sandbox = w.chat.adapters.get('sandbox') as SandboxChatAdapter;
    const result = await w.chat.engine.receive(w.orgId, {
      channelId: w.sandboxId,
      remoteChatId: fan.chat,
      remoteMessageId: `${fan.chat}-m${n}`,
      fan: { platformFanId: fan.id, handle: fan.handle, displayName: fan.name, language: 'en' },
      text,
    });
    await w.chat.engine.drain(w.orgId, result.conversationId);
    await until(
      () => sandbox.sent.filter((s) => s.remoteChatId === fan.chat && s.text.includes(text)),
      (r) => r.length === 1,
    );
    return result.conversationId;
  };

  beforeAll(async () => {
    w = await chatWorld(backend);
    const conversationId = await say({ id: PLATFORM_ID, chat: CHAT_ID, handle: HANDLE, name: DISPLAY }, MESSAGE, 1);
    await say({ id: 'sbx-user-other', chat: 'sbx-chat-other', handle: 'harbour_friend', name: 'Harbour Friend' }, OTHER_MESSAGE, 1);
    await w.rt.platform.db.withOrg(w.orgId, async (tx) => {
      const [fan] = await tx.select().from(fans).where(and(eq(fans.personaId, w.personaId), eq(fans.platformFanId, PLATFORM_ID)));
      fanId = fan!.id;
      otherFanId = (await tx.select().from(fans).where(and(eq(fans.personaId, w.personaId), eq(fans.platformFanId, 'sbx-user-other'))))[0]!.id;
      // What the memory and summary passes would have written (their model calls are not the point here).
      await tx.insert(chatMemories).values({ orgId: w.orgId, fanId, conversationId, fact: `${DISPLAY} ${FACT}` });
      await tx.update(chatConversations).set({ summary: `${SUMMARY} with ${HANDLE}` }).where(eq(chatConversations.id, conversationId));
    });
  }, 120_000);
  afterAll(() => w?.stop());

  it('export carries the conversation, its messages and the remembered facts', async () => {
    const res = await w.owner.get(`/api/v1/fans/${fanId}/export`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const chat = res.body.chat;
    expect(chat.conversations).toHaveLength(1);
    expect(chat.conversations[0].messages.map((m: any) => m.text)).toContain(MESSAGE);
    expect(chat.conversations[0].summary).toContain(SUMMARY);
    expect(chat.memories.map((m: any) => m.fact)).toEqual([`${DISPLAY} ${FACT}`]);
    expect(JSON.stringify(res.body)).not.toContain(OTHER_MESSAGE);
  });

  it('erase leaves no message text, memory, summary, handle, name or platform id anywhere', async () => {
    // The search finds the fan before the erase: the probe is not blind.
    expect(await findAnywhere(w.rt, MESSAGE)).toEqual(expect.arrayContaining(['public.chat_messages.text']));
    expect(await findAnywhere(w.rt, HANDLE)).toEqual(expect.arrayContaining(['public.fans.handle']));
    expect(await findAnywhere(w.rt, FACT)).toEqual(['public.chat_memories.fact']);

    const res = await w.owner.post(`/api/v1/fans/${fanId}/erase`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ handle: null, displayName: null, erasedAt: expect.any(String) });

    for (const needle of [MESSAGE, FACT, SUMMARY, HANDLE, DISPLAY, PLATFORM_ID, CHAT_ID]) {
      expect(await findAnywhere(w.rt, needle), needle).toEqual([]);
    }
    await w.rt.platform.db.withOrg(w.orgId, async (tx) => {
      expect(await tx.select().from(chatMemories).where(eq(chatMemories.fanId, fanId))).toEqual([]);
      expect(await tx.select().from(chatConversations).where(eq(chatConversations.fanId, fanId))).toEqual([]);
      // The other fan's conversation is untouched.
      const [other] = await tx.select().from(chatConversations).where(eq(chatConversations.fanId, otherFanId));
      expect(other).toBeDefined();
      const texts = (await tx.select().from(chatMessages).where(eq(chatMessages.conversationId, other!.id))).map((m) => m.text);
      expect(texts).toContain(OTHER_MESSAGE);
    });
    // A second erase is harmless.
    expect((await w.owner.post(`/api/v1/fans/${fanId}/erase`)).status).toBe(200);
  });
});
