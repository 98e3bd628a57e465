/**
 * Writes to analytics_daily. Two ways, both idempotent:
 * - `upsert` sets only the columns it is given on the row of a natural key (so the posts family's
 *   publication counts and its engagement deltas, written by different steps, never overwrite each other);
 * - `replace` rewrites a family over a day window: the window's rows are deleted and the fresh ones
 *   inserted in the same transaction (for families recomputed from their source: revenue, costs, tech).
 */
import { and, desc, eq, gte, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.ts';
import { analyticsDaily, type RollupFamily } from '../../platform/db/schema/index.ts';

export type RollupRow = typeof analyticsDaily.$inferInsert;
type Measure = Exclude<keyof RollupRow, 'orgId' | 'day' | 'family' | 'personaId' | 'channelId' | 'currency' | 'updatedAt'>;

const CHUNK = 500;

export async function upsert(tx: Tx, rows: RollupRow[], columns: Measure[]) {
  if (!rows.length) return;
  const set = Object.fromEntries(columns.map((c) => [c, sql.raw(`excluded.${analyticsDaily[c].name}`)])) as Record<string, SQL>;
  for (let i = 0; i < rows.length; i += CHUNK) {
    await tx
      .insert(analyticsDaily)
      .values(rows.slice(i, i + CHUNK))
      .onConflictDoUpdate({
        target: [analyticsDaily.orgId, analyticsDaily.day, analyticsDaily.family, analyticsDaily.personaId, analyticsDaily.channelId, analyticsDaily.currency],
        set: { ...set, updatedAt: sql`now()` },
      });
  }
}

export async function replace(tx: Tx, family: RollupFamily, from: string, end: string, rows: RollupRow[]) {
  await tx.delete(analyticsDaily).where(and(eq(analyticsDaily.family, family), gte(analyticsDaily.day, from), lt(analyticsDaily.day, end)));
  for (let i = 0; i < rows.length; i += CHUNK) await tx.insert(analyticsDaily).values(rows.slice(i, i + CHUNK));
}

/** The latest row of a family for one channel (or persona-level when channelId is null) strictly before `day`. */
export async function previousRow(tx: Tx, family: RollupFamily, day: string, scope: { channelId: string | null; personaId: string | null }, where?: SQL) {
  const rows = await tx
    .select()
    .from(analyticsDaily)
    .where(
      and(
        eq(analyticsDaily.family, family),
        lt(analyticsDaily.day, day),
        scope.channelId ? eq(analyticsDaily.channelId, scope.channelId) : isNull(analyticsDaily.channelId),
        scope.personaId ? eq(analyticsDaily.personaId, scope.personaId) : isNull(analyticsDaily.personaId),
        where,
      ),
    )
    .orderBy(desc(analyticsDaily.day))
    .limit(1);
  return rows[0] ?? null;
}
