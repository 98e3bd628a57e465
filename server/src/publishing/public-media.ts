import type { Env } from '../platform/config/env.ts';
import type { Storage } from '../platform/storage/storage.ts';

/** Long enough for a platform to fetch the file after a delayed publish and its retries. */
const PUBLIC_URL_TTL_SECONDS = 24 * 3600;

/**
 * A URL a platform's servers can fetch the media from (Instagram downloads it itself). S3 presigned
 * URLs are public when the bucket endpoint is; the local folder needs PUBLIC_BASE_URL (this server
 * reachable from the internet). null when neither can work.
 */
export async function publicMediaUrl(storage: Storage, env: Pick<Env, 'PUBLIC_BASE_URL'>, key: string): Promise<string | null> {
  if (storage.kind === 's3') return storage.signedUrl(key, PUBLIC_URL_TTL_SECONDS);
  if (!env.PUBLIC_BASE_URL) return null;
  return new URL(await storage.signedUrl(key, PUBLIC_URL_TTL_SECONDS), env.PUBLIC_BASE_URL).toString();
}
