import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { and, eq } from 'drizzle-orm';
import { backends } from '../helpers/runtime.ts';
import { ApiClient, PASSWORD, personaBody, uniqueEmail } from '../helpers/api.ts';
import { auditLog, chatMessages, fans } from '../../src/platform/db/schema/index.ts';
import type { SandboxChatAdapter } from '../../src/chat/channels/sandbox.ts';
import { readPngCard, writePngCard } from '../../src/chat/cards/png.ts';
import type { LiveEvent } from '../../src/platform/events/index.ts';
import { chatWorld, fanMessage, lastUser, until, type ChatWorld } from '../chat/support.ts';

/** The operator inbox's routes as the web uses them: list at a glance, money only with ledger:read, scope, end, cards. */
describe.each(backends)('chat inbox routes (%s)', (backend) => {
  let w: ChatWorld;
  let sandbox: SandboxChatAdapter;
  const events: LiveEvent[] = [];
  const sentTo = (chatId: string) => sandbox.sent.filter((s) => s.remoteChatId === chatId).map((s) => s.text);

  async function member(role: 'chatter' | 'manager', personaIds: string[]) {
    const email = uniqueEmail(role);
    const res = await w.owner.post('/api/v1/team', { email, password: PASSWORD, role, restrictedToAssigned: true, personaIds });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const client = new ApiClient(w.rt.app);
    expect((await client.login(email, PASSWORD)).status).toBe(200);
    return client;
  }

  beforeAll(async () => {
    w = await chatWorld(backend);
    sandbox = w.chat.adapters.get('sandbox') as SandboxChatAdapter;
    w.ollama.options.reply = (body) => `You said: ${lastUser(body)}`;
    w.rt.platform.events.subscribe(w.orgId, (e) => events.push(e));
  }, 120_000);
  afterAll(() => w?.stop());

  it('lists conversations with their last message and alerts; spend only for ledger:read; chatters see their personas only', async () => {
    const hello = await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'glance', 'hello there'));
    await until(() => sentTo('chat-glance'), (r) => r.length === 2);
    const sad = await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'glance-sad', "I don't want to live anymore, I want to kill myself"));
    await until(() => sentTo('chat-glance-sad'), (r) => r.length === 1);
    await w.rt.platform.db.withOrg(w.orgId, (tx) => tx.update(fans).set({ totalSpendMinor: 4200 }).where(eq(fans.platformFanId, 'glance')));

    const list = await w.owner.get(`/api/v1/conversations?personaId=${w.personaId}`);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    const glance = list.body.items.find((c: any) => c.id === hello.conversationId);
    expect(glance.lastMessage).toMatchObject({ author: 'bot', text: 'You said: hello there', state: 'sent' });
    expect(glance.alerts).toEqual({ statedUnder18: false, selfHarm: false, blocked: false });
    expect(glance.fan.spend).toMatchObject({ totalMinor: 4200, currency: 'EUR' });
    const sadView = list.body.items.find((c: any) => c.id === sad.conversationId);
    expect(sadView.alerts.selfHarm).toBe(true);

    const chatter = await member('chatter', [w.personaId]);
    const seen = await chatter.get(`/api/v1/conversations?personaId=${w.personaId}`);
    expect(seen.status).toBe(200);
    const mine = seen.body.items.find((c: any) => c.id === hello.conversationId);
    expect(mine.fan.handle === null || typeof mine.fan.handle === 'string').toBe(true);
    expect(mine.fan.spend).toBeUndefined();
    expect(JSON.stringify(seen.body)).not.toContain('4200');
    const detail = await chatter.get(`/api/v1/conversations/${hello.conversationId}`);
    expect(detail.status).toBe(200);
    expect(detail.body.fan.spend).toBeUndefined();
    expect(detail.body.messages.map((m: any) => m.author)).toEqual(['fan', 'system', 'bot']);
    expect(detail.body.memories).toEqual([]);

    // Another persona's chatter: nothing listed, 404 on the conversation and on its actions.
    const other = (await w.owner.post('/api/v1/personas', personaBody('Other'))).body.id as string;
    const outsider = await member('chatter', [other]);
    expect((await outsider.get('/api/v1/conversations')).body.items).toEqual([]);
    expect((await outsider.get(`/api/v1/conversations?personaId=${w.personaId}`)).body.items).toEqual([]);
    expect((await outsider.get(`/api/v1/conversations/${hello.conversationId}`)).status).toBe(404);
    expect((await outsider.post(`/api/v1/conversations/${hello.conversationId}/takeover`)).status).toBe(404);
    expect((await outsider.post(`/api/v1/conversations/${hello.conversationId}/end`)).status).toBe(404);

    // The assigned chatter works the conversation: take over, write, hand back.
    const took = await chatter.post(`/api/v1/conversations/${hello.conversationId}/takeover`);
    expect(took.status, JSON.stringify(took.body)).toBe(200);
    expect(took.body.fan.spend).toBeUndefined();
    const sent = await chatter.post(`/api/v1/conversations/${hello.conversationId}/messages`, { text: 'Hi, someone from the team here.' });
    expect(sent.status).toBe(201);
    expect(sentTo('chat-glance').at(-1)).toBe('Hi, someone from the team here.');
    expect((await chatter.post(`/api/v1/conversations/${hello.conversationId}/handback`)).body.status).toBe('bot');
  });

  it('ends a conversation: the bot answers nothing more until hand-back reopens it; audited and live', async () => {
    const first = await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'ender', 'hi'));
    await until(() => sentTo('chat-ender'), (r) => r.length === 2);
    const id = first.conversationId;
    const ended = await w.owner.post(`/api/v1/conversations/${id}/end`);
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);
    expect(ended.body.status).toBe('ended');
    expect(events.some((e) => e.type === 'chat.conversation' && (e.data as any).conversationId === id && (e.data as any).status === 'ended')).toBe(true);
    const audit = await w.rt.platform.db.withOrg(w.orgId, (tx) => tx.select().from(auditLog).where(and(eq(auditLog.action, 'chat.conversation_ended'), eq(auditLog.targetId, id))));
    expect(audit).toHaveLength(1);

    await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'ender', 'still there?'));
    await until(async () => (await w.owner.get(`/api/v1/conversations/${id}`)).body.messages.filter((m: any) => m.direction === 'in'), (m) => m.every((x: any) => x.state !== 'pending'));
    expect(sentTo('chat-ender')).toHaveLength(2);
    expect((await w.owner.post(`/api/v1/conversations/${id}/messages`, { text: 'hello' })).status).toBe(409);

    expect((await w.owner.post(`/api/v1/conversations/${id}/handback`)).body.status).toBe('bot');
    await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'ender', 'back again'));
    expect((await until(() => sentTo('chat-ender'), (r) => r.length === 3))[2]).toBe('You said: back again');
  });

  it('self-harm: recorded once on the fan when seen, read from there by the inbox, cleared by an operator (audited)', async () => {
    const alerts = () => events.filter((e) => e.type === 'alert.chat_self_harm').length;
    const fanRow = async () => w.rt.platform.db.withOrg(w.orgId, async (tx) => (await tx.select().from(fans).where(eq(fans.platformFanId, 'hurting')))[0]!);
    const flaggedAudits = async (fanId: string, action: string) =>
      (await w.rt.platform.db.withOrg(w.orgId, (tx) => tx.select().from(auditLog).where(and(eq(auditLog.action, action), eq(auditLog.targetId, fanId))))).filter((a: any) => a.details?.flag === 'self_harm_signal');
    const before = alerts();
    const first = await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'hurting', 'I want to hurt myself tonight'));
    await until(() => sentTo('chat-hurting'), (r) => r.length === 1);
    await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'hurting', 'I have thought about suicide a lot'));
    await until(() => sentTo('chat-hurting'), (r) => r.length === 2);
    const id = first.conversationId;
    // Each signal still alerts the operators; the fan is flagged (and that audited) once.
    expect(alerts() - before).toBe(2);
    const fan = await fanRow();
    expect(fan.flags).toEqual(['self_harm_signal']);
    expect(await flaggedAudits(fan.id, 'chat.fan_flagged')).toHaveLength(1);

    // The inbox reads the flag, not the messages: with the screen's record gone from them, the alert stays.
    await w.rt.platform.db.withOrg(w.orgId, (tx) => tx.update(chatMessages).set({ safety: null }).where(eq(chatMessages.conversationId, id)));
    const listed = (await w.owner.get(`/api/v1/conversations?personaId=${w.personaId}`)).body.items.find((c: any) => c.id === id);
    expect(listed.alerts).toEqual({ statedUnder18: false, selfHarm: true, blocked: false });
    expect((await w.owner.get(`/api/v1/conversations/${id}`)).body.alerts.selfHarm).toBe(true);

    // Clearing: only within the member's personas; audited once; live; the next signal sets it again.
    const other = (await w.owner.post('/api/v1/personas', personaBody('Elsewhere'))).body.id as string;
    expect((await (await member('chatter', [other])).post(`/api/v1/conversations/${id}/self-harm/clear`)).status).toBe(404);
    const chatter = await member('chatter', [w.personaId]);
    const cleared = await chatter.post(`/api/v1/conversations/${id}/self-harm/clear`);
    expect(cleared.status, JSON.stringify(cleared.body)).toBe(200);
    expect(cleared.body.alerts.selfHarm).toBe(false);
    expect(cleared.body.fan.flags).toEqual([]);
    expect(events.some((e) => e.type === 'chat.conversation' && (e.data as any).conversationId === id && (e.data as any).selfHarm === false)).toBe(true);
    expect((await chatter.post(`/api/v1/conversations/${id}/self-harm/clear`)).status).toBe(200);
    const audits = await flaggedAudits(fan.id, 'chat.fan_unflagged');
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ targetType: 'fan', details: { conversationId: id } });
    expect(audits[0]!.actorUserId).not.toBeNull();
    expect((await w.owner.get(`/api/v1/conversations?personaId=${w.personaId}`)).body.items.find((c: any) => c.id === id).alerts.selfHarm).toBe(false);

    await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'hurting', 'honestly I want to end my life'));
    await until(() => sentTo('chat-hurting'), (r) => r.length === 3);
    expect((await fanRow()).flags).toEqual(['self_harm_signal']);
    expect(alerts() - before).toBe(3);
    expect(await flaggedAudits(fan.id, 'chat.fan_flagged')).toHaveLength(2);
  });

  it('blocking shows in the alerts and goes out as a live event', async () => {
    const first = await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'blockme', 'hey'));
    await until(() => sentTo('chat-blockme'), (r) => r.length === 2);
    const blocked = await w.owner.post(`/api/v1/conversations/${first.conversationId}/block`, { blocked: true });
    expect(blocked.body.alerts.blocked).toBe(true);
    expect(events.some((e) => e.type === 'chat.conversation' && (e.data as any).conversationId === first.conversationId && (e.data as any).blocked === true)).toBe(true);
    expect((await w.owner.post(`/api/v1/conversations/${first.conversationId}/block`, { blocked: false })).body.alerts.blocked).toBe(false);
  });

  it('imports a card from a PNG larger than the default body limit and exports it as JSON and PNG', async () => {
    const card = {
      spec: 'chara_card_v3',
      spec_version: '3.0',
      data: {
        name: 'Mila',
        description: 'A fictional travel photographer.',
        personality: 'warm',
        scenario: 'Chatting after a trip.',
        first_mes: 'Hi! Just back from the coast.',
        alternate_greetings: ['Hello again!'],
        mes_example: '<START>\n{{user}}: hi\n{{char}}: hello!',
        system_prompt: 'Stay kind.',
        post_history_instructions: 'Keep it short.',
        character_book: { entries: [{ keys: ['lisbon'], content: 'Mila loved the trams of Lisbon.', enabled: true, insertion_order: 0, extensions: {} }], extensions: {} },
        extensions: {},
      },
    };
    // Noise does not compress: a ~1.5 MB picture, so the base64 body is over 1 MiB.
    const noise = Buffer.from(Array.from({ length: 700 * 700 * 3 }, (_, i) => (i * 2654435761) >>> 24));
    const base = await sharp(noise, { raw: { width: 700, height: 700, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    expect(base.length).toBeGreaterThan(1_100_000);
    const png = writePngCard(base, { v2: card, v3: card });
    const imported = await w.owner.post(`/api/v1/personas/${w.personaId}/card/import`, { png: png.toString('base64') });
    expect(imported.status, JSON.stringify(imported.body)?.slice(0, 300)).toBe(200);
    expect(imported.body.importedSpec).toBe('v3');
    expect(imported.body.card.first_mes).toBe('Hi! Just back from the coast.');
    expect(imported.body.lorebook.entries[0].keys).toEqual(['lisbon']);
    // Other settings stayed.
    expect(imported.body.providerId).toBe(w.providerId);

    const v2 = await w.owner.get(`/api/v1/personas/${w.personaId}/card?format=json&spec=v2`);
    expect(v2.body.spec).toBe('chara_card_v2');
    expect(v2.body.data.character_book.entries[0].content).toContain('Lisbon');
    const exported = await w.owner.get(`/api/v1/personas/${w.personaId}/card?format=png`);
    expect(exported.status).toBe(200);
    expect(exported.headers['content-type']).toContain('image/png');
    const back = readPngCard(exported.raw.rawPayload) as any;
    expect(back.spec).toBe('chara_card_v3');
    expect(back.data.alternate_greetings).toEqual(['Hello again!']);
  });

  it('refuses a first-contact notice that does not say she is an AI', async () => {
    const current = (await w.owner.get(`/api/v1/personas/${w.personaId}/chat-profile`)).body;
    const { personaId: _p, updatedAt: _u, ...body } = current;
    const refused = await w.owner.call('PUT', `/api/v1/personas/${w.personaId}/chat-profile`, { ...body, firstContactNotice: 'Hi! Welcome to my chat.' });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('notice_not_disclosing');
    const ok = await w.owner.call('PUT', `/api/v1/personas/${w.personaId}/chat-profile`, { ...body, firstContactNotice: "Hi! I'm an AI persona; someone from the team may read along." });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.firstContactNotice).toContain('AI persona');
  });
});
