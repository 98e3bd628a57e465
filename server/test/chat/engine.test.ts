import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { backends } from '../helpers/runtime.ts';
import { auditLog, fans } from '../../src/platform/db/schema/index.ts';
import { ChatEngine } from '../../src/chat/index.ts';
import type { SandboxChatAdapter } from '../../src/chat/channels/sandbox.ts';
import type { ChatChannelAdapter } from '../../src/chat/channels/types.ts';
import { saysAI, claimsHuman } from '../../src/chat/safety/disclosure.ts';
import { sexualTerms } from '../../src/chat/safety/sexual.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import type { LiveEvent } from '../../src/platform/events/index.ts';
import { chatWorld, entry, fanMessage, lastUser, systemOf, until, type ChatWorld } from './support.ts';

describe.each(backends)('chat engine (%s)', (backend) => {
  let w: ChatWorld;
  let sandbox: SandboxChatAdapter;
  const events: LiveEvent[] = [];
  const sentTo = (chatId: string) => sandbox.sent.filter((s) => s.remoteChatId === chatId).map((s) => s.text);
  const conversationsOf = async () => (await w.owner.get(`/api/v1/conversations?personaId=${w.personaId}`)).body.items as any[];

  beforeAll(async () => {
    w = await chatWorld(backend);
    sandbox = w.chat.adapters.get('sandbox') as SandboxChatAdapter;
    w.rt.platform.events.subscribe(w.orgId, (e) => events.push(e));
  }, 120_000);
  afterAll(() => w?.stop());

  it('answers a burst of messages in one conversation strictly in order, even with two workers draining', async () => {
    // Slow, uneven streams make any overlap show: a later reply would overtake an earlier one.
    w.ollama.options.tokenDelayMs = 3;
    w.ollama.options.reply = (body) => `You said: ${lastUser(body)}`;
    const engine = w.chat.engine;
    const second = new ChatEngine(w.rt.platform, { channels: publishingServices(w.rt.platform).channels, adapters: w.chat.adapters, models: w.chat.models, catalogue: async () => [] }, { drainInProcess: false });
    const texts = Array.from({ length: 8 }, (_, i) => `burst number ${i + 1}`);
    const results = [];
    for (const t of texts) results.push(await engine.receive(w.orgId, fanMessage(w.sandboxId, 'burst', t)));
    await Promise.all([second.drain(w.orgId, results[0]!.conversationId), engine.drain(w.orgId, results[0]!.conversationId)]);
    const replies = await until(
      () => sentTo('chat-burst').filter((t) => t.startsWith('You said')),
      (r) => r.length === texts.length,
    );
    expect(replies).toEqual(texts.map((t) => `You said: ${t}`));
    // Each prompt already holds the previous answer: reply n was written after reply n-1 was stored.
    const prompts = w.ollama.calls.filter((c) => c.path === '/api/chat' && lastUser(c.body).startsWith('burst number'));
    for (let i = 1; i < prompts.length; i++) {
      expect(prompts[i]!.body.messages.map((m: any) => m.content)).toContain(`You said: burst number ${i}`);
    }
    // The first message got the AI notice before any reply, in the persona's first language since
    // "burst number 1" names none (sandbox counts as a platform without a notice of its own).
    const notice = sentTo('chat-burst')[0]!;
    expect(saysAI(notice), notice).toBe(true);
    expect(notice).toMatch(/persona IA/);
    await second.close();
    w.ollama.options.tokenDelayMs = 0;
  }, 90_000);

  it('keeps parallel conversations apart: replies and prompts never mix', async () => {
    w.ollama.options.tokenDelayMs = 1;
    const fans = Array.from({ length: 8 }, (_, i) => `par${i}`);
    await Promise.all(fans.flatMap((f) => [1, 2, 3].map((n) => w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, f, `token-${f}-msg${n}`)))));
    for (const f of fans) {
      const replies = await until(() => sentTo(`chat-${f}`).filter((t) => t.startsWith('You said')), (r) => r.length === 3, 60_000);
      for (const r of replies) expect(r).toMatch(new RegExp(`^You said: token-${f}-msg\\d$`));
    }
    for (const call of w.ollama.calls.filter((c) => c.path === '/api/chat' && lastUser(c.body).startsWith('token-par'))) {
      const owner = /token-(par\d+)-/.exec(lastUser(call.body))![1];
      for (const m of call.body.messages) for (const other of m.content.matchAll(/token-(par\d+)-/g)) expect(other[1]).toBe(owner);
    }
    w.ollama.options.tokenDelayMs = 0;
  }, 90_000);

  it.each([
    ['en', 'are you real?'],
    ['fr', "t'es une IA ?"],
    ['es', '¿eres un bot?'],
    ['de', 'bist du echt?'],
  ])('discloses it is an AI when asked (%s), even when the model says it is human', async (lang, question) => {
    w.ollama.options.reply = () => "Of course I'm a real person, silly! I'm human. Want to hear about my trip?";
    const fan = `disclose-${lang}`;
    await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, fan, question));
    const replies = await until(() => sentTo(`chat-${fan}`), (r) => r.length === 2);
    const reply = replies[1]!;
    expect(saysAI(reply), reply).toBe(true);
    expect(claimsHuman(reply), reply).toBe(false);
    expect(reply).toContain('trip');
  });

  it('never lets an invented price or pack reach the fan', async () => {
    w.catalogue.splice(0, w.catalogue.length, entry('11111111-1111-4111-8111-111111111111', 'Sunset Dreams', 1999, 1499));
    w.ollama.options.reply = () => 'My Sunset Dreams pack is only €4.99 today! Or the Secret Garden pack for €2.';
    await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'buyer', 'what do you sell?'));
    const replies = await until(() => sentTo('chat-buyer'), (r) => r.length === 2);
    expect(replies[1]).not.toMatch(/4\.99|€2|Secret Garden/);
    // The model was asked again, with the real price list.
    const retry = w.ollama.calls.filter((c) => c.path === '/api/chat' && systemOf(c.body).includes('could not be sent'));
    expect(retry.length).toBeGreaterThan(0);
    expect(systemOf(retry.at(-1)!.body)).toContain('Sunset Dreams (14.99 EUR)');

    // The real price goes through untouched.
    w.ollama.options.reply = () => 'My Sunset Dreams pack is 14.99 € right now instead of 19.99 €.';
    await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'buyer2', 'any packs?'));
    const ok = await until(() => sentTo('chat-buyer2'), (r) => r.length === 2);
    expect(ok[1]).toBe('My Sunset Dreams pack is 14.99 € right now instead of 19.99 €.');
    const conv = (await conversationsOf()).find((c) => c.fan.displayName === 'Fan buyer2');
    expect(conv.counters.offersMade).toBe(1);
    w.catalogue.splice(0);
  });

  it('never asks for payment off the platform', async () => {
    w.ollama.options.reply = () => 'Send me 20 on PayPal and I will send you more. How was your day?';
    await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'payer', 'hey'));
    const replies = await until(() => sentTo('chat-payer'), (r) => r.length === 2);
    expect(replies[1]).not.toMatch(/paypal/i);
  });

  it('a fan under 18 outside Fanvue: flagged, alert raised, goodbye, conversation ended, nothing more', async () => {
    w.ollama.options.reply = () => 'Nice to meet you!';
    await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'teen', "hi, I'm 16 btw"));
    const replies = await until(() => sentTo('chat-teen'), (r) => r.length === 1);
    expect(replies[0]).toMatch(/only for adults/);
    const fan = await w.rt.platform.db.withOrg(w.orgId, async (tx) => (await tx.select().from(fans).where(eq(fans.platformFanId, 'teen')))[0]!);
    expect(fan.flags).toContain('stated_under_18');
    expect(events.some((e) => e.type === 'alert.chat_stated_under_18' && (e.data as any).fanId === fan.id)).toBe(true);
    const audit = await w.rt.platform.db.withOrg(w.orgId, (tx) => tx.select().from(auditLog).where(and(eq(auditLog.action, 'chat.alert.stated_under_18'))));
    expect(audit.length).toBeGreaterThan(0);
    // The conversation is ended right after the goodbye went out (ending it first would hold the goodbye back).
    const conv = await until(async () => (await conversationsOf()).find((c) => c.fan.id === fan.id), (c) => c?.status === 'ended');
    await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'teen', 'hello?'));
    await new Promise((r) => setTimeout(r, 300));
    expect(sentTo('chat-teen')).toHaveLength(1);
    expect((await w.owner.post(`/api/v1/conversations/${conv.id}/handback`)).status).toBe(409);
  });

  it('a fan under 18 on Fanvue: no sexual reply after the statement, flagged and alerted', async () => {
    w.ollama.options.reply = () => 'Mmm, I want to see you naked tonight.';
    const sent = () => w.fanvue.sent.filter((s) => s.remoteChatId === 'chat-fv-teen').map((s) => s.text);
    await w.chat.engine.receive(w.orgId, fanMessage(w.fanvueId, 'fv-teen', 'hey gorgeous'));
    const first = await until(sent, (r) => r.length === 1);
    expect(sexualTerms(first[0]!).length).toBeGreaterThan(0); // adults on Fanvue may get adult talk
    await w.chat.engine.receive(w.orgId, fanMessage(w.fanvueId, 'fv-teen', 'tengo 15 años'));
    await w.chat.engine.receive(w.orgId, fanMessage(w.fanvueId, 'fv-teen', 'so what now'));
    const all = await until(sent, (r) => r.length === 3);
    for (const text of all.slice(1)) expect(sexualTerms(text), text).toEqual([]);
    const fan = await w.rt.platform.db.withOrg(w.orgId, async (tx) => (await tx.select().from(fans).where(eq(fans.platformFanId, 'fv-teen')))[0]!);
    expect(fan.flags).toContain('stated_under_18');
    expect(events.some((e) => e.type === 'alert.chat_stated_under_18' && (e.data as any).fanId === fan.id)).toBe(true);
  });

  it('self-harm: a caring reply with help resources and an alert, without asking the model', async () => {
    const before = w.ollama.calls.length;
    await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'sad', "I don't want to live anymore, I want to kill myself"));
    const replies = await until(() => sentTo('chat-sad'), (r) => r.length === 1);
    expect(replies[0]).toMatch(/findahelpline\.com/);
    expect(events.some((e) => e.type === 'alert.chat_self_harm')).toBe(true);
    expect(w.ollama.calls.length).toBe(before);

    // From then on nothing is sold to that fan: the catalogue stays out of the prompt.
    w.catalogue.splice(0, w.catalogue.length, entry('22222222-2222-4222-8222-222222222222', 'Golden Hour', 1999, 1499));
    w.ollama.options.reply = () => 'I am here with you. Talking helps.';
    await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'sad', 'thanks for listening'));
    await until(() => sentTo('chat-sad'), (r) => r.at(-1) === 'I am here with you. Talking helps.');
    const prompt = w.ollama.calls.filter((c) => c.path === '/api/chat' && lastUser(c.body) === 'thanks for listening').at(-1)!;
    expect(systemOf(prompt.body)).not.toContain('Golden Hour');
    w.catalogue.splice(0);
  });

  it('records the reply latency of each answered fan message on /metrics', async () => {
    w.ollama.options.reply = () => 'Hello you!';
    await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'timed', 'hello there, how are you'));
    await until(() => sentTo('chat-timed'), (r) => r.length === 2);
    const text = await w.rt.platform.metrics.registry.metrics();
    expect(text).toMatch(/atelier_chat_latency_seconds_count\{channel="sandbox"\} [1-9]/);
  });

  it('takeover: while an operator holds the conversation the bot sends nothing; hand-back resumes', async () => {
    w.ollama.options.reply = (body) => `You said: ${lastUser(body)}`;
    const first = await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'held', 'first'));
    await until(() => sentTo('chat-held'), (r) => r.length === 2);
    const id = first.conversationId;
    const took = await w.owner.post(`/api/v1/conversations/${id}/takeover`);
    expect(took.status, JSON.stringify(took.body)).toBe(200);
    expect(took.body.status).toBe('operator');
    for (const t of ['second', 'third']) await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'held', t));
    await until(async () => (await w.owner.get(`/api/v1/conversations/${id}`)).body.messages.filter((m: any) => m.direction === 'in'), (m) => m.every((x: any) => x.state !== 'pending'));
    expect(sentTo('chat-held')).toHaveLength(2);
    const op = await w.owner.post(`/api/v1/conversations/${id}/messages`, { text: 'Hi, a human from the team here.' });
    expect(op.status, JSON.stringify(op.body)).toBe(201);
    expect(op.body.author).toBe('operator');
    expect(sentTo('chat-held').at(-1)).toBe('Hi, a human from the team here.');
    const detail = (await w.owner.get(`/api/v1/conversations/${id}`)).body;
    expect(detail.messages.filter((m: any) => m.direction === 'in').map((m: any) => m.state)).toEqual(['handled', 'skipped', 'skipped']);
    const suggestion = await w.owner.get(`/api/v1/conversations/${id}/suggestion`);
    expect(suggestion.status, JSON.stringify(suggestion.body)).toBe(200);
    expect(suggestion.body.text).toBe('You said: third');
    expect(sentTo('chat-held')).toHaveLength(3);
    expect((await w.owner.post(`/api/v1/conversations/${id}/handback`)).body.status).toBe('bot');
    await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'held', 'fourth'));
    const after = await until(() => sentTo('chat-held'), (r) => r.length === 4);
    expect(after[3]).toBe('You said: fourth');
  });

  it('a fan message settling goes out live like a new message: handled once answered, skipped when held', async () => {
    w.ollama.options.reply = (body) => `You said: ${lastUser(body)}`;
    const live = (conversationId: string) => events.filter((e) => e.type === 'chat.message' && (e.data as any).conversationId === conversationId).map((e) => e.data as any);
    const first = await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'settles', 'hello there'));
    const seen = await until(() => live(first.conversationId), (m) => m.some((x) => x.id === first.messageId && x.state === 'handled'));
    const fanStates = seen.filter((x) => x.id === first.messageId);
    expect(fanStates.map((x) => x.state)).toEqual(['pending', 'handled']);
    // The same shape as any message event, with what the screen saw; after the reply it settled.
    expect(fanStates[1]).toMatchObject({ conversationId: first.conversationId, direction: 'in', author: 'fan', text: 'hello there', safety: { replied: true, screen: { selfHarm: false } } });
    expect(Object.keys(fanStates[1]).sort()).toEqual(Object.keys(fanStates[0]).sort());
    const replyAt = seen.findIndex((x) => x.author === 'bot' && x.state === 'sent');
    expect(replyAt).toBeGreaterThan(-1);
    expect(replyAt).toBeLessThan(seen.indexOf(fanStates[1]));

    // While an operator holds the conversation the message is left unanswered, and the inbox hears that too.
    expect((await w.owner.post(`/api/v1/conversations/${first.conversationId}/takeover`)).status).toBe(200);
    const held = await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'settles', 'still there?'));
    const skipped = await until(() => live(first.conversationId).filter((x) => x.id === held.messageId), (m) => m.some((x) => x.state === 'skipped'));
    expect(skipped.map((x) => x.state)).toEqual(['pending', 'skipped']);
    expect(skipped[1].safety).toEqual({ skipped: 'operator_holds' });
  });

  it('a platform message id another reply already has does not fail a delivered reply: recorded sent, answered once', async () => {
    w.ollama.options.reply = (body) => `You said: ${lastUser(body)}`;
    // Like Telegram's per-chat numbering, or a sandbox counting again from 1 after a restart.
    const clashing: ChatChannelAdapter & { sent: string[] } = {
      platform: 'sandbox',
      sent: [],
      ageVerified: () => false,
      firstContactNotice: () => false,
      async send(_account, _to, text) {
        clashing.sent.push(text);
        return { remoteId: 'same-id' };
      },
    };
    w.chat.adapters.set(clashing);
    try {
      for (const t of ['one', 'two']) {
        const r = await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'clash', t));
        await until(() => clashing.sent, (s) => s.includes(`You said: ${t}`));
        await until(async () => (await w.owner.get(`/api/v1/conversations/${r.conversationId}`)).body.messages, (m: any[]) => m.every((x) => x.state !== 'pending'));
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(clashing.sent).toEqual(['You said: one', 'You said: two']);
      const conversation = (await conversationsOf()).find((c) => c.fan.displayName === 'Fan clash');
      const messages = (await w.owner.get(`/api/v1/conversations/${conversation.id}`)).body.messages as any[];
      const out = messages.filter((m) => m.direction === 'out');
      expect(out.map((m) => m.state)).toEqual(['sent', 'sent']);
      expect(out.map((m) => m.remoteId ?? m.safety.remoteId)).toEqual(['same-id', 'same-id']);
      expect(messages.filter((m) => m.direction === 'in').map((m) => m.state)).toEqual(['handled', 'handled']);
    } finally {
      w.chat.adapters.set(sandbox);
    }
  });

  it('a redelivered message is stored and answered once; a blocked fan is never answered', async () => {
    w.ollama.options.reply = (body) => `You said: ${lastUser(body)}`;
    const m = fanMessage(w.sandboxId, 'dup', 'only once');
    const a = await w.chat.engine.receive(w.orgId, m);
    const b = await w.chat.engine.receive(w.orgId, m);
    expect(a.duplicate).toBe(false);
    expect(b.duplicate).toBe(true);
    await until(() => sentTo('chat-dup'), (r) => r.length === 2);
    const blocked = await w.owner.post(`/api/v1/conversations/${a.conversationId}/block`, { blocked: true });
    expect(blocked.body.fan.flags).toContain('blocked');
    const c = await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'dup', 'again'));
    expect(c.state).toBe('skipped');
    await new Promise((r) => setTimeout(r, 200));
    expect(sentTo('chat-dup')).toHaveLength(2);
  });
});
