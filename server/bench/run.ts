/**
 * `npm run bench`: starts the product in-process (PGlite in a temp data dir; PostgreSQL too when
 * BENCH_DATABASE_URL is set), signs in an owner, runs every section of server/bench/sections with
 * autocannon, prints a table and, as the last line of stdout, one JSON object.
 *
 * BENCH_SECONDS (5)       measured seconds per target
 * BENCH_WARMUP_SECONDS (1) unmeasured seconds before each target
 * BENCH_CONNECTIONS (10)  concurrent connections
 * BENCH_WORKERS (1)       load-generator threads (0: on the server's own event loop)
 * BENCH_SECTIONS          comma-separated section names to run (default: all)
 * BENCH_DATABASE_URL      PostgreSQL server to also bench on (a scratch database is created and dropped)
 * BENCH_IMAGES (8)        images per media/rating figure (server/bench/figures)
 * BENCH_DISPATCH_POSTS (100000), BENCH_DISPATCH_PERSONAS (1000), BENCH_DISPATCH_WINDOW_SECONDS (posts/100)
 *                         the publishing dispatch figure, on BENCH_DATABASE_URL only (about 20 min at full size)
 * BENCH_CHAT_CONVERSATIONS (500), BENCH_CHAT_STORED (100000), BENCH_CHAT_MESSAGES_PER (4), BENCH_CHAT_TOKENS_PER_SECOND (50),
 * BENCH_CHAT_REPLY_TOKENS (40), BENCH_CHAT_THINK_MS (5000), BENCH_CHAT_PERSONAS (10), BENCH_CHAT_POOL_MAX (20),
 * BENCH_CHAT_REPLY_TIMEOUT_SECONDS (180)
 *                         the chat figure (server/bench/figures/chat.ts): concurrent fans chatting through the engine
 *                         against a fake streaming model; PGlite, and PostgreSQL too with BENCH_DATABASE_URL
 * BENCH_ANALYTICS_PERSONAS (50), BENCH_ANALYTICS_CHANNELS (3), BENCH_ANALYTICS_DAYS (730), BENCH_ANALYTICS_QUERIES (200)
 *                         the analytics figure (server/bench/figures/analytics.ts): the 90-day agency dashboard over
 *                         seeded rollups, p50/p99; PGlite, and PostgreSQL too with BENCH_DATABASE_URL
 * BENCH_SECTIONS also picks figures by name (media, rating, dispatch, chat, analytics): BENCH_SECTIONS=chat runs the chat figure only
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadEnv } from '../src/platform/config/env.ts';
import { startRuntime, type Runtime } from '../src/entry/runtime.ts';
import { measure, ratiosOf, table, type BenchContext, type BenchSettings, type RatioResult, type TargetResult } from './harness.ts';
import { sections as allSections } from './sections/index.ts';
import { figureSources, figuresTable, type Figure } from './figures/index.ts';

const settings: BenchSettings = {
  seconds: positive('BENCH_SECONDS', 5),
  warmupSeconds: positive('BENCH_WARMUP_SECONDS', 1, true),
  connections: positive('BENCH_CONNECTIONS', 10),
  workers: positive('BENCH_WORKERS', 1, true),
};
const wanted = process.env.BENCH_SECTIONS?.split(',').map((s) => s.trim()).filter(Boolean);
const sections = wanted?.length ? allSections.filter((s) => wanted.includes(s.name)) : allSections;

function positive(name: string, fallback: number, zeroOk = false): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (!zeroOk && n === 0)) throw new Error(`${name} must be a ${zeroOk ? 'non-negative' : 'positive'} number, got ${raw}`);
  return n;
}

/** A database of its own on the given server, dropped afterwards. */
async function scratchDatabase(serverUrl: string) {
  const name = `atelier_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

async function benchBackend(backend: BenchContext['backend'], databaseUrl: string | null) {
  const dataDir = await mkdtemp(join(tmpdir(), 'atelier-bench-'));
  const scratch = databaseUrl ? await scratchDatabase(databaseUrl) : null;
  let runtime: Runtime | null = null;
  try {
    const env = loadEnv({
      NODE_ENV: 'development',
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      PORT: '0',
      ATELIER_DATA_DIR: dataDir,
      ATELIER_MASTER_KEY: randomBytes(32).toString('base64'),
      ATELIER_RUN_WORKERS: 'false',
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    });
    runtime = await startRuntime(env, { http: true, workers: false, webDist: null, listen: true });
    const { port } = runtime.app!.server.address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;

    const email = `bench-${randomUUID().slice(0, 8)}@example.test`;
    const password = randomBytes(18).toString('base64url');
    const created = await runtime.platform.auth.createOrgWithOwner({ orgName: 'Bench', email, password }, { ip: null, userAgent: null, requestId: null });
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    if (!login.ok) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
    const token = ((await login.json()) as { accessToken: string }).accessToken;

    const ctx: BenchContext = {
      backend,
      baseUrl,
      platform: runtime.platform,
      settings,
      owner: { orgId: created.orgId, userId: created.userId, email, token },
      async api(method, path, body) {
        const res = await fetch(baseUrl + path, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
        return text ? JSON.parse(text) : undefined;
      },
    };

    const results: TargetResult[] = [];
    const ratios: RatioResult[] = [];
    for (const section of sections) {
      await section.prepare?.(ctx);
      const own: TargetResult[] = [];
      for (const target of section.targets(ctx)) {
        process.stderr.write(`bench ${backend} · ${section.name} · ${target.name} (${settings.seconds}s)…\n`);
        own.push(await measure(ctx, section, target));
      }
      results.push(...own);
      ratios.push(...ratiosOf(section, backend, own));
    }
    return { results, ratios };
  } finally {
    await runtime?.stop();
    await scratch?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const backends: [BenchContext['backend'], string | null][] = [['pglite', null]];
  if (process.env.BENCH_DATABASE_URL) backends.push(['postgres', process.env.BENCH_DATABASE_URL]);

  const results: TargetResult[] = [];
  const ratios: RatioResult[] = [];
  // Only figures asked for (BENCH_SECTIONS names no section): no HTTP server to start.
  for (const [backend, url] of sections.length ? backends : []) {
    const out = await benchBackend(backend, url);
    results.push(...out.results);
    ratios.push(...out.ratios);
  }

  const figures: Figure[] = [];
  for (const source of figureSources) {
    if (wanted?.length && !wanted.includes(source.name)) continue;
    process.stderr.write(`bench figures · ${source.name}…\n`);
    figures.push(...(await source.run()));
  }

  console.log(`\nAtelier bench: ${settings.seconds}s per target, ${settings.connections} connections, ${settings.workers} load thread(s), Node ${process.version}\n`);
  console.log(table(results, ratios));
  if (figures.length) console.log(`\n${figuresTable(figures)}`);
  const suspicious = results.filter((r) => r.non2xx > 0 || r.errors > 0);
  if (suspicious.length) console.log(`\nwarning: non-2xx answers or errors for ${suspicious.map((r) => `${r.backend} ${r.target}`).join(', ')}: numbers are not comparable`);
  console.log();
  console.log(JSON.stringify({ bench: 'atelier', at: new Date().toISOString(), node: process.version, ...settings, results, ratios, figures }));
  return suspicious.length ? 1 : 0;
}

main().then(
  // Exit explicitly: a library keeping a timer or socket alive must not keep the bench running.
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
