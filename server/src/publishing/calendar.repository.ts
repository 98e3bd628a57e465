import { and, asc, eq, gte, inArray, lt } from 'drizzle-orm';
import type { Tx } from '../platform/db/database.ts';
import { postTargets, posts, slotTemplates, type TargetStatus } from '../platform/db/schema/index.ts';

export type PostRow = typeof posts.$inferSelect;
export type TargetRow = typeof postTargets.$inferSelect;
export type SlotRow = typeof slotTemplates.$inferSelect;

export function post(tx: Tx, id: string) {
  return tx.select().from(posts).where(eq(posts.id, id)).then((r) => r[0]);
}

export function targetsOf(tx: Tx, postIds: string[]) {
  if (!postIds.length) return Promise.resolve([] as TargetRow[]);
  return tx.select().from(postTargets).where(inArray(postTargets.postId, postIds)).orderBy(asc(postTargets.createdAt));
}

export function target(tx: Tx, id: string) {
  return tx.select().from(postTargets).where(eq(postTargets.id, id)).then((r) => r[0]);
}

export function postsBetween(tx: Tx, personaIds: string[] | null, from: Date, to: Date) {
  return tx
    .select()
    .from(posts)
    .where(
      and(
        personaIds ? inArray(posts.personaId, personaIds.length ? personaIds : ['00000000-0000-0000-0000-000000000000']) : undefined,
        gte(posts.scheduledAt, from),
        lt(posts.scheduledAt, to),
      ),
    )
    .orderBy(asc(posts.scheduledAt));
}

/** The post's status follows its targets once they are scheduled. */
export async function rollUp(tx: Tx, postId: string) {
  const rows = await tx.select({ status: postTargets.status }).from(postTargets).where(eq(postTargets.postId, postId));
  const has = (s: TargetStatus) => rows.some((r) => r.status === s);
  const all = (s: TargetStatus) => rows.length > 0 && rows.every((r) => r.status === s);
  const status = all('cancelled')
    ? 'cancelled'
    : has('publishing')
      ? 'publishing'
      : has('needs_review')
        ? 'needs_review'
        : rows.every((r) => r.status === 'published' || r.status === 'cancelled') && has('published')
          ? 'published'
          : has('scheduled')
            ? 'scheduled'
            : has('failed')
              ? 'failed'
              : undefined;
  if (status) await tx.update(posts).set({ status, updatedAt: new Date() }).where(eq(posts.id, postId));
}

export function slotsOf(tx: Tx, personaId: string) {
  return tx.select().from(slotTemplates).where(eq(slotTemplates.personaId, personaId)).orderBy(asc(slotTemplates.localTime));
}
