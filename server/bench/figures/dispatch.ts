import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { loadEnv } from '../../src/platform/config/env.ts';
import { createPlatform } from '../../src/platform/platform.ts';
import { rowsOf } from '../../src/platform/db/database.ts';
import { capabilities } from '../../src/capabilities.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import { DISPATCH_JOB } from '../../src/publishing/calendar.service.ts';
import type { ChannelPolicy, Connector, PublishRequest } from '../../src/publishing/connectors/types.ts';
import type { Figure } from './index.ts';

/** A platform that answers at once and counts what it received, by idempotency key. */
class CountingPlatform implements Connector {
  readonly platform = 'sandbox' as const;
  readonly received = new Map<string, number>();
  policy(): ChannelPolicy {
    return { accepts: ['sfw', 'suggestive', 'explicit'], disclosureRequired: false, maxMedia: 10, maxTextLength: 5000, flagsAdultMedia: false, needsPublicMediaUrl: false };
  }
  async publish(_account: unknown, request: PublishRequest) {
    this.received.set(request.idempotencyKey, (this.received.get(request.idempotencyKey) ?? 0) + 1);
    return { remoteId: request.idempotencyKey };
  }
}

/**
 * BENCH_DISPATCH_POSTS scheduled posts (default 100,000) over BENCH_DISPATCH_PERSONAS personas (1,000),
 * due over BENCH_DISPATCH_WINDOW_SECONDS (posts / 100), dispatched by in-process workers to a counting fake
 * platform on PostgreSQL (BENCH_DATABASE_URL). Lateness after the due time, throughput, duplicates.
 */
export async function benchDispatch(serverUrl: string): Promise<Figure[]> {
  const posts = Number(process.env.BENCH_DISPATCH_POSTS ?? 100_000);
  const personas = Number(process.env.BENCH_DISPATCH_PERSONAS ?? 1_000);
  // Due times spread so demand (~100 posts/s) stays near one process's capacity: lateness then measures the dispatcher, not a backlog.
  const windowSeconds = Number(process.env.BENCH_DISPATCH_WINDOW_SECONDS ?? Math.ceil(posts / 100));
  const name = `atelier_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'atelier-bench-dispatch-'));
  const env = loadEnv({
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
    ATELIER_DATA_DIR: dataDir,
    ATELIER_MASTER_KEY: randomBytes(32).toString('base64'),
    DATABASE_URL: url.toString(),
    DATABASE_POOL_MAX: '30',
    PUBLISH_CONCURRENCY: process.env.BENCH_DISPATCH_CONCURRENCY ?? '24',
  });
  const platform = await createPlatform(env);
  try {
    for (const c of capabilities) c.jobs?.(platform);
    await platform.jobs.start();
    const fake = new CountingPlatform();
    publishingServices(platform).connectors.set(fake);
    const { orgId, userId } = await platform.auth.createOrgWithOwner({ orgName: 'Bench', email: 'bench@example.test', password: randomBytes(12).toString('hex') }, { ip: null, userAgent: null, requestId: null });
    const start = Date.now() + 15_000 + posts / 20; // seeding time before the first is due
    process.stderr.write(`bench dispatch · seeding ${posts} posts over ${personas} personas…\n`);
    await platform.db.withSystem(async (tx) => {
      await tx.execute(sql`
        insert into personas (org_id, name, timezone, languages, stated_age, attested_by, attested_at, attestation_text)
        select ${orgId}, 'Bench ' || g, 'Europe/Paris', '{en}', 25, ${userId}, now(), 'bench' from generate_series(1, ${personas}) g`);
      await tx.execute(sql`insert into channels (org_id, persona_id, platform, handle) select org_id, id, 'sandbox', 'out-' || id from personas where org_id = ${orgId}`);
      await tx.execute(sql`
        with p as (select id, row_number() over (order by id) - 1 as n from personas where org_id = ${orgId})
        insert into posts (org_id, persona_id, status, caption, scheduled_at)
        select ${orgId}, p.id, 'scheduled', 'bench ' || g, to_timestamp((${start} + (g::float8 / ${posts}) * ${windowSeconds * 1000}) / 1000.0)
        from generate_series(0, ${posts - 1}) g join p on p.n = g % ${personas}`);
      await tx.execute(sql`
        insert into post_targets (org_id, post_id, channel_id, status, scheduled_at, version, text)
        select posts.org_id, posts.id, channels.id, 'scheduled', posts.scheduled_at, 1, posts.caption
        from posts join channels on channels.persona_id = posts.persona_id where posts.org_id = ${orgId}`);
    });
    const targets = await platform.db.withSystem(async (tx) =>
      rowsOf<{ id: string; scheduled_at: string }>(await tx.execute(sql`select id, scheduled_at::text from post_targets where org_id = ${orgId}`)),
    );
    for (let i = 0; i < targets.length; i += 1000) {
      await platform.jobs.boss.insert(
        DISPATCH_JOB,
        targets.slice(i, i + 1000).map((t) => ({ data: { orgId, targetId: t.id, version: 1 }, startAfter: new Date(t.scheduled_at) })),
      );
    }
    process.stderr.write(`bench dispatch · first due in ${Math.round((start - Date.now()) / 1000)} s; workers on…\n`);
    await platform.jobs.work();
    const deadline = Date.now() + Number(process.env.BENCH_DISPATCH_TIMEOUT_SECONDS ?? 1200) * 1000;
    let done = 0;
    while (Date.now() < deadline) {
      done = await platform.db.withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int n from post_targets where status = 'published'`))[0]!.n);
      if (done >= posts) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const stats = await platform.db.withSystem(async (tx) =>
      rowsOf<{ p50: number; p99: number; first: string; last: string }>(
        await tx.execute(sql`
          select percentile_cont(0.5) within group (order by extract(epoch from published_at - scheduled_at)) * 1000 as p50,
                 percentile_cont(0.99) within group (order by extract(epoch from published_at - scheduled_at)) * 1000 as p99,
                 min(scheduled_at)::text as first, max(published_at)::text as last
          from post_targets where status = 'published'`),
      )[0]!,
    );
    const seconds = (Date.parse(stats.last) - Date.parse(stats.first)) / 1000;
    const duplicates = [...fake.received.values()].filter((n) => n > 1).length;
    return [
      { group: 'dispatch', name: `posts published of ${posts} (PostgreSQL, ${personas} personas)`, value: done, unit: 'posts' },
      { group: 'dispatch', name: 'lateness after due time p50', value: Number(stats.p50), unit: 'ms' },
      { group: 'dispatch', name: 'lateness after due time p99', value: Number(stats.p99), unit: 'ms' },
      { group: 'dispatch', name: 'throughput (first due → last published)', value: done / Math.max(seconds, 1e-3), unit: 'posts/s' },
      { group: 'dispatch', name: 'duplicates (must be 0)', value: duplicates, unit: 'posts' },
    ];
  } finally {
    await platform.close();
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
    await rm(dataDir, { recursive: true, force: true });
  }
}
