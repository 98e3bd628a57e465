/**
 * AES-256-GCM sealing of platform credentials under the master key. Each sealed value records the id
 * of the key that sealed it, so older keys can still open rows during and after a rotation.
 * Contract only; implementation in ./crypto.ts.
 */
export interface Keyring {
  /** Id of the key new values are sealed with. */
  readonly currentKeyId: string;
  seal(plaintext: string, aad?: string): { keyId: string; sealed: string };
  open(keyId: string, sealed: string, aad?: string): string;
  /** HMAC-SHA256 under a key derived from the master key (token and API-key hashing, JWT secret). */
  derive(purpose: string): Buffer;
}
