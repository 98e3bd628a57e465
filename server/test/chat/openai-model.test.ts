import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/runtime.ts';
import { claimsHuman, saysAI } from '../../src/chat/safety/disclosure.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai.ts';
import { chatWorld, fanMessage, lastUser, until, type ChatWorld } from './support.ts';
import type { SandboxChatAdapter } from '../../src/chat/channels/sandbox.ts';

describe.each(backends)('chat on an OpenAI-compatible server (%s)', (backend) => {
  let w: ChatWorld;
  let openai: FakeOpenAI;
  let sandbox: SandboxChatAdapter;
  const sentTo = (chatId: string) => sandbox.sent.filter((s) => s.remoteChatId === chatId).map((s) => s.text);
  const chatCalls = () => openai.calls.filter((c) => c.path === '/v1/chat/completions');

  beforeAll(async () => {
    w = await chatWorld(backend);
    sandbox = w.chat.adapters.get('sandbox') as SandboxChatAdapter;
    openai = await startFakeOpenAI({ apiKey: 'sk-test-local', tokenDelayMs: 2 });
    const provider = await w.owner.post('/api/v1/providers', { type: 'openai', name: 'Local vLLM', config: { baseUrl: openai.url, model: 'mistral-small' }, credentials: { apiKey: 'sk-test-local' } });
    expect(provider.status, JSON.stringify(provider.body)).toBe(201);
    const profile = await w.owner.call('PUT', `/api/v1/personas/${w.personaId}/chat-profile`, {
      card: { name: 'Mila', description: 'A fictional travel photographer who loves sunsets.', personality: 'warm, curious' },
      providerId: provider.body.id,
      params: { pacing: { enabled: false }, memoryEvery: 0, summaryAfter: 0, temperature: 0.7 },
      rateLimitPerMinute: 600,
    });
    expect(profile.status, JSON.stringify(profile.body)).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await w?.stop();
    await openai?.close();
  });

  it('answers a conversation through the streamed chat completions API, with the persona’s model and parameters', async () => {
    openai.options.reply = (body) => `You said: ${lastUser(body)}`;
    for (const text of ['first light today', 'and the blue hour?']) await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, 'oa', text));
    const sent = await until(() => sentTo('chat-oa'), (r) => r.length === 3);
    expect(saysAI(sent[0]!)).toBe(true);
    expect(sent.slice(1)).toEqual(['You said: first light today', 'You said: and the blue hour?']);
    const calls = chatCalls();
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const c of calls) {
      expect(c.body.stream).toBe(true);
      expect(c.body.model).toBe('mistral-small');
      expect(c.body.temperature).toBe(0.7);
      expect(c.headers.authorization).toBe('Bearer sk-test-local');
    }
    // The second prompt carries the first exchange; the Ollama fake was never asked.
    expect(calls.at(-1)!.body.messages.map((m: any) => m.content)).toContain('You said: first light today');
    expect(w.ollama.calls.filter((c) => c.path === '/api/chat')).toEqual([]);
  });

  it('still says it is an AI when asked, whatever this model claims', async () => {
    openai.options.reply = () => "No no, I'm a real person! I'm human. The sunset was lovely.";
    for (const [i, q] of ['are you real?', "t'es une IA ?", '¿eres un bot?'].entries()) {
      await w.chat.engine.receive(w.orgId, fanMessage(w.sandboxId, `oa-ask-${i}`, q));
      const sent = await until(() => sentTo(`chat-oa-ask-${i}`), (r) => r.length === 2);
      expect(saysAI(sent[1]!), sent[1]).toBe(true);
      expect(claimsHuman(sent[1]!), sent[1]).toBe(false);
    }
  });
});
