import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { expect, it } from 'vitest';
import { createStorage } from '../../src/platform/storage/index.ts';
import { S3Storage } from '../../src/platform/storage/s3.ts';
import { storageContract } from './contract.ts';

const BUCKET = 'atelier-test';

storageContract('s3', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'atelier-s3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: dir,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await server.run();
  // s3rver only knows its built-in S3RVER/S3RVER account.
  const storage = new S3Storage({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    bucket: BUCKET,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
  });
  return {
    storage,
    absolute: (url) => url,
    close: async () => {
      storage.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

it('createStorage picks S3 when a bucket is configured', () => {
  const storage = createStorage({
    dataDir: tmpdir(),
    urlSecret: 'unused',
    s3: { endpoint: 'http://127.0.0.1:9', bucket: BUCKET, accessKeyId: 'a', secretAccessKey: 'b' },
  });
  expect(storage.kind).toBe('s3');
  (storage as S3Storage).close();
  expect(() => createStorage({ dataDir: tmpdir(), urlSecret: 'x', s3: { bucket: BUCKET } })).toThrow(/S3_ACCESS_KEY_ID/);
});
