import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { Keyring } from './keyring.ts';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface KeyringOptions {
  /** Current master key, base64 (32 bytes). */
  current: string;
  /** Earlier master keys, base64, still accepted by `open`. */
  older?: string[];
}

export function decodeKey(b64: string, label = 'master key'): Buffer {
  const trimmed = b64.trim();
  // Buffer.from silently drops invalid characters, so check the alphabet before trusting the length.
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new Error(`${label} is not valid base64`);
  }
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(
      `${label} must be ${KEY_BYTES} bytes (base64), got ${key.length}; generate one with \`openssl rand -base64 32\``,
    );
  }
  return key;
}

/** Short public fingerprint: stable across restarts and reveals nothing usable about the key. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export function createKeyring(opts: KeyringOptions): Keyring {
  const current = decodeKey(opts.current, 'current master key');
  const currentKeyId = keyIdOf(current);
  const keys = new Map<string, Buffer>([[currentKeyId, current]]);
  (opts.older ?? []).forEach((b64, i) => {
    const key = decodeKey(b64, `older master key #${i + 1}`);
    const id = keyIdOf(key);
    if (!keys.has(id)) keys.set(id, key);
  });

  return {
    currentKeyId,
    seal(plaintext, aad) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current, iv, { authTagLength: TAG_BYTES });
      if (aad !== undefined) cipher.setAAD(Buffer.from(aad, 'utf8'));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      const sealed = [VERSION, iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join('.');
      return { keyId: currentKeyId, sealed };
    },
    open(keyId, sealed, aad) {
      const key = keys.get(keyId);
      if (!key) throw new Error(`no master key with id ${keyId} is configured (set ATELIER_OLD_MASTER_KEYS)`);
      const parts = sealed.split('.');
      if (parts.length !== 4 || parts[0] !== VERSION) throw new Error('sealed value has an unknown format');
      const iv = Buffer.from(parts[1]!, 'base64url');
      const tag = Buffer.from(parts[2]!, 'base64url');
      const ct = Buffer.from(parts[3]!, 'base64url');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('sealed value is malformed');
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      if (aad !== undefined) decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
      } catch {
        // Don't leak which check failed; tampering, wrong AAD and wrong key all look the same.
        throw new Error('sealed value could not be opened (tampered, wrong key or wrong context)');
      }
    },
    derive(purpose) {
      return Buffer.from(hkdfSync('sha256', current, Buffer.alloc(0), Buffer.from(purpose, 'utf8'), KEY_BYTES));
    },
  };
}

/**
 * Parses ATELIER_OLD_MASTER_KEYS: comma-separated base64 keys, each optionally prefixed `id:`. The id
 * prefix is ignored because ids are recomputed from the key itself and can't drift from it.
 */
export function parseOldKeys(envValue: string | undefined): string[] {
  if (!envValue) return [];
  return envValue
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry, i) => {
      const colon = entry.indexOf(':');
      const b64 = colon === -1 ? entry : entry.slice(colon + 1).trim();
      decodeKey(b64, `ATELIER_OLD_MASTER_KEYS entry #${i + 1}`);
      return b64;
    });
}
