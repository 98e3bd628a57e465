import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { backends } from '../helpers/runtime.ts';
import { channelCache, chatMessages } from '../../src/platform/db/schema/index.ts';
import { CURSOR_KEY } from '../../src/chat/channels/fanvue/polling.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import { startFakeFanvue, type FakeFanvue } from '../fakes/fanvue.ts';
import { uploadPicture } from '../sales-crm/support.ts';
import { chatWorld, entry, lastUser, until, type ChatWorld } from './support.ts';

const PACK = '22222222-2222-4222-8222-222222222222';

describe.each(backends)('Fanvue chat through the official API (%s)', (backend) => {
  let w: ChatWorld;
  let fanvue: FakeFanvue;
  let channelId: string;
  let assetId: string;
  const signal = new AbortController().signal;
  const sentTo = (fanUuid: string) => fanvue.messages.filter((m) => m.userUuid === fanUuid);
  const poll = () => w.chat.fanvuePolling.pollOnce(w.orgId, channelId, signal);

  beforeAll(async () => {
    fanvue = await startFakeFanvue({ behaviour: { pollsToReady: 0 } });
    w = await chatWorld(backend, { fanvue: 'real' });
    // The world's own Fanvue channel points at the real Fanvue: keep it out of the poller.
    expect((await w.owner.patch(`/api/v1/channels/${w.fanvueId}`, { settings: { chatMode: 'off' } })).status).toBe(200);
    const channel = await w.owner.post('/api/v1/channels', {
      personaId: w.personaId,
      platform: 'fanvue',
      handle: '@mila',
      settings: { baseUrl: fanvue.url, tokenUrl: fanvue.tokenUrl, chatPollSeconds: 5 },
      credentials: { access_token: fanvue.accessToken, refresh_token: fanvue.refreshToken, client_id: fanvue.clientId, client_secret: fanvue.clientSecret },
    });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    channelId = channel.body.id;
    assetId = await uploadPicture(w.rt, w.owner, w.personaId);
  }, 120_000);
  afterAll(async () => {
    await w?.stop();
    await fanvue?.close();
  });

  it('answers a fan message pulled from Fanvue once: no notice, and polling again adds nothing', async () => {
    w.ollama.options.reply = (body) => `You said: ${lastUser(body)}`;
    const fan = { uuid: randomUUID(), handle: 'sunny_fan', displayName: 'Sunny' };
    const m = fanvue.fanWrites(fan, 'hey, how was the shoot today?');
    expect((await poll()).received).toBe(1);
    const sent = await until(() => sentTo(fan.uuid), (r) => r.length === 1);
    // Fans subscribed to a persona disclosed as AI: no first-contact notice on Fanvue.
    expect(sent.map((s) => s.text)).toEqual(['You said: hey, how was the shoot today?']);
    expect(sent[0]!.price).toBeNull();

    expect((await poll()).received).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(sentTo(fan.uuid)).toHaveLength(1);
    const stored = await w.rt.platform.db.withOrg(w.orgId, (tx) => tx.select().from(chatMessages).where(and(eq(chatMessages.channelId, channelId), eq(chatMessages.remoteId, m.uuid))));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.state).toBe('handled');
    const cursor = await w.rt.platform.db.withOrg(w.orgId, async (tx) => (await tx.select().from(channelCache).where(and(eq(channelCache.channelId, channelId), eq(channelCache.key, CURSOR_KEY))))[0]);
    expect(Date.parse((cursor!.value as { since: string }).since)).toBeGreaterThanOrEqual(Date.parse(m.sentAt));

    // The next message of the same fan is new: answered, in the same conversation.
    fanvue.fanWrites(fan, 'and tomorrow?');
    expect((await poll()).received).toBe(1);
    const both = await until(() => sentTo(fan.uuid), (r) => r.length === 2);
    expect(both[1]!.text).toBe('You said: and tomorrow?');
    const conversations = (await w.owner.get(`/api/v1/conversations?personaId=${w.personaId}`)).body.items as any[];
    expect(conversations.filter((c) => c.fan.displayName === 'Sunny')).toHaveLength(1);
  });

  it('follows a reply that offers a pack with a pay-to-view message at the catalogue price; media go to the vault once', async () => {
    w.catalogue.splice(0, w.catalogue.length, { ...entry(PACK, 'Sunset Dreams', 1999, 1499, 'USD'), assetIds: [assetId] });
    w.ollama.options.reply = () => 'My Sunset Dreams pack is $14.99 right now instead of $19.99.';
    const fans = [randomUUID(), randomUUID()];
    for (const uuid of fans) {
      fanvue.fanWrites({ uuid, displayName: 'Buyer' }, 'any packs for me?');
      expect((await poll()).received).toBe(1);
      const sent = await until(() => sentTo(uuid), (r) => r.length === 2);
      expect(sent[0]!.text).toBe('My Sunset Dreams pack is $14.99 right now instead of $19.99.');
      expect(sent[1]).toMatchObject({ text: 'Sunset Dreams', price: 1499 });
      expect(sent[1]!.mediaUuids).toHaveLength(1);
      expect(fanvue.media.get(sent[1]!.mediaUuids[0]!)?.status).toBe('ready');
    }
    // Uploaded for the first fan, named again for the second.
    expect(fanvue.callsTo('/media/uploads', 'POST')).toHaveLength(1);
    expect(sentTo(fans[0]!)[1]!.mediaUuids).toEqual(sentTo(fans[1]!)[1]!.mediaUuids);
    const paid = await w.rt.platform.db.withOrg(w.orgId, (tx) => tx.select().from(chatMessages).where(and(eq(chatMessages.channelId, channelId), eq(chatMessages.text, 'Sunset Dreams'))));
    expect(paid).toHaveLength(2);
    expect(paid.every((p) => p.state === 'sent' && (p.safety as any).fixed === 'paid_offer')).toBe(true);
    for (const p of paid) expect((p.safety as any).paid).toEqual({ packId: PACK, title: 'Sunset Dreams', priceMinor: 1499, currency: 'USD', media: 1 });
    w.catalogue.splice(0);
  });

  it('waits out a 429 (Retry-After) while polling and while sending', async () => {
    w.ollama.options.reply = (body) => `You said: ${lastUser(body)}`;
    const fan = { uuid: randomUUID(), displayName: 'Patient' };
    fanvue.fanWrites(fan, 'are you busy?');
    fanvue.set({ mode: 'rateLimitOnce', retryAfterSeconds: 1 });
    const started = Date.now();
    await w.chat.fanvuePolling.run(signal, 4_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    const sent = await until(() => sentTo(fan.uuid), (r) => r.length === 1);
    expect(sent[0]!.text).toBe('You said: are you busy?');

    const adapter = w.chat.adapters.get('fanvue')!;
    const account = await publishingServices(w.rt.platform).channels.account(w.orgId, channelId);
    fanvue.set({ mode: 'rateLimitOnce', retryAfterSeconds: 1 });
    const { remoteId } = await adapter.send(account, { remoteChatId: fan.uuid }, 'a message after a pause', AbortSignal.timeout(10_000));
    expect(remoteId).toBe(sentTo(fan.uuid).at(-1)!.messageUuid);
    fanvue.set({ mode: 'ok' });
  });

  it('a refused token marks the channel "reconnect needed" and stops its polling', async () => {
    fanvue.set({ mode: 'revokedRefresh' });
    await w.chat.fanvuePolling.run(signal, 2_000);
    const channel = await w.owner.get(`/api/v1/channels/${channelId}`);
    expect(channel.body.status).toBe('reconnect_needed');
    expect(await w.chat.fanvuePolling.run(signal, 1_000)).toEqual({ channels: 0 });
    fanvue.set({ mode: 'ok' });
  });
});
