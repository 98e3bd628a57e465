/**
 * Writes to analytics_daily. Two ways, both idempotent:
 * - `upsert` sets only the columns it is given on the row of a natural key (so the posts family's
 *   publication counts and its engagement deltas, written by different steps, never overwrite each other);
 * - `replace` rewrites a family over a day window: the window's rows are deleted and the fresh ones
 *   inserted in the same transaction (for families recomputed from their source: revenue, costs, tech).
 * After either, `refreshOrgTotals` rewrites the organization's daily totals (analytics_org_daily) for the
 * families and days written.
 */
import { and, desc, eq, gte, inArray, isNotNull, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.ts';
import { analyticsDaily, analyticsOrgDaily, type RollupFamily } from '../../platform/db/schema/index.ts';
import { addDays } from '../range.ts';

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

/** Summed columns (every measure but the `followers` level). */
const SUMMED = [
  'published', 'failed', 'impressions', 'likes', 'comments', 'shares', 'clicks', 'followerChange', 'linkClicks', 'linkSubscribers',
  'grossMinor', 'feeMinor', 'netMinor', 'transactions', 'costMinor', 'genJobs', 'genFailed', 'genMs', 'chatReplies', 'chatFailed', 'chatLatencyMs',
] as const;
/** A channel's follower count stays its level for this many days without a newer one. */
export const FOLLOWER_LOOKBACK_DAYS = 35;

/** Rewrites the organization's daily totals of these families over [from, end) from analytics_daily. */
export async function refreshOrgTotals(tx: Tx, families: RollupFamily[], from: string, end: string) {
  if (!families.length || from >= end) return;
  await tx.delete(analyticsOrgDaily).where(and(inArray(analyticsOrgDaily.family, families), gte(analyticsOrgDaily.day, from), lt(analyticsOrgDaily.day, end)));
  const columns = sql.join(SUMMED.map((c) => sql.identifier(analyticsDaily[c].name)), sql`, `);
  const sums = sql.join(SUMMED.map((c) => sql`sum(${analyticsDaily[c]})`), sql`, `);
  const d = analyticsDaily;
  await tx.execute(sql`
    insert into ${analyticsOrgDaily} (org_id, day, family, currency, ${columns}, engaged_seen)
    select ${d.orgId}, ${d.day}, ${d.family}, ${d.currency}, ${sums},
      coalesce(sum(${d.likes} + ${d.comments} + ${d.shares} + ${d.clicks}) filter (where ${d.impressions} > 0), 0)
    from ${analyticsDaily}
    where ${and(inArray(analyticsDaily.family, families), gte(analyticsDaily.day, from), lt(analyticsDaily.day, end))}
    group by 1, 2, 3, 4`);
  if (!families.includes('audience')) return;
  // Followers: each channel's latest count on or before the day, summed (a channel not counted that day keeps its level).
  const levels = await tx
    .select({ orgId: analyticsDaily.orgId, channelId: analyticsDaily.channelId, day: analyticsDaily.day, followers: analyticsDaily.followers })
    .from(analyticsDaily)
    .where(and(eq(analyticsDaily.family, 'audience'), isNotNull(analyticsDaily.followers), gte(analyticsDaily.day, addDays(from, -FOLLOWER_LOOKBACK_DAYS)), lt(analyticsDaily.day, end)))
    .orderBy(analyticsDaily.day);
  if (!levels.length) return;
  const orgId = levels[0]!.orgId;
  const current = new Map<string, { day: string; followers: number }>();
  let i = 0;
  const rows: (typeof analyticsOrgDaily.$inferInsert)[] = [];
  for (let day = addDays(from, -FOLLOWER_LOOKBACK_DAYS); day < end; day = addDays(day, 1)) {
    for (; i < levels.length && levels[i]!.day === day; i++) current.set(levels[i]!.channelId ?? '', { day, followers: levels[i]!.followers! });
    if (day < from) continue;
    const stale = addDays(day, -FOLLOWER_LOOKBACK_DAYS);
    let total = 0;
    let seen = false;
    for (const level of current.values()) {
      if (level.day <= stale) continue;
      total += level.followers;
      seen = true;
    }
    if (seen) rows.push({ orgId, day, family: 'audience', currency: '', followers: total });
  }
  for (let k = 0; k < rows.length; k += CHUNK) {
    await tx
      .insert(analyticsOrgDaily)
      .values(rows.slice(k, k + CHUNK))
      .onConflictDoUpdate({ target: [analyticsOrgDaily.orgId, analyticsOrgDaily.day, analyticsOrgDaily.family, analyticsOrgDaily.currency], set: { followers: sql`excluded.followers` } });
  }
}
