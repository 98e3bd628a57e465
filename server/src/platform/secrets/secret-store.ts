import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Tx } from '../db/database.ts';
import { secrets, users } from '../db/schema/index.ts';
import type { Keyring } from './keyring.ts';
import { resealAll } from './master-key.ts';

// The AAD binds a sealed value to its row: copying ciphertext onto another channel fails to open.
const aadOf = (ownerType: string, ownerId: string, name: string) => `${ownerType}:${ownerId}:${name}`;

/** A sealed value with its key id in one column (`keyId:sealed`), for single secrets such as a TOTP seed. */
export function sealInline(keyring: Keyring, value: string, aad: string): string {
  const { keyId, sealed } = keyring.seal(value, aad);
  return `${keyId}:${sealed}`;
}

function splitInline(stored: string) {
  const cut = stored.indexOf(':');
  return { keyId: stored.slice(0, cut), sealed: stored.slice(cut + 1) };
}

export function openInline(keyring: Keyring, stored: string, aad: string): string {
  const { keyId, sealed } = splitInline(stored);
  return keyring.open(keyId, sealed, aad);
}

export const totpAad = (userId: string) => `totp:${userId}`;

/** Platform credentials (OAuth tokens, API keys) of one owner, e.g. a channel. Runs under the caller's RLS. */
export class SecretStore {
  readonly #keyring: Keyring;
  constructor(keyring: Keyring) {
    this.#keyring = keyring;
  }

  async put(tx: Tx, orgId: string, owner: { type: string; id: string }, values: Record<string, string>) {
    for (const [name, value] of Object.entries(values)) {
      const { keyId, sealed } = this.#keyring.seal(value, aadOf(owner.type, owner.id, name));
      await tx
        .insert(secrets)
        .values({ orgId, ownerType: owner.type, ownerId: owner.id, name, keyId, sealed })
        .onConflictDoUpdate({ target: [secrets.ownerType, secrets.ownerId, secrets.name], set: { keyId, sealed, updatedAt: new Date() } });
    }
  }

  async get(tx: Tx, owner: { type: string; id: string }): Promise<Record<string, string>> {
    const rows = await tx.select().from(secrets).where(and(eq(secrets.ownerType, owner.type), eq(secrets.ownerId, owner.id)));
    return Object.fromEntries(rows.map((r) => [r.name, this.#keyring.open(r.keyId, r.sealed, aadOf(r.ownerType, r.ownerId, r.name))]));
  }

  /** Names only, for the UI: which credentials are set, never their values. */
  async names(tx: Tx, owner: { type: string; id: string }): Promise<string[]> {
    const rows = await tx.select({ name: secrets.name }).from(secrets).where(and(eq(secrets.ownerType, owner.type), eq(secrets.ownerId, owner.id)));
    return rows.map((r) => r.name);
  }

  /** `names` for many owners of one type in one query (lists): owner id → names, every id present. */
  async namesOf(tx: Tx, type: string, ids: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map(ids.map((id) => [id, [] as string[]]));
    if (!ids.length) return out;
    const rows = await tx.select({ ownerId: secrets.ownerId, name: secrets.name }).from(secrets).where(and(eq(secrets.ownerType, type), inArray(secrets.ownerId, [...ids])));
    for (const r of rows) out.get(r.ownerId)?.push(r.name);
    return out;
  }

  async remove(tx: Tx, owner: { type: string; id: string }) {
    await tx.delete(secrets).where(and(eq(secrets.ownerType, owner.type), eq(secrets.ownerId, owner.id)));
  }
}

/**
 * Re-seals every sealed value in the database (platform secrets of all organizations and users' TOTP
 * seeds) under `next`. One owner transaction: either every row moves to the new key or none does.
 */
export async function resealDatabase(tx: Tx, current: Keyring, next: Keyring): Promise<{ secrets: number; totp: number }> {
  const secretRows = await tx.select().from(secrets);
  const resealed = resealAll(
    current,
    next,
    secretRows.map((r) => ({ id: r.id, keyId: r.keyId, sealed: r.sealed, aad: aadOf(r.ownerType, r.ownerId, r.name) })),
  );
  for (const row of resealed) {
    await tx.update(secrets).set({ keyId: row.keyId, sealed: row.sealed, updatedAt: new Date() }).where(eq(secrets.id, row.id));
  }
  const totpRows = await tx.select({ id: users.id, totpSecret: users.totpSecret }).from(users).where(isNotNull(users.totpSecret));
  const totp = resealAll(
    current,
    next,
    totpRows.map((r) => ({ id: r.id, ...splitInline(r.totpSecret!), aad: totpAad(r.id) })),
  );
  for (const row of totp) await tx.update(users).set({ totpSecret: `${row.keyId}:${row.sealed}` }).where(eq(users.id, row.id));
  return { secrets: resealed.length, totp: totp.length };
}
