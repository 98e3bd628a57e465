import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeKey } from './crypto.ts';
import type { Keyring } from './keyring.ts';

export const MASTER_KEY_FILE = 'master.key';

export interface ResolveMasterKeyOptions {
  envKey: string | undefined;
  dataDir: string;
  production: boolean;
}

/**
 * Returns the master key as base64. ATELIER_MASTER_KEY wins; outside production the key otherwise lives
 * in `<dataDir>/master.key`, created on first start so a fresh install works with zero configuration.
 */
export async function resolveMasterKey(opts: ResolveMasterKeyOptions): Promise<string> {
  const envKey = opts.envKey?.trim();
  if (envKey) {
    decodeKey(envKey, 'ATELIER_MASTER_KEY');
    return envKey;
  }
  if (opts.production) {
    throw new Error(
      'ATELIER_MASTER_KEY is required in production (32 bytes, base64; generate with `openssl rand -base64 32`). ' +
        'Keep it outside the data directory and back it up: sealed secrets cannot be recovered without it.',
    );
  }

  await mkdir(opts.dataDir, { recursive: true });
  const path = join(opts.dataDir, MASTER_KEY_FILE);
  const existing = await readKeyFile(path);
  if (existing !== undefined) return existing;

  const fresh = randomBytes(32).toString('base64');
  try {
    // `wx` makes creation exclusive: when two processes start together only one key ever exists.
    await writeFile(path, `${fresh}\n`, { flag: 'wx', mode: 0o600 });
    return fresh;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // Lost the race; the winner may still be mid-write, so give it a moment to finish.
  let lastError: unknown;
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const winner = await readKeyFile(path);
      if (winner !== undefined) return winner;
    } catch (err) {
      lastError = err;
    }
    await sleep(50);
  }
  throw lastError ?? new Error(`${path} disappeared while another process was creating it`);
}

async function readKeyFile(path: string): Promise<string | undefined> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const { mode } = await stat(path);
  if ((mode & 0o077) !== 0) await chmod(path, 0o600);
  const key = content.trim();
  decodeKey(key, `master key in ${path}`);
  return key;
}

export interface SealedRow {
  id: string;
  keyId: string;
  sealed: string;
  aad?: string;
}

/**
 * Re-encrypts rows under `newKeyring`'s current key. Pure, so the DB-side rotation can run it inside a
 * transaction. Rows already on the new key are returned untouched, which makes an interrupted rotation
 * safe to re-run.
 */
export function resealAll<T extends SealedRow>(keyring: Keyring, newKeyring: Keyring, rows: T[]): T[] {
  return rows.map((row) => {
    if (row.keyId === newKeyring.currentKeyId) return row;
    const plaintext = keyring.open(row.keyId, row.sealed, row.aad);
    const { keyId, sealed } = newKeyring.seal(plaintext, row.aad);
    return { ...row, keyId, sealed };
  });
}
