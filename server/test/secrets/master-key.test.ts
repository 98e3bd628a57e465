import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeyring } from '../../src/platform/secrets/crypto.ts';
import { resolveMasterKey } from '../../src/platform/secrets/master-key.ts';

// POSIX modes don't exist on Windows; the rest of the behaviour is still checked there.
const posix = process.platform !== 'win32';

describe('resolveMasterKey', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'atelier-master-key-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('generates a 0600 key file in a new data dir and reuses it', async () => {
    const dataDir = join(tmp, 'nested', 'data');
    const first = await resolveMasterKey({ envKey: undefined, dataDir, production: false });
    expect(Buffer.from(first, 'base64')).toHaveLength(32);
    const file = join(dataDir, 'master.key');
    expect((await readFile(file, 'utf8')).trim()).toBe(first);
    if (posix) expect((await stat(file)).mode & 0o777).toBe(0o600);

    const second = await resolveMasterKey({ envKey: undefined, dataDir, production: false });
    expect(second).toBe(first);
    expect(() => createKeyring({ current: second })).not.toThrow();
  });

  it('agrees on one key when several starts race', async () => {
    const keys = await Promise.all(
      Array.from({ length: 8 }, () => resolveMasterKey({ envKey: undefined, dataDir: tmp, production: false })),
    );
    expect(new Set(keys).size).toBe(1);
  });

  it.skipIf(!posix)('tightens a key file with loose permissions', async () => {
    const key = randomBytes(32).toString('base64');
    const file = join(tmp, 'master.key');
    await writeFile(file, `${key}\n`);
    await chmod(file, 0o644);
    expect(await resolveMasterKey({ envKey: undefined, dataDir: tmp, production: false })).toBe(key);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('prefers the env key and writes no file', async () => {
    const key = randomBytes(32).toString('base64');
    expect(await resolveMasterKey({ envKey: key, dataDir: tmp, production: false })).toBe(key);
    expect(await resolveMasterKey({ envKey: key, dataDir: tmp, production: true })).toBe(key);
    await expect(stat(join(tmp, 'master.key'))).rejects.toThrow();
  });

  it('throws in production without an env key, even when a key file exists', async () => {
    await resolveMasterKey({ envKey: undefined, dataDir: tmp, production: false });
    await expect(resolveMasterKey({ envKey: undefined, dataDir: tmp, production: true })).rejects.toThrow(
      /ATELIER_MASTER_KEY is required in production/,
    );
    await expect(resolveMasterKey({ envKey: '', dataDir: tmp, production: true })).rejects.toThrow(/required/);
  });

  it('rejects malformed keys from env or file', async () => {
    await expect(resolveMasterKey({ envKey: 'c2hvcnQ=', dataDir: tmp, production: false })).rejects.toThrow(
      /ATELIER_MASTER_KEY must be 32 bytes/,
    );
    await writeFile(join(tmp, 'master.key'), 'c2hvcnQ=\n', { mode: 0o600 });
    await expect(resolveMasterKey({ envKey: undefined, dataDir: tmp, production: false })).rejects.toThrow(
      /master key in .*master\.key must be 32 bytes/,
    );
  });
});
