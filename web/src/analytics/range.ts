/**
 * The dashboard's date range: a preset ending today (UTC, like the rollups and the ledger) or custom days.
 * Pure functions, so the browser test can check them without a page.
 */
export const presets = ['7d', '30d', '90d'] as const;
export type Preset = (typeof presets)[number];
export type RangeChoice = { range: Preset } | { range: 'custom'; from: string; to: string };

const DAY_MS = 86_400_000;
/** The server's longest range (analytics/range.ts MAX_RANGE_DAYS). */
export const MAX_DAYS = 731;

export const utcDay = (t: Date | number) => new Date(t).toISOString().slice(0, 10);
export const addDays = (day: string, n: number) => utcDay(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS);
export const dayCount = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;

export function rangeParams(choice: RangeChoice): { range: Preset | 'custom'; from?: string; to?: string } {
  return choice.range === 'custom' ? { range: 'custom', from: choice.from, to: choice.to } : { range: choice.range };
}

/** The days a choice covers, first and last inclusive, as the server resolves them. */
export function daysOf(choice: RangeChoice, now = new Date()): { from: string; to: string; days: number } {
  if (choice.range === 'custom') return { from: choice.from, to: choice.to, days: dayCount(choice.from, choice.to) };
  const days = Number(choice.range.slice(0, -1));
  const to = utcDay(now);
  return { from: addDays(to, -(days - 1)), to, days };
}

/** Why a custom range cannot be asked for, or null when it can. */
export function customProblem(from: string, to: string): 'missing' | 'order' | 'tooLong' | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to)) return 'missing';
  const n = dayCount(from, to);
  if (n < 1) return 'order';
  if (n > MAX_DAYS) return 'tooLong';
  return null;
}

/**
 * Relative change from the previous period: null when there is nothing to compare with (no figure, or a
 * zero before, where any growth would be "infinite").
 */
export function change(current: number | null | undefined, previous: number | null | undefined): number | null {
  if (current === null || current === undefined || previous === null || previous === undefined || previous === 0) return null;
  return (current - previous) / Math.abs(previous);
}
