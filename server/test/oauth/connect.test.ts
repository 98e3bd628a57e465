import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ApiClient, ownerClient, PASSWORD, personaBody, uniqueEmail } from '../helpers/api.ts';
import { oauthStates, secrets } from '../../src/platform/db/schema/index.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import { startFakeX, type FakeX } from '../fakes/x.ts';
import { startFakeFanvue, type FakeFanvue } from '../fakes/fanvue.ts';
import { startFakeReddit, type FakeReddit } from '../fakes/reddit.ts';
import { startFakeInstagram, type FakeInstagram } from '../fakes/instagram.ts';

const X_SECRET = 'x-app-secret';

interface Fakes {
  x: FakeX;
  fanvue: FakeFanvue;
  reddit: FakeReddit;
  instagram: FakeInstagram;
}
type Platform = keyof Fakes;

/** The org's app on each fake, and what the fake considers the live tokens. */
const setups: Record<Platform, { app: (f: Fakes) => Record<string, string>; access: (f: Fakes) => string; refresh: ((f: Fakes) => string) | null; dropRefresh: ((f: Fakes) => void) | null; handle: string }> = {
  x: {
    app: (f) => ({ clientId: f.x.tokens.clientId, clientSecret: X_SECRET, baseUrl: f.x.url, authBaseUrl: f.x.url }),
    access: (f) => f.x.tokens.access,
    refresh: (f) => f.x.tokens.refresh,
    dropRefresh: (f) => f.x.set({ omitRefreshToken: true }),
    handle: '@atelier_persona',
  },
  fanvue: {
    app: (f) => ({ clientId: f.fanvue.clientId, clientSecret: f.fanvue.clientSecret, baseUrl: f.fanvue.url, authBaseUrl: f.fanvue.url }),
    access: (f) => f.fanvue.accessToken,
    refresh: (f) => f.fanvue.refreshToken,
    dropRefresh: (f) => f.fanvue.set({ codeWithoutRefreshToken: true }),
    handle: '@atelier-persona',
  },
  reddit: {
    app: (f) => ({ clientId: f.reddit.clientId, clientSecret: f.reddit.clientSecret, baseUrl: f.reddit.url, authBaseUrl: f.reddit.url }),
    access: (f) => f.reddit.accessToken,
    refresh: (f) => f.reddit.refreshToken,
    dropRefresh: (f) => f.reddit.set({ codeWithoutRefreshToken: true }),
    handle: 'u/atelier_persona',
  },
  instagram: {
    app: (f) => ({ clientId: f.instagram.appId, clientSecret: f.instagram.appSecret, baseUrl: f.instagram.url, authBaseUrl: f.instagram.url }),
    access: (f) => f.instagram.token,
    refresh: null,
    dropRefresh: null,
    handle: '@atelier_test_persona',
  },
};

describe.each(backends)('OAuth connect flows (%s)', (backend) => {
  let rt: TestRuntime;
  let fakes: Fakes;
  let owner: ApiClient;
  let orgId: string;
  let personaId: string;

  beforeAll(async () => {
    rt = await testRuntime(backend);
    fakes = {
      x: await startFakeX({ clientSecret: X_SECRET }),
      fanvue: await startFakeFanvue(),
      reddit: await startFakeReddit(),
      instagram: await startFakeInstagram(),
    };
    const o = await ownerClient(rt.app, rt.platform, 'Connect');
    owner = o.client;
    orgId = o.orgId;
    personaId = (await owner.post('/api/v1/personas', personaBody('Iris'))).body.id;
    for (const platform of Object.keys(setups) as Platform[]) {
      const put = await owner.call('PUT', `/api/v1/platform-apps/${platform}`, setups[platform].app(fakes));
      expect(put.status).toBe(204);
    }
  });

  afterAll(async () => {
    await Promise.all(Object.values(fakes ?? {}).map((f) => f.close()));
    await rt?.stop();
  });

  /** The browser's trip: start → the platform's consent page (answers at once) → our callback. */
  async function connect(body: Record<string, unknown>, client = owner) {
    const start = await client.post('/api/v1/channels/oauth/start', { personaId, ...body });
    expect(start.status, JSON.stringify(start.body)).toBe(200);
    const consent = await fetch(start.body.authorizeUrl, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const back = new URL(consent.headers.get('location')!);
    const callbackUrl = `${back.pathname}${back.search}`;
    const res = await rt.app.inject({ method: 'GET', url: callbackUrl });
    expect(res.statusCode).toBe(302);
    return { location: String(res.headers.location), callbackUrl, authorizeUrl: new URL(start.body.authorizeUrl) };
  }

  const connectedId = (location: string) => {
    const id = new URL(location, 'http://web.test').searchParams.get('connected');
    expect(id, location).toMatch(/^[0-9a-f-]{36}$/);
    return id!;
  };
  const errorOf = (location: string) => new URL(location, 'http://web.test').searchParams.get('oauth_error');
  const channelCount = async () => (await owner.get('/api/v1/channels')).body.items.length as number;
  const opened = (id: string) => publishingServices(rt.platform).channels.credentials(orgId, id);

  describe.each(Object.keys(setups) as Platform[])('%s', (platform) => {
    const setup = setups[platform];
    let channelId: string;

    it('connects: a new channel, credentials sealed, status active, setup checked', async () => {
      const { location, authorizeUrl } = await connect({ platform, returnTo: '/calendar/channels?persona=iris' });
      if (platform === 'x' || platform === 'fanvue') {
        expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
        expect(authorizeUrl.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      }
      if (platform === 'reddit') expect(authorizeUrl.searchParams.get('duration')).toBe('permanent');
      expect(authorizeUrl.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(location).toMatch(/^\/calendar\/channels\?persona=iris&connected=/);
      channelId = connectedId(location);

      const channel = (await owner.get(`/api/v1/channels/${channelId}`)).body;
      expect(channel).toMatchObject({ platform, personaId, status: 'active', handle: setup.handle });
      expect(channel.credentialNames).toContain('access_token');
      const credentials = await opened(channelId);
      expect(credentials.access_token).toBe(setup.access(fakes));
      if (setup.refresh) expect(credentials.refresh_token).toBe(setup.refresh(fakes));
      if (platform === 'instagram') expect(channel.settings.igUserId).toBe(fakes.instagram.igUserId);
      if (platform === 'reddit') expect(channel.settings.username).toBe(fakes.reddit.username);

      // Sealed at rest: no token in clear in the table.
      const rows = await rt.platform.db.withOrg(orgId, (tx) => tx.select().from(secrets).where(eq(secrets.ownerId, channelId)));
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.sealed).not.toContain(credentials.access_token!);

      const check = await owner.get(`/api/v1/channels/${channelId}/setup-check`);
      expect(check.status).toBe(200);
      if (platform === 'x') expect(check.body.problems.join(' ')).toMatch(/Automated/);
      else expect(check.body).toMatchObject({ ok: true, problems: [] });
    });

    it('reconnects the same channel and keeps the refresh token the platform did not resend', async () => {
      const before = await opened(channelId);
      await rt.platform.db.withOrg(orgId, (tx) => tx.execute(sql`update channels set status = 'reconnect_needed' where id = ${channelId}`));
      setup.dropRefresh?.(fakes);
      const { location } = await connect({ platform, channelId });
      expect(connectedId(location)).toBe(channelId);
      const after = await opened(channelId);
      expect(after.access_token).toBe(setup.access(fakes));
      expect(after.access_token).not.toBe(before.access_token);
      if (setup.refresh) expect(after.refresh_token).toBe(before.refresh_token);
      expect((await owner.get(`/api/v1/channels/${channelId}`)).body.status).toBe('active');
      expect((await owner.get(`/api/v1/channels?personaId=${personaId}`)).body.items.filter((c: { platform: string }) => c.platform === platform)).toHaveLength(1);
    });
  });

  it('refuses a replayed state', async () => {
    const first = await connect({ platform: 'fanvue' });
    connectedId(first.location);
    const count = await channelCount();
    const replay = await rt.app.inject({ method: 'GET', url: first.callbackUrl });
    expect(replay.statusCode).toBe(302);
    expect(errorOf(String(replay.headers.location))).toBe('invalid_state');
    expect(await channelCount()).toBe(count);
  });

  it('refuses an expired state', async () => {
    const start = await owner.post('/api/v1/channels/oauth/start', { personaId, platform: 'reddit' });
    await rt.platform.db.withSystem((tx) => tx.update(oauthStates).set({ expiresAt: new Date(Date.now() - 1000) }));
    const consent = await fetch(start.body.authorizeUrl, { redirect: 'manual' });
    const back = new URL(consent.headers.get('location')!);
    const res = await rt.app.inject({ method: 'GET', url: `${back.pathname}${back.search}` });
    expect(errorOf(String(res.headers.location))).toBe('expired');
  });

  it('refuses a tampered state, and the genuine one still works once', async () => {
    const start = await owner.post('/api/v1/channels/oauth/start', { personaId, platform: 'x' });
    const consent = await fetch(start.body.authorizeUrl, { redirect: 'manual' });
    const back = new URL(consent.headers.get('location')!);
    const state = back.searchParams.get('state')!;
    const tampered = new URL(back);
    tampered.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
    const bad = await rt.app.inject({ method: 'GET', url: `${tampered.pathname}${tampered.search}` });
    expect(errorOf(String(bad.headers.location))).toBe('invalid_state');
    const wrongPlatform = await rt.app.inject({ method: 'GET', url: `/api/v1/oauth/callback/reddit${back.search}` });
    expect(errorOf(String(wrongPlatform.headers.location))).toBe('invalid_state');
    // The wrong-platform attempt consumed it: a state is single use whatever happens.
    const genuine = await rt.app.inject({ method: 'GET', url: `${back.pathname}${back.search}` });
    expect(errorOf(String(genuine.headers.location))).toBe('invalid_state');
    const missing = await rt.app.inject({ method: 'GET', url: '/api/v1/oauth/callback/x?code=abc' });
    expect(errorOf(String(missing.headers.location))).toBe('invalid_state');
  });

  it('refuses returnTo that leaves the site', async () => {
    for (const returnTo of ['https://evil.example/x', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', 'calendar']) {
      const res = await owner.post('/api/v1/channels/oauth/start', { personaId, platform: 'x', returnTo });
      expect(res.status, returnTo).toBe(400);
      expect(res.body.code).toBe('invalid_return_to');
    }
  });

  it('a refused code exchange redirects with oauth_error and creates nothing', async () => {
    const count = await channelCount();
    for (const platform of Object.keys(setups) as Platform[]) {
      const start = await owner.post('/api/v1/channels/oauth/start', { personaId, platform });
      const state = new URL(start.body.authorizeUrl).searchParams.get('state')!;
      const res = await rt.app.inject({ method: 'GET', url: `/api/v1/oauth/callback/${platform}?code=forged-code&state=${state}` });
      expect(res.statusCode).toBe(302);
      const location = String(res.headers.location);
      expect(errorOf(location), platform).toBe('exchange_failed');
      expect(location).not.toContain('forged-code');
    }
    expect(await channelCount()).toBe(count);
  });

  it('a user who declines comes back with oauth_error=denied', async () => {
    const start = await owner.post('/api/v1/channels/oauth/start', { personaId, platform: 'x', returnTo: '/calendar/channels' });
    const state = new URL(start.body.authorizeUrl).searchParams.get('state')!;
    const res = await rt.app.inject({ method: 'GET', url: `/api/v1/oauth/callback/x?error=access_denied&state=${state}` });
    expect(res.headers.location).toBe('/calendar/channels?oauth_error=denied');
  });

  it('chatters and viewers cannot start; a restricted manager only for assigned personas', async () => {
    const other = (await owner.post('/api/v1/personas', personaBody('Other'))).body.id;
    for (const role of ['chatter', 'viewer'] as const) {
      const email = uniqueEmail(role);
      expect((await owner.post('/api/v1/team', { email, password: PASSWORD, role })).status).toBe(201);
      const client = new ApiClient(rt.app);
      await client.login(email, PASSWORD);
      expect((await client.post('/api/v1/channels/oauth/start', { personaId, platform: 'x' })).status).toBe(403);
      expect((await client.call('PUT', '/api/v1/platform-apps/x', { clientId: 'nope' })).status).toBe(403);
    }
    const email = uniqueEmail('manager');
    expect((await owner.post('/api/v1/team', { email, password: PASSWORD, role: 'manager', restrictedToAssigned: true, personaIds: [personaId] })).status).toBe(201);
    const manager = new ApiClient(rt.app);
    await manager.login(email, PASSWORD);
    expect((await manager.post('/api/v1/channels/oauth/start', { personaId: other, platform: 'x' })).status).toBe(404);
    const { location } = await connect({ platform: 'reddit' }, manager);
    connectedId(location);
  });

  it('platform apps never return secrets; the redirect URI to register is shown', async () => {
    const list = await owner.get('/api/v1/platform-apps');
    expect(list.status).toBe(200);
    const text = JSON.stringify(list.body);
    for (const secret of [X_SECRET, fakes.fanvue.clientSecret, fakes.reddit.clientSecret, fakes.instagram.appSecret]) expect(text).not.toContain(secret);
    const x = list.body.items.find((i: { platform: string }) => i.platform === 'x');
    expect(x).toMatchObject({ configured: true, hasClientSecret: true, clientId: fakes.x.tokens.clientId });
    expect(x.redirectUri).toMatch(/\/api\/v1\/oauth\/callback\/x$/);

    // A new client id without a secret keeps the stored secret.
    expect((await owner.call('PUT', '/api/v1/platform-apps/x', { clientId: fakes.x.tokens.clientId, baseUrl: fakes.x.url, authBaseUrl: fakes.x.url })).status).toBe(204);
    expect((await owner.get('/api/v1/platform-apps')).body.items.find((i: { platform: string }) => i.platform === 'x').hasClientSecret).toBe(true);
    expect((await owner.call('PUT', '/api/v1/platform-apps/x', { clientId: 'c', baseUrl: 'ftp://example.test' })).status).toBe(400);
    expect((await owner.call('PUT', '/api/v1/platform-apps/sandbox', { clientId: 'c' })).status).toBe(400);
    expect((await owner.call('PUT', '/api/v1/platform-apps/x', { clientId: fakes.x.tokens.clientId, baseUrl: fakes.x.url, authBaseUrl: fakes.x.url })).status).toBe(204);

    const { client: stranger } = await ownerClient(rt.app, rt.platform, 'Stranger');
    const theirs = (await stranger.get('/api/v1/platform-apps')).body.items;
    expect(theirs.every((i: { configured: boolean }) => !i.configured)).toBe(true);
    const strangerPersona = (await stranger.post('/api/v1/personas', personaBody('Stranger'))).body.id;
    const refused = await stranger.post('/api/v1/channels/oauth/start', { personaId: strangerPersona, platform: 'x' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('platform_app_missing');
    expect((await stranger.post('/api/v1/channels/oauth/start', { personaId, platform: 'x' })).status).toBe(404);

    expect((await owner.delete('/api/v1/platform-apps/instagram')).status).toBe(204);
    expect((await owner.delete('/api/v1/platform-apps/instagram')).status).toBe(404);
    expect((await owner.call('PUT', '/api/v1/platform-apps/instagram', setups.instagram.app(fakes))).status).toBe(204);
  });

  it('PATCH /channels/{id} renames and replaces settings, checked by platform', async () => {
    const created = await owner.post('/api/v1/channels', { personaId, platform: 'instagram', handle: '@old', settings: { igUserId: '1784' }, credentials: { access_token: 't' } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const ok = await owner.patch(`/api/v1/channels/${id}`, { handle: '@new', settings: { igUserId: '1785', graphBaseUrl: 'https://graph.instagram.com' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ handle: '@new', settings: { igUserId: '1785' }, credentialNames: ['access_token'] });
    const bad = await owner.patch(`/api/v1/channels/${id}`, { settings: { igUserId: { nested: true }, graphBaseUrl: 'ftp://graph.example' } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_settings');
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.settings.graphBaseUrl', 'body.settings.igUserId']);
    expect((await owner.post('/api/v1/channels', { personaId, platform: 'telegram', handle: '@t', settings: { ageRestricted: 'yes' } })).status).toBe(400);
    expect((await owner.patch(`/api/v1/channels/${id}`, { credentials: { access_token: 'x' } })).status).toBe(400);
    const { client: stranger } = await ownerClient(rt.app, rt.platform, 'Patcher');
    expect((await stranger.patch(`/api/v1/channels/${id}`, { handle: '@stolen' })).status).toBe(404);
    expect((await owner.get(`/api/v1/channels/${id}`)).body.handle).toBe('@new');
  });
});
