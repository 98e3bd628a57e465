// Authentication and authorization: sessions, refresh-token reuse, lockout, TOTP, API keys, roles, the guard.
import Fastify from 'fastify';
import { sql } from 'drizzle-orm';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerGuard } from '../../src/platform/auth/guard.ts';
import { registerProblemHandlers } from '../../src/platform/http/problem.ts';
import type { AuthService } from '../../src/platform/auth/auth.service.ts';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ApiClient, PASSWORD, ownerClient, personaBody, uniqueEmail } from '../helpers/api.ts';
import { bodyFor, openApiOperations, pathFor, sqlRows } from './support.ts';

const MAX_FAILURES = 3;

/** A 6-digit code that is valid in none of the windows the server accepts (now ± one step). */
async function wrongCode(secret: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const valid = new Set(await Promise.all([-60, -30, 0, 30, 60].map((d) => generate({ secret, epoch: now + d }))));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

describe.each(backends)('authentication on %s', (backend) => {
  let rt: TestRuntime;
  let owner: Awaited<ReturnType<typeof ownerClient>>;

  beforeAll(async () => {
    rt = await testRuntime(backend, { LOGIN_MAX_FAILURES: String(MAX_FAILURES), LOGIN_LOCKOUT_MINUTES: '15' });
    owner = await ownerClient(rt.app, rt.platform, 'Auth org');
  });
  afterAll(() => rt?.stop());

  /** A new member of the owner's org, with its own password. */
  async function member(role: string, extra: Record<string, unknown> = {}) {
    const email = uniqueEmail(role);
    const res = await owner.client.post('/api/v1/team', { email, password: PASSWORD, role, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const client = new ApiClient(rt.app);
    expect((await client.login(email, PASSWORD)).status).toBe(200);
    return { email, userId: res.body.userId as string, client };
  }

  it('login gives an access token and a refresh cookie', async () => {
    const c = new ApiClient(rt.app);
    const res = await c.login(owner.email, PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', orgId: owner.orgId, role: 'owner' });
    expect(res.body.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const cookie = res.raw.cookies.find((k) => k.name === 'atelier_rt');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth' });
    expect((await c.get('/api/v1/me')).body.user.email).toBe(owner.email);
  });

  it('refresh rotates; replaying an old refresh token revokes the whole family', async () => {
    const { email } = await member('viewer');
    const c = new ApiClient(rt.app);
    await c.login(email, PASSWORD);
    const firstRefresh = c.refreshCookie!;
    const firstAccess = c.token!;

    const rotated = await c.post('/api/v1/auth/refresh');
    expect(rotated.status).toBe(200);
    const newestRefresh = c.refreshCookie!;
    expect(newestRefresh).toBeTruthy();
    expect(newestRefresh).not.toBe(firstRefresh);
    const newestAccess = rotated.body.accessToken as string;
    c.token = newestAccess;
    expect((await c.get('/api/v1/me')).status).toBe(200);

    // a thief replays the first (already used) token
    const thief = new ApiClient(rt.app);
    thief.refreshCookie = firstRefresh;
    const replay = await thief.post('/api/v1/auth/refresh');
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('refresh_reused');

    // the legitimate client's newest refresh token is dead too
    const legit = new ApiClient(rt.app);
    legit.refreshCookie = newestRefresh;
    const after = await legit.post('/api/v1/auth/refresh');
    expect(after.status).toBe(401);
    expect(['refresh_reused', 'invalid_refresh']).toContain(after.body.code);

    // and so is every access token of the family, before they expire: the guard checks revocation
    for (const token of [firstAccess, newestAccess]) {
      const probe = new ApiClient(rt.app);
      probe.token = token;
      const res = await probe.get('/api/v1/me');
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_token');
    }
    // signing in again starts a new, working family
    const fresh = new ApiClient(rt.app);
    expect((await fresh.login(email, PASSWORD)).status).toBe(200);
    expect((await fresh.get('/api/v1/me')).status).toBe(200);
    expect((await fresh.post('/api/v1/auth/refresh')).status).toBe(200);
  });

  it('logout ends the session: refresh cookie and access token both refused', async () => {
    const { email } = await member('viewer');
    const c = new ApiClient(rt.app);
    await c.login(email, PASSWORD);
    const refresh = c.refreshCookie!;
    const access = c.token!;
    expect((await c.post('/api/v1/auth/logout')).status).toBe(204);
    const again = new ApiClient(rt.app);
    again.refreshCookie = refresh;
    expect((await again.post('/api/v1/auth/refresh')).status).toBe(401);
    again.token = access;
    expect((await again.get('/api/v1/me')).status).toBe(401);
  });

  it('unknown email and wrong password answer alike', async () => {
    const c = new ApiClient(rt.app);
    const unknown = await c.login(uniqueEmail('nobody'), PASSWORD);
    const wrong = await c.login(owner.email, 'not the password');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body.code).toBe('invalid_credentials');
    expect(wrong.body.code).toBe('invalid_credentials');
    expect(unknown.body.detail).toBe(wrong.body.detail);
    // clear the owner's failure count for the tests that follow
    expect((await c.login(owner.email, PASSWORD)).status).toBe(200);
  });

  it(`${MAX_FAILURES} wrong passwords lock the account, even against the right password; audited`, async () => {
    const { email, userId } = await member('chatter');
    const c = new ApiClient(rt.app);
    for (let i = 0; i < MAX_FAILURES; i++) {
      const res = await c.login(email, `wrong password ${i}`);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_credentials');
    }
    const locked = await c.login(email, PASSWORD);
    expect(locked.status).toBe(423);
    expect(locked.body.code).toBe('account_locked');
    expect(locked.body.retryAfterSeconds).toBeGreaterThan(14 * 60);

    const failed = await owner.client.get(`/api/v1/audit?action=auth.login_failed&limit=200`);
    expect(failed.body.items.filter((r: { targetId: string }) => r.targetId === userId)).toHaveLength(MAX_FAILURES);
    const lockout = await owner.client.get(`/api/v1/audit?action=auth.lockout&limit=200`);
    expect(lockout.body.items.filter((r: { targetId: string }) => r.targetId === userId)).toHaveLength(1);
    const rows = await rt.platform.db.withSystem((tx) =>
      sqlRows<{ action: string }>(tx, sql`select action from audit_log where target_id = ${userId} and action like 'auth.%'`),
    );
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['auth.login_failed', 'auth.lockout', 'auth.login_locked']));
  });

  it('TOTP: required once enabled, wrong code refused, right code accepted', async () => {
    const user = await ownerClient(rt.app, rt.platform, 'Totp org');
    const setup = await user.client.post('/api/v1/auth/totp/setup');
    expect(setup.status).toBe(200);
    const secret = setup.body.secret as string;
    expect(setup.body.otpauthUrl).toContain(secret);

    const badEnable = await user.client.post('/api/v1/auth/totp/enable', { code: await wrongCode(secret) });
    expect(badEnable.status).toBe(400);
    expect(badEnable.body.code).toBe('totp_invalid');
    expect((await user.client.post('/api/v1/auth/totp/enable', { code: await generate({ secret }) })).status).toBe(204);
    expect((await user.client.get('/api/v1/me')).body.user.totpEnabled).toBe(true);

    const c = new ApiClient(rt.app);
    const without = await c.login(user.email, PASSWORD);
    expect(without.status).toBe(401);
    expect(without.body.code).toBe('totp_required');
    expect(c.token).toBeNull();
    const wrong = await c.login(user.email, PASSWORD, await wrongCode(secret));
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('totp_invalid');
    // a right code with a wrong password is still a wrong password
    const badPassword = await c.login(user.email, 'not the password', await generate({ secret }));
    expect(badPassword.body.code).toBe('invalid_credentials');
    const right = await c.login(user.email, PASSWORD, await generate({ secret }));
    expect(right.status).toBe(200);
    expect((await c.get('/api/v1/me')).status).toBe(200);
  });

  it('API key: works as a bearer until revoked', async () => {
    const created = await owner.client.post('/api/v1/api-keys', { name: 'ci', role: 'viewer' });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^atk_/);
    const listed = await owner.client.get('/api/v1/api-keys');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);

    const bot = new ApiClient(rt.app);
    bot.token = created.body.key;
    expect((await bot.get('/api/v1/personas')).status).toBe(200);
    expect((await bot.post('/api/v1/personas', personaBody())).status).toBe(403); // viewer key
    // same prefix, different secret part
    const forged = new ApiClient(rt.app);
    forged.token = `${created.body.key.slice(0, 12)}${'A'.repeat(created.body.key.length - 12)}`;
    expect((await forged.get('/api/v1/personas')).status).toBe(401);

    expect((await owner.client.delete(`/api/v1/api-keys/${created.body.id}`)).status).toBe(204);
    const after = await bot.get('/api/v1/personas');
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('invalid_token');
  });

  it('roles: viewer reads only, chatter sees no audit or keys, restricted chatter sees its persona only', async () => {
    const p1 = (await owner.client.post('/api/v1/personas', personaBody('Assigned'))).body.id as string;
    const p2 = (await owner.client.post('/api/v1/personas', personaBody('Other'))).body.id as string;

    const viewer = await member('viewer');
    expect((await viewer.client.post('/api/v1/personas', personaBody())).status).toBe(403);
    expect((await viewer.client.get('/api/v1/personas')).status).toBe(200);
    expect((await viewer.client.patch(`/api/v1/personas/${p1}`, { name: 'x' })).status).toBe(403);
    expect((await viewer.client.delete(`/api/v1/personas/${p1}`)).status).toBe(403);

    const chatter = await member('chatter');
    for (const url of ['/api/v1/audit', '/api/v1/api-keys']) {
      const res = await chatter.client.get(url);
      expect(res.status, url).toBe(403);
      expect(res.body.code).toBe('forbidden');
    }
    expect((await chatter.client.post('/api/v1/team', { email: uniqueEmail('x'), password: PASSWORD, role: 'owner' })).status).toBe(403);

    const restricted = await member('chatter', { restrictedToAssigned: true, personaIds: [p1] });
    const list = await restricted.client.get('/api/v1/personas');
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { id: string }) => p.id)).toEqual([p1]);
    expect((await restricted.client.get(`/api/v1/personas/${p1}`)).status).toBe(200);
    expect((await restricted.client.get(`/api/v1/personas/${p2}`)).status).toBe(404);

    // an admin cannot promote anyone to owner; only an owner can
    const admin = await member('admin');
    expect((await admin.client.patch(`/api/v1/team/${viewer.userId}`, { role: 'owner' })).status).toBe(403);
    expect((await admin.client.post('/api/v1/api-keys', { name: 'x', role: 'owner' })).status).toBe(403);
  });

  it('every secured route refuses a missing, malformed or foreign credential with 401', async () => {
    const ops = (await openApiOperations(rt.app)).filter((op) => op.authenticated);
    expect(ops.length).toBeGreaterThan(10);
    const credentials: Array<[string, string | null]> = [
      ['none', null],
      ['garbage', 'not-a-token'],
      ['forged api key', `atk_${'x'.repeat(40)}`],
      // a well-formed JWT signed with another key
      ['foreign jwt', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4Iiwib3JnIjoieCIsInNpZCI6IngiLCJpc3MiOiJhdGVsaWVyIiwiYXVkIjoiYXRlbGllci1hcGkifQ.c2lnbmF0dXJl'],
    ];
    for (const op of ops) {
      const url = pathFor(op);
      for (const [label, token] of credentials) {
        const c = new ApiClient(rt.app);
        c.token = token;
        const res = await c.call(op.method, url, bodyFor(op));
        expect(res.status, `${label}: ${op.method} ${url} → ${JSON.stringify(res.body)}`).toBe(401);
      }
    }
  });
});

describe('the guard', () => {
  const fakeAuth = { authenticate: async () => null } as unknown as AuthService;

  it('refuses to register an /api/v1/ route without config.access', async () => {
    const app = Fastify();
    registerGuard(app, fakeAuth);
    let error: unknown;
    try {
      app.get('/api/v1/naked', async () => 'oops');
      await app.ready();
    } catch (e) {
      error = e;
    }
    expect(String(error)).toMatch(/declares no access level/);
    await app.close().catch(() => {});
  });

  it('accepts declared routes, and leaves routes outside /api/v1/ alone', async () => {
    const app = Fastify();
    registerProblemHandlers(app);
    registerGuard(app, fakeAuth);
    app.get('/api/v1/open', { config: { access: 'public' } }, async () => ({ ok: true }));
    app.get('/api/v1/closed', { config: { access: 'personas:read' } }, async () => ({ ok: true }));
    app.get('/healthz', async () => ({ ok: true }));
    await app.ready();
    expect((await app.inject({ url: '/api/v1/open' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/closed' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/closed', headers: { authorization: 'Bearer whatever' } })).statusCode).toBe(401);
    await app.close();
  });
});
