import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { eq, sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { rowsOf } from '../../src/platform/db/database.ts';
import { fans } from '../../src/platform/db/schema/index.ts';
import { upsertFan } from '../../src/sales/crm/fans.repository.ts';
import { ApiClient, PASSWORD, uniqueEmail } from '../helpers/api.ts';
import type { TestRuntime } from '../helpers/runtime.ts';

const DAY = 86_400_000;
export const daysAgo = (d: number) => new Date(Date.now() - d * DAY);

export interface FanSeed {
  platform?: string;
  platformFanId?: string;
  handle?: string | null;
  firstSeenDaysAgo?: number;
  lastSeenDaysAgo?: number;
  subscription?: 'none' | 'trial' | 'active' | 'expired' | 'cancelled';
  subscriptionEndsDaysAgo?: number;
  spend?: number;
  tags?: string[];
  flags?: string[];
  language?: string | null;
  notes?: string;
  erased?: boolean;
}

/** A fan row as the ledger, chat and engagement paths would leave it (created by upsertFan, then shaped). */
export async function seedFan(rt: TestRuntime, orgId: string, personaId: string, s: FanSeed = {}) {
  return rt.platform.db.withOrg(orgId, async (tx) => {
    const fan = await upsertFan(tx, orgId, {
      personaId,
      platform: s.platform ?? 'fanvue',
      platformFanId: s.platformFanId ?? randomUUID(),
      handle: s.handle === undefined ? `fan_${randomUUID().slice(0, 8)}` : s.handle,
      language: s.language ?? null,
      seenAt: daysAgo(s.firstSeenDaysAgo ?? 0),
    });
    const [row] = await tx
      .update(fans)
      .set({
        lastSeenAt: daysAgo(s.lastSeenDaysAgo ?? s.firstSeenDaysAgo ?? 0),
        subscription: s.subscription ?? 'none',
        subscriptionEndsAt: s.subscriptionEndsDaysAgo === undefined ? null : daysAgo(s.subscriptionEndsDaysAgo),
        totalSpendMinor: s.spend ?? 0,
        tags: s.tags ?? [],
        flags: s.flags ?? [],
        notes: s.notes ?? '',
        erasedAt: s.erased ? new Date() : null,
      })
      .where(eq(fans.id, fan.id))
      .returning();
    return row!;
  });
}

/** A member of the owner's organization with `role`, signed in. */
export async function memberClient(rt: TestRuntime, owner: ApiClient, role: string) {
  const email = uniqueEmail(role);
  const res = await owner.post('/api/v1/team', { email, password: PASSWORD, role });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const client = new ApiClient(rt.app);
  expect((await client.login(email, PASSWORD)).status).toBe(200);
  return client;
}

/** Uploads a small SFW picture as an approved asset of the persona. */
export async function uploadPicture(rt: TestRuntime, owner: ApiClient, personaId: string) {
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 30, g: 120, b: 200 } } }).png().toBuffer();
  const form = new FormData();
  form.set('personaId', personaId);
  form.set('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'sky.png');
  const req = new Request('http://x/', { method: 'POST', body: form });
  const up = await rt.app.inject({ method: 'POST', url: '/api/v1/media/upload', headers: { authorization: `Bearer ${owner.token}`, 'content-type': req.headers.get('content-type')! }, payload: Buffer.from(await req.arrayBuffer()) });
  expect(up.statusCode, up.body).toBe(201);
  const asset = up.json();
  expect(asset.status).toBe('approved');
  return asset.id as string;
}

/** Every text, array and JSON column of every table (pg-boss's included) that contains `needle`. */
export async function findAnywhere(rt: TestRuntime, needle: string): Promise<string[]> {
  return rt.platform.db.withSystem(async (tx) => {
    const columns = rowsOf<{ s: string; t: string; c: string }>(
      await tx.execute(sql`
        select c.table_schema as s, c.table_name as t, c.column_name as c
        from information_schema.columns c join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema not in ('pg_catalog', 'information_schema') and t.table_type = 'BASE TABLE'
          and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')`),
    );
    const hits: string[] = [];
    for (const { s, t, c } of columns) {
      const q = `select count(*)::int as n from "${s}"."${t}" where "${c}"::text ilike $1`;
      const rows = rowsOf<{ n: number }>(await tx.execute(sql.raw(q.replace('$1', `'%${needle.replaceAll("'", "''")}%'`))));
      if (rows[0]!.n > 0) hits.push(`${s}.${t}.${c}`);
    }
    return hits;
  });
}
