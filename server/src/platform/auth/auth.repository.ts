import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Tx } from '../db/database.ts';
import { rowsOf } from '../db/database.ts';
import { apiKeys, memberships, organizations, refreshTokens, users } from '../db/schema/index.ts';
import type { Role } from '../db/schema/index.ts';

// All I/O of sign-in and sessions. These run in system transactions: they precede any tenant scope.

export function findUserByEmail(tx: Tx, email: string) {
  return tx
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email})`)
    .then((r) => r[0]);
}

export function findUser(tx: Tx, id: string) {
  return tx.select().from(users).where(eq(users.id, id)).then((r) => r[0]);
}

export function membershipsOf(tx: Tx, userId: string) {
  return tx
    .select({ orgId: memberships.orgId, role: memberships.role, orgName: organizations.name })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt));
}

export async function recordFailure(tx: Tx, userId: string, maxFailures: number, lockMinutes: number) {
  const rows = rowsOf<{ locked: boolean }>(
    await tx.execute(sql`
      update users set
        failed_logins = case when failed_logins + 1 >= ${maxFailures} then 0 else failed_logins + 1 end,
        locked_until = case when failed_logins + 1 >= ${maxFailures}
          then now() + make_interval(mins => ${lockMinutes}) else locked_until end
      where id = ${userId}
      returning (locked_until is not null and locked_until > now()) as locked`),
  );
  return rows[0]?.locked ?? false;
}

export function clearFailures(tx: Tx, userId: string) {
  return tx.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, userId));
}

export function insertRefresh(tx: Tx, row: typeof refreshTokens.$inferInsert) {
  return tx.insert(refreshTokens).values(row);
}

export function findRefresh(tx: Tx, tokenHash: string) {
  return tx.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).then((r) => r[0]);
}

/** Marks a token used; false when someone else used it first (a replay racing the legitimate client). */
export async function consumeRefresh(tx: Tx, id: string): Promise<boolean> {
  const rows = await tx
    .update(refreshTokens)
    .set({ usedAt: new Date() })
    .where(and(eq(refreshTokens.id, id), isNull(refreshTokens.usedAt), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  return rows.length === 1;
}

export function revokeFamily(tx: Tx, familyId: string) {
  return tx
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

export interface SessionFacts {
  role: Role;
  restricted: boolean;
  revoked: boolean;
  personaIds: string[];
}

/** Everything the guard needs per request, in one round trip. */
export async function sessionFacts(tx: Tx, userId: string, orgId: string, familyId: string): Promise<SessionFacts | null> {
  const rows = rowsOf<{ role: Role; restricted: boolean; revoked: boolean; persona_ids: string[] | null }>(
    await tx.execute(sql`
      select m.role, m.restricted_to_assigned as restricted,
        exists (select 1 from refresh_tokens r where r.family_id = ${familyId} and r.revoked_at is not null) as revoked,
        (select array_agg(a.persona_id) from persona_assignments a where a.user_id = m.user_id and a.org_id = m.org_id) as persona_ids
      from memberships m where m.user_id = ${userId} and m.org_id = ${orgId}`),
  );
  const row = rows[0];
  if (!row) return null;
  return { role: row.role, restricted: row.restricted, revoked: row.revoked, personaIds: row.persona_ids ?? [] };
}

export function findApiKeyByPrefix(tx: Tx, prefix: string) {
  return tx.select().from(apiKeys).where(eq(apiKeys.prefix, prefix)).then((r) => r[0]);
}

export function touchApiKey(tx: Tx, id: string) {
  return tx.update(apiKeys).set({ lastUsedAt: new Date() }).where(eq(apiKeys.id, id));
}

export function setTotp(tx: Tx, userId: string, sealed: string | null, enabled: boolean) {
  return tx.update(users).set({ totpSecret: sealed, totpEnabled: enabled }).where(eq(users.id, userId));
}

export function countUsers(tx: Tx) {
  return tx.execute(sql`select count(*)::int as n from users`).then((r) => rowsOf<{ n: number }>(r)[0]?.n ?? 0);
}


export function updateProfile(tx: Tx, userId: string, patch: { displayName?: string | undefined; locale?: string | undefined }) {
  const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  if (!Object.keys(set).length) return Promise.resolve();
  return tx.update(users).set(set).where(eq(users.id, userId));
}
