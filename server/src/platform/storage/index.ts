import { join } from 'node:path';
import { LocalStorage } from './local.ts';
import { S3Storage } from './s3.ts';
import type { Storage } from './storage.ts';

export type { Storage, StoredObject } from './storage.ts';
export { contentKey, parseKey, isValidKey, InvalidStorageKeyError, ObjectNotFoundError } from './keys.ts';
export { LocalStorage, verifySignedUrl, LOCAL_MEDIA_ROUTE } from './local.ts';
export { S3Storage } from './s3.ts';

export interface StorageConfig {
  /** ATELIER_DATA_DIR; local objects go under `<dataDir>/media`. */
  dataDir: string;
  /** Signs local media URLs, e.g. `keyring.derive('media-url')`. Unused by S3, which presigns. */
  urlSecret: Buffer | string;
  defaultTtlSeconds?: number;
  s3?: {
    endpoint?: string;
    region?: string;
    bucket?: string;
    accessKeyId?: string;
    secretAccessKey?: string;
    forcePathStyle?: boolean;
  };
}

/** S3 when a bucket is configured, otherwise the local folder, so a fresh install needs no setup. */
export function createStorage(config: StorageConfig): Storage {
  const s3 = config.s3;
  if (s3?.bucket) {
    if (!s3.accessKeyId || !s3.secretAccessKey) {
      throw new Error('S3 storage needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY alongside S3_BUCKET');
    }
    return new S3Storage({
      ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
      region: s3.region ?? 'us-east-1',
      bucket: s3.bucket,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      forcePathStyle: s3.forcePathStyle ?? true,
      ...(config.defaultTtlSeconds ? { defaultTtlSeconds: config.defaultTtlSeconds } : {}),
    });
  }
  return new LocalStorage({
    root: join(config.dataDir, 'media'),
    urlSecret: config.urlSecret,
    ...(config.defaultTtlSeconds ? { defaultTtlSeconds: config.defaultTtlSeconds } : {}),
  });
}
