import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { access, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { contentKey, InvalidStorageKeyError, ObjectNotFoundError, parseKey } from './keys.ts';
import type { Storage, StoredObject } from './storage.ts';

export const LOCAL_MEDIA_ROUTE = '/api/v1/media/raw';
const DEFAULT_TTL_SECONDS = 300;

export interface LocalStorageOptions {
  /** Folder holding the objects, e.g. `<ATELIER_DATA_DIR>/media`. */
  root: string;
  /** HMAC key for signed URLs; derive it from the master key so it survives restarts. */
  urlSecret: Buffer | string;
  defaultTtlSeconds?: number;
  /** Path the signed URLs point at; the route serving it must call `verifySignedUrl`. */
  routePath?: string;
}

export class LocalStorage implements Storage {
  readonly kind = 'local' as const;
  readonly root: string;
  readonly #secret: Buffer | string;
  readonly #ttl: number;
  readonly #route: string;

  constructor(opts: LocalStorageOptions) {
    this.root = resolve(opts.root);
    this.#secret = opts.urlSecret;
    this.#ttl = opts.defaultTtlSeconds ?? DEFAULT_TTL_SECONDS;
    this.#route = opts.routePath ?? LOCAL_MEDIA_ROUTE;
  }

  async put(orgId: string, body: Buffer, opts: { contentType: string; extension?: string }): Promise<StoredObject> {
    const sha256 = createHash('sha256').update(body).digest('hex');
    const key = contentKey(orgId, sha256, opts.extension ?? '');
    const stored = { key, sha256, bytes: body.length, contentType: opts.contentType };
    const path = this.#pathOf(key);
    if (await fileExists(path)) return stored;

    await mkdir(dirname(path), { recursive: true });
    // Same-directory temp file + rename: readers never see a half-written object, and a concurrent
    // writer of the same content just replaces identical bytes.
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, body, { flag: 'wx' });
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return stored;
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.#pathOf(key));
    } catch (err) {
      throw notFound(err, key);
    }
  }

  async stream(key: string): Promise<Readable> {
    // Opening first turns a missing file into a rejected promise instead of a later stream error.
    try {
      const handle = await open(this.#pathOf(key), 'r');
      return handle.createReadStream();
    } catch (err) {
      throw notFound(err, key);
    }
  }

  async exists(key: string): Promise<boolean> {
    return fileExists(this.#pathOf(key));
  }

  async delete(key: string): Promise<void> {
    await rm(this.#pathOf(key), { force: true });
  }

  async signedUrl(key: string, ttlSeconds = this.#ttl): Promise<string> {
    parseKey(key);
    const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
    const sig = signature(this.#secret, key, exp);
    return `${this.#route}?key=${encodeURIComponent(key)}&exp=${exp}&sig=${sig}`;
  }

  async ping(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const probe = join(this.root, `.ping-${randomBytes(6).toString('hex')}`);
    await writeFile(probe, '', { flag: 'wx' });
    await rm(probe, { force: true });
  }

  #pathOf(key: string): string {
    parseKey(key);
    const path = resolve(this.root, key);
    // Belt and braces: parseKey already forbids `..`, but the root check doesn't depend on that regex.
    if (!path.startsWith(this.root + sep)) throw new InvalidStorageKeyError(`key escapes the storage root: ${key}`);
    return path;
  }
}

function signature(secret: Buffer | string, key: string, exp: number): string {
  return createHmac('sha256', secret).update(`${key}\n${exp}`).digest('base64url');
}

/**
 * Checks a signed media URL's query parameters. `exp` is unix seconds; `nowSeconds` defaults to the
 * clock and exists for tests.
 */
export function verifySignedUrl(
  secret: Buffer | string,
  key: string,
  exp: string | number,
  sig: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): boolean {
  const expNum = typeof exp === 'number' ? exp : /^\d{1,12}$/.test(exp) ? Number(exp) : NaN;
  if (!Number.isSafeInteger(expNum) || expNum < nowSeconds) return false;
  try {
    parseKey(key);
  } catch {
    return false;
  }
  const expected = Buffer.from(signature(secret, key, expNum));
  const given = Buffer.from(sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function notFound(err: unknown, key: string): unknown {
  return (err as NodeJS.ErrnoException).code === 'ENOENT' ? new ObjectNotFoundError(key) : err;
}
