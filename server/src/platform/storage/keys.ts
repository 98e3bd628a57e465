// Keys are built and checked here only, so neither backend ever sees a key that could escape its org's
// prefix or the storage root.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const EXT = /^\.[a-z0-9]{1,8}$/;
const KEY = /^orgs\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/([0-9a-f]{2})\/([0-9a-f]{64})(\.[a-z0-9]{1,8})?$/;

export class InvalidStorageKeyError extends Error {
  override name = 'InvalidStorageKeyError';
}

/** Thrown by `get`/`stream` of either backend so routes can answer 404 without knowing the backend. */
export class ObjectNotFoundError extends Error {
  override name = 'ObjectNotFoundError';
  readonly key: string;
  constructor(key: string) {
    super(`no stored object at ${key}`);
    this.key = key;
  }
}

/** `orgs/{orgId}/{sha[0..2]}/{sha}{ext}`; the two-char shard keeps directories small on local disks. */
export function contentKey(orgId: string, sha256: string, ext = ''): string {
  // Lower-casing keeps one org from ending up with two key spaces for the same uuid.
  const org = orgId.toLowerCase();
  if (!UUID.test(org)) throw new InvalidStorageKeyError(`orgId must be a uuid, got ${JSON.stringify(orgId)}`);
  if (!SHA256.test(sha256)) throw new InvalidStorageKeyError('sha256 must be 64 lowercase hex characters');
  if (ext !== '' && !EXT.test(ext)) {
    throw new InvalidStorageKeyError(`extension must match ${EXT.source}, got ${JSON.stringify(ext)}`);
  }
  return `orgs/${org}/${sha256.slice(0, 2)}/${sha256}${ext}`;
}

export interface ParsedKey {
  orgId: string;
  sha256: string;
  ext: string;
}

/** Parses a key produced by `contentKey`; anything else (traversal, other prefixes) throws. */
export function parseKey(key: string): ParsedKey {
  const m = KEY.exec(key);
  if (!m || m[2] !== m[3]!.slice(0, 2)) throw new InvalidStorageKeyError(`not a valid storage key: ${JSON.stringify(key)}`);
  return { orgId: m[1]!, sha256: m[3]!, ext: m[4] ?? '' };
}

export function isValidKey(key: string): boolean {
  try {
    parseKey(key);
    return true;
  } catch {
    return false;
  }
}
