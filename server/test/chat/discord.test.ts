import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { backends } from '../helpers/runtime.ts';
import { channelCache } from '../../src/platform/db/schema/index.ts';
import { saysAI } from '../../src/chat/safety/disclosure.ts';
import { sexualTerms } from '../../src/chat/safety/sexual.ts';
import { LEASE_KEY } from '../../src/chat/channels/discord/gateway.ts';
import { INTENTS, startFakeDiscord, type FakeDiscord, type FakeDiscordUser } from '../fakes/discord.ts';
import { chatWorld, lastUser, until, type ChatWorld } from './support.ts';

const sunny: FakeDiscordUser = { id: '123456789012345678', username: 'sunny', global_name: 'Sunny' };
const rain: FakeDiscordUser = { id: '123456789012345679', username: 'rain' };
const GUILD_CHANNEL = '111111111111111111';

describe.each(backends)('Discord chat through the gateway (%s)', (backend) => {
  let w: ChatWorld;
  let discord: FakeDiscord;
  let channelId: string;
  const inChannel = (id: string) => discord.live().filter((m) => m.channelId === id);

  beforeAll(async () => {
    w = await chatWorld(backend);
    discord = await startFakeDiscord({ heartbeatIntervalMs: 500 });
    const channel = await w.owner.post('/api/v1/channels', { personaId: w.personaId, platform: 'discord', handle: 'mila-bot', settings: { apiBase: discord.apiBase }, credentials: { bot_token: discord.botToken } });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    channelId = channel.body.id;
  }, 120_000);
  afterAll(async () => {
    await w?.stop();
    await discord?.close();
  });

  it('answers a DM that comes right behind READY: nothing is lost while the bot connects', async () => {
    w.ollama.options.reply = (body) => `You said: ${lastUser(body)}`;
    const early: FakeDiscordUser = { id: '123456789012345680', username: 'early' };
    // The fake registers the session as it sends READY (and the guilds): the DM follows in the same burst,
    // before discord.js has finished logging in.
    const sessions = discord.gateway.sessions;
    sessions.push = (...items) => {
      delete (sessions as { push?: unknown }).push;
      const n = sessions.push(...items);
      queueMicrotask(() => discord.gateway.userMessage({ author: early, content: 'are you awake?', dm: true }));
      return n;
    };
    expect(await w.chat.discord.reconcile()).toEqual({ running: 1 });
    const dm = discord.dmChannel(early);
    const sent = await until(() => inChannel(dm.id).map((m) => m.content), (r) => r.length === 2);
    expect(sent[1]).toBe('You said: are you awake?');
  });

  it('connects the bot: identify with its token and non-privileged intents, under a lease', async () => {
    expect(await w.chat.discord.reconcile()).toEqual({ running: 1 });
    await discord.gateway.waitForSessions(1);
    const [session] = discord.gateway.sessions;
    expect(session!.identify.token).toBe(discord.botToken);
    expect(session!.intents).toBe(INTENTS.GUILDS | INTENTS.GUILD_MESSAGES | INTENTS.DIRECT_MESSAGES);
    expect(w.chat.discord.running().get(channelId)).toBe(discord.botUser.id);
    const lease = await w.rt.platform.db.withOrg(w.orgId, async (tx) => (await tx.select().from(channelCache).where(and(eq(channelCache.channelId, channelId), eq(channelCache.key, LEASE_KEY))))[0]);
    expect((lease?.value as { holder: string }).holder).toBe(w.chat.discord.holder);
    // A second pass keeps the one connection.
    await w.chat.discord.reconcile();
    expect(discord.gateway.sessions).toHaveLength(1);
  });

  it('answers a DM: the AI notice first, then the reply, with typing shown', async () => {
    w.ollama.options.reply = (body) => `You said: ${lastUser(body)}`;
    discord.gateway.userMessage({ author: sunny, content: 'hi there, how is the light today?', dm: true });
    const dm = discord.dmChannel(sunny);
    const sent = await until(() => inChannel(dm.id).map((m) => m.content), (r) => r.length === 2);
    expect(saysAI(sent[0]!), sent[0]).toBe(true);
    expect(sent[1]).toBe('You said: hi there, how is the light today?');
    expect(discord.typing.some((t) => t.channelId === dm.id)).toBe(true);
    // Mentions are off for DMs: a reply can never ping anyone.
    expect(discord.callsTo('POST', `/channels/${dm.id}/messages`).every((c) => JSON.stringify((c.body as any).allowed_mentions) === JSON.stringify({ parse: [], users: [] }))).toBe(true);
    const conversations = (await w.owner.get(`/api/v1/conversations?personaId=${w.personaId}`)).body.items as any[];
    const conversation = conversations.find((c) => c.fan.displayName === 'Sunny');
    expect(conversation.platform).toBe('discord');
  });

  it('never lets an explicit model reply reach a Discord fan (safe for work only)', async () => {
    w.ollama.options.reply = () => 'Mmm, I want to see you naked tonight. Did you sleep well?';
    const dm = discord.dmChannel(sunny);
    const before = inChannel(dm.id).length;
    discord.gateway.userMessage({ author: sunny, content: 'good morning', dm: true });
    const sent = await until(() => inChannel(dm.id), (r) => r.length === before + 1);
    const reply = sent.at(-1)!.content;
    expect(sexualTerms(reply), reply).toEqual([]);
    expect(reply).not.toMatch(/naked/i);
  });

  it('keeps showing typing while a slow reply is written (Discord shows it for 10 s)', async () => {
    w.ollama.options.reply = () => 'Slow and steady words arrive one by one today.';
    w.ollama.options.tokenDelayMs = 600;
    const dm = discord.dmChannel(sunny);
    const before = inChannel(dm.id).length;
    const typingBefore = discord.typing.filter((t) => t.channelId === dm.id).length;
    discord.gateway.userMessage({ author: sunny, content: 'tell me slowly', dm: true });
    await until(() => inChannel(dm.id), (r) => r.length === before + 1, 30_000);
    w.ollama.options.tokenDelayMs = 0;
    expect(discord.typing.filter((t) => t.channelId === dm.id).length - typingBefore).toBeGreaterThanOrEqual(2);
  }, 40_000);

  it('in a guild channel answers only when addressed, mentioning the fan alone', async () => {
    w.ollama.options.reply = (body) => `You said: ${lastUser(body)}`;
    const before = inChannel(GUILD_CHANNEL).length;
    discord.gateway.userMessage({ author: rain, content: 'just chatting with friends here', channelId: GUILD_CHANNEL });
    discord.gateway.userMessage({ author: rain, content: `<@${discord.botUser.id}> which lens do you use?`, channelId: GUILD_CHANNEL });
    const sent = await until(() => inChannel(GUILD_CHANNEL), (r) => r.length === before + 2);
    expect(saysAI(sent.at(-2)!.content)).toBe(true);
    expect(sent.at(-1)!.content).toBe(`<@${rain.id}> You said: which lens do you use?`);
    expect(sent.at(-1)!.allowedMentions).toEqual({ parse: [], users: [rain.id] });
    // A reply to the bot's message addresses it too.
    discord.gateway.userMessage({ author: rain, content: 'and for portraits?', channelId: GUILD_CHANNEL, replyTo: sent.at(-1)!.id });
    const after = await until(() => inChannel(GUILD_CHANNEL), (r) => r.length === before + 3);
    expect(after.at(-1)!.content).toBe(`<@${rain.id}> You said: and for portraits?`);
    const prompts = w.ollama.calls.filter((c) => c.path === '/api/chat').map((c) => lastUser(c.body));
    expect(prompts).not.toContain('just chatting with friends here');
  });

  it('resumes after the gateway drops the connection, and keeps answering', async () => {
    const dm = discord.dmChannel(sunny);
    w.ollama.options.reply = (body) => `You said: ${lastUser(body)}`;
    discord.gateway.drop();
    await until(() => discord.gateway.received.filter((r) => r.op === 6).length, (n) => n >= 1);
    await discord.gateway.waitForSessions(1);
    expect(discord.gateway.sessions).toHaveLength(1); // resumed, not identified again
    const before = inChannel(dm.id).length;
    discord.gateway.userMessage({ author: sunny, content: 'still there?', dm: true });
    const sent = await until(() => inChannel(dm.id), (r) => r.length === before + 1);
    expect(sent.at(-1)!.content).toBe('You said: still there?');
    // Cut without a close frame: the client notices and resumes again.
    discord.gateway.drop({ abrupt: true });
    await until(() => discord.gateway.received.filter((r) => r.op === 6).length, (n) => n >= 2);
    await discord.gateway.waitForSessions(1);
  }, 60_000);

  it('lets the bot go when Discord closes for good (token refused), and connects again on a later pass', async () => {
    discord.gateway.drop({ code: 4004 });
    await until(() => w.chat.discord.running().size, (n) => n === 0);
    expect(discord.gateway.live()).toHaveLength(0);
    // The next pass waits out the backoff: nothing connects yet.
    await w.chat.discord.reconcile();
    expect(w.chat.discord.running().size).toBe(0);
  });

  it('stops the bot when its channel stops chatting, and gives the lease back', async () => {
    const off = await w.owner.patch(`/api/v1/channels/${channelId}`, { settings: { apiBase: discord.apiBase, chatMode: 'off' } });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(await w.chat.discord.reconcile()).toEqual({ running: 0 });
    await until(() => discord.gateway.live().length, (n) => n === 0);
    const lease = await w.rt.platform.db.withOrg(w.orgId, (tx) => tx.select().from(channelCache).where(and(eq(channelCache.channelId, channelId), eq(channelCache.key, LEASE_KEY))));
    expect(lease).toEqual([]);
  });
});
