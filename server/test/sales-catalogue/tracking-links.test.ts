import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishingServices } from '../../src/publishing/index.ts';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { startFakeFanvue, type FakeFanvue } from '../fakes/fanvue.ts';
import { inDays } from './support.ts';

describe.each(backends)('tracking links (%s)', (backend) => {
  let rt: TestRuntime;
  let fanvue: FakeFanvue;
  let owner: ApiClient;
  let orgId: string;
  let personaA: string;
  let personaB: string;
  let fanvueChannel: string;

  beforeAll(async () => {
    fanvue = await startFakeFanvue();
    rt = await testRuntime(backend);
    const o = await ownerClient(rt.app, rt.platform, 'Links org');
    owner = o.client;
    orgId = o.orgId;
    personaA = (await owner.post('/api/v1/personas', personaBody('Lina'))).body.id;
    personaB = (await owner.post('/api/v1/personas', personaBody('Maya'))).body.id;
    const channel = await owner.post('/api/v1/channels', {
      personaId: personaA,
      platform: 'fanvue',
      handle: '@lina',
      settings: { baseUrl: fanvue.url, tokenUrl: fanvue.tokenUrl },
      credentials: { access_token: fanvue.accessToken, refresh_token: fanvue.refreshToken, client_id: fanvue.clientId, client_secret: fanvue.clientSecret },
    });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    fanvueChannel = channel.body.id;
  });
  afterAll(async () => {
    await rt?.stop();
    await fanvue?.close();
  });

  it('creates the link on Fanvue and reads its counters back, paging past other links', async () => {
    // Links made on Fanvue directly come first in its list: the refresh must page to find ours.
    for (let i = 0; i < 55; i++) {
      fanvue.trackingLinks.push({ uuid: randomUUID(), name: `old ${i}`, linkUrl: `fv-${i}`, externalSocialPlatform: 'other', createdAt: '2025-01-01T00:00:00.000Z', clicks: i, engagement: { acquiredSubscribers: 0, acquiredFollowers: 0, totalSubscribers: 0, totalFollowers: 0 }, earnings: null });
    }
    const created = await owner.post('/api/v1/tracking-links', { personaId: personaA, name: 'Instagram bio', channelId: fanvueChannel, externalSocialPlatform: 'instagram' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const remote = fanvue.trackingLinks.at(-1)!;
    expect(remote).toMatchObject({ name: 'Instagram bio', externalSocialPlatform: 'instagram' });
    expect(created.body).toMatchObject({ remoteId: remote.uuid, url: `https://www.fanvue.com/lina/${remote.linkUrl}`, clicks: 0, subscribers: 0, channelId: fanvueChannel });
    const post = fanvue.callsTo('/tracking-links', 'POST')[0]!;
    expect(post.headers.authorization).toBe(`Bearer ${fanvue.accessToken}`);
    expect(post.headers['x-fanvue-api-version']).toBe('2025-06-26');

    remote.clicks = 42;
    remote.engagement.acquiredSubscribers = 5;
    const refreshed = await owner.post(`/api/v1/tracking-links/${created.body.id}/refresh`);
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(refreshed.body).toMatchObject({ clicks: 42, subscribers: 5 });
    expect(refreshed.body.fetchedAt).toBeTruthy();
    expect(fanvue.callsTo('/tracking-links', 'GET').map((c) => c.query.cursor ?? null)).toEqual([null, '50']);

    const listed = await owner.get(`/api/v1/tracking-links?personaId=${personaA}`);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: created.body.id, clicks: 42 })]);

    // A promotion can carry the link; another persona's link is refused.
    const promo = await owner.post('/api/v1/promotions', { personaId: personaA, name: 'Trial via bio', kind: 'free_trial', value: 7, startsAt: inDays(0), endsAt: inDays(14), trackingLinkId: created.body.id });
    expect(promo.status).toBe(201);
    const other = await owner.post('/api/v1/promotions', { personaId: personaB, name: 'x', kind: 'free_trial', value: 7, startsAt: inDays(0), endsAt: inDays(14), trackingLinkId: created.body.id });
    expect(other.body.code).toBe('tracking_link_not_own');
  });

  it('an expired token is refreshed and the rotated one stored; a revoked one asks to reconnect', async () => {
    const link = (await owner.get(`/api/v1/tracking-links?personaId=${personaA}`)).body.items[0];
    fanvue.set({ mode: 'expiredToken' });
    const ok = await owner.post(`/api/v1/tracking-links/${link.id}/refresh`);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const stored = await publishingServices(rt.platform).channels.credentials(orgId, fanvueChannel);
    expect(stored.refresh_token).toBe(fanvue.refreshToken);
    expect(stored.access_token).toBe(fanvue.accessToken);

    fanvue.set({ mode: 'revokedRefresh' });
    const refused = await owner.post(`/api/v1/tracking-links/${link.id}/refresh`);
    expect(refused.status).toBe(502);
    expect(refused.body.code).toBe('platform_auth');
    expect((await owner.get(`/api/v1/channels/${fanvueChannel}`)).body.status).toBe('reconnect_needed');
    const again = await owner.post(`/api/v1/tracking-links/${link.id}/refresh`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('reconnect_needed');
    fanvue.set({ mode: 'ok' });
  });

  it('links made by hand take their counters by hand', async () => {
    const made = await owner.post('/api/v1/tracking-links', { personaId: personaA, name: 'Linktree', url: 'https://example.test/lina' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({ remoteId: null, url: 'https://example.test/lina', clicks: 0 });
    expect((await owner.post(`/api/v1/tracking-links/${made.body.id}/refresh`)).body.code).toBe('not_remote');
    const counted = await owner.post(`/api/v1/tracking-links/${made.body.id}/refresh`, { clicks: 120, subscribers: 9 });
    expect(counted.body).toMatchObject({ clicks: 120, subscribers: 9 });

    expect((await owner.post('/api/v1/tracking-links', { personaId: personaA, name: 'x' })).body.code).toBe('url_required');
    expect((await owner.post('/api/v1/tracking-links', { personaId: personaA, name: 'x', url: 'javascript:alert(1)' })).status).toBe(400);
    expect((await owner.post('/api/v1/tracking-links', { personaId: personaA, name: 'x', channelId: fanvueChannel, url: 'https://example.test' })).body.code).toBe('url_not_allowed');
    expect((await owner.post('/api/v1/tracking-links', { personaId: personaB, name: 'x', channelId: fanvueChannel })).body.code).toBe('channel_not_own');
    expect((await owner.post('/api/v1/tracking-links', { personaId: crypto.randomUUID(), name: 'x', url: 'https://example.test' })).status).toBe(404);
  });
});
