import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../platform/db/database.ts';
import { personaAssignments, personas } from '../platform/db/schema/index.ts';

export type PersonaRow = typeof personas.$inferSelect;

// RLS already limits every query to the transaction's organization; persona scope narrows further.

export function list(tx: Tx, scope: string[] | null) {
  const where = scope === null ? undefined : scope.length ? inArray(personas.id, scope) : eq(personas.id, '00000000-0000-0000-0000-000000000000');
  return tx.select().from(personas).where(where).orderBy(asc(personas.name));
}

export function get(tx: Tx, id: string) {
  return tx.select().from(personas).where(eq(personas.id, id)).then((r) => r[0]);
}

export function insert(tx: Tx, row: typeof personas.$inferInsert) {
  return tx.insert(personas).values(row).returning().then((r) => r[0]!);
}

export function update(tx: Tx, id: string, patch: Partial<typeof personas.$inferInsert>) {
  return tx
    .update(personas)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(personas.id, id))
    .returning()
    .then((r) => r[0]);
}

export function remove(tx: Tx, id: string) {
  return tx.delete(personas).where(eq(personas.id, id)).returning({ id: personas.id }).then((r) => r.length > 0);
}

export function assign(tx: Tx, orgId: string, userId: string, personaId: string) {
  return tx.insert(personaAssignments).values({ orgId, userId, personaId }).onConflictDoNothing();
}

export function assignmentsOf(tx: Tx, personaId: string) {
  return tx.select().from(personaAssignments).where(and(eq(personaAssignments.personaId, personaId)));
}
