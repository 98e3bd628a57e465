import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectNotFoundError } from '../../src/platform/storage/keys.ts';
import type { Storage } from '../../src/platform/storage/storage.ts';

export interface ContractHarness {
  storage: Storage;
  /** Turns what `signedUrl` returned into an absolute URL a plain `fetch` can load. */
  absolute(url: string): string;
  close(): Promise<void>;
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** The behaviour every Storage backend must share; each backend's test file runs it once. */
export function storageContract(name: string, setup: () => Promise<ContractHarness>): void {
  describe(`${name} storage contract`, () => {
    let h: ContractHarness;
    const orgA = randomUUID();
    const orgB = randomUUID();

    beforeAll(async () => {
      h = await setup();
    });
    afterAll(async () => {
      await h?.close();
    });

    it('answers ping', async () => {
      await expect(h.storage.ping()).resolves.toBeUndefined();
    });

    it('stores content-addressed and idempotently', async () => {
      const body = Buffer.from(`hello ${name} ${randomUUID()}`);
      const sha = createHash('sha256').update(body).digest('hex');
      const first = await h.storage.put(orgA, body, { contentType: 'text/plain', extension: '.txt' });
      expect(first).toEqual({
        key: `orgs/${orgA}/${sha.slice(0, 2)}/${sha}.txt`,
        sha256: sha,
        bytes: body.length,
        contentType: 'text/plain',
      });
      const again = await h.storage.put(orgA, Buffer.from(body), { contentType: 'text/plain', extension: '.txt' });
      expect(again).toEqual(first);
      expect(await h.storage.get(first.key)).toEqual(body);
    });

    it('keeps orgs apart', async () => {
      const body = Buffer.from('shared bytes');
      const a = await h.storage.put(orgA, body, { contentType: 'application/octet-stream' });
      const b = await h.storage.put(orgB, body, { contentType: 'application/octet-stream' });
      expect(a.sha256).toBe(b.sha256);
      expect(a.key).not.toBe(b.key);
      expect(a.key.startsWith(`orgs/${orgA}/`)).toBe(true);
      expect(b.key.startsWith(`orgs/${orgB}/`)).toBe(true);
      await h.storage.delete(a.key);
      expect(await h.storage.exists(b.key)).toBe(true);
    });

    it('round-trips binary bytes through get and stream', async () => {
      const body = Buffer.alloc(300_000);
      for (let i = 0; i < body.length; i++) body[i] = (i * 31 + 7) & 0xff;
      const { key } = await h.storage.put(orgA, body, { contentType: 'image/png', extension: '.png' });
      expect((await h.storage.get(key)).equals(body)).toBe(true);
      expect((await drain(await h.storage.stream(key))).equals(body)).toBe(true);
    });

    it('reports existence and deletes idempotently', async () => {
      const { key } = await h.storage.put(orgA, Buffer.from(randomUUID()), { contentType: 'text/plain' });
      expect(await h.storage.exists(key)).toBe(true);
      await h.storage.delete(key);
      expect(await h.storage.exists(key)).toBe(false);
      await expect(h.storage.delete(key)).resolves.toBeUndefined();
      await expect(h.storage.get(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(h.storage.stream(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it('serves bytes through a signed URL', async () => {
      const body = Buffer.from(`signed ${randomUUID()}`);
      const { key } = await h.storage.put(orgA, body, { contentType: 'text/plain', extension: '.txt' });
      const res = await fetch(h.absolute(await h.storage.signedUrl(key, 60)));
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(body);
    });

    it('rejects keys that could traverse or leave the org prefix', async () => {
      const sha = 'a'.repeat(64);
      const bad = [
        '../secret',
        `orgs/${orgA}/aa/../../../etc/passwd`,
        `orgs/${orgA}/aa/${sha}/../${sha}`,
        `orgs/not-a-uuid/aa/${sha}`,
        `orgs/${orgA}/bb/${sha}`,
        `/orgs/${orgA}/aa/${sha}`,
        `orgs/${orgA}/aa/${sha}.TXT`,
        `orgs/${orgA}/aa/${sha}.toolongext`,
        'master.key',
      ];
      for (const key of bad) {
        await expect(h.storage.get(key), key).rejects.toThrow(/not a valid storage key/);
        await expect(h.storage.exists(key), key).rejects.toThrow(/not a valid storage key/);
        await expect(h.storage.delete(key), key).rejects.toThrow(/not a valid storage key/);
        await expect(h.storage.signedUrl(key), key).rejects.toThrow(/not a valid storage key/);
      }
      const opts = { contentType: 'text/plain' };
      await expect(h.storage.put('../x', Buffer.from('x'), opts)).rejects.toThrow(/orgId must be a uuid/);
      for (const extension of ['/../x', 'txt', '.t/x', '.EXE', '.']) {
        await expect(h.storage.put(orgA, Buffer.from('x'), { ...opts, extension }), extension).rejects.toThrow(
          /extension must match/,
        );
      }
    });
  });
}
