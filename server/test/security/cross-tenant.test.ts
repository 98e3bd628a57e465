// Tenancy: nothing of organization B is reachable from organization A, through the API or the database.
import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ApiClient, PASSWORD, uniqueEmail } from '../helpers/api.ts';
import { TENANT_TABLES, rejection, bodyFor, idsOf, openApiOperations, paramNames, pathFor, queryFor, sourceKey, seedOrg, sqlRows, type Operation, type SeededOrg } from './support.ts';

/**
 * Which of B's ids goes into `{id}`, by the resource path before it (the longest key that matches:
 * `studio` serves studio/jobs/{id}). A new capability with `{id}` routes must add its resource here (the
 * first test fails until it does), so it is covered by the matrix from day one.
 */
const ID_SOURCES: Record<string, (b: SeededOrg) => string[]> = {
  personas: (b) => [b.personaId, b.otherPersonaId],
  channels: (b) => [b.channelId, b.fanvueChannelId],
  team: (b) => [b.memberUserId, b.ownerUserId],
  'api-keys': (b) => [b.apiKeyId],
  media: (b) => [b.mediaId],
  studio: (b) => [b.jobId],
  providers: (b) => [b.providerId],
  posts: (b) => [b.postId],
  engagements: (b) => [b.engagementId],
  packs: (b) => [b.packId],
  'price-lists': (b) => [b.priceListId],
  promotions: (b) => [b.promotionId],
  'tracking-links': (b) => [b.trackingLinkId],
  segments: (b) => [b.segmentId],
  fans: (b) => [b.fanId],
  ppv: (b) => [b.ppvId],
  transactions: (b) => [b.transactionId],
  statements: (b) => [b.statementId],
  conversations: (b) => [b.conversationId],
  reports: (b) => [b.reportId],
  'analytics/destinations': (b) => [b.destinationId],
  'analytics/deliveries': (b) => [b.deliveryId],
  alerts: (b) => [b.alertId],
};
const sourceOf = (op: Operation) => {
  const key = sourceKey(Object.keys(ID_SOURCES), op.path);
  return key === undefined ? undefined : ID_SOURCES[key];
};

/**
 * Path parameters that name a kind of thing (a platform), not a row: such routes act on the caller's own
 * organization only (e.g. its platform app for X), so there is no B row to aim at.
 */
const NAME_PARAMS = new Set(['platform']);

/**
 * The matrix is about A's credentials, so it covers the operations that take credentials. Public operations
 * (no security in the document) authenticate otherwise or not at all: the Telegram webhook by the channel's
 * secret token (X-Telegram-Bot-Api-Secret-Token), the OAuth callback by its single-use state. They are left
 * out here on purpose, by that property of the document and not by name, so a secured route can never slip out.
 */
const secured = (op: Operation) => op.authenticated;

/** `typed`: the id the caller itself put in the URL, which a problem document may echo back (`instance`). */
const expectNoLeak = (body: unknown, b: SeededOrg, where: string, typed?: string) => {
  const text = JSON.stringify(body ?? null);
  for (const id of idsOf(b)) if (id !== typed) expect(text.includes(id), `${where} exposes B's id ${id}`).toBe(false);
  for (const marker of b.markers) expect(text.includes(marker), `${where} exposes B's data "${marker}"`).toBe(false);
};

describe.each(backends)('cross-tenant isolation on %s', (backend) => {
  let rt: TestRuntime;
  let a: SeededOrg;
  let b: SeededOrg;
  let ops: Operation[];

  // Two organizations with a row of every kind (a statement and a report with their PDFs among them): slow
  // when the machine is busy, so more time than the default hook timeout.
  beforeAll(async () => {
    rt = await testRuntime(backend);
    a = await seedOrg(rt, 'Alpha');
    b = await seedOrg(rt, 'Bravo');
    ops = await openApiOperations(rt.app);
  }, 180_000);
  afterAll(() => rt?.stop());

  // Runs before the matrix below: A's own failed attempts are audited with the ids A typed in.
  it("A's list endpoints never contain B's ids", async () => {
    const lists = [
      '/api/v1/personas',
      '/api/v1/channels',
      '/api/v1/team',
      '/api/v1/api-keys',
      '/api/v1/audit?limit=200',
      '/api/v1/me',
      '/api/v1/media',
      '/api/v1/studio/jobs',
      '/api/v1/providers',
      `/api/v1/posts?personaId=${a.personaId}`,
      '/api/v1/engagements',
      '/api/v1/platform-apps',
      '/api/v1/packs',
      '/api/v1/price-lists',
      '/api/v1/promotions',
      '/api/v1/tracking-links',
      '/api/v1/segments',
      '/api/v1/fans',
      '/api/v1/ppv',
      '/api/v1/transactions',
      '/api/v1/ledger/imports',
      '/api/v1/ledger/revenue',
      '/api/v1/ledger/ltv',
      '/api/v1/cost-lines',
      '/api/v1/statements',
      '/api/v1/conversations',
      '/api/v1/reports',
      '/api/v1/analytics/destinations',
      '/api/v1/alerts',
    ];
    for (const caller of [a.owner, a.keyClient]) {
      for (const url of lists) {
        const res = await caller.get(url);
        expect(res.status, `${url} ${JSON.stringify(res.body)}`).toBe(200);
        expectNoLeak(res.body, b, url);
      }
      // and every other read without a path parameter (new ones included), its required query filled in
      // with A's own ids: what comes back unasked must be A's alone
      for (const op of ops.filter((o) => o.method === 'GET' && o.authenticated && !o.streaming && !o.pathParams.length)) {
        if (lists.some((url) => url.split('?')[0] === op.path)) continue;
        const url = queryFor(op, { personaId: a.personaId, channelId: a.channelId });
        const res = await caller.get(url);
        expect(res.status, `${url} ${JSON.stringify(res.body)}`).toBe(200);
        expectNoLeak(res.body, b, url);
      }
    }
    // and the lists are not empty: A sees its own things
    const personas = await a.owner.get('/api/v1/personas');
    expect(personas.body.items.map((p: { id: string }) => p.id).sort()).toEqual([a.personaId, a.otherPersonaId].sort());
    const team = await a.owner.get('/api/v1/team');
    expect(team.body.items.map((m: { userId: string }) => m.userId).sort()).toEqual([a.ownerUserId, a.memberUserId].sort());
    for (const [url, id] of [
      ['/api/v1/packs', a.packId],
      ['/api/v1/promotions', a.promotionId],
      ['/api/v1/segments', a.segmentId],
      ['/api/v1/fans', a.fanId],
      ['/api/v1/ppv', a.ppvId],
      ['/api/v1/transactions', a.transactionId],
      ['/api/v1/engagements', a.engagementId],
      ['/api/v1/conversations', a.conversationId],
      ['/api/v1/reports', a.reportId],
      ['/api/v1/analytics/destinations', a.destinationId],
      ['/api/v1/alerts', a.alertId],
    ] as const) {
      const res = await a.owner.get(url);
      expect(JSON.stringify(res.body), `${url} lists A's own row`).toContain(id);
    }
  });

  it('every {id} route is known to the matrix', () => {
    const unknown = ops
      .filter(secured)
      .filter((op) => paramNames(op).some((p) => !NAME_PARAMS.has(p)))
      .filter((op) => !sourceOf(op) || paramNames(op).some((p) => p !== 'id' && !NAME_PARAMS.has(p)))
      .map((op) => op.key);
    expect(unknown, 'extend ID_SOURCES in cross-tenant.test.ts for these routes').toEqual([]);
    expect(ops.filter((op) => secured(op) && paramNames(op).includes('id')).length).toBeGreaterThanOrEqual(60);
    // what is left out is public by the document, and is not left out of the suites that need no credentials
    const publicWithIds = ops.filter((op) => !secured(op) && paramNames(op).some((p) => !NAME_PARAMS.has(p))).map((op) => op.key);
    expect(publicWithIds).toEqual(['POST /api/v1/chat/telegram/{channelId}/webhook']);
  });

  it("A's owner and A's API key get 403/404 on every {id} route with B's ids", async () => {
    const secretsOfB = () => rt.platform.db.withOrg(b.orgId, (tx) => sqlRows(tx, sql`select owner_type, owner_id, name, sealed from secrets order by owner_id, name`));
    const secretsBefore = await secretsOfB();
    expect(secretsBefore.length).toBeGreaterThanOrEqual(4); // channels' and the destination's credentials
    const tried: string[] = [];
    for (const op of ops.filter((o) => secured(o) && paramNames(o).includes('id'))) {
      const source = sourceOf(op);
      if (!source) continue; // reported by the test above
      for (const [label, caller] of [['owner', a.owner], ['api key', a.keyClient]] as const) {
        for (const id of source(b)) {
          const url = pathFor(op, { id });
          const res = await caller.call(op.method, url, bodyFor(op, { personaId: a.personaId, orgId: a.orgId, channelId: a.channelId }));
          const where = `${label}: ${op.method} ${url}`;
          expect([403, 404], `${where} answered ${res.status} ${JSON.stringify(res.body)}`).toContain(res.status);
          expectNoLeak(res.body, b, where, id);
          tried.push(where);
        }
      }
    }
    expect(tried.length).toBeGreaterThanOrEqual(140);

    // B is untouched: same personas, channel and credentials, members and roles, working API key.
    const personas = await b.owner.get('/api/v1/personas');
    expect(personas.body.items.map((p: { name: string }) => p.name).sort()).toEqual(['Bravo one', 'Bravo two']);
    const channel = await b.owner.get(`/api/v1/channels/${b.channelId}`);
    expect(channel.status).toBe(200);
    expect(channel.body.credentialNames.sort()).toEqual(['access_token', 'refresh_token']);
    const team = await b.owner.get('/api/v1/team');
    expect(team.body.items.map((m: { userId: string; role: string }) => [m.userId, m.role]).sort()).toEqual(
      [
        [b.ownerUserId, 'owner'],
        [b.memberUserId, 'chatter'],
      ].sort(),
    );
    expect((await b.keyClient.get('/api/v1/personas')).status).toBe(200);
    expect(await secretsOfB()).toEqual(secretsBefore);
    // and each of B's other rows is still there, as B left it
    for (const [url, marker] of [
      [`/api/v1/packs/${b.packId}`, 'Bravo pack'],
      [`/api/v1/promotions/${b.promotionId}`, 'Bravo promo'],
      [`/api/v1/segments/${b.segmentId}`, 'Bravo segment'],
      [`/api/v1/fans/${b.fanId}`, 'bravo_fan'],
      [`/api/v1/ppv/${b.ppvId}`, 'Bravo hello'],
      [`/api/v1/engagements/${b.engagementId}`, 'Bravo comment'],
      [`/api/v1/conversations/${b.conversationId}`, b.conversationId],
      ['/api/v1/price-lists', 'Bravo prices'],
      ['/api/v1/tracking-links', 'Bravo link'],
      ['/api/v1/transactions', 'Bravo tip'],
      ['/api/v1/statements', b.statementId],
      [`/api/v1/reports/${b.reportId}`, b.reportId],
      [`/api/v1/analytics/destinations/${b.destinationId}`, 'Bravo hook'],
      [`/api/v1/analytics/deliveries/${b.deliveryId}`, b.deliveryId],
      [`/api/v1/alerts/${b.alertId}`, 'Bravo alert'],
    ] as const) {
      const res = await b.owner.get(url);
      expect(res.status, url).toBe(200);
      expect(JSON.stringify(res.body), url).toContain(marker);
    }
    const [ppv] = await rt.platform.db.withOrg(b.orgId, (tx) => sqlRows<{ status: string }>(tx, sql`select status from ppv_campaigns`));
    expect(ppv?.status).toBe('draft');
    const [conversation] = await rt.platform.db.withOrg(b.orgId, (tx) => sqlRows<{ status: string }>(tx, sql`select status from chat_conversations`));
    expect(conversation?.status).toBe('bot');
    const [engagement] = await rt.platform.db.withOrg(b.orgId, (tx) => sqlRows<{ status: string; draft: string | null }>(tx, sql`select status, draft from engagements`));
    expect(engagement).toEqual({ status: 'new', draft: null });
    const [fan] = await rt.platform.db.withOrg(b.orgId, (tx) => sqlRows<{ erased_at: unknown; tags: string[] }>(tx, sql`select erased_at, tags from fans`));
    expect(fan).toEqual({ erased_at: null, tags: [] });
    const [alert] = await rt.platform.db.withOrg(b.orgId, (tx) => sqlRows<{ acknowledged_at: unknown }>(tx, sql`select acknowledged_at from analytics_alerts`));
    expect(alert).toEqual({ acknowledged_at: null });
  });

  it("a channel created by A on B's persona is refused with 404", async () => {
    for (const caller of [a.owner, a.keyClient]) {
      const res = await caller.post('/api/v1/channels', { personaId: b.personaId, platform: 'sandbox', handle: '@stolen', credentials: { access_token: 't' } });
      expect(res.status).toBe(404);
    }
    const rows = await rt.platform.db.withSystem((tx) => sqlRows(tx, sql`select id from channels where handle = '@stolen'`));
    expect(rows).toEqual([]);
  });

  it("A cannot enter B's organization by switching or signing in with B's org id", async () => {
    const switched = await a.owner.post('/api/v1/auth/switch-org', { orgId: b.orgId });
    expect(switched.status).toBe(404);
    const c = new ApiClient(rt.app);
    const login = await c.call('POST', '/api/v1/auth/login', { email: a.ownerEmail, password: PASSWORD, orgId: b.orgId });
    expect(login.status).toBe(403);
    expect(c.token).toBeNull();
    expect((await a.owner.get('/api/v1/me')).body.org.id).toBe(a.orgId);
  });

  it("A cannot assign B's personas to its members", async () => {
    const patched = await a.owner.patch(`/api/v1/team/${a.memberUserId}`, { personaIds: [b.personaId] });
    expect(patched.status, JSON.stringify(patched.body)).toBe(404);
    const mixed = await a.owner.patch(`/api/v1/team/${a.memberUserId}`, { personaIds: [a.personaId, b.otherPersonaId] });
    expect(mixed.status).toBe(404);
    const added = await a.owner.post('/api/v1/team', {
      email: uniqueEmail('sneaky'),
      password: PASSWORD,
      role: 'chatter',
      restrictedToAssigned: true,
      personaIds: [b.personaId],
    });
    expect(added.status).toBe(404);

    // nothing links an organization's member to another organization's persona
    const crossed = await rt.platform.db.withSystem((tx) =>
      sqlRows(tx, sql`select a.* from persona_assignments a join personas p on p.id = a.persona_id where p.org_id <> a.org_id`),
    );
    expect(crossed).toEqual([]);
    // the member keeps its assignment, and its session still sees only A's persona
    const member = new ApiClient(rt.app);
    expect((await member.login(a.memberEmail, PASSWORD)).status).toBe(200);
    const seen = await member.get('/api/v1/personas');
    expect(seen.body.items.map((p: { id: string }) => p.id)).toEqual([a.personaId]);
    expect((await member.get(`/api/v1/personas/${b.personaId}`)).status).toBe(404);
  });

  describe('at the SQL level, under withOrg(A)', () => {
    it('every table the app role can read has forced row-level security', async () => {
      const rows = await rt.platform.db.withSystem((tx) =>
        sqlRows<{ name: string; rls: boolean; forced: boolean; readable: boolean }>(
          tx,
          // every schema the app role can enter (public, and pg-boss's if it were granted), not only public
          sql`select case when n.nspname = 'public' then c.relname else n.nspname || '.' || c.relname end as name,
                c.relrowsecurity as rls, c.relforcerowsecurity as forced,
                has_schema_privilege('atelier_app', n.oid, 'USAGE') and has_any_column_privilege('atelier_app', c.oid, 'SELECT') as readable
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
              where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'`,
        ),
      );
      const readable = rows.filter((r) => r.readable);
      expect(readable.map((r) => r.name).sort()).toEqual(expect.arrayContaining([...Object.keys(TENANT_TABLES), 'users'].sort()));
      for (const r of readable) expect({ table: r.name, rls: r.rls, forced: r.forced }).toEqual({ table: r.name, rls: true, forced: true });
    });

    it('a query without WHERE sees only A, on every tenant table', async () => {
      // the listed tables plus any later table with an org_id column
      const discovered = await rt.platform.db.withSystem((tx) =>
        sqlRows<{ table_name: string }>(
          tx,
          sql`select c.relname as table_name from pg_class c join pg_attribute a on a.attrelid = c.oid
              where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and a.attname = 'org_id' and not a.attisdropped
                and has_any_column_privilege('atelier_app', c.oid, 'SELECT')`,
        ),
      );
      const tables: Record<string, string> = { ...TENANT_TABLES };
      for (const { table_name } of discovered) tables[table_name] ??= 'org_id';
      for (const [table, column] of Object.entries(tables)) {
        const mine = await rt.platform.db.withOrg(a.orgId, (tx) => sqlRows(tx, sql`select * from ${sql.identifier(table)}`));
        const all = await rt.platform.db.withSystem((tx) => sqlRows(tx, sql`select * from ${sql.identifier(table)}`));
        if (table in TENANT_TABLES) expect(mine.length, `${table}: A has rows`).toBeGreaterThan(0);
        if (table in TENANT_TABLES) expect(all.some((r) => r[column] === b.orgId), `${table}: B has rows (so the check means something)`).toBe(true);
        expect(
          mine.filter((r) => r[column] !== a.orgId),
          `${table} leaks rows of another scope`,
        ).toEqual([]);
      }
    });

    it("B's rows can be neither updated nor deleted from A's scope", async () => {
      for (const [table, column] of Object.entries(TENANT_TABLES)) {
        if (table === 'audit_log') continue; // no UPDATE/DELETE for anyone (audit.test.ts)
        const col = sql.identifier(column);
        await expect(
          rt.platform.db.withOrg(a.orgId, async (tx) => {
            const updated = await sqlRows(tx, sql`update ${sql.identifier(table)} set ${col} = ${col} where ${col} = ${b.orgId} returning 1`);
            const deleted = await sqlRows(tx, sql`delete from ${sql.identifier(table)} where ${col} = ${b.orgId} returning 1`);
            return { table, updated: updated.length, deleted: deleted.length };
          }),
        ).resolves.toEqual({ table, updated: 0, deleted: 0 });
      }
      // and A cannot hand its own rows over to B
      expect(
        await rejection(rt.platform.db.withOrg(a.orgId, (tx) => tx.execute(sql`update personas set org_id = ${b.orgId} where id = ${a.personaId}`))),
      ).toMatch(/row-level security/);
    });

    it("an INSERT carrying B's org_id is rejected, on every tenant table", async () => {
      const B = b.orgId;
      const inserts: Record<string, SQL> = {
        organizations: sql`insert into organizations (id, name) values (${randomUUID()}, 'rogue')`,
        memberships: sql`insert into memberships (org_id, user_id, role) values (${B}, ${a.memberUserId}, 'owner')`,
        persona_assignments: sql`insert into persona_assignments (org_id, user_id, persona_id) values (${B}, ${a.memberUserId}, ${b.otherPersonaId})`,
        api_keys: sql`insert into api_keys (org_id, name, prefix, key_hash, role) values (${B}, 'rogue', ${`atk_${randomUUID().slice(0, 8)}`}, 'h', 'owner')`,
        personas: sql`insert into personas (org_id, name, timezone, languages, stated_age, attested_by, attested_at, attestation_text)
          values (${B}, 'rogue', 'UTC', '{en}', 30, ${a.ownerUserId}, now(), 't')`,
        channels: sql`insert into channels (org_id, persona_id, platform, handle) values (${B}, ${b.personaId}, 'sandbox', '@rogue')`,
        secrets: sql`insert into secrets (org_id, owner_type, owner_id, name, key_id, sealed) values (${B}, 'channel', ${b.channelId}, 'rogue', 'k', 's')`,
        media_assets: sql`insert into media_assets (org_id, persona_id, storage_key, sha256, mime_type, bytes) values (${B}, ${b.personaId}, 'k', 's', 'image/png', 1)`,
        posts: sql`insert into posts (org_id, persona_id) values (${B}, ${b.personaId})`,
        audit_log: sql`insert into audit_log (org_id, action) values (${B}, 'forged')`,
        engagements: sql`insert into engagements (org_id, persona_id, channel_id, kind, remote_id, text, received_at)
          values (${B}, ${b.personaId}, ${b.channelId}, 'comment', 'rogue', 'rogue', now())`,
        packs: sql`insert into packs (org_id, persona_id, title) values (${B}, ${b.personaId}, 'rogue')`,
        price_lists: sql`insert into price_lists (org_id, persona_id, name) values (${B}, ${b.personaId}, 'rogue')`,
        promotions: sql`insert into promotions (org_id, persona_id, name, kind, value, starts_at, ends_at)
          values (${B}, ${b.personaId}, 'rogue', 'percent', 100, now(), now() + interval '1 day')`,
        tracking_links: sql`insert into tracking_links (org_id, persona_id, name, url) values (${B}, ${b.personaId}, 'rogue', 'https://example.test/rogue')`,
        segments: sql`insert into segments (org_id, name, filter) values (${B}, 'rogue', '{"kind":"new_this_week"}'::jsonb)`,
        fans: sql`insert into fans (org_id, persona_id, platform, platform_fan_id) values (${B}, ${b.personaId}, 'sandbox', 'rogue')`,
        ppv_campaigns: sql`insert into ppv_campaigns (org_id, persona_id, channel_id, message, price_minor, currency)
          values (${B}, ${b.personaId}, ${b.fanvueChannelId}, 'rogue', 0, 'EUR')`,
        transactions: sql`insert into transactions (org_id, persona_id, platform, kind, gross_minor, net_minor, currency, occurred_at, source, source_id)
          values (${B}, ${b.personaId}, 'sandbox', 'tip', 1, 1, 'EUR', now(), 'manual', 'rogue')`,
        statements: sql`insert into statements (org_id, month, currency, totals) values (${B}, date '2025-01-01', 'EUR', '{}'::jsonb)`,
        chat_conversations: sql`insert into chat_conversations (org_id, persona_id, channel_id, fan_id, remote_chat_id)
          values (${B}, ${b.personaId}, ${b.channelId}, ${b.fanId}, 'rogue')`,
      };
      expect(Object.keys(inserts).sort()).toEqual(Object.keys(TENANT_TABLES).sort());
      for (const [table, statement] of Object.entries(inserts)) {
        expect(await rejection(rt.platform.db.withOrg(a.orgId, (tx) => tx.execute(statement))), table).toMatch(/row-level security/);
      }
      // The same statement shape works for A's own org_id, so the rejection is about the org, not the SQL.
      await expect(
        rt.platform.db.withOrg(a.orgId, async (tx) => {
          await tx.execute(sql`insert into posts (org_id, persona_id) values (${a.orgId}, ${a.personaId})`);
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
    });

    it("users shows only A's members, and never password data", async () => {
      const rows = await rt.platform.db.withOrg(a.orgId, (tx) => sqlRows<{ id: string }>(tx, sql`select id, email from users`));
      expect(rows.map((r) => r.id).sort()).toEqual([a.ownerUserId, a.memberUserId].sort());
      for (const column of ['password_hash', 'totp_secret', 'failed_logins', 'locked_until']) {
        expect(await rejection(rt.platform.db.withOrg(a.orgId, (tx) => tx.execute(sql`select ${sql.identifier(column)} from users`))), column).toMatch(
          /permission denied/,
        );
      }
      expect(await rejection(rt.platform.db.withOrg(a.orgId, (tx) => tx.execute(sql`select * from users`)))).toMatch(/permission denied/);
      expect(await rejection(rt.platform.db.withOrg(a.orgId, (tx) => tx.execute(sql`select * from refresh_tokens`)))).toMatch(/permission denied/);
      expect(
        await rejection(rt.platform.db.withOrg(a.orgId, (tx) => tx.execute(sql`update users set display_name = 'x' where id = ${a.ownerUserId}`))),
      ).toMatch(/permission denied/);
    });

    it('no organization set: the app role sees nothing', async () => {
      // withOrg with an org that does not exist stands in for a missing app.org_id
      const ghost = randomUUID();
      for (const table of Object.keys(TENANT_TABLES)) {
        expect(await rt.platform.db.withOrg(ghost, (tx) => sqlRows(tx, sql`select * from ${sql.identifier(table)}`)), table).toEqual([]);
      }
    });
  });
});
