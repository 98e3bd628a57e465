import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Tx } from '../platform/db/database.ts';
import { apiKeys, memberships, personaAssignments, users } from '../platform/db/schema/index.ts';
import type { Role } from '../platform/db/schema/index.ts';

export function members(tx: Tx) {
  return tx
    .select({
      userId: memberships.userId,
      role: memberships.role,
      restrictedToAssigned: memberships.restrictedToAssigned,
      createdAt: memberships.createdAt,
      email: users.email,
      displayName: users.displayName,
      personaIds: sql<string[]>`coalesce((select array_agg(a.persona_id) from ${personaAssignments} a where a.user_id = ${memberships.userId}), '{}')`,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .orderBy(asc(memberships.createdAt));
}

export function membership(tx: Tx, userId: string) {
  return tx.select().from(memberships).where(eq(memberships.userId, userId)).then((r) => r[0]);
}

export function countOwners(tx: Tx) {
  return tx.$count(memberships, eq(memberships.role, 'owner'));
}

export function addMembership(tx: Tx, orgId: string, userId: string, role: Role, restricted: boolean) {
  return tx.insert(memberships).values({ orgId, userId, role, restrictedToAssigned: restricted });
}

export function updateMembership(tx: Tx, userId: string, patch: { role?: Role; restrictedToAssigned?: boolean }) {
  return tx.update(memberships).set(patch).where(eq(memberships.userId, userId));
}

export function removeMembership(tx: Tx, userId: string) {
  return tx.delete(memberships).where(eq(memberships.userId, userId));
}

export async function setAssignments(tx: Tx, orgId: string, userId: string, personaIds: string[]) {
  await tx.delete(personaAssignments).where(eq(personaAssignments.userId, userId));
  const unique = [...new Set(personaIds)];
  if (unique.length) await tx.insert(personaAssignments).values(unique.map((personaId) => ({ orgId, userId, personaId })));
}

export function listApiKeys(tx: Tx) {
  return tx.select().from(apiKeys).where(isNull(apiKeys.revokedAt)).orderBy(desc(apiKeys.createdAt));
}

export function insertApiKey(tx: Tx, row: typeof apiKeys.$inferInsert) {
  return tx.insert(apiKeys).values(row).returning().then((r) => r[0]!);
}

export function revokeApiKey(tx: Tx, id: string) {
  return tx
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id })
    .then((r) => r.length > 0);
}
