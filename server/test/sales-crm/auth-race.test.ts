/**
 * Fanvue refresh tokens are single-use. A PPV send (or a tracking-link refresh) that started with the old
 * tokens while another process refreshed and stored new ones gets a 401, then invalid_grant for its own
 * refresh: the channel must not be flagged — the stored tokens are used instead. A real revocation still
 * flags the channel once, with one audit event and one alert, however many jobs meet it at once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { startFakeFanvue, type FakeFanvue } from '../fakes/fanvue.ts';
import type { LiveEvent } from '../../src/platform/events/index.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import { FanvueConnector } from '../../src/publishing/connectors/fanvue/index.ts';
import { crmServices } from '../../src/sales/crm/index.ts';
import { seedFan, uploadPicture } from './support.ts';

describe.each(backends)('auth errors racing a refresh elsewhere (%s)', (backend) => {
  let rt: TestRuntime;
  let fanvue: FakeFanvue;
  let owner: ApiClient;
  let orgId: string;
  let personaId: string;
  let channelId: string;
  let segmentId: string;
  let assetId: string;
  const alerts: LiveEvent[] = [];

  beforeAll(async () => {
    fanvue = await startFakeFanvue({ behaviour: { pollsToReady: 0 } });
    rt = await testRuntime(backend);
    const o = await ownerClient(rt.app, rt.platform, 'Auth race');
    owner = o.client;
    orgId = o.orgId;
    rt.platform.events.subscribe(orgId, (e) => e.type === 'alert.channel_reconnect' && alerts.push(e));
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
    for (let i = 0; i < 2; i++) await seedFan(rt, orgId, personaId, { platformFanId: randomUUID(), tags: ['race'] });
    segmentId = (await owner.post('/api/v1/segments', { personaId, name: 'Race', filter: { kind: 'custom', tagsAny: ['race'] } })).body.id;
  }, 60_000);
  afterAll(async () => {
    await rt?.stop();
    await fanvue?.close();
  });

  const channels = () => publishingServices(rt.platform).channels;
  const status = async () => (await owner.get(`/api/v1/channels/${channelId}`)).body.status as string;
  const flags = async () => (await owner.get('/api/v1/audit?action=channel.reconnect_needed')).body.items as unknown[];
  const campaign = async (message: string) => {
    const res = await owner.post('/api/v1/ppv', { personaId, channelId, segmentId, assetIds: [assetId], message, priceMinor: 500, currency: 'USD' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const scheduled = await owner.post(`/api/v1/ppv/${res.body.id}/schedule`, { at: new Date(Date.now() + 1_000).toISOString() });
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(200);
    return { orgId, campaignId: res.body.id as string, at: scheduled.body.scheduledAt as string };
  };

  /**
   * The next read of the channel hands out the credentials as stored, then another process (its own
   * connector, so its own refresh) spends the refresh token and stores the new pair before the caller
   * makes its first call.
   */
  const refreshElsewhereAfterNextRead = () => {
    const service = channels();
    const original = service.account.bind(service);
    const spy = vi.spyOn(service, 'account').mockImplementationOnce(async (org, id) => {
      const read = await original(org, id);
      const elsewhere = new FanvueConnector();
      await elsewhere.refresh({ ...read, credentials: { ...read.credentials } }, { signal: AbortSignal.timeout(10_000), onCredentials: (next) => service.storeCredentials(org, id, next) });
      return read;
    });
    return () => spy.mockRestore();
  };

  it('a PPV send that meets tokens refreshed elsewhere goes on with the stored ones; nothing flagged', async () => {
    const job = await campaign('Morning light set');
    const before = fanvue.accessToken;
    const restore = refreshElsewhereAfterNextRead();
    try {
      await crmServices(rt.platform).sender.run({ data: job }, { intervalMs: 0 });
    } finally {
      restore();
    }
    expect(fanvue.accessToken).not.toBe(before);
    // The sender's own refresh with the spent token was refused by Fanvue…
    expect(fanvue.callsTo('/oauth2/token', 'POST').length).toBeGreaterThanOrEqual(2);
    // …and yet every fan got the message, with the tokens the other process stored.
    expect(fanvue.messages.filter((m) => m.text?.startsWith('Morning light set'))).toHaveLength(2);
    expect((await owner.get(`/api/v1/ppv/${job.campaignId}`)).body).toMatchObject({ status: 'sent', sent: 2 });
    expect(await status()).toBe('active');
    expect(await flags()).toHaveLength(0);
    expect(alerts).toHaveLength(0);
  });

  it('a tracking-link refresh racing a refresh elsewhere answers and does not flag the channel', async () => {
    const made = await owner.post('/api/v1/tracking-links', { personaId, name: 'Bio link', channelId, externalSocialPlatform: 'instagram' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    fanvue.trackingLinks.at(-1)!.clicks = 7;
    const restore = refreshElsewhereAfterNextRead();
    let refreshed;
    try {
      refreshed = await owner.post(`/api/v1/tracking-links/${made.body.id}/refresh`);
    } finally {
      restore();
    }
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(refreshed.body.clicks).toBe(7);
    expect(await status()).toBe('active');
    expect(await flags()).toHaveLength(0);
    expect(alerts).toHaveLength(0);
    expect(await channels().credentials(orgId, channelId)).toMatchObject({ access_token: fanvue.accessToken, refresh_token: fanvue.refreshToken });
  });

  it('a real revocation met by two sends at once flags the channel once, with one alert', async () => {
    const [a, b] = [await campaign('Evening tide set'), await campaign('Harbour night set')];
    fanvue.set({ mode: 'revokedRefresh' });
    try {
      const sender = crmServices(rt.platform).sender;
      await Promise.all([sender.run({ data: a }, { intervalMs: 0 }), sender.run({ data: b }, { intervalMs: 0 })]);
    } finally {
      fanvue.set({ mode: 'ok' });
    }
    for (const job of [a, b]) expect((await owner.get(`/api/v1/ppv/${job.campaignId}`)).body).toMatchObject({ status: 'failed', sent: 0, error: { kind: 'auth' } });
    expect(await status()).toBe('reconnect_needed');
    expect(await flags()).toHaveLength(1);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.data).toMatchObject({ channelId, handle: '@lea' });
  });
});
