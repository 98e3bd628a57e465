// Secrets at rest: a full database dump reveals no credential, seed, token or key; key rotation re-seals all.
import { execFile as execFileCb, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelsService } from '../../src/channels/channels.service.ts';
import { PersonasService } from '../../src/personas/personas.service.ts';
import { hashToken } from '../../src/platform/auth/tokens.ts';
import { createKeyring, decodeKey, keyIdOf } from '../../src/platform/secrets/crypto.ts';
import { MASTER_KEY_FILE } from '../../src/platform/secrets/master-key.ts';
import { SecretStore, openInline, resealDatabase, totpAad } from '../../src/platform/secrets/secret-store.ts';
import { backends, testRuntime, type Backend, type TestRuntime } from '../helpers/runtime.ts';
import { ApiClient, PASSWORD, ownerClient, personaBody } from '../helpers/api.ts';
import { sqlRows } from './support.ts';

const execFile = promisify(execFileCb);
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const CREDENTIALS = { access_token: 'SECRET-TOKEN-123', refresh_token: 'SECRET-REFRESH-456' };

const hasPgDump = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v pg_dump'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

interface Fixture {
  orgId: string;
  userId: string;
  email: string;
  channelId: string;
  totpSeed: string;
  refreshToken: string;
  accessToken: string;
  apiKey: string;
}

/** An owner with TOTP on, a channel with credentials, an API key and a live refresh token. */
async function seedSecrets(rt: TestRuntime): Promise<Fixture> {
  const owner = await ownerClient(rt.app, rt.platform, 'Secret org');
  const persona = await owner.client.post('/api/v1/personas', personaBody());
  const channel = await owner.client.post('/api/v1/channels', { personaId: persona.body.id, platform: 'sandbox', handle: '@vault', credentials: CREDENTIALS });
  expect(channel.status).toBe(201);
  expect(JSON.stringify(channel.body)).not.toContain(CREDENTIALS.access_token);
  const setup = await owner.client.post('/api/v1/auth/totp/setup');
  const totpSeed = setup.body.secret as string;
  expect((await owner.client.post('/api/v1/auth/totp/enable', { code: await generate({ secret: totpSeed }) })).status).toBe(204);
  const key = await owner.client.post('/api/v1/api-keys', { name: 'vault', role: 'viewer' });
  expect(key.status).toBe(201);
  // a fresh session after 2FA is on, so its refresh token is the newest thing written
  const session = new ApiClient(rt.app);
  expect((await session.login(owner.email, PASSWORD, await generate({ secret: totpSeed }))).status).toBe(200);
  return {
    orgId: owner.orgId,
    userId: owner.userId,
    email: owner.email,
    channelId: channel.body.id,
    totpSeed,
    refreshToken: session.refreshCookie!,
    accessToken: session.token!,
    apiKey: key.body.key,
  };
}

const forbiddenStrings = (f: Fixture) => ({
  'channel access token': CREDENTIALS.access_token,
  'channel refresh token': CREDENTIALS.refresh_token,
  'TOTP seed': f.totpSeed,
  'session refresh token': f.refreshToken,
  'access token': f.accessToken,
  'API key': f.apiKey,
  password: PASSWORD,
});

function expectClean(dump: string, f: Fixture, where: string) {
  for (const [what, value] of Object.entries(forbiddenStrings(f))) {
    expect(dump.includes(value), `${where} contains the ${what}`).toBe(false);
  }
  // the dump is the right one: it holds the rows whose secrets it must not show
  expect(dump, `${where} holds the channel`).toContain(f.channelId);
  expect(dump, `${where} holds the refresh token's hash`).toContain(hashToken(f.refreshToken));
  expect(dump, `${where} holds the API key's hash`).toContain(hashToken(f.apiKey));
}

/** Every row of every table outside the catalogs, as text. */
async function rowsAsText(rt: TestRuntime): Promise<string> {
  return rt.platform.db.withSystem(async (tx) => {
    const tables = await sqlRows<{ schema: string; name: string }>(
      tx,
      sql`select table_schema as schema, table_name as name from information_schema.tables
          where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
    );
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['secrets', 'users', 'refresh_tokens', 'api_keys', 'audit_log']));
    const parts: string[] = [];
    for (const t of tables) {
      const rows = await sqlRows<{ row: string }>(tx, sql`select t::text as row from ${sql.identifier(t.schema)}.${sql.identifier(t.name)} t`);
      parts.push(`-- ${t.schema}.${t.name}`, ...rows.map((r) => r.row));
    }
    return parts.join('\n');
  });
}

describe.each(backends)('secrets at rest on %s', (backend: Backend) => {
  let rt: TestRuntime;
  let f: Fixture;

  beforeAll(async () => {
    rt = await testRuntime(backend);
    f = await seedSecrets(rt);
  });
  afterAll(() => rt?.stop());

  it('no table row contains a secret in the clear', async () => {
    expectClean(await rowsAsText(rt), f, 'the row dump');
  });

  it(backend === 'postgres' ? 'pg_dump of the database contains no secret' : "PGlite's data directory contains no secret", async () => {
    if (backend === 'postgres') {
      if (!hasPgDump) {
        console.warn('pg_dump not installed: the row dump above stands in for it');
        return;
      }
      const { stdout } = await execFile('pg_dump', ['--no-owner', '--no-privileges', rt.env.DATABASE_URL!], { maxBuffer: 256 * 1024 * 1024 });
      expect(stdout).toContain('COPY public.secrets');
      expectClean(stdout, f, 'pg_dump');
      return;
    }
    // The raw files (heap, WAL), not just what SQL shows: deleted or superseded values would be here too.
    await rt.platform.db.pglite!.exec('checkpoint');
    const tarball = await rt.platform.db.pglite!.dumpDataDir('none');
    const bytes = Buffer.from(await tarball.arrayBuffer()).toString('latin1');
    expect(bytes.length).toBeGreaterThan(1_000_000);
    for (const [what, value] of Object.entries(forbiddenStrings(f))) {
      expect(bytes.includes(value), `the data directory contains the ${what}`).toBe(false);
    }
    expect(bytes).toContain(hashToken(f.apiKey));
  });

  it('key rotation re-seals every secret and TOTP seed under the new key', async () => {
    const oldKey = rt.env.ATELIER_MASTER_KEY!;
    const newKey = randomBytes(32).toString('base64');
    const next = createKeyring({ current: newKey });
    const reader = createKeyring({ current: newKey, older: [oldKey] });
    expect(next.currentKeyId).not.toBe(rt.platform.keyring.currentKeyId);

    const counts = await rt.platform.db.withSystem((tx) => resealDatabase(tx, reader, next));
    expect(counts).toEqual({ secrets: 2, totp: 1 });

    const keyIds = await rt.platform.db.withSystem((tx) => sqlRows<{ key_id: string }>(tx, sql`select distinct key_id from secrets`));
    expect(keyIds.map((r) => r.key_id)).toEqual([next.currentKeyId]);
    const [user] = await rt.platform.db.withSystem((tx) => sqlRows<{ totp_secret: string }>(tx, sql`select totp_secret from users where id = ${f.userId}`));
    expect(user!.totp_secret.startsWith(`${next.currentKeyId}:`)).toBe(true);
    expect(openInline(next, user!.totp_secret, totpAad(f.userId))).toBe(f.totpSeed);

    const withNewKey = new ChannelsService(rt.platform.db, new SecretStore(next), new PersonasService(rt.platform.db));
    expect(await withNewKey.credentials(f.orgId, f.channelId)).toEqual(CREDENTIALS);
    // the old key alone opens nothing any more
    const withOldKey = new ChannelsService(rt.platform.db, new SecretStore(rt.platform.keyring), new PersonasService(rt.platform.db));
    await expect(withOldKey.credentials(f.orgId, f.channelId)).rejects.toThrow(/no master key with id/);

    // re-running (an interrupted rotation) is harmless
    await rt.platform.db.withSystem((tx) => resealDatabase(tx, reader, next));
    expect(await withNewKey.credentials(f.orgId, f.channelId)).toEqual(CREDENTIALS);
    // and the rotation wrote no plaintext either
    const dump = await rowsAsText(rt);
    for (const value of [...Object.values(CREDENTIALS), f.totpSeed]) expect(dump.includes(value)).toBe(false);
  });
});

describe('the rotate-key CLI on PGlite', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'atelier-rotate-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  // No ATELIER_MASTER_KEY: the key lives in <dataDir>/master.key, as on a default install.
  const overrides = () => ({ ATELIER_DATA_DIR: dataDir, ATELIER_MASTER_KEY: '' });

  // Two runtimes and a CLI process one after the other (the CLI alone may take 60 s on a busy machine).
  it('re-seals the database, replaces master.key, and everything still opens', { timeout: 180_000 }, async () => {
    const before = await testRuntime('pglite', overrides());
    let f: Fixture;
    try {
      f = await seedSecrets(before);
    } finally {
      await before.stop(); // PGlite is single-process: the CLI opens the same data directory
    }
    const keyFile = join(dataDir, MASTER_KEY_FILE);
    const oldKey = (await readFile(keyFile, 'utf8')).trim();

    const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'warn', ATELIER_DATA_DIR: dataDir };
    // process.execPath is the Node 24 that `npx node` resolves to (node_modules/.bin/node)
    const { stdout } = await execFile(process.execPath, ['server/src/entry/cli.ts', 'rotate-key'], { cwd: REPO_ROOT, env: childEnv, timeout: 60_000 });
    expect(stdout).toMatch(/Re-sealed 2 secrets and 1 two-factor seeds/);

    const newKey = (await readFile(keyFile, 'utf8')).trim();
    expect(newKey).not.toBe(oldKey);
    expect(decodeKey(newKey)).toHaveLength(32);
    expect((await stat(keyFile)).mode & 0o077).toBe(0);

    const after = await testRuntime('pglite', overrides());
    try {
      expect(after.platform.keyring.currentKeyId).toBe(keyIdOf(decodeKey(newKey)));
      const keyIds = await after.platform.db.withSystem((tx) => sqlRows<{ key_id: string }>(tx, sql`select distinct key_id from secrets`));
      expect(keyIds.map((r) => r.key_id)).toEqual([keyIdOf(decodeKey(newKey))]);
      const channels = new ChannelsService(after.platform.db, new SecretStore(after.platform.keyring), new PersonasService(after.platform.db));
      expect(await channels.credentials(f!.orgId, f!.channelId)).toEqual(CREDENTIALS);

      // sign-in with 2FA still works (the seed opened under the new key)
      const c = new ApiClient(after.app);
      expect((await c.login(f!.email, PASSWORD, await generate({ secret: f!.totpSeed }))).status).toBe(200);
      // old access tokens were signed with the old key: refused; refresh tokens survive the rotation
      const stale = new ApiClient(after.app);
      stale.token = f!.accessToken;
      expect((await stale.get('/api/v1/me')).status).toBe(401);
      const refresher = new ApiClient(after.app);
      refresher.refreshCookie = f!.refreshToken;
      expect((await refresher.post('/api/v1/auth/refresh')).status).toBe(200);
      // API keys are hashed independently of the master key: still valid
      const bot = new ApiClient(after.app);
      bot.token = f!.apiKey;
      expect((await bot.get('/api/v1/personas')).status).toBe(200);
    } finally {
      await after.stop();
    }
  });
});
