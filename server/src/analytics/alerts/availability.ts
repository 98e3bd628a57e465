import { and, gt, inArray, isNull, lt, or } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.ts';
import { analyticsAlerts } from '../../platform/db/schema/index.ts';

/** Alerts meaning "the studio cannot work normally": their open time counts against availability. */
export const AVAILABILITY_RULES = ['provider_down', 'storage_near_full', 'queue_backlog'];

/** 1 − (union of the open intervals of availability alerts within [from, end)) / (end − from). */
export async function availability(tx: Tx, from: Date, end: Date, now = new Date()): Promise<number> {
  const stop = Math.min(end.getTime(), now.getTime());
  const span = stop - from.getTime();
  if (span <= 0) return 1;
  const rows = await tx
    .select({ openedAt: analyticsAlerts.openedAt, resolvedAt: analyticsAlerts.resolvedAt })
    .from(analyticsAlerts)
    .where(and(inArray(analyticsAlerts.rule, AVAILABILITY_RULES), lt(analyticsAlerts.openedAt, new Date(stop)), or(isNull(analyticsAlerts.resolvedAt), gt(analyticsAlerts.resolvedAt, from))));
  const intervals = rows
    .map((r) => [Math.max(r.openedAt.getTime(), from.getTime()), Math.min(r.resolvedAt?.getTime() ?? stop, stop)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let down = 0;
  let cursor = -Infinity;
  for (const [a, b] of intervals) {
    const start = Math.max(a, cursor);
    if (b > start) down += b - start;
    cursor = Math.max(cursor, b);
  }
  return Math.max(0, 1 - down / span);
}
