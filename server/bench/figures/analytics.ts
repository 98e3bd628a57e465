import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { loadEnv } from '../../src/platform/config/env.ts';
import { createPlatform, type Platform } from '../../src/platform/platform.ts';
import { rowsOf } from '../../src/platform/db/database.ts';
import { analyticsServices } from '../../src/analytics/index.ts';
import type { Principal } from '../../src/platform/auth/principal.ts';
import { refreshOrgTotals } from '../../src/analytics/rollups/store.ts';
import { addDays, utcDay } from '../../src/analytics/range.ts';
import { rollupFamilies } from '../../src/platform/db/schema/index.ts';
import type { Figure } from './index.ts';

const int = (name: string, fallback: number) => Math.max(1, Math.floor(Number(process.env[name] ?? fallback)));

/**
 * The agency dashboard over two years of rollups: BENCH_ANALYTICS_PERSONAS personas (50) × BENCH_ANALYTICS_CHANNELS
 * channels (3) × BENCH_ANALYTICS_DAYS days (730) of daily rows — posts and audience per channel; revenue (EUR, and
 * USD for every other persona), costs, conversions and tech per persona — seeded with generate_series. Then
 * BENCH_ANALYTICS_QUERIES (200) calls of the 90-day agency overview (what GET /api/v1/analytics/overview does:
 * KPIs for the range and the one before, the daily series, money converted per day, LTV) and of the per-persona
 * table, each timed end to end in the service. PGlite, and PostgreSQL with BENCH_DATABASE_URL.
 */
export async function benchAnalytics(backend: 'pglite' | 'postgres', serverUrl: string | null): Promise<Figure[]> {
  const personas = int('BENCH_ANALYTICS_PERSONAS', 50);
  const channels = int('BENCH_ANALYTICS_CHANNELS', 3);
  const days = int('BENCH_ANALYTICS_DAYS', 730);
  const queries = int('BENCH_ANALYTICS_QUERIES', 200);
  const scratch = serverUrl ? await scratchDatabase(serverUrl) : null;
  const dataDir = await mkdtemp(join(tmpdir(), 'atelier-bench-analytics-'));
  let platform: Platform | null = null;
  try {
    platform = await createPlatform(
      loadEnv({
        NODE_ENV: 'development',
        LOG_LEVEL: 'silent',
        ATELIER_DATA_DIR: dataDir,
        ATELIER_MASTER_KEY: randomBytes(32).toString('base64'),
        ...(scratch ? { DATABASE_URL: scratch.url } : {}),
      }),
    );
    const origin = { ip: null, userAgent: null, requestId: null };
    const { orgId, userId } = await platform.auth.createOrgWithOwner({ orgName: 'Bench agency', email: 'bench@example.test', password: randomBytes(12).toString('hex') }, origin);
    process.stderr.write(`bench analytics ${backend} · seeding ${personas} personas × ${channels} channels × ${days} days of rollups…\n`);
    const seeded = Date.now();
    const rows = await seed(platform, orgId, userId, { personas, channels, days });
    process.stderr.write(`bench analytics ${backend} · ${rows} rollup rows in ${((Date.now() - seeded) / 1000).toFixed(1)} s; ${queries} dashboard queries…\n`);

    const { dashboard } = analyticsServices(platform);
    const p: Principal = { orgId, role: 'owner', userId, apiKeyId: null, personaScope: null, sessionId: null };
    const overview = () => dashboard.overview(p, { range: '90d' });
    const table = () => dashboard.personas(p, { range: '90d' });
    const check = await overview();
    if (check.series.length !== 90 || check.kpis.revenueNetMinor === null || !check.kpis.impressions) throw new Error('bench analytics: the overview did not read the seeded rollups');
    const time = async (fn: () => Promise<unknown>) => {
      for (let i = 0; i < Math.min(10, queries); i++) await fn();
      const ms: number[] = [];
      for (let i = 0; i < queries; i++) {
        const started = process.hrtime.bigint();
        await fn();
        ms.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      ms.sort((a, b) => a - b);
      const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)]!;
      return { p50: at(0.5), p99: at(0.99) };
    };
    const o = await time(overview);
    const t = await time(table);
    const scope = `${personas} personas × ${channels} channels × ${days} days, ${backend}`;
    return [
      { group: 'analytics', name: `rollup rows seeded (${scope})`, value: rows, unit: 'rows' },
      { group: 'analytics', name: `90-day agency overview p50 (${backend})`, value: o.p50, unit: 'ms' },
      { group: 'analytics', name: `90-day agency overview p99 (${backend})`, value: o.p99, unit: 'ms' },
      { group: 'analytics', name: `90-day per-persona table p99 (${backend})`, value: t.p99, unit: 'ms' },
    ];
  } finally {
    await platform?.close();
    await scratch?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function seed(platform: Platform, orgId: string, userId: string, n: { personas: number; channels: number; days: number }): Promise<number> {
  // UTC days, as the rollups keep them (never the database server's time zone).
  const today = utcDay(new Date());
  return platform.db.withSystem(async (tx) => {
    await tx.execute(sql`
      insert into personas (org_id, name, timezone, languages, stated_age, attested_by, attested_at, attestation_text)
      select ${orgId}, 'Bench persona ' || lpad(g::text, 3, '0'), 'Europe/Paris', '{en}', 25, ${userId}, now(), 'bench' from generate_series(1, ${n.personas}::int) g`);
    await tx.execute(sql`
      insert into channels (org_id, persona_id, platform, handle)
      select ${orgId}, p.id, (array['x', 'instagram', 'bluesky', 'reddit', 'telegram'])[1 + (g - 1) % 5], 'bench-' || g || '-' || p.id
      from personas p cross join generate_series(1, ${n.channels}::int) g where p.org_id = ${orgId}`);
    await tx.execute(sql`
      insert into exchange_rates (org_id, day, currency, rate)
      select ${orgId}, d::date, 'USD', 1.05 + 0.1 * random() from generate_series(${today}::date - ${n.days}::int, ${today}::date, interval '1 month') d`);
    const day = sql`(${today}::date - g)`;
    // Per channel and day: posts (daily deltas) and audience (a slowly growing level).
    await tx.execute(sql`
      insert into analytics_daily (org_id, day, family, persona_id, channel_id, currency, published, failed, impressions, likes, comments, shares, clicks)
      select ${orgId}, ${day}, 'posts', c.persona_id, c.id, '', 3, (g % 17 = 0)::int, 1000 + (random() * 4000)::int, (random() * 300)::int, (random() * 40)::int, (random() * 30)::int, (random() * 20)::int
      from channels c cross join generate_series(0, ${n.days - 1}::int) g where c.org_id = ${orgId}`);
    await tx.execute(sql`
      insert into analytics_daily (org_id, day, family, persona_id, channel_id, currency, followers, follower_change)
      select ${orgId}, ${day}, 'audience', c.persona_id, c.id, '', 20000 - g * 10, 10
      from channels c cross join generate_series(0, ${n.days - 1}::int) g where c.org_id = ${orgId}`);
    // Per persona and day: revenue in EUR (and USD for every other persona), costs, conversions, tech.
    await tx.execute(sql`
      with p as (select id, row_number() over (order by id) as k from personas where org_id = ${orgId})
      insert into analytics_daily (org_id, day, family, persona_id, channel_id, currency, gross_minor, fee_minor, net_minor, transactions)
      select ${orgId}, ${day}, 'revenue', p.id, null, cur, gross, gross / 5, gross - gross / 5, 1 + (random() * 9)::int
      from p cross join generate_series(0, ${n.days - 1}::int) g
      cross join lateral (select c as cur, (500 + random() * 20000)::bigint as gross from unnest(case when p.k % 2 = 0 then array['EUR', 'USD'] else array['EUR'] end) c) m`);
    await tx.execute(sql`
      insert into analytics_daily (org_id, day, family, persona_id, channel_id, currency, cost_minor)
      select ${orgId}, ${day}, 'costs', p.id, null, 'EUR', (100 + random() * 2000)::bigint from personas p cross join generate_series(0, ${n.days - 1}::int) g where p.org_id = ${orgId}`);
    await tx.execute(sql`
      insert into analytics_daily (org_id, day, family, persona_id, channel_id, currency, link_clicks, link_subscribers)
      select ${orgId}, ${day}, 'conversions', p.id, null, '', (random() * 200)::int, (random() * 15)::int from personas p cross join generate_series(0, ${n.days - 1}::int) g where p.org_id = ${orgId}`);
    await tx.execute(sql`
      insert into analytics_daily (org_id, day, family, persona_id, channel_id, currency, gen_jobs, gen_failed, gen_ms, chat_replies, chat_failed, chat_latency_ms)
      select ${orgId}, ${day}, 'tech', p.id, null, '', 6, (g % 11 = 0)::int, 6 * (20000 + random() * 60000)::bigint, 40, 0, 40 * (800 + random() * 3000)::bigint
      from personas p cross join generate_series(0, ${n.days - 1}::int) g where p.org_id = ${orgId}`);
    await tx.execute(sql`analyze analytics_daily`);
    return rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from analytics_daily where org_id = ${orgId}`))[0]!.n;
  }).then(async (rows) => {
    // The organization's daily totals, as the rollup job keeps them.
    const end = addDays(today, 1);
    await platform.db.withOrg(orgId, (tx) => refreshOrgTotals(tx, [...rollupFamilies], addDays(end, -n.days - 1), end));
    await platform.db.withSystem((tx) => tx.execute(sql`analyze analytics_org_daily`));
    return rows;
  });
}

async function scratchDatabase(serverUrl: string) {
  const name = `atelier_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`).finally(() => admin.end());
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`).finally(() => c.end());
    },
  };
}
