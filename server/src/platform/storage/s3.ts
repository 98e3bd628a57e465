import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { contentKey, ObjectNotFoundError, parseKey } from './keys.ts';
import type { Storage, StoredObject } from './storage.ts';

const DEFAULT_TTL_SECONDS = 300;

export interface S3StorageOptions {
  /** Unset for AWS itself; set for MinIO and other S3-compatible servers. */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** MinIO and most self-hosted servers need path-style URLs (no bucket subdomains). */
  forcePathStyle?: boolean;
  defaultTtlSeconds?: number;
}

export class S3Storage implements Storage {
  readonly kind = 's3' as const;
  readonly bucket: string;
  readonly #client: S3Client;
  readonly #ttl: number;

  constructor(opts: S3StorageOptions) {
    this.bucket = opts.bucket;
    this.#ttl = opts.defaultTtlSeconds ?? DEFAULT_TTL_SECONDS;
    this.#client = new S3Client({
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      region: opts.region,
      forcePathStyle: opts.forcePathStyle ?? false,
      credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
      // The SDK's default CRC checksums are rejected or mishandled by many S3-compatible servers;
      // content addressing already guards integrity.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(orgId: string, body: Buffer, opts: { contentType: string; extension?: string }): Promise<StoredObject> {
    const sha256 = createHash('sha256').update(body).digest('hex');
    const key = contentKey(orgId, sha256, opts.extension ?? '');
    const stored = { key, sha256, bytes: body.length, contentType: opts.contentType };
    if (await this.exists(key)) return stored;
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: opts.contentType,
        ContentLength: body.length,
      }),
    );
    return stored;
  }

  async get(key: string): Promise<Buffer> {
    const body = await this.#getBody(key);
    return Buffer.from(await body.transformToByteArray());
  }

  async stream(key: string): Promise<Readable> {
    // In Node the SDK's body is an IncomingMessage, i.e. already a Readable.
    return (await this.#getBody(key)) as unknown as Readable;
  }

  async exists(key: string): Promise<boolean> {
    parseKey(key);
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    parseKey(key);
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async signedUrl(key: string, ttlSeconds = this.#ttl): Promise<string> {
    parseKey(key);
    return getSignedUrl(this.#client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: ttlSeconds,
    });
  }

  async ping(): Promise<void> {
    await this.#client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  /** Releases pooled sockets; for tests and graceful shutdown. */
  close(): void {
    this.#client.destroy();
  }

  async #getBody(key: string) {
    parseKey(key);
    try {
      const res = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!res.Body) throw new ObjectNotFoundError(key);
      return res.Body;
    } catch (err) {
      throw isNotFound(err) ? new ObjectNotFoundError(key) : err;
    }
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}
