/**
 * Date ranges for dashboards and reports. Rollups are kept per UTC day (like the ledger and its exchange
 * rates), so a range is a list of UTC calendar days; `to` is inclusive for people, `end` exclusive for SQL.
 */
import { z } from 'zod';
import { badRequest } from '../platform/http/problem.ts';

export const DAY_MS = 86_400_000;
export const MAX_RANGE_DAYS = 731;
export const presets = ['7d', '30d', '90d', 'custom'] as const;
export type Preset = (typeof presets)[number];

export const dayString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'a real date');

export const rangeQuery = z.strictObject({
  range: z.enum(presets).default('30d').describe('7, 30 or 90 days up to today (UTC), or custom with from/to'),
  from: dayString.optional().describe('custom range: first day (UTC), inclusive'),
  to: dayString.optional().describe('custom range: last day (UTC), inclusive'),
});
export type RangeQuery = z.output<typeof rangeQuery>;

export interface Range {
  from: string;
  /** Inclusive. */
  to: string;
  /** Exclusive (the day after `to`). */
  end: string;
  days: string[];
  /** The same number of days just before, for comparisons. */
  previous: { from: string; to: string; end: string };
}

export const utcDay = (t: Date | number) => new Date(t).toISOString().slice(0, 10);
export const addDays = (day: string, n: number) => utcDay(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS);
export const daysBetween = (from: string, toExclusive: string) => Math.round((Date.parse(`${toExclusive}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

export function rangeOf(from: string, to: string): Range {
  const n = daysBetween(from, to) + 1;
  if (n < 1) throw badRequest('invalid_range', '`from` must not be after `to`');
  if (n > MAX_RANGE_DAYS) throw badRequest('invalid_range', `A range covers at most ${MAX_RANGE_DAYS} days`);
  const days = Array.from({ length: n }, (_, i) => addDays(from, i));
  const previousFrom = addDays(from, -n);
  return { from, to, end: addDays(to, 1), days, previous: { from: previousFrom, to: addDays(from, -1), end: from } };
}

/** A preset ends today (UTC) and includes it; custom needs both ends. */
export function resolveRange(q: RangeQuery, now = new Date()): Range {
  if (q.range === 'custom') {
    if (!q.from || !q.to) throw badRequest('invalid_range', 'A custom range needs `from` and `to` (YYYY-MM-DD)');
    return rangeOf(q.from, q.to);
  }
  const today = utcDay(now);
  const n = Number(q.range.slice(0, -1));
  return rangeOf(addDays(today, -(n - 1)), today);
}

/** A calendar month (YYYY-MM) as a range. */
export function monthRange(month: string): Range {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const from = utcDay(Date.UTC(y, m - 1, 1));
  const end = utcDay(Date.UTC(y, m, 1));
  return rangeOf(from, addDays(end, -1));
}
