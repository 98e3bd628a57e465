/**
 * Single-use refresh tokens (X, Fanvue) and several jobs on one channel: concurrent calls holding the same
 * expired token refresh it once and all succeed; a caller that still holds the old token afterwards gets
 * the same answer without spending it again. A failed refresh is not remembered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FanvueConnector } from '../../src/publishing/connectors/fanvue/index.ts';
import { XConnector } from '../../src/publishing/connectors/x/index.ts';
import { RefreshFlights } from '../../src/publishing/connectors/refresh.ts';
import type { ChannelAccount, ConnectorContext, PublishRequest } from '../../src/publishing/connectors/types.ts';
import { startFakeFanvue, type FakeFanvue } from '../fakes/fanvue.ts';
import { startFakeX, type FakeX } from '../fakes/x.ts';

const closers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((f) => f.close()));
});

const past = () => new Date(Date.now() - 1000).toISOString();

function ctx(): ConnectorContext & { saved: Record<string, string>[] } {
  const saved: Record<string, string>[] = [];
  return { signal: AbortSignal.timeout(20_000), saved, onCredentials: async (next) => void saved.push(next) };
}

const textPost = (n: number): PublishRequest => ({ text: `Harbour notes, part ${n} (AI-generated persona)`, media: [], rating: 'sfw', idempotencyKey: `tgt-${n}`, options: {} });

describe('one refresh per spent token', () => {
  it('Fanvue: three concurrent posts with an expired token refresh once; a late holder of the old token is served too', async () => {
    const f: FakeFanvue = await startFakeFanvue();
    closers.push(f);
    const connector = new FanvueConnector({ pollIntervalMs: 5, maxPollIntervalMs: 10 });
    const stale: ChannelAccount = {
      id: 'ch-fanvue-race',
      orgId: 'org-1',
      platform: 'fanvue',
      handle: 'atelier-persona',
      settings: { baseUrl: f.url, tokenUrl: f.tokenUrl, apiVersion: '2025-06-26' },
      credentials: { access_token: f.accessToken, refresh_token: f.refreshToken, expires_at: past(), client_id: f.clientId, client_secret: f.clientSecret },
    };
    const contexts = [ctx(), ctx(), ctx()];
    const results = await Promise.all(contexts.map((c, i) => connector.publish(stale, textPost(i + 1), c)));
    expect(results.map((r) => r.remoteId)).toHaveLength(3);
    expect(f.posts).toHaveLength(3);
    expect(f.callsTo('/oauth2/token', 'POST')).toHaveLength(1);
    // Everyone stored the same, live pair (the rotated refresh token is never lost).
    for (const c of contexts) expect(c.saved.at(-1)).toMatchObject({ access_token: f.accessToken, refresh_token: f.refreshToken });
    expect(f.refreshToken).not.toBe(stale.credentials.refresh_token);

    // A job that loaded the credentials before they were stored: served, not refused with invalid_grant.
    const late = ctx();
    await connector.publish(stale, textPost(4), late);
    expect(f.callsTo('/oauth2/token', 'POST')).toHaveLength(1);
    expect(late.saved.at(-1)).toMatchObject({ refresh_token: f.refreshToken });
    expect(f.posts).toHaveLength(4);
  });

  it('X: concurrent calls with an expired token refresh once', async () => {
    const f: FakeX = await startFakeX();
    closers.push(f);
    const connector = new XConnector();
    const stale: ChannelAccount = {
      id: 'ch-x-race',
      orgId: 'org-1',
      platform: 'x',
      handle: '@atelier_persona',
      settings: { baseUrl: f.url },
      credentials: { access_token: f.tokens.access, refresh_token: f.tokens.refresh, expires_at: past(), client_id: f.tokens.clientId },
    };
    f.expireAccessToken();
    const contexts = [ctx(), ctx()];
    await Promise.all(contexts.map((c, i) => connector.publish(stale, textPost(i + 1), c)));
    expect(f.posts).toHaveLength(2);
    expect(f.calls.filter((c) => c.path === '/2/oauth2/token')).toHaveLength(1);
    for (const c of contexts) expect(c.saved.at(-1)).toMatchObject({ access_token: f.tokens.access, refresh_token: f.tokens.refresh });
  });

  it('Fanvue refreshes ahead of expiry: a token with 30 s left is replaced before the first API call', async () => {
    const f: FakeFanvue = await startFakeFanvue();
    closers.push(f);
    const old = { access: f.accessToken, refresh: f.refreshToken };
    const account: ChannelAccount = {
      id: 'ch-fanvue-ahead',
      orgId: 'org-1',
      platform: 'fanvue',
      handle: 'atelier-persona',
      settings: { baseUrl: f.url, tokenUrl: f.tokenUrl, apiVersion: '2025-06-26' },
      credentials: { access_token: old.access, refresh_token: old.refresh, expires_at: new Date(Date.now() + 30_000).toISOString(), client_id: f.clientId, client_secret: f.clientSecret },
    };
    const c = ctx();
    await new FanvueConnector().verify(account, c);
    expect(f.calls[0]!.path).toBe('/oauth2/token');
    expect(f.calls.slice(1).every((call) => call.headers.authorization === `Bearer ${f.accessToken}`)).toBe(true);
    expect(f.accessToken).not.toBe(old.access);
    expect(c.saved).toEqual([expect.objectContaining({ access_token: f.accessToken, refresh_token: f.refreshToken })]);
  });

  it('a failed refresh is not kept; separate channels and tokens never share an answer', async () => {
    const flights = new RefreshFlights();
    let calls = 0;
    const scope = { accountId: 'a', endpoint: 'https://token.example' };
    await expect(flights.once(scope, 'rt-1', async () => Promise.reject(new Error(`down ${++calls}`)))).rejects.toThrow('down 1');
    expect(await flights.once(scope, 'rt-1', async () => ({ access_token: `at-${++calls}` }))).toEqual({ access_token: 'at-2' });
    expect(await flights.once(scope, 'rt-1', async () => ({ access_token: `at-${++calls}` }))).toEqual({ access_token: 'at-2' });
    expect(await flights.once({ ...scope, accountId: 'b' }, 'rt-1', async () => ({ access_token: `at-${++calls}` }))).toEqual({ access_token: 'at-3' });
    expect(await flights.once(scope, 'rt-2', async () => ({ access_token: `at-${++calls}` }))).toEqual({ access_token: 'at-4' });
  });
});
