import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentKey } from '../../src/platform/storage/index.ts';
import { ApiClient, ownerClient, PASSWORD, personaBody, uniqueEmail } from '../helpers/api.ts';
import { testRuntime, type Backend, type TestRuntime } from '../helpers/runtime.ts';
import { BAD_PATH_PARAMS, badQueryValues, bodyMutations, NASTY_STRINGS, prng } from './fuzz.ts';
import { exampleBody, examplePathValues, fillPath, operationsOf, type ExampleContext, type Operation } from './examples.ts';

/**
 * Bad input never gets a 5xx. Every operation of the OpenAPI document is sent generated bad input
 * (bodies, content types, path and query parameters, credentials); every answer must be a 4xx with a
 * problem+json body, or, for input the route legitimately ignores, anything but a 5xx.
 */

const BODY_LIMIT = 65_536;
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_601);
const REQUEST_TIMEOUT_MS = 10_000;
const EVENTS_PATH = '/api/v1/events';

interface Case {
  op: string;
  label: string;
  method: Operation['method'];
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** `reject`: must be a 4xx. `any`: odd but possibly valid input: anything but a 5xx. */
  expect: 'reject' | 'any';
  /** The route only ever redirects (a browser lands there): it refuses by redirecting with an error. */
  redirectOnly?: boolean;
}

/** A redirect that reports a failure in its Location (`oauth_error=…`, `error=…`). */
const isErrorRedirect = (status: number, location: unknown) => status >= 300 && status < 400 && /[?&#][a-z_]*error=/i.test(String(location ?? ''));

interface Outcome {
  failures: string[];
  /** Odd inputs some route accepted with a 2xx, by operation: legitimate, listed for the record. */
  accepted: Map<string, string[]>;
  total: number;
}

async function inject(rt: TestRuntime, c: Pick<Case, 'method' | 'url' | 'headers' | 'payload'>) {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      rt.app.inject({ method: c.method, url: c.url, headers: c.headers, ...(c.payload !== undefined ? { payload: c.payload } : {}) }),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** What every 4xx must look like. Returns a complaint, or null. */
function problemComplaint(res: { statusCode: number; headers: Record<string, unknown>; body: string }): string | null {
  const type = String(res.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json')) return `content-type ${type || '(none)'} instead of application/problem+json`;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    return 'body is not JSON';
  }
  for (const key of ['type', 'title', 'code'] as const) {
    if (typeof body[key] !== 'string' || !body[key]) return `problem without ${key}`;
  }
  if (body.status !== res.statusCode) return `problem status ${String(body.status)} ≠ HTTP ${res.statusCode}`;
  return null;
}

async function runCases(rt: TestRuntime, cases: Case[], outcome: Outcome) {
  for (const c of cases) {
    outcome.total++;
    const where = `${c.op} [${c.label}]`;
    let res;
    try {
      res = await inject(rt, c);
    } catch (error) {
      outcome.failures.push(`${where} → ${(error as Error).message}`);
      continue;
    }
    const status = res.statusCode;
    const detail = () => res.body.slice(0, 200).replace(/\s+/g, ' ');
    if (status >= 500) {
      outcome.failures.push(`${where} → ${status} ${detail()}`);
      continue;
    }
    if (status === 429) {
      // Refused before validation: the case tested nothing. The runtime raises the limit for tests.
      outcome.failures.push(`${where} → 429: rate-limited, so the input was never examined`);
      continue;
    }
    if (status >= 400) {
      const complaint = problemComplaint(res);
      if (complaint) outcome.failures.push(`${where} → ${status}: ${complaint}`);
      continue;
    }
    if (c.expect === 'reject') {
      if (c.redirectOnly && isErrorRedirect(status, res.headers.location)) continue;
      outcome.failures.push(`${where} → ${status} but bad input must be refused with a 4xx${c.redirectOnly ? ' or an error redirect' : ''}: ${detail()} ${String(res.headers.location ?? '')}`);
      continue;
    }
    const list = outcome.accepted.get(c.op) ?? [];
    list.push(`${c.label} → ${status}`);
    outcome.accepted.set(c.op, list);
  }
}

/** The fixtures the fuzzer points at: real ids where a route needs one to get past "not found". */
interface World {
  owner: { token: string; email: string; orgId: string; userId: string };
  personaId: string;
  memberId: string;
  channelId: string;
  apiKey: string;
  /** Telegram channels whose webhook (public) is authenticated by their secret token. */
  telegram: { channelId: string; otherChannelId: string; secret: string };
}

const TELEGRAM_WEBHOOK = /^\/api\/v1\/chat\/telegram\//;
const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

async function buildWorld(rt: TestRuntime): Promise<World> {
  const { client, email, orgId, userId } = await ownerClient(rt.app, rt.platform, 'Fuzz org');
  const persona = await client.post('/api/v1/personas', personaBody('Fuzzy'));
  expect(persona.status).toBe(201);
  const member = await client.post('/api/v1/team', { email: uniqueEmail('member'), password: PASSWORD, role: 'manager' });
  expect(member.status).toBe(201);
  const channel = await client.post('/api/v1/channels', { personaId: persona.body.id, platform: 'sandbox', handle: 'fuzzy' });
  expect(channel.status).toBe(201);
  const key = await client.post('/api/v1/api-keys', { name: 'fuzz key', role: 'admin' });
  expect(key.status).toBe(201);
  // No worker runs, so nothing calls Telegram: the bot token is never used.
  const telegram = async (handle: string, secret: string) => {
    const res = await client.post('/api/v1/channels', { personaId: persona.body.id, platform: 'telegram', handle, credentials: { bot_token: '123456:fuzz', webhook_secret: secret } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };
  const secret = `FuzzSecret-${randomBytes(12).toString('hex')}`;
  return {
    owner: { token: client.token!, email, orgId, userId },
    personaId: persona.body.id,
    memberId: member.body.userId,
    channelId: channel.body.id,
    apiKey: key.body.key,
    telegram: { channelId: await telegram('fuzzbot', secret), otherChannelId: await telegram('otherbot', `Other-${randomBytes(12).toString('hex')}`), secret },
  };
}

/** What a public route authenticated by other means than our bearer needs on a valid request. */
function publicAuth(world: World, op: Operation): Record<string, string> {
  if (TELEGRAM_WEBHOOK.test(op.path)) return { [TELEGRAM_SECRET_HEADER]: world.telegram.secret };
  return {};
}

/** A real id for a templated path, so a request with a valid body reaches the handler. */
function realId(world: World, path: string): string {
  if (path.startsWith('/api/v1/personas/')) return world.personaId;
  if (path.startsWith('/api/v1/team/')) return world.memberId;
  if (path.startsWith('/api/v1/channels/')) return world.channelId;
  if (TELEGRAM_WEBHOOK.test(path)) return world.telegram.channelId;
  return randomUUID();
}

/** The path with `id` in every id parameter, and names (a platform) from the parameters' schemas. */
const fill = (op: Operation, id: string) => fillPath(op.path, examplePathValues(op, () => id));

function exampleContext(world: World): ExampleContext {
  return {
    byName: {
      personaId: () => world.personaId,
      personaIds: () => [world.personaId],
      channelId: () => world.channelId,
      orgId: () => randomUUID(),
    },
  };
}

/** A valid body for an operation, with the few values a route needs to be harmless. */
function baseBody(op: Operation, ctx: ExampleContext): unknown {
  const body = exampleBody(op, ctx) as Record<string, unknown> | undefined;
  // Never the owner's email on sign-in: failures there count towards a lockout.
  if (body && op.path === '/api/v1/auth/login') body.email = 'nobody-here@example.test';
  return body;
}

function signedMediaQuery(rt: TestRuntime, world: World) {
  const key = contentKey(world.owner.orgId, createHash('sha256').update('nothing stored').digest('hex'), '.png');
  return rt.platform.storage.signedUrl(key).then((url) => Object.fromEntries(new URL(url, 'http://x').searchParams));
}

const qs = (params: Record<string, string>) =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');

async function badCredentials(): Promise<{ label: string; header: string | null }[]> {
  const otherKey = await new SignJWT({ org: randomUUID(), role: 'owner', sid: randomUUID() })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(randomUUID())
    .setIssuer('atelier')
    .setAudience('atelier-api')
    .setExpirationTime('1h')
    .sign(randomBytes(32));
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const algNone = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: randomUUID(), org: randomUUID(), sid: randomUUID(), iss: 'atelier', aud: 'atelier-api' })}.`;
  return [
    { label: 'no credentials', header: null },
    { label: 'empty bearer', header: 'Bearer ' },
    { label: 'garbage bearer', header: 'Bearer garbage' },
    { label: 'basic auth', header: 'Basic dXNlcjpwYXNz' },
    { label: 'token from another key', header: `Bearer ${otherKey}` },
    { label: 'alg none token', header: `Bearer ${algNone}` },
    { label: 'three dots', header: 'Bearer a.b.c' },
    { label: 'fake api key', header: `Bearer atk_${randomBytes(30).toString('base64url')}` },
    { label: 'short api key', header: 'Bearer atk_' },
    { label: 'huge bearer', header: `Bearer ${'a'.repeat(8_000)}` },
  ];
}

interface PlanOptions {
  /** Share of the per-property body mutations to run (1 on the main backend, less on the smoke pass). */
  fraction: number;
  world: World;
  media: Record<string, string>;
  credentials: { label: string; header: string | null }[];
  logoutToken: string;
}

function plan(ops: Operation[], opts: PlanOptions): Case[] {
  const { world } = opts;
  const rnd = prng(SEED);
  const ctx = exampleContext(world);
  const owner = { authorization: `Bearer ${world.owner.token}` };
  const cases: Case[] = [];

  for (const op of ops) {
    const name = `${op.method} ${op.path}`;
    // A valid request to a stream never ends: only requests that must be refused go there.
    const streaming = op.streaming || op.path === EVENTS_PATH;
    // The owner's token on every authenticated route so validation and handlers are reached; sign-out
    // gets a throwaway session of the owner's so the fuzzing session survives.
    const auth: Record<string, string> =
      op.path === '/api/v1/auth/logout' ? { authorization: `Bearer ${opts.logoutToken}` } : op.authenticated ? owner : publicAuth(world, op);
    const body = baseBody(op, ctx);
    const baseQuery = op.path === '/api/v1/media/raw' ? opts.media : {};
    const idFor = (kind: 'real' | 'random') => (kind === 'real' ? realId(world, op.path) : randomUUID());
    // DELETE with an odd but accepted body would delete the fixture: point it at nothing.
    const url = (query: Record<string, string> = baseQuery, id = idFor(op.method === 'DELETE' ? 'random' : 'real')) => {
      const q = qs(query);
      return fill(op, id) + (q ? `?${q}` : '');
    };
    const add = (c: Omit<Case, 'op'>) => cases.push({ op: name, ...(op.redirectOnly ? { redirectOnly: true } : {}), ...c });
    const hasBody = op.method !== 'GET';

    // Bodies.
    if (hasBody) {
      const json = { ...auth, 'content-type': 'application/json' };
      const baseText = JSON.stringify(body ?? {});
      const declared = op.body ? 'reject' : 'any';
      for (const m of bodyMutations(op.body, body ?? {}, rnd, { bodyLimit: BODY_LIMIT, fraction: opts.fraction })) {
        add({ label: m.label, method: op.method, url: url(), headers: json, payload: m.payload, expect: m.expect });
      }
      for (const raw of ['{"a":', '{', ']', '{"a":1,}', "{'a':1}", '{"a":undefined}', 'NaN', '/* c */ {}', '{"a":1}garbage', '{"a":"\u0000"', '\u0000', '\ufeff{"a":1']) {
        add({ label: `malformed JSON ${JSON.stringify(raw)}`, method: op.method, url: url(), headers: json, payload: raw, expect: 'reject' });
      }
      add({ label: 'empty body, JSON content-type', method: op.method, url: url(), headers: json, payload: '', expect: op.method === 'DELETE' && !op.body ? 'any' : 'reject' });
      add({ label: 'whitespace body, JSON content-type', method: op.method, url: url(), headers: json, payload: '   ', expect: 'reject' });
      add({ label: 'text/plain', method: op.method, url: url(), headers: { ...auth, 'content-type': 'text/plain' }, payload: baseText, expect: declared });
      add({ label: 'text/plain, not JSON', method: op.method, url: url(), headers: { ...auth, 'content-type': 'text/plain; charset=utf-8' }, payload: 'hello', expect: declared });
      for (const type of ['application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'image/png', ';;;', 'application/json/extra']) {
        add({ label: `content-type ${type}`, method: op.method, url: url(), headers: { ...auth, 'content-type': type }, payload: type.includes('xml') ? '<a>1</a>' : baseText, expect: 'reject' });
      }
      add({ label: 'body without content-type', method: op.method, url: url(), headers: auth, payload: baseText, expect: declared });
      add({ label: 'JSON with odd charset', method: op.method, url: url(), headers: { ...auth, 'content-type': 'application/json; charset=utf-16' }, payload: baseText, expect: 'any' });
      add({ label: 'oversized JSON body', method: op.method, url: url(), headers: json, payload: `{"a":"${'x'.repeat(BODY_LIMIT)}"}`, expect: 'reject' });
      add({ label: 'oversized text body', method: op.method, url: url(), headers: { ...auth, 'content-type': 'text/plain' }, payload: 'x'.repeat(BODY_LIMIT * 2), expect: 'reject' });
      // Without credentials: the guard answers before the body is read, whatever the body.
      if (op.body) {
        const noAuth = { 'content-type': 'application/json' };
        for (const m of rnd.sample(bodyMutations(op.body, body, rnd, { bodyLimit: BODY_LIMIT, fraction: 0.1 }), opts.fraction * 0.3)) {
          add({ label: `no token: ${m.label}`, method: op.method, url: url(), headers: noAuth, payload: m.payload, expect: m.expect });
        }
      }
    } else if (!streaming) {
      add({ label: 'GET with a JSON body', method: op.method, url: url(), headers: { ...auth, 'content-type': 'application/json' }, payload: '{"a":', expect: 'any' });
    }

    // Path parameters.
    for (const p of op.pathParams) {
      for (const bad of BAD_PATH_PARAMS) {
        const target = fillPath(op.path, { ...examplePathValues(op, () => realId(world, op.path)), [p.name]: 'FUZZ-PARAM' }).replace('FUZZ-PARAM', bad.raw);
        const headers = body !== undefined ? { ...auth, 'content-type': 'application/json' } : auth;
        // An empty segment turns /x/{id} into /x/, which ignoreTrailingSlash serves as the collection.
        const expectFor = bad.raw === '' ? 'any' : bad.expect;
        add({ label: `path ${p.name}: ${bad.label}`, method: op.method, url: target, headers, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}), expect: expectFor });
      }
    }

    // Query parameters.
    if (op.query.length) {
      for (const p of op.query) {
        for (const bad of badQueryValues(p.schema)) {
          if (streaming && bad.expect !== 'reject') continue; // a valid query would open the stream
          add({ label: `query ${p.name}: ${bad.label}`, method: op.method, url: url({ ...baseQuery, [p.name]: bad.raw }), headers: auth, expect: bad.expect });
        }
        // A coerced date reads ['1','2'] as "1,2", a date: lax, but not an error (see the report).
        const repeated = p.schema.type ? 'reject' : 'any';
        add({ label: `query ${p.name} repeated`, method: op.method, url: `${url()}${Object.keys(baseQuery).length ? '&' : '?'}${p.name}=1&${p.name}=2`, headers: auth, expect: repeated });
        add({ label: `query ${p.name}[] bracket array`, method: op.method, url: url({ ...baseQuery, [`${p.name}[]`]: '1' }), headers: auth, expect: 'reject' });
        add({ label: `query ${p.name}[k] bracket object`, method: op.method, url: url({ ...baseQuery, [`${p.name}[k]`]: '1' }), headers: auth, expect: 'reject' });
      }
      add({ label: 'unknown query parameter', method: op.method, url: url({ ...baseQuery, zzz: '1' }), headers: auth, expect: 'reject' });
      add({ label: 'query parameter without a name', method: op.method, url: url({ ...baseQuery, '': '1' }), headers: auth, expect: 'any' });
      if (op.path === '/api/v1/media/raw') {
        for (const key of ['../../etc/passwd', `orgs/${world.owner.orgId}/../../secret`, encodeURIComponent(NASTY_STRINGS[3]!), 'k'.repeat(301)]) {
          add({ label: `media key ${key.slice(0, 30)}`, method: op.method, url: url({ ...opts.media, key }), headers: {}, expect: 'reject' });
        }
        add({ label: 'media: expired', method: op.method, url: url({ ...opts.media, exp: '1' }), headers: {}, expect: 'reject' });
        add({ label: 'media: exp beyond safe integers', method: op.method, url: url({ ...opts.media, exp: '999999999999' }), headers: {}, expect: 'reject' });
        add({ label: 'media: tampered signature', method: op.method, url: url({ ...opts.media, sig: `${opts.media.sig!.slice(0, -2)}AA` }), headers: {}, expect: 'reject' });
        add({ label: 'media: missing parameters', method: op.method, url: url({}), headers: {}, expect: 'reject' });
      }
    } else if (!streaming) {
      // Routes that declare no query ignore unknown parameters: odd, legitimately accepted.
      if (op.method === 'GET') add({ label: 'unknown query parameter (no query declared)', method: op.method, url: url({ zzz: '1', 'a[b]': '2' }), headers: auth, expect: 'any' });
    }

    // Odd headers on read-only routes (a request that would succeed otherwise).
    if (op.method === 'GET' && !streaming) {
      for (const [k, v] of [
        ['x-unknown-header', 'x'],
        ['accept', 'application/xml'],
        ['accept-language', 'zz-ZZ'],
        ['x-request-id', 'bad id with spaces'],
        ['x-forwarded-for', 'not-an-ip, ::zz'],
        ['user-agent', 'u'.repeat(8_000)],
        ['cookie', '=;=;;atelier_rt'],
      ] as const) {
        add({ label: `header ${k}`, method: op.method, url: url(), headers: { ...auth, [k]: v }, expect: 'any' });
      }
    }

    // Credentials: a valid request with bad or no credentials is refused by the guard.
    if (op.authenticated) {
      const headers: Record<string, string> = body !== undefined ? { 'content-type': 'application/json' } : {};
      for (const cred of opts.credentials) {
        add({
          label: `credentials: ${cred.label}`,
          method: op.method,
          url: url(),
          headers: cred.header ? { ...headers, authorization: cred.header } : headers,
          ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
          expect: 'reject',
        });
      }
      if (streaming) {
        for (const token of ['garbage', 'a.b.c', `atk_${'x'.repeat(40)}`]) {
          add({ label: `events: bad access_token ${token.slice(0, 12)}`, method: op.method, url: `${op.path}?access_token=${token}`, headers: {}, expect: 'reject' });
        }
      }
    }

    // The Telegram webhook's secret token: anything but the channel's own is refused, before the body is read.
    if (TELEGRAM_WEBHOOK.test(op.path)) {
      const json = { 'content-type': 'application/json' };
      const payload = JSON.stringify(body ?? {});
      const at = (id: string) => fillPath(op.path, { channelId: id });
      const { secret, channelId, otherChannelId } = world.telegram;
      for (const [label, headers, target] of [
        ['no secret token', json, at(channelId)],
        ['empty secret token', { ...json, [TELEGRAM_SECRET_HEADER]: '' }, at(channelId)],
        ['wrong secret token', { ...json, [TELEGRAM_SECRET_HEADER]: 'wrong' }, at(channelId)],
        ['secret token upper-cased', { ...json, [TELEGRAM_SECRET_HEADER]: secret.toUpperCase() }, at(channelId)],
        ['secret token with a suffix', { ...json, [TELEGRAM_SECRET_HEADER]: `${secret}x` }, at(channelId)],
        ['secret token truncated', { ...json, [TELEGRAM_SECRET_HEADER]: secret.slice(0, -1) }, at(channelId)],
        ['secret token as a bearer', { ...json, authorization: `Bearer ${secret}` }, at(channelId)],
        ['owner token instead of the secret', { ...json, ...owner }, at(channelId)],
        ['the secret of another Telegram channel', { ...json, [TELEGRAM_SECRET_HEADER]: secret }, at(otherChannelId)],
        ['the secret on a channel that is not Telegram', { ...json, [TELEGRAM_SECRET_HEADER]: secret }, at(world.channelId)],
        ['the secret on an unknown channel', { ...json, [TELEGRAM_SECRET_HEADER]: secret }, at(randomUUID())],
      ] as const) {
        add({ label: `webhook: ${label}`, method: op.method, url: target, headers, payload, expect: 'reject' });
      }
    }

    // Sign-in helpers read the refresh cookie.
    if (op.path === '/api/v1/auth/refresh') {
      for (const cookie of ['atelier_rt=garbage', `atelier_rt=${'c'.repeat(6_000)}`, 'atelier_rt=', 'atelier_rt=%E0%A4%A', '=;=;', `atelier_rt=${encodeURIComponent('\u0000')}`]) {
        add({ label: `refresh cookie ${cookie.slice(0, 24)}`, method: op.method, url: url(), headers: { cookie }, expect: 'reject' });
      }
    }
  }
  return cases;
}

function report(backend: Backend, outcome: Outcome) {
  const accepted = [...outcome.accepted].map(([op, labels]) => `  ${op}: ${labels.length} (${[...new Set(labels.map((l) => l.replace(/ = .*/, '')))].slice(0, 6).join('; ')})`);
  console.info(`[bad-input ${backend}] ${outcome.total} requests, ${outcome.failures.length} failures; odd input accepted with 2xx:\n${accepted.join('\n')}`);
}

describe.each([
  { backend: 'pglite' as Backend, fraction: 1 },
  { backend: 'postgres' as Backend, fraction: 0.12 },
])('bad input on $backend', ({ backend, fraction }) => {
  let rt: TestRuntime;
  let world: World;
  let ops: Operation[];

  beforeAll(async () => {
    rt = await testRuntime(backend, { BODY_LIMIT_BYTES: String(BODY_LIMIT) });
    world = await buildWorld(rt);
    const doc = await rt.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(doc.statusCode).toBe(200);
    ops = operationsOf(doc.json());
  });
  afterAll(() => rt?.stop());

  const ownerStillSignedIn = async () => {
    const me = await rt.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${world.owner.token}` } });
    return me.statusCode === 200;
  };

  it('covers every operation of the document', () => {
    expect(ops.length).toBeGreaterThan(20);
    const names = ops.map((o) => `${o.method} ${o.path}`);
    for (const must of ['POST /api/v1/auth/login', 'POST /api/v1/setup', 'POST /api/v1/personas', 'PATCH /api/v1/personas/{id}', 'GET /api/v1/audit']) {
      expect(names).toContain(must);
    }
    expect(ops.filter((o) => o.streaming).map((o) => o.path)).toContain(EVENTS_PATH);
  });

  it('generates valid base requests (so each mutation breaks exactly one thing)', async () => {
    const ctx = exampleContext(world);
    for (const op of ops.filter((o) => o.body)) {
      const body = baseBody(op, ctx);
      // Sent for real, as the owner (the guard answers strangers before validation): whatever the
      // handler makes of it, validation must not be what refuses it. None of these ends the session:
      // switch-org goes to an unknown org, sign-in to an unknown email.
      const auth: Record<string, string> = op.authenticated ? { authorization: `Bearer ${world.owner.token}` } : publicAuth(world, op);
      const res = await inject(rt, { method: op.method, url: fill(op, realId(world, op.path)), headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
      expect.soft(res.statusCode, `${op.method} ${op.path}`).toBeLessThan(500);
      if (res.statusCode === 400) expect.soft(res.json().code, `${op.method} ${op.path} ${res.body}`).not.toBe('validation_failed');
      // a public route with its own authentication must let the valid request in, or its fuzzing tests nothing
      if (Object.keys(publicAuth(world, op)).length) expect.soft(res.statusCode, `${op.method} ${op.path} ${res.body}`).toBeLessThan(300);
    }
    const me = await rt.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${world.owner.token}` } });
    expect(me.statusCode).toBe(200);
  });

  // ~18 000 requests on PGlite: close to 300 s on a loaded machine, and it grows with every route.
  it('answers every bad input with a 4xx problem (or, for ignored input, anything but a 5xx)', { timeout: 600_000 }, async () => {
    const session = new ApiClient(rt.app);
    expect((await session.login(world.owner.email, PASSWORD)).status).toBe(200);
    const options: PlanOptions = {
      fraction,
      world,
      media: await signedMediaQuery(rt, world),
      credentials: await badCredentials(),
      logoutToken: session.token!,
    };
    const outcome: Outcome = { failures: [], accepted: new Map(), total: 0 };
    const cases = plan(ops, options);
    // Run operation by operation, checking after each that the fuzzing session is still alive, so a
    // route that signs out or locks the owner shows up as such rather than as a wall of 401s.
    const byOp = new Map<string, Case[]>();
    for (const c of cases) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c]);
    for (const [op, list] of byOp) {
      await runCases(rt, list, outcome);
      if (!(await ownerStillSignedIn())) {
        outcome.failures.push(`${op}: the owner's session no longer works after fuzzing this operation`);
        const again = new ApiClient(rt.app);
        expect((await again.login(world.owner.email, PASSWORD)).status).toBe(200);
        world.owner.token = again.token!;
      }
    }
    report(backend, outcome);
    expect(outcome.total).toBeGreaterThan(backend === 'pglite' ? 1_500 : 300);
    expect(outcome.failures).toEqual([]);
    // The owner can still sign in: nothing above counted towards a lockout.
    expect((await new ApiClient(rt.app).login(world.owner.email, PASSWORD)).status).toBe(200);
  });

  it('refuses references to things that do not exist with a 4xx', async () => {
    const auth = { authorization: `Bearer ${world.owner.token}`, 'content-type': 'application/json' };
    const checks = [
      { url: '/api/v1/team', payload: { email: uniqueEmail('ghost'), password: PASSWORD, role: 'viewer', personaIds: [randomUUID()] } },
      { url: '/api/v1/channels', payload: { personaId: randomUUID(), platform: 'sandbox', handle: 'ghost' } },
    ];
    for (const c of checks) {
      const res = await inject(rt, { method: 'POST', url: c.url, headers: auth, payload: JSON.stringify(c.payload) });
      expect.soft(res.statusCode, `${c.url} ${res.body}`).toBeGreaterThanOrEqual(400);
      expect.soft(res.statusCode, `${c.url} ${res.body}`).toBeLessThan(500);
    }
    const patch = await inject(rt, { method: 'PATCH', url: `/api/v1/team/${world.memberId}`, headers: auth, payload: JSON.stringify({ personaIds: [randomUUID()] }) });
    expect(patch.statusCode, patch.body).toBeGreaterThanOrEqual(400);
    expect(patch.statusCode, patch.body).toBeLessThan(500);
  });
});

describe('HTTP edges', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await testRuntime('pglite');
  });
  afterAll(() => rt?.stop());

  it('answers an unknown route with a 404 problem', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/nope'],
      ['POST', '/api/v1/nope'],
      ['GET', '/nope'],
      ['DELETE', '/api/v1/personas'],
      ['PUT', '/api/v1/personas'],
    ] as const) {
      const res = await rt.app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(problemComplaint(res), `${method} ${url}`).toBeNull();
      expect(res.json()).toMatchObject({ code: 'not_found', status: 404, type: expect.stringContaining('not-found') });
    }
  });

  it('echoes a well-formed x-request-id and replaces a malformed one', async () => {
    const id = `req-${randomBytes(8).toString('hex')}`;
    const echoed = await rt.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': id } });
    expect(echoed.headers['x-request-id']).toBe(id);
    const onProblem = await rt.app.inject({ method: 'GET', url: '/api/v1/nope', headers: { 'x-request-id': id } });
    expect(onProblem.headers['x-request-id']).toBe(id);
    expect(onProblem.json().requestId).toBe(id);
    for (const bad of ['short', 'has spaces in it', 'x'.repeat(200), 'slash/in/the/id', '{"json":1}']) {
      const res = await rt.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': bad } });
      expect(res.headers['x-request-id']).not.toBe(bad);
      expect(String(res.headers['x-request-id'])).toMatch(/^[0-9a-f-]{36}$/);
    }
    const generated = await rt.app.inject({ method: 'GET', url: '/healthz' });
    expect(String(generated.headers['x-request-id'])).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers', async () => {
    for (const url of ['/healthz', '/api/v1/nope', '/api/v1/me']) {
      const res = await rt.app.inject({ method: 'GET', url });
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(String(res.headers['content-security-policy']), url).toContain("frame-ancestors 'none'");
      expect(String(res.headers['content-security-policy']), url).toContain("default-src 'self'");
      expect(res.headers['x-frame-options'], url).toBeDefined();
      expect(res.headers['referrer-policy'], url).toBeDefined();
      expect(res.headers['x-powered-by'], url).toBeUndefined();
    }
  });

  it('keeps CORS closed by default', async () => {
    const origin = 'https://evil.example';
    const simple = await rt.app.inject({ method: 'GET', url: '/healthz', headers: { origin } });
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    expect(simple.headers['access-control-allow-credentials']).toBeUndefined();
    const preflight = await rt.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/personas',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.statusCode).toBeLessThan(500);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
  });

  // Starts a runtime of its own: more than the default 30 s on a busy machine.
  it('opens CORS only to the configured origins', { timeout: 120_000 }, async () => {
    const open = await testRuntime('pglite', { CORS_ORIGINS: 'https://studio.example' });
    try {
      const allowed = await open.app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://studio.example' } });
      expect(allowed.headers['access-control-allow-origin']).toBe('https://studio.example');
      expect(allowed.headers['access-control-allow-credentials']).toBe('true');
      const other = await open.app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://evil.example' } });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await open.stop();
    }
  });
});
