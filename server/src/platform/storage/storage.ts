import type { Readable } from 'node:stream';

/**
 * Where media bytes live. Keys are content-addressed and scoped per organization
 * (`orgs/{orgId}/{sha256[0..2]}/{sha256}{ext}`), so the same bytes are stored once per org and a key
 * can never point into another org's space. Implementations: local folder (default) and S3/MinIO.
 */
export interface Storage {
  readonly kind: 'local' | 's3';
  /** Stores bytes under their content address; returns the key and digest. Idempotent. */
  put(orgId: string, body: Buffer, opts: { contentType: string; extension?: string }): Promise<StoredObject>;
  get(key: string): Promise<Buffer>;
  stream(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** A short-lived URL the dashboard can load without a bearer token. */
  signedUrl(key: string, ttlSeconds?: number): Promise<string>;
  /** Answers when the backend is reachable and writable (used by /healthz). */
  ping(): Promise<void>;
}

export interface StoredObject {
  key: string;
  sha256: string;
  bytes: number;
  contentType: string;
}
