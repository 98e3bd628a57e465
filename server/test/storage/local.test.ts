import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../src/platform/storage/index.ts';
import { LocalStorage, verifySignedUrl } from '../../src/platform/storage/local.ts';
import { storageContract } from './contract.ts';

storageContract('local', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'atelier-local-storage-'));
  const secret = randomBytes(32);
  const storage = new LocalStorage({ root: join(dir, 'media'), urlSecret: secret });
  // Stands in for the API route that serves signed media URLs.
  const server = createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
    const key = q.get('key') ?? '';
    if (!verifySignedUrl(secret, key, q.get('exp') ?? '', q.get('sig') ?? '')) {
      res.writeHead(403).end();
      return;
    }
    storage
      .stream(key)
      .then((s) => pipeline(s, res))
      .catch(() => res.writeHead(404).end());
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    storage,
    absolute: (url) => `http://127.0.0.1:${port}${url}`,
    close: async () => {
      await new Promise((ok) => server.close(ok));
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('local storage specifics', () => {
  let dir: string;
  let storage: LocalStorage;
  const secret = randomBytes(32);
  const org = randomUUID();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'atelier-local-storage-'));
    storage = new LocalStorage({ root: join(dir, 'media'), urlSecret: secret, defaultTtlSeconds: 120 });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function signedParams(ttl?: number) {
    const { key } = await storage.put(org, Buffer.from('pixels'), { contentType: 'image/webp', extension: '.webp' });
    const url = new URL(await storage.signedUrl(key, ttl), 'http://x');
    expect(url.pathname).toBe('/api/v1/media/raw');
    return { key, exp: url.searchParams.get('exp')!, sig: url.searchParams.get('sig')! };
  }

  it('accepts a fresh signed URL and rejects tampered or expired ones', async () => {
    const { key, exp, sig } = await signedParams();
    const now = Math.floor(Date.now() / 1000);
    expect(Number(exp) - now).toBeGreaterThanOrEqual(119);
    expect(verifySignedUrl(secret, key, exp, sig)).toBe(true);
    expect(verifySignedUrl(secret, key, Number(exp), sig, Number(exp))).toBe(true);

    const otherKey = (await storage.put(org, Buffer.from('other'), { contentType: 'text/plain' })).key;
    expect(verifySignedUrl(secret, otherKey, exp, sig)).toBe(false);
    expect(verifySignedUrl(secret, key, String(Number(exp) + 3600), sig)).toBe(false);
    expect(verifySignedUrl(secret, key, exp, `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
    expect(verifySignedUrl(secret, key, exp, '')).toBe(false);
    expect(verifySignedUrl(randomBytes(32), key, exp, sig)).toBe(false);
    expect(verifySignedUrl(secret, key, exp, sig, Number(exp) + 1)).toBe(false);
    expect(verifySignedUrl(secret, key, '1e12', sig)).toBe(false);
    expect(verifySignedUrl(secret, '../x', exp, sig)).toBe(false);
  });

  it('expires with the requested ttl', async () => {
    const { key, exp, sig } = await signedParams(10);
    const now = Math.floor(Date.now() / 1000);
    expect(verifySignedUrl(secret, key, exp, sig, now + 5)).toBe(true);
    expect(verifySignedUrl(secret, key, exp, sig, now + 12)).toBe(false);
  });

  it('leaves no temp files behind', async () => {
    const { key } = await storage.put(org, Buffer.from('tidy'), { contentType: 'text/plain' });
    const shard = join(storage.root, key, '..');
    expect((await readdir(shard)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('answers ping on a root that does not exist yet, and fails when it cannot write', async () => {
    await expect(new LocalStorage({ root: join(dir, 'fresh', 'media'), urlSecret: secret }).ping()).resolves.toBeUndefined();
    if (process.platform !== 'win32') {
      await symlink('/nonexistent-atelier-target', join(dir, 'dangling'));
      await expect(new LocalStorage({ root: join(dir, 'dangling'), urlSecret: secret }).ping()).rejects.toThrow();
    }
  });

  it('createStorage defaults to <dataDir>/media', () => {
    const s = createStorage({ dataDir: dir, urlSecret: secret, s3: { bucket: '' } });
    expect(s.kind).toBe('local');
    expect((s as LocalStorage).root).toBe(join(dir, 'media'));
  });
});
