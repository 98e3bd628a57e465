import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyring, keyIdOf, parseOldKeys } from '../../src/platform/secrets/crypto.ts';
import { resealAll } from '../../src/platform/secrets/master-key.ts';

const newKey = () => randomBytes(32).toString('base64');

describe('keyring', () => {
  it('round-trips values with and without AAD', () => {
    const kr = createKeyring({ current: newKey() });
    const a = kr.seal('hunter2');
    expect(a.keyId).toBe(kr.currentKeyId);
    expect(a.sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]*$/);
    expect(kr.open(a.keyId, a.sealed)).toBe('hunter2');
    const b = kr.seal('ünïcødé ✓', 'owner-1');
    expect(kr.open(b.keyId, b.sealed, 'owner-1')).toBe('ünïcødé ✓');
    expect(kr.open(kr.currentKeyId, kr.seal('').sealed)).toBe('');
  });

  it('uses a fresh IV per value', () => {
    const kr = createKeyring({ current: newKey() });
    expect(kr.seal('same').sealed).not.toBe(kr.seal('same').sealed);
  });

  it('derives the key id from the key, 8 hex chars', () => {
    const key = newKey();
    const kr = createKeyring({ current: key });
    expect(kr.currentKeyId).toMatch(/^[0-9a-f]{8}$/);
    expect(createKeyring({ current: key }).currentKeyId).toBe(kr.currentKeyId);
    expect(kr.currentKeyId).toBe(keyIdOf(Buffer.from(key, 'base64')));
  });

  it('detects tampering', () => {
    const kr = createKeyring({ current: newKey() });
    const { keyId, sealed } = kr.seal('secret value');
    const [v, iv, tag, ct] = sealed.split('.') as [string, string, string, string];
    const flip = (s: string) => {
      const buf = Buffer.from(s, 'base64url');
      buf[0] = buf[0]! ^ 1;
      return buf.toString('base64url');
    };
    expect(() => kr.open(keyId, [v, iv, tag, flip(ct)].join('.'))).toThrow(/could not be opened/);
    expect(() => kr.open(keyId, [v, iv, flip(tag), ct].join('.'))).toThrow(/could not be opened/);
    expect(() => kr.open(keyId, [v, flip(iv), tag, ct].join('.'))).toThrow(/could not be opened/);
    expect(() => kr.open(keyId, ['v2', iv, tag, ct].join('.'))).toThrow(/unknown format/);
    expect(() => kr.open(keyId, 'garbage')).toThrow(/unknown format/);
  });

  it('rejects the wrong AAD, including a missing one', () => {
    const kr = createKeyring({ current: newKey() });
    const { keyId, sealed } = kr.seal('token', 'row-a');
    expect(() => kr.open(keyId, sealed, 'row-b')).toThrow(/could not be opened/);
    expect(() => kr.open(keyId, sealed)).toThrow(/could not be opened/);
  });

  it('opens values sealed under an older key and rejects unknown key ids', () => {
    const oldKey = newKey();
    const before = createKeyring({ current: oldKey });
    const sealed = before.seal('legacy', 'row-1');
    const after = createKeyring({ current: newKey(), older: [oldKey] });
    expect(after.currentKeyId).not.toBe(before.currentKeyId);
    expect(after.open(sealed.keyId, sealed.sealed, 'row-1')).toBe('legacy');
    expect(() => createKeyring({ current: newKey() }).open(sealed.keyId, sealed.sealed, 'row-1')).toThrow(
      /no master key with id/,
    );
  });

  it('derives stable, purpose-separated 32-byte keys', () => {
    const key = newKey();
    const kr = createKeyring({ current: key });
    const jwt = kr.derive('jwt');
    expect(jwt).toHaveLength(32);
    expect(createKeyring({ current: key }).derive('jwt').equals(jwt)).toBe(true);
    expect(kr.derive('token-hash').equals(jwt)).toBe(false);
    expect(jwt.equals(Buffer.from(key, 'base64'))).toBe(false);
  });

  it('validates key material with clear errors', () => {
    expect(() => createKeyring({ current: randomBytes(16).toString('base64') })).toThrow(/must be 32 bytes.*got 16/);
    expect(() => createKeyring({ current: 'not base64!!' })).toThrow(/not valid base64/);
    expect(() => createKeyring({ current: newKey(), older: ['short'] })).toThrow(/older master key #1/);
  });
});

describe('parseOldKeys', () => {
  it('accepts plain and id-prefixed entries and ignores blanks', () => {
    const a = newKey();
    const b = newKey();
    expect(parseOldKeys(undefined)).toEqual([]);
    expect(parseOldKeys('')).toEqual([]);
    expect(parseOldKeys(` ${a} , abcd1234:${b},, `)).toEqual([a, b]);
  });

  it('names the bad entry', () => {
    expect(() => parseOldKeys(`${newKey()},deadbeef:AAAA`)).toThrow(/ATELIER_OLD_MASTER_KEYS entry #2.*32 bytes/);
  });
});

describe('resealAll', () => {
  it('moves every row to the new current key, keeping AAD binding', () => {
    const k1 = newKey();
    const k2 = newKey();
    const k3 = newKey();
    const gen1 = createKeyring({ current: k1 });
    const gen2 = createKeyring({ current: k2, older: [k1] });
    const rows: { id: string; keyId: string; sealed: string; aad?: string; extra?: number }[] = [
      { id: 'a', ...gen1.seal('alpha', 'a'), aad: 'a' },
      { id: 'b', ...gen2.seal('bravo') },
      { id: 'c', ...gen2.seal('charlie', 'c'), aad: 'c', extra: 42 },
    ];
    const gen3 = createKeyring({ current: k3, older: [k1, k2] });
    const resealed = resealAll(gen2, gen3, rows);

    expect(resealed.map((r) => r.keyId)).toEqual([gen3.currentKeyId, gen3.currentKeyId, gen3.currentKeyId]);
    expect(resealed[2]).toMatchObject({ id: 'c', extra: 42 });
    const onlyNew = createKeyring({ current: k3 });
    expect(resealed.map((r) => onlyNew.open(r.keyId, r.sealed, r.aad))).toEqual(['alpha', 'bravo', 'charlie']);
    expect(() => onlyNew.open(resealed[0]!.keyId, resealed[0]!.sealed, 'b')).toThrow();
    // Re-running an interrupted rotation leaves already-moved rows alone.
    expect(resealAll(gen2, gen3, resealed)).toEqual(resealed);
  });
});
