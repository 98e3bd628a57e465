import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { startFakeFanvue, type FakeFanvue } from '../fakes/fanvue.ts';
import { transactions } from '../../src/platform/db/schema/index.ts';
import { crmServices, SELF_HARM_FLAG } from '../../src/sales/crm/index.ts';
import { memberClient, seedFan, uploadPicture } from './support.ts';

describe.each(backends)('PPV campaigns on (fake) Fanvue (%s)', (backend) => {
  let rt: TestRuntime;
  let fanvue: FakeFanvue;
  let owner: ApiClient;
  let orgId: string;
  let personaId: string;
  let channelId: string;
  let segmentId: string;
  let assetId: string;
  const audience: string[] = [];

  beforeAll(async () => {
    // The stored access token is stale: the first call is refused and the connector refreshes it.
    fanvue = await startFakeFanvue({ behaviour: { mode: 'expiredToken', pollsToReady: 0 } });
    rt = await testRuntime(backend);
    const o = await ownerClient(rt.app, rt.platform, 'PPV');
    owner = o.client;
    orgId = o.orgId;
    personaId = (await owner.post('/api/v1/personas', personaBody('Lea'))).body.id;
    assetId = await uploadPicture(rt, owner, personaId);
    const channel = await owner.post('/api/v1/channels', {
      personaId,
      platform: 'fanvue',
      handle: '@lea',
      settings: { baseUrl: fanvue.url, tokenUrl: fanvue.tokenUrl },
      credentials: { access_token: fanvue.accessToken, refresh_token: fanvue.refreshToken, client_id: fanvue.clientId, client_secret: fanvue.clientSecret },
    });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    channelId = channel.body.id;
    for (let i = 0; i < 3; i++) {
      const platformFanId = randomUUID();
      await seedFan(rt, orgId, personaId, { platformFanId, tags: ['evening'] });
      audience.push(platformFanId);
    }
    await seedFan(rt, orgId, personaId, { tags: ['evening'], flags: ['stated_under_18'] });
    // Chat safety saw signs of self-harm from this one: no selling to them until an operator clears the flag.
    await seedFan(rt, orgId, personaId, { tags: ['evening'], flags: [SELF_HARM_FLAG] });
    await seedFan(rt, orgId, personaId, { tags: ['morning'] });
    const segment = await owner.post('/api/v1/segments', { personaId, name: 'Evening crowd', filter: { kind: 'custom', tagsAny: ['evening'] } });
    expect(segment.status).toBe(201);
    segmentId = segment.body.id;
  });
  afterAll(async () => {
    await rt?.stop();
    await fanvue?.close();
  });

  const sender = () => crmServices(rt.platform).sender;
  const create = async (message: string, extra: Record<string, unknown> = {}) => {
    const res = await owner.post('/api/v1/ppv', { personaId, channelId, segmentId, assetIds: [assetId], message, priceMinor: 500, currency: 'USD', ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string };
  };
  const schedule = async (id: string) => {
    const res = await owner.post(`/api/v1/ppv/${id}/schedule`, { at: new Date(Date.now() + 1_000).toISOString() });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return { orgId, campaignId: id, at: res.body.scheduledAt as string };
  };
  const sentWith = (text: string) => fanvue.messages.filter((m) => m.text?.startsWith(text));

  it('refuses what Fanvue would refuse, and non-Fanvue channels', async () => {
    const base = { personaId, channelId, segmentId, assetIds: [assetId], message: 'x', currency: 'USD' };
    expect((await owner.post('/api/v1/ppv', { ...base, priceMinor: 100 })).body.code).toBe('ppv_price_too_low');
    expect((await owner.post('/api/v1/ppv', { ...base, priceMinor: 500, assetIds: [] })).body.code).toBe('ppv_needs_media');
    expect((await owner.post('/api/v1/ppv', { ...base, priceMinor: -1 })).status).toBe(400);
    const sandbox = (await owner.post('/api/v1/channels', { personaId, platform: 'sandbox', handle: 'outbox' })).body.id;
    expect((await owner.post('/api/v1/ppv', { ...base, channelId: sandbox, priceMinor: 500 })).body.code).toBe('ppv_fanvue_only');
    expect((await owner.post('/api/v1/ppv', { ...base, priceMinor: 0, assetIds: [randomUUID()] })).body.code).toBe('asset_not_own');
  });

  it('sends exactly one pay-to-view message per fan of the segment; running the job again sends nothing', async () => {
    const campaign = await create('A quiet evening set');
    const job = await schedule(campaign.id);
    await sender().run({ data: job }, { intervalMs: 0 });
    const sent = sentWith('A quiet evening set');
    expect(sent.map((m) => m.userUuid).sort()).toEqual([...audience].sort());
    expect(sent.every((m) => m.price === 500 && m.mediaUuids.length === 1)).toBe(true);
    // The AI disclosure travels with the message, as with posts.
    expect(sent[0]!.text).toMatch(/AI/);
    expect(fanvue.callsTo('/oauth2/token', 'POST')).toHaveLength(1);
    const view = (await owner.get(`/api/v1/ppv/${campaign.id}`)).body;
    expect(view).toMatchObject({ status: 'sent', recipients: 3, sent: 3, delivery: { pending: 0, sent: 3, failed: 0 } });

    await sender().run({ data: job }, { intervalMs: 0 });
    await sender().run({ data: { ...job, at: new Date().toISOString() } }, { intervalMs: 0 });
    expect(sentWith('A quiet evening set')).toHaveLength(3);

    // Results come from ledger rows linked to the campaign; a chatter sees none of it.
    await rt.platform.db.withOrg(orgId, (tx) =>
      tx.insert(transactions).values({ orgId, personaId, platform: 'fanvue', kind: 'ppv', grossMinor: 500, feeMinor: 100, netMinor: 400, currency: 'USD', occurredAt: new Date(), source: 'manual', sourceId: randomUUID(), campaignId: campaign.id }),
    );
    expect((await owner.get(`/api/v1/ppv/${campaign.id}`)).body.results).toEqual({ purchases: 1, revenue: [{ currency: 'USD', grossMinor: 500, netMinor: 400 }] });
    const chatter = await memberClient(rt, owner, 'chatter');
    const seen = await chatter.get(`/api/v1/ppv/${campaign.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.results).toBeUndefined();
  });

  it('the earnings sync links a purchase of the PPV message to its campaign, and its refund too', async () => {
    const campaign = await create('A harbour sunset set');
    await sender().run({ data: await schedule(campaign.id) }, { intervalMs: 0 });
    const message = sentWith('A harbour sunset set')[0]!;
    const buyer = { uuid: message.userUuid, handle: 'harbour_buyer', displayName: 'Harbour Buyer', nickname: null, isTopSpender: false };
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    fanvue.earnings.push({ date: hourAgo, gross: 500, net: 400, currency: 'USD', source: 'message', transactionOrderId: 'ord-ppv-1', transactionOrderStatus: 'availableForPayout', messageUuid: message.messageUuid, user: buyer });
    const sync = async () => {
      const res = await owner.post('/api/v1/ledger/sync', { channelId });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    expect(await sync()).toMatchObject({ added: 1 });
    let view = (await owner.get(`/api/v1/ppv/${campaign.id}`)).body;
    expect(view.results).toEqual({ purchases: 1, revenue: [{ currency: 'USD', grossMinor: 500, netMinor: 400 }] });
    expect(view.delivery).toMatchObject({ sent: 3, failed: 0 });

    fanvue.earnings.push({ date: new Date(Date.now() - 60_000).toISOString(), gross: -500, net: -400, currency: 'USD', source: 'refund', transactionOrderId: 'ord-ppv-r1', reversedTransactionOrderId: 'ord-ppv-1', user: buyer });
    expect(await sync()).toMatchObject({ added: 1, updated: 0 });
    expect(await sync()).toMatchObject({ added: 0, updated: 0 });
    view = (await owner.get(`/api/v1/ppv/${campaign.id}`)).body;
    expect(view.results).toEqual({ purchases: 1, revenue: [{ currency: 'USD', grossMinor: 0, netMinor: 0 }] });
  });

  it('after a crash mid-send, the fan whose message was in flight is not sent to again', async () => {
    const campaign = await create('Crash course');
    const job = await schedule(campaign.id);
    fanvue.set({ delayMessageMs: 5_000 });
    const worker = new AbortController();
    const running = sender().run({ data: job, signal: worker.signal }, { intervalMs: 0 });
    await vi.waitFor(() => expect(sentWith('Crash course')).toHaveLength(1), { timeout: 10_000, interval: 50 });
    worker.abort(new Error('worker killed'));
    await expect(running).rejects.toThrow();
    fanvue.set({ delayMessageMs: 0 });
    expect((await owner.get(`/api/v1/ppv/${campaign.id}`)).body).toMatchObject({ status: 'sending', delivery: { pending: 2, sent: 0, failed: 1 } });

    // The queue runs the job again: the two fans not reached get theirs, the third is not resent.
    await sender().run({ data: job }, { intervalMs: 0 });
    await sender().run({ data: job }, { intervalMs: 0 });
    const sent = sentWith('Crash course');
    expect(sent.map((m) => m.userUuid).sort()).toEqual([...audience].sort());
    const view = (await owner.get(`/api/v1/ppv/${campaign.id}`)).body;
    expect(view).toMatchObject({ status: 'sent', recipients: 3, sent: 2, delivery: { pending: 0, sent: 2, failed: 1 } });
  });

  it('a campaign cancelled before its time sends nothing; the calendar lists scheduled ones', async () => {
    const campaign = await create('Never sent');
    const job = await schedule(campaign.id);
    const from = new Date(Date.now() - 60_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const listed = await owner.get(`/api/v1/ppv?personaId=${personaId}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&status=scheduled`);
    expect(listed.body.items.map((c: any) => c.id)).toEqual([campaign.id]);
    expect((await owner.post(`/api/v1/ppv/${campaign.id}/cancel`)).body.status).toBe('cancelled');
    await sender().run({ data: job }, { intervalMs: 0 });
    expect(sentWith('Never sent')).toHaveLength(0);
    expect((await owner.get(`/api/v1/ppv/${campaign.id}`)).body).toMatchObject({ status: 'cancelled', recipients: 0 });
    expect((await owner.delete(`/api/v1/ppv/${campaign.id}`)).status).toBe(204);
  });
});
