import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody } from '../helpers/api.ts';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord.ts';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.ts';

/** The bot as `npm start` runs it: nobody calls reconcile by hand, the process's workers do. */
describe.each(backends)('Discord bot in a running process (%s)', (backend) => {
  let discord: FakeDiscord;
  let ollama: FakeOllama;
  let rt: TestRuntime;

  beforeAll(async () => {
    discord = await startFakeDiscord();
    ollama = await startFakeOllama({ reply: () => 'Hello from Mila!' });
    rt = await testRuntime(backend, {}, { workers: true });
  }, 120_000);
  afterAll(async () => {
    await rt?.stop(); // a second stop is harmless: the runtime stops once
    await discord?.close();
    await ollama?.close();
  });

  it('connects by itself once a chatting Discord channel exists, answers, and disconnects when the process stops', async () => {
    const { client: owner } = await ownerClient(rt.app, rt.platform, 'Process');
    const personaId = (await owner.post('/api/v1/personas', personaBody('Mila'))).body.id;
    const provider = await owner.post('/api/v1/providers', { type: 'ollama', name: 'Chat', config: { baseUrl: ollama.url, model: 'llama3.2' } });
    expect((await owner.call('PUT', `/api/v1/personas/${personaId}/chat-profile`, { card: { name: 'Mila' }, providerId: provider.body.id, params: { pacing: { enabled: false } } })).status).toBe(200);
    const channel = await owner.post('/api/v1/channels', { personaId, platform: 'discord', handle: 'mila-bot', settings: { apiBase: discord.apiBase }, credentials: { bot_token: discord.botToken } });
    expect(channel.status).toBe(201);
    // The pass queued at start found nothing; the process's next pass (every 30 s) picks the new channel up.
    await discord.gateway.waitForSessions(1, 45_000);
    const fan = { id: '223456789012345678', username: 'early_bird' };
    discord.gateway.userMessage({ author: fan, content: 'hello!', dm: true });
    const dm = discord.dmChannel(fan);
    await expect.poll(() => discord.live().filter((m) => m.channelId === dm.id).map((m) => m.content), { timeout: 20_000 }).toContain('Hello from Mila!');
    await rt.stop();
    expect(discord.gateway.live()).toHaveLength(0);
  }, 90_000);
});
