// The audit log is append-only for everyone, and every authenticated mutating API call is recorded.
import { randomBytes } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ApiClient, PASSWORD, ownerClient, personaBody, uniqueEmail } from '../helpers/api.ts';
import { MUTATING, bodyFor, openApiOperations, pathFor, rejection, sqlRows, type HttpMethod } from './support.ts';

describe.each(backends)('audit log on %s', (backend) => {
  let rt: TestRuntime;
  let owner: Awaited<ReturnType<typeof ownerClient>>;

  beforeAll(async () => {
    rt = await testRuntime(backend);
    owner = await ownerClient(rt.app, rt.platform, 'Audit org');
    expect((await owner.client.post('/api/v1/personas', personaBody())).status).toBe(201);
    // the api.* row is written after the response: let it land before counting rows
    await vi.waitFor(
      async () =>
        expect(await rt.platform.db.withSystem((tx) => sqlRows(tx, sql`select 1 from audit_log where action = 'api.post'`))).toHaveLength(1),
      { timeout: 5_000, interval: 25 },
    );
  });
  afterAll(() => rt?.stop());

  const count = () => rt.platform.db.withSystem((tx) => sqlRows<{ n: number }>(tx, sql`select count(*)::int as n from audit_log`)).then((r) => r[0]!.n);

  it('rows cannot be updated, deleted or truncated, not even by the owner role (withSystem)', async () => {
    const before = await count();
    expect(before).toBeGreaterThan(0);
    const attempts: Record<string, SQL> = {
      UPDATE: sql`update audit_log set action = 'tampered'`,
      DELETE: sql`delete from audit_log`,
      TRUNCATE: sql`truncate audit_log`,
    };
    for (const [op, statement] of Object.entries(attempts)) {
      expect(await rejection(rt.platform.db.withSystem((tx) => tx.execute(statement))), op).toMatch(
        new RegExp(`append-only \\(${op} rejected\\)`),
      );
    }
    // also one targeted row, and TRUNCATE … CASCADE through a referencing table
    expect(await rejection(rt.platform.db.withSystem((tx) => tx.execute(sql`delete from audit_log where org_id = ${owner.orgId}`)))).toMatch(
      /append-only/,
    );
    expect(await rejection(rt.platform.db.withSystem((tx) => tx.execute(sql`truncate audit_log, organizations cascade`)))).toMatch(/append-only/);
    expect(await count()).toBe(before);
    const tampered = await rt.platform.db.withSystem((tx) => sqlRows(tx, sql`select 1 from audit_log where action = 'tampered'`));
    expect(tampered).toEqual([]);
  });

  it('the app role (withOrg) has no UPDATE, DELETE or TRUNCATE privilege at all', async () => {
    const before = await count();
    for (const statement of [sql`update audit_log set action = 'tampered'`, sql`delete from audit_log`, sql`truncate audit_log`]) {
      expect(await rejection(rt.platform.db.withOrg(owner.orgId, (tx) => tx.execute(statement)))).toMatch(/permission denied|append-only/);
    }
    expect(await count()).toBe(before);
  });

  it('every authenticated mutating API call leaves an api.* row', async () => {
    const key = await owner.client.post('/api/v1/api-keys', { name: 'audit bot', role: 'admin' });
    const bot = new ApiClient(rt.app);
    bot.token = key.body.key;
    const viewerEmail = uniqueEmail('viewer');
    await owner.client.post('/api/v1/team', { email: viewerEmail, password: PASSWORD, role: 'viewer' });
    const viewer = new ApiClient(rt.app);
    await viewer.login(viewerEmail, PASSWORD);

    const ctx: Record<string, string> = {};
    type Step = { key: string; as?: ApiClient; url: () => string; body?: () => unknown; after?: (body: any) => void };
    const steps: Step[] = [
      { key: 'POST /api/v1/personas', url: () => '/api/v1/personas', body: () => personaBody('Audited'), after: (b) => (ctx.persona = b.id) },
      { key: 'PATCH /api/v1/personas/{id}', url: () => `/api/v1/personas/${ctx.persona}`, body: () => ({ bio: 'changed' }) },
      { key: 'PATCH /api/v1/personas/{id}', as: bot, url: () => `/api/v1/personas/${ctx.persona}`, body: () => ({ bio: 'by the bot' }) },
      { key: 'POST /api/v1/personas', as: bot, url: () => '/api/v1/personas', body: () => personaBody('Bot') }, // 403: attestation needs a user
      { key: 'POST /api/v1/personas', as: viewer, url: () => '/api/v1/personas', body: () => personaBody('Nope') }, // 403: role
      {
        key: 'POST /api/v1/channels',
        url: () => '/api/v1/channels',
        body: () => ({ personaId: ctx.persona, platform: 'sandbox', handle: '@audited', credentials: { access_token: 't' } }),
        after: (b) => (ctx.channel = b.id),
      },
      { key: 'DELETE /api/v1/channels/{id}', url: () => `/api/v1/channels/${ctx.channel}` },
      {
        key: 'POST /api/v1/team',
        url: () => '/api/v1/team',
        body: () => ({ email: uniqueEmail('audited'), password: PASSWORD, role: 'chatter' }),
        after: (b) => (ctx.member = b.userId),
      },
      { key: 'PATCH /api/v1/team/{id}', url: () => `/api/v1/team/${ctx.member}`, body: () => ({ role: 'viewer' }) },
      { key: 'DELETE /api/v1/team/{id}', url: () => `/api/v1/team/${ctx.member}` },
      { key: 'POST /api/v1/api-keys', url: () => '/api/v1/api-keys', body: () => ({ name: 'temp', role: 'viewer' }), after: (b) => (ctx.key = b.id) },
      { key: 'DELETE /api/v1/api-keys/{id}', url: () => `/api/v1/api-keys/${ctx.key}` },
      { key: 'PATCH /api/v1/me', url: () => '/api/v1/me', body: () => ({ locale: 'fr' }) },
      { key: 'POST /api/v1/auth/totp/setup', url: () => '/api/v1/auth/totp/setup', body: () => ({}) },
      { key: 'POST /api/v1/auth/totp/enable', url: () => '/api/v1/auth/totp/enable', body: () => ({ code: '000000' }) },
      { key: 'POST /api/v1/auth/totp/disable', url: () => '/api/v1/auth/totp/disable', body: () => ({ code: '000000' }) },
      { key: 'POST /api/v1/providers', url: () => '/api/v1/providers', body: () => ({ type: 'espeak', name: 'voice', config: {} }), after: (b) => (ctx.provider = b.id) },
      { key: 'PATCH /api/v1/providers/{id}', url: () => `/api/v1/providers/${ctx.provider}`, body: () => ({ name: 'local voice' }) },
      { key: 'POST /api/v1/providers/{id}/check', url: () => `/api/v1/providers/${ctx.provider}/check`, body: () => ({}) },
      { key: 'PUT /api/v1/personas/{id}/studio', url: () => `/api/v1/personas/${ctx.persona}/studio`, body: () => ({ voiceProviderId: ctx.provider }) },
      { key: 'PUT /api/v1/personas/{id}/studio/auto-approve', url: () => `/api/v1/personas/${ctx.persona}/studio/auto-approve`, body: () => ({ enabled: false }) },
      {
        key: 'POST /api/v1/studio/jobs',
        url: () => '/api/v1/studio/jobs',
        body: () => ({ kind: 'voice', personaId: ctx.persona, text: 'hello' }),
        after: (b) => (ctx.job = b.id),
      },
      { key: 'POST /api/v1/studio/jobs/{id}/cancel', url: () => `/api/v1/studio/jobs/${ctx.job}/cancel`, body: () => ({}) },
      { key: 'POST /api/v1/media/upload', url: () => '/api/v1/media/upload', body: () => ({}) }, // 415: not multipart
      { key: 'PATCH /api/v1/media/{id}', url: () => `/api/v1/media/${ctx.persona}`, body: () => ({ tags: ['a'] }) }, // 404: no such asset
      { key: 'POST /api/v1/media/{id}/approve', url: () => `/api/v1/media/${ctx.persona}/approve`, body: () => ({}) },
      { key: 'POST /api/v1/media/{id}/reject', url: () => `/api/v1/media/${ctx.persona}/reject`, body: () => ({}) },
      { key: 'POST /api/v1/media/{id}/regenerate', url: () => `/api/v1/media/${ctx.persona}/regenerate`, body: () => ({}) },
      { key: 'DELETE /api/v1/providers/{id}', url: () => `/api/v1/providers/${ctx.provider}` },
      {
        key: 'POST /api/v1/channels',
        url: () => '/api/v1/channels',
        body: () => ({ personaId: ctx.persona, platform: 'sandbox', handle: 'outbox' }),
        after: (b) => (ctx.sandbox = b.id),
      },
      {
        key: 'POST /api/v1/posts',
        url: () => '/api/v1/posts',
        body: () => ({ personaId: ctx.persona, caption: 'audited post', targets: [{ channelId: ctx.sandbox }] }),
        after: (b) => (ctx.post = b.id),
      },
      { key: 'PUT /api/v1/posts/{id}', url: () => `/api/v1/posts/${ctx.post}`, body: () => ({ caption: 'audited again' }) },
      { key: 'POST /api/v1/posts/{id}/approve', url: () => `/api/v1/posts/${ctx.post}/approve`, body: () => ({}) },
      { key: 'POST /api/v1/posts/{id}/schedule', url: () => `/api/v1/posts/${ctx.post}/schedule`, body: () => ({ at: new Date(Date.now() + 86_400_000).toISOString() }) },
      { key: 'POST /api/v1/posts/{id}/cancel', url: () => `/api/v1/posts/${ctx.post}/cancel`, body: () => ({}) },
      { key: 'PUT /api/v1/personas/{id}/slots', url: () => `/api/v1/personas/${ctx.persona}/slots`, body: () => ({ items: [{ name: 'Morning', localTime: '10:00' }] }) },
      { key: 'POST /api/v1/personas/{id}/slots/autofill', url: () => `/api/v1/personas/${ctx.persona}/slots/autofill`, body: () => ({ days: 7 }) },
      { key: 'DELETE /api/v1/personas/{id}', url: () => `/api/v1/personas/${ctx.persona}` },
      { key: 'DELETE /api/v1/personas/{id}', url: () => `/api/v1/personas/${ctx.persona}` }, // 404 now: audited too
      // last: switching organization ends the current session
      { key: 'POST /api/v1/auth/switch-org', url: () => '/api/v1/auth/switch-org', body: () => ({ orgId: owner.orgId }) },
    ];

    // Routes without a hand-written step above still get one: a valid body aimed at an id that does not
    // exist (a refusal, audited all the same) — so a new mutating route is covered from day one.
    const required = (await openApiOperations(rt.app)).filter((op) => op.authenticated && MUTATING.has(op.method));
    for (const op of required.filter((o) => !steps.some((s) => s.key === o.key))) {
      const url = pathFor(op);
      steps.splice(steps.length - 1, 0, { key: op.key, url: () => url, body: () => bodyFor(op, { personaId: ctx.persona, orgId: owner.orgId, channelId: ctx.sandbox }) });
    }

    const statuses = new Set<number>();
    for (const step of steps) {
      const client = step.as ?? owner.client;
      const [method, route] = step.key.split(' ') as [HttpMethod, string];
      const requestId = `audit-${randomBytes(8).toString('hex')}`;
      const res = await client.call(method, step.url(), step.body?.(), { 'x-request-id': requestId });
      // a body that fails validation never reaches the guard, so the step would test nothing
      expect(res.body?.code, `${step.key}: ${JSON.stringify(res.body)}`).not.toBe('validation_failed');
      statuses.add(res.status);
      step.after?.(res.body);

      const row = await vi.waitFor(
        async () => {
          const rows = await rt.platform.db.withSystem((tx) =>
            sqlRows<Record<string, any>>(tx, sql`select * from audit_log where request_id = ${requestId} and action like 'api.%'`),
          );
          expect(rows, `${step.key} left no api.* row`).toHaveLength(1);
          return rows[0]!;
        },
        { timeout: 5_000, interval: 25 },
      );
      expect(row.action).toBe(`api.${method.toLowerCase()}`);
      expect(row.org_id).toBe(owner.orgId);
      expect(row.target_id).toBe(route.replace(/\{(\w+)\}/g, ':$1'));
      expect(row.details.status).toBe(res.status);
      if (client === bot) {
        expect(row.actor_api_key_id).toBe(key.body.id);
        expect(row.actor_user_id).toBeNull();
      } else {
        expect(row.actor_user_id).toBeTruthy();
      }
    }
    // successes and refusals alike
    expect([...statuses].some((s) => s < 300)).toBe(true);
    expect(statuses.has(403)).toBe(true);
    expect(statuses.has(404)).toBe(true);
  });

  it('public and read-only calls leave no api.* row', async () => {
    const requestId = `audit-${randomBytes(8).toString('hex')}`;
    const c = new ApiClient(rt.app);
    c.token = (await new ApiClient(rt.app).login(owner.email, PASSWORD)).body.accessToken;
    await c.call('GET', '/api/v1/personas', undefined, { 'x-request-id': requestId });
    await new ApiClient(rt.app).call('POST', '/api/v1/auth/login', { email: owner.email, password: 'wrong' }, { 'x-request-id': `${requestId}-x` });
    await new Promise((r) => setTimeout(r, 100));
    const rows = await rt.platform.db.withSystem((tx) =>
      sqlRows(tx, sql`select action from audit_log where request_id in (${requestId}, ${`${requestId}-x`}) and action like 'api.%'`),
    );
    expect(rows).toEqual([]);
  });
});
