import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fork } from 'node:child_process';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { loadEnv } from '../../src/platform/config/env.ts';
import { startRuntime, type Runtime } from '../../src/entry/runtime.ts';
import { rowsOf, type Database } from '../../src/platform/db/database.ts';
import { generationServices } from '../../src/generation/index.ts';
import { chatServices, type ChatChannelAdapter } from '../../src/chat/index.ts';
import type { ChannelAccount, ChatAddress } from '../../src/chat/channels/types.ts';
import { CHILD_FLAG, NONCE, type ChatModelSettings } from './chat-model.ts';
import type { Figure } from './index.ts';

/**
 * BENCH_CHAT_CONVERSATIONS (500) fans chat at once with personas through the real engine (receive → ordered drain →
 * context → streamed model reply → guard → send), on top of BENCH_CHAT_STORED (100,000) stored messages, against the
 * fake Ollama streaming BENCH_CHAT_REPLY_TOKENS (40) tokens at BENCH_CHAT_TOKENS_PER_SECOND (50). Each fan sends
 * BENCH_CHAT_MESSAGES_PER (4) messages, one after the other: it waits for the reply, then "types" for about
 * BENCH_CHAT_THINK_MS (5000 ms, ±50 %) before the next one (the first messages are spread over that time too).
 *
 * Per message: total = fan message handed to the engine → its reply reaches the channel; the model's own time is
 * what the fake took to stream that reply (tokens / rate, first token included, plus its timers' lateness: it runs
 * in a child process, chat-model.ts); Atelier's overhead = total − model time. Wall-clock figures suffer from
 * anything else on the machine; CPU, transactions and statements per message do not, and say where time goes.
 * Every fan message carries a nonce of its conversation and the fake echoes it: a reply reaching a conversation with
 * another conversation's nonce is cross-talk, and the figure fails if there is any (or a reply is out of order or
 * missing). Pacing (a deliberate typing pause) is off; memory and summary keep their defaults (they fall due only
 * after more messages than a run sends). Runs on PGlite, and on PostgreSQL when a server URL is given.
 */
export async function benchChat(backend: 'pglite' | 'postgres', serverUrl: string | null): Promise<Figure[]> {
  const s = settings();
  const scratch = serverUrl ? await scratchDatabase(serverUrl) : null;
  const dataDir = await mkdtemp(join(tmpdir(), 'atelier-bench-chat-'));
  const model = await startModel({ tokensPerSecond: s.tokensPerSecond, replyTokens: s.replyTokens });
  let runtime: Runtime | null = null;
  try {
    const env = loadEnv({
      NODE_ENV: 'development',
      LOG_LEVEL: 'silent',
      ATELIER_DATA_DIR: dataDir,
      ATELIER_MASTER_KEY: randomBytes(32).toString('base64'),
      ...(scratch ? { DATABASE_URL: scratch.url, DATABASE_POOL_MAX: String(s.poolMax) } : {}),
    });
    // As `npm start` runs it: one process with the workers (chat.process jobs join the in-process drain).
    runtime = await startRuntime(env, { http: false, workers: true });
    const platform = runtime.platform;
    const chat = chatServices(platform);
    const channel = new CountingChannel();
    chat.adapters.set(channel);

    const origin = { ip: null, userAgent: null, requestId: null };
    const { orgId, userId } = await platform.auth.createOrgWithOwner({ orgName: 'Bench', email: 'bench@example.test', password: randomBytes(12).toString('hex') }, origin);
    const provider = await generationServices(platform).providers.create(
      { orgId, role: 'owner', userId, apiKeyId: null, personaScope: null, sessionId: null },
      { type: 'ollama', name: 'Bench model', config: { baseUrl: model.url, model: 'llama3.2' } },
      origin,
    );
    const seeded = Math.max(s.conversations, Math.ceil(s.stored / 50));
    process.stderr.write(`bench chat ${backend} · seeding ${s.stored} messages over ${seeded} conversations…\n`);
    const seedStarted = Date.now();
    const channelIds = await seed(runtime, orgId, userId, provider.id, { personas: s.personas, conversations: seeded, stored: s.stored });
    const stored = await platform.db.withOrg(orgId, async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int n from chat_messages`))[0]!.n);
    process.stderr.write(`bench chat ${backend} · ${stored} messages stored in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s; ${s.conversations} fans × ${s.messagesPer} messages…\n`);

    // What the process does while no fan writes (job queue polling): measured first, subtracted from the run's totals.
    const meter = new Meter(platform.db);
    const idleFrom = meter.read();
    await sleep(3000);
    const idle = meter.since(idleFrom);

    const run = `r${randomBytes(3).toString('hex')}`;
    const nonces = Array.from({ length: s.conversations }, () => `n${randomInt(1e9, 1e10)}`);
    const modelMs = (s.replyTokens * 1000) / s.tokensPerSecond;
    /** Fan message in → reply sent, by `nonce-k`. */
    const totals = new Map<string, number>();
    const receives: number[] = [];
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const jitter = () => s.thinkMs * (0.5 + Math.random());
    const started = Date.now();
    const runFrom = meter.read();
    // On PostgreSQL: how many queries wait for a pooled connection (sampled), to tell pool starvation from the rest.
    const poolWaiting: number[] = [];
    const poolTimer = setInterval(() => platform.db.pool && poolWaiting.push(platform.db.pool.waitingCount), 50);
    let lastReply = started;
    const unanswered: string[] = [];

    await Promise.all(
      nonces.map(async (nonce, i) => {
        await sleep(Math.random() * s.thinkMs);
        for (let k = 0; k < s.messagesPer; k++) {
          if (k > 0) await sleep(jitter());
          const chatId = `chat-${i}`;
          const replied = channel.expect(chatId, `${nonce}-${k}`, s.replyTimeoutMs);
          const t0 = performance.now();
          await chat.engine.receive(orgId, {
            channelId: channelIds[i % channelIds.length]!,
            remoteChatId: chatId,
            remoteMessageId: `${run}-${i}-${k}`,
            fan: { platformFanId: `fan-${i}`, displayName: `Fan ${i}` },
            text: `Hello again! My code ${nonce}-${k}. What did you photograph today?`,
          });
          receives.push(performance.now() - t0);
          const at = await replied;
          if (at === null) {
            unanswered.push(`${chatId} message ${k}`);
            return; // the next messages would only wait behind it
          }
          totals.set(`${nonce}-${k}`, at - t0);
          lastReply = Date.now();
        }
      }),
    );
    lag.disable();
    const used = meter.since(runFrom);
    const perMessage = (what: 'cpuMs' | 'statements') => (used[what] - (idle[what] / idle.ms) * used.ms) / Math.max(totals.size, 1);
    clearInterval(poolTimer);
    const seconds = (lastReply - started) / 1000;
    const { chats, streamed } = await model.stats();
    // A fan message is settled right after its reply is sent: give the last ones a moment.
    let pending = 0;
    for (const until = Date.now() + 30_000; Date.now() < until; await sleep(200)) {
      pending = await platform.db.withOrg(orgId, async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int n from chat_messages where state = 'pending'`))[0]!.n);
      if (!pending) break;
    }

    // The model's own time is what the fake actually took to stream each reply (its timers run a little late, so
    // this is a bit over tokens / rate); with a regeneration, both streams count as model time.
    const served = [...totals.keys()].map((key) => (streamed[key] ?? [modelMs]).reduce((a, b) => a + b, 0));
    const overhead = [...totals.values()].map((t, i) => t - served[i]!);
    const all = [...totals.values()];
    const group = `chat (${backend})`;
    const label = `${s.conversations} conversations, ${stored.toLocaleString('en')} stored messages, ${s.replyTokens} tokens at ${s.tokensPerSecond}/s`;
    const figures: Figure[] = [
      { group, name: `replies of ${s.conversations * s.messagesPer} fan messages (${label})`, value: totals.size, unit: 'replies' },
      { group, name: `model streaming time per reply, nominal (${s.replyTokens} / ${s.tokensPerSecond} s)`, value: modelMs, unit: 'ms' },
      { group, name: 'model streaming time per reply as served p50', value: percentile(served, 0.5), unit: 'ms' },
      { group, name: 'model streaming time per reply as served p99', value: percentile(served, 0.99), unit: 'ms' },
      { group, name: 'total per message p50 (fan message in → reply sent)', value: percentile(all, 0.5), unit: 'ms' },
      { group, name: 'total per message p99', value: percentile(all, 0.99), unit: 'ms' },
      { group, name: "Atelier's overhead per message p50 (total − model streaming time)", value: percentile(overhead, 0.5), unit: 'ms' },
      { group, name: "Atelier's overhead per message p99", value: percentile(overhead, 0.99), unit: 'ms' },
      { group, name: 'receive (store + enqueue, what a webhook waits for) p50', value: percentile(receives, 0.5), unit: 'ms' },
      { group, name: 'receive p99', value: percentile(receives, 0.99), unit: 'ms' },
      {
        group,
        // Contention-proof where wall-clock figures are not: what one message costs this process in CPU.
        name: `CPU time of this process per message (engine, drizzle${backend === 'pglite' ? ', PGlite' : '; not PostgreSQL'}; not the model; idle cost removed)`,
        value: perMessage('cpuMs'),
        unit: 'ms',
      },
      { group, name: 'CPU time of this process while idle (job queue polling)', value: (idle.cpuMs / idle.ms) * 1000, unit: 'ms/s' },
      { group, name: 'database transactions per fan message (withOrg/withSystem)', value: used.transactions / Math.max(totals.size, 1), unit: 'tx' },
      ...(backend === 'postgres'
        ? [{ group, name: 'SQL statements per fan message (begin/role/org/commit included; idle polling removed)', value: perMessage('statements'), unit: 'statements' }]
        : []),
      { group, name: 'messages answered per second (first message → last reply)', value: totals.size / Math.max(seconds, 1e-3), unit: 'msg/s' },
      { group, name: 'model calls beyond one per fan message (regenerations, retries after a failed stream)', value: chats - receives.length, unit: 'calls' },
      { group, name: 'event-loop delay p99 during the run', value: lag.percentile(99) / 1e6, unit: 'ms' },
      ...(backend === 'postgres' ? [{ group, name: `queries waiting for a pooled connection p99 (pool of ${s.poolMax})`, value: percentile(poolWaiting, 0.99), unit: 'queries' }] : []),
      { group, name: 'cross-talk: replies carrying another conversation’s nonce (must be 0)', value: channel.crossTalk.length, unit: 'replies' },
      { group, name: 'out of order or unexpected replies (must be 0)', value: channel.unexpected.length, unit: 'replies' },
      { group, name: 'unanswered fan messages (must be 0)', value: unanswered.length + pending, unit: 'messages' },
    ];
    const problems = [
      channel.crossTalk.length ? `${channel.crossTalk.length} replies reached the wrong conversation, e.g. ${channel.crossTalk.slice(0, 3).join('; ')}` : '',
      channel.unexpected.length ? `${channel.unexpected.length} replies out of order or unexpected, e.g. ${channel.unexpected.slice(0, 3).join('; ')}` : '',
      unanswered.length
        ? `${unanswered.length} fan messages got no reply within ${s.replyTimeoutMs / 1000} s, e.g. ${unanswered.slice(0, 3).join('; ')}${channel.plain.length ? `; sent without a nonce: ${channel.plain.slice(0, 3).join(' | ')}` : ''}`
        : '',
      pending ? `${pending} fan messages still pending after the run` : '',
    ].filter(Boolean);
    if (problems.length) {
      process.stderr.write(`\nbench chat ${backend} FAILED:\n${problems.map((p) => `  - ${p}`).join('\n')}\n${JSON.stringify(figures)}\n\n`);
      throw new Error(`bench chat (${backend}): ${problems.join(' · ')}`);
    }
    return figures;
  } finally {
    await runtime?.stop();
    await model.close();
    await scratch?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function settings() {
  const n = (name: string, fallback: number, min = 1) => {
    const raw = process.env[name];
    const v = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isFinite(v) || v < min) throw new Error(`${name} must be a number ≥ ${min}, got ${raw}`);
    return v;
  };
  return {
    conversations: Math.floor(n('BENCH_CHAT_CONVERSATIONS', 500)),
    stored: Math.floor(n('BENCH_CHAT_STORED', 100_000, 0)),
    messagesPer: Math.floor(n('BENCH_CHAT_MESSAGES_PER', 4)),
    tokensPerSecond: n('BENCH_CHAT_TOKENS_PER_SECOND', 50),
    replyTokens: Math.floor(n('BENCH_CHAT_REPLY_TOKENS', 40, 4)),
    thinkMs: n('BENCH_CHAT_THINK_MS', 5000, 0),
    personas: Math.floor(n('BENCH_CHAT_PERSONAS', 10)),
    poolMax: Math.floor(n('BENCH_CHAT_POOL_MAX', 20, 2)),
    replyTimeoutMs: n('BENCH_CHAT_REPLY_TIMEOUT_SECONDS', 180) * 1000,
  };
}

/**
 * Counts what one fan message costs beyond wall time: this process's CPU, the transactions the product opens
 * (its two entry points, wrapped), and on PostgreSQL every statement sent (pg-boss's included: idle polling is
 * measured apart and subtracted by the caller).
 */
class Meter {
  #transactions = 0;
  #statements = 0;
  constructor(db: Database) {
    const counted = <F extends (...args: any[]) => any>(fn: F): F => ((...args: Parameters<F>) => (this.#transactions++, fn(...args))) as F;
    db.withOrg = counted(db.withOrg.bind(db));
    db.withSystem = counted(db.withSystem.bind(db));
    const wrapped = new WeakSet<object>();
    db.pool?.on('acquire', (client) => {
      if (wrapped.has(client)) return;
      wrapped.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (...args: unknown[]) => (this.#statements++, query(...args));
    });
  }
  read() {
    const cpu = process.cpuUsage();
    return { ms: performance.now(), cpuMs: (cpu.user + cpu.system) / 1000, transactions: this.#transactions, statements: this.#statements };
  }
  since(from: ReturnType<Meter['read']>) {
    const now = this.read();
    return { ms: now.ms - from.ms, cpuMs: now.cpuMs - from.cpuMs, transactions: now.transactions - from.transactions, statements: now.statements - from.statements };
  }
}

/**
 * A chat platform that answers at once (like Telegram's sendMessage, minus the network) and checks every reply:
 * it must carry the nonce of the message its conversation is waiting for, and nobody else's.
 */
class CountingChannel implements ChatChannelAdapter {
  readonly platform = 'sandbox' as const;
  readonly crossTalk: string[] = [];
  readonly unexpected: string[] = [];
  /** Sends without any nonce (a fixed answer, a notice, a guard's fallback): kept to explain a missing reply. */
  readonly plain: string[] = [];
  /** The nonce each chat waits for, and who to wake when it comes. */
  readonly #waiting = new Map<string, { nonce: string; resolve: (at: number | null) => void }>();
  /** Which chat each nonce belongs to (`nonce` without its `-k`). */
  readonly #owner = new Map<string, string>();
  #next = 0;

  ageVerified() {
    return false;
  }
  firstContactNotice() {
    return true;
  }
  async typing() {}

  expect(chatId: string, nonce: string, timeoutMs: number): Promise<number | null> {
    this.#owner.set(nonce.replace(/-\d+$/, ''), chatId);
    return new Promise((resolve) => {
      const timer = setTimeout(() => (this.#waiting.delete(chatId), resolve(null)), timeoutMs);
      this.#waiting.set(chatId, { nonce, resolve: (at) => (clearTimeout(timer), resolve(at)) });
    });
  }

  async send(_account: ChannelAccount, to: ChatAddress, text: string) {
    const at = performance.now();
    const found = [...text.matchAll(NONCE)].map((m) => m[1]!);
    for (const f of found) {
      const owner = this.#owner.get(f.replace(/-\d+$/, ''));
      if (owner !== to.remoteChatId) this.crossTalk.push(`${to.remoteChatId} got ${f} (${owner ?? 'unknown'})`);
    }
    const waiting = this.#waiting.get(to.remoteChatId);
    if (waiting && found.length === 1 && found[0] === waiting.nonce) {
      this.#waiting.delete(to.remoteChatId);
      waiting.resolve(at);
    } else if (found.length) {
      this.unexpected.push(`${to.remoteChatId} got ${found.join(',')} while waiting for ${waiting?.nonce ?? 'nothing'}`);
    } else {
      this.plain.push(`${to.remoteChatId}: ${text.slice(0, 120)}`);
    }
    return { remoteId: `bench-${++this.#next}` };
  }
}

/**
 * Personas with a chat profile and a channel each, then `conversations` fans with a conversation each holding
 * `stored` messages in all (alternating fan/bot, already answered, a day old), in a few set-based statements under
 * the tenant. Conversation counters say what a real history would: the notice was sent, memory and summary are
 * up to date. Returns the channel ids (fan i chats on channel i mod personas).
 */
async function seed(runtime: Runtime, orgId: string, userId: string, providerId: string, n: { personas: number; conversations: number; stored: number }): Promise<string[]> {
  const card = { name: 'Bench', description: 'A fictional travel photographer who loves harbours and sunsets.', personality: 'warm, curious' };
  const params = { pacing: { enabled: false } };
  return runtime.platform.db.withOrg(orgId, async (tx) => {
    await tx.execute(sql`
      insert into personas (org_id, name, timezone, languages, stated_age, attested_by, attested_at, attestation_text)
      select ${orgId}, 'Bench ' || g, 'Europe/Paris', '{en}', 25, ${userId}, now(), 'bench' from generate_series(1, ${n.personas}) g`);
    await tx.execute(sql`
      insert into chat_profiles (org_id, persona_id, card, provider_id, params, rate_limit_per_minute)
      select org_id, id, ${JSON.stringify(card)}::jsonb, ${providerId}, ${JSON.stringify(params)}::jsonb, 600 from personas`);
    await tx.execute(sql`insert into channels (org_id, persona_id, platform, handle) select org_id, id, 'sandbox', 'bench-' || id from personas`);
    const channels = rowsOf<{ id: string }>(await tx.execute(sql`select id from channels order by id`)).map((r) => r.id);
    // Fan i is on channels[i % personas]: the bench sends on the same channel, so receive finds this conversation.
    await tx.execute(sql`
      with ch as (select id, persona_id, row_number() over (order by id) - 1 as n from channels)
      insert into fans (org_id, persona_id, channel_id, platform, platform_fan_id, display_name, language)
      select ${orgId}, ch.persona_id, ch.id, 'sandbox', 'fan-' || g, 'Fan ' || g, 'en'
      from generate_series(0, ${n.conversations - 1}) g join ch on ch.n = g % ${n.personas}`);
    await tx.execute(sql`
      insert into chat_conversations (org_id, persona_id, channel_id, fan_id, remote_chat_id, language, notice_sent_at)
      select org_id, persona_id, channel_id, id, 'chat-' || substr(platform_fan_id, 5), 'en', now() - interval '1 day' from fans`);
    await tx.execute(sql`
      with c as (select id, channel_id, row_number() over (order by substr(remote_chat_id, 6)::int) - 1 as n from chat_conversations)
      insert into chat_messages (org_id, conversation_id, channel_id, seq, direction, author, text, remote_id, state, created_at, handled_at)
      select ${orgId}, c.id, c.channel_id, g / ${n.conversations} + 1,
             case when (g / ${n.conversations}) % 2 = 0 then 'in' else 'out' end,
             case when (g / ${n.conversations}) % 2 = 0 then 'fan' else 'bot' end,
             case when (g / ${n.conversations}) % 2 = 0
                  then 'Earlier message ' || g || ': I loved the photos from the coast, where do you want to travel next?'
                  else 'Earlier reply ' || g || ': thank you! I am thinking about the northern lakes, the light there is lovely in spring.' end,
             'seed-' || g,
             case when (g / ${n.conversations}) % 2 = 0 then 'handled' else 'sent' end,
             now() - interval '1 day' + (g / ${n.conversations}) * interval '1 second', now() - interval '1 day'
      from generate_series(0, ${n.stored - 1}) g join c on c.n = g % ${n.conversations}`);
    await tx.execute(sql`
      update chat_conversations c set last_seq = m.last, fan_messages = m.fans, bot_messages = m.bots,
             memorized_through = m.fans, summarized_through = greatest(m.last - 30, 0)
      from (select conversation_id, max(seq) last, count(*) filter (where direction = 'in') fans, count(*) filter (where direction = 'out') bots
            from chat_messages group by conversation_id) m
      where m.conversation_id = c.id`);
    return channels;
  });
}

async function startModel(s: ChatModelSettings) {
  const child = fork(new URL('./chat-model.ts', import.meta.url), [CHILD_FLAG, JSON.stringify(s)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const next = (type: string) =>
    new Promise<any>((resolve, reject) => {
      const onMessage = (msg: any) => {
        if (msg?.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(msg);
      };
      const onExit = (code: number | null) => reject(new Error(`bench chat: the fake model exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = await next('ready');
  if (ready.sample !== s.replyTokens) throw new Error(`bench chat: scripted reply has ${ready.sample} tokens, expected ${s.replyTokens}`);
  return {
    url: ready.url as string,
    async stats(): Promise<{ chats: number; streamed: Record<string, number[]> }> {
      const reply = next('stats');
      child.send({ type: 'stats' });
      const { chats, streamed } = await reply;
      return { chats, streamed };
    },
    async close() {
      if (child.exitCode !== null) return;
      const closed = next('closed').catch(() => {});
      child.send({ type: 'close' });
      await closed;
      child.kill();
    },
  };
}

/** A database of its own on the given server, dropped afterwards. */
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

function percentile(values: number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
