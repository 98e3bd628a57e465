import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { backends } from '../helpers/runtime.ts';
import { chatMessages, fans } from '../../src/platform/db/schema/index.ts';
import { saysAI } from '../../src/chat/safety/disclosure.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram.ts';
import { chatWorld, lastUser, until, type ChatWorld } from './support.ts';

const SECRET = 'webhook-secret_0123456789abcdef';
const FAN_CHAT = 424242;

describe.each(backends)('Telegram chat (%s)', (backend) => {
  let w: ChatWorld;
  let tg: FakeTelegram;
  let channelId: string;
  let nextUpdate = 5000;
  const update = (text: string, chatId = FAN_CHAT) => ({
    update_id: ++nextUpdate,
    message: { message_id: nextUpdate, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private', first_name: 'Sam' }, from: { id: chatId, is_bot: false, first_name: 'Sam', username: 'sam_t', language_code: 'en' }, text },
  });
  const post = (id: string, body: unknown, headers: Record<string, string> = {}) =>
    w.rt.app.inject({ method: 'POST', url: `/api/v1/chat/telegram/${id}/webhook`, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
  const stored = () => w.rt.platform.db.withOrg(w.orgId, (tx) => tx.select().from(chatMessages).where(eq(chatMessages.channelId, channelId)));
  const sentTo = (chatId: number) => tg.live().filter((m) => m.chatId === chatId).map((m) => m.text);

  beforeAll(async () => {
    w = await chatWorld(backend);
    tg = await startFakeTelegram();
    tg.addChat({ id: FAN_CHAT, type: 'private' });
    tg.addChat({ id: FAN_CHAT + 1, type: 'private' });
    const channel = await w.owner.post('/api/v1/channels', { personaId: w.personaId, platform: 'telegram', handle: '@mila_bot', settings: { apiRoot: tg.url }, credentials: { bot_token: tg.token, webhook_secret: SECRET } });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    channelId = channel.body.id;
    w.ollama.options.reply = (body) => `You said: ${lastUser(body)}`;
  }, 120_000);
  afterAll(async () => {
    await w?.stop();
    await tg?.close();
  });

  it('webhook without the right secret token: 401, nothing stored, nothing sent', async () => {
    const u = update('let me in');
    const answers = [
      await post(channelId, u),
      await post(channelId, u, { 'x-telegram-bot-api-secret-token': 'wrong-secret' }),
      await post(channelId, u, { 'x-telegram-bot-api-secret-token': `${SECRET}x` }),
      await post(channelId, u, { 'x-telegram-bot-api-secret-token': '' }),
      // Another channel's id (here: the sandbox one, which has no secret at all) does not open the door either.
      await post(w.sandboxId, u, { 'x-telegram-bot-api-secret-token': SECRET }),
      await post('00000000-0000-4000-8000-000000000000', u, { 'x-telegram-bot-api-secret-token': SECRET }),
    ];
    for (const a of answers) {
      expect(a.statusCode, a.body).toBe(401);
      expect(a.json().code).toBe('bad_webhook_secret');
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(await stored()).toEqual([]);
    const fanRows = await w.rt.platform.db.withOrg(w.orgId, (tx) => tx.select().from(fans).where(eq(fans.platformFanId, String(FAN_CHAT))));
    expect(fanRows).toEqual([]);
    expect(sentTo(FAN_CHAT)).toEqual([]);
    expect(w.ollama.calls.filter((c) => lastUser(c.body) === 'let me in')).toEqual([]);
  });

  it('with the secret token: processed once (notice, then the reply), a redelivery is acknowledged and dropped', async () => {
    const u = update('hello from telegram');
    const first = await post(channelId, u, { 'x-telegram-bot-api-secret-token': SECRET });
    expect(first.statusCode, first.body).toBe(200);
    const sent = await until(() => sentTo(FAN_CHAT), (r) => r.length === 2);
    expect(saysAI(sent[0]!), sent[0]).toBe(true);
    expect(sent[1]).toBe('You said: hello from telegram');
    expect(tg.chatActions.some((a) => a.chatId === FAN_CHAT && a.action === 'typing')).toBe(true);

    const again = await post(channelId, u, { 'x-telegram-bot-api-secret-token': SECRET });
    expect(again.statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(sentTo(FAN_CHAT)).toHaveLength(2);
    const inbound = (await stored()).filter((m) => m.direction === 'in');
    expect(inbound.map((m) => m.remoteId)).toEqual([String(u.update_id)]);
  });

  it('long polling (chatMode "polling") reads updates with getUpdates and answers them', async () => {
    expect((await w.owner.patch(`/api/v1/channels/${channelId}`, { settings: { apiRoot: tg.url, chatMode: 'polling' } })).status).toBe(200);
    tg.pushUpdate(update('polled hello', FAN_CHAT + 1));
    await w.chat.polling.run(new AbortController().signal, 1_500);
    const sent = await until(() => sentTo(FAN_CHAT + 1), (r) => r.length === 2);
    expect(sent[1]).toBe('You said: polled hello');
    // The next run does not read the same update again.
    await w.chat.polling.run(new AbortController().signal, 500);
    await new Promise((r) => setTimeout(r, 300));
    expect(sentTo(FAN_CHAT + 1)).toHaveLength(2);
  });
});
