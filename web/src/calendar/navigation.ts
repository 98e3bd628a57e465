import { addDays, addMonths, monthGrid, startOfWeek } from './dates';

const ALLOWED_DAYS = [1, 7, 30, 90] as const;

export const views = ['day', 'week', 'month', 'list'] as const;
export type View = (typeof views)[number];
export const listRanges = [7, 30, 90] as const;
export type ListRange = (typeof listRanges)[number];

export interface Nav {
  view: View;
  /** A local date inside the period shown. */
  anchor: string;
  listDays: ListRange;
}

/** The local days a view shows. */
export function rangeOf(nav: Nav): { from: string; days: number } {
  switch (nav.view) {
    case 'day':
      return { from: nav.anchor, days: 1 };
    case 'week':
      return { from: startOfWeek(nav.anchor), days: 7 };
    case 'month':
      return monthGrid(nav.anchor);
    case 'list':
      return { from: nav.anchor, days: nav.listDays };
  }
}

/** The anchor one period earlier (-1) or later (+1). */
export function step(nav: Nav, direction: -1 | 1): string {
  switch (nav.view) {
    case 'day':
      return addDays(nav.anchor, direction);
    case 'week':
      return addDays(nav.anchor, 7 * direction);
    case 'month':
      return addMonths(nav.anchor, direction);
    case 'list':
      return addDays(nav.anchor, nav.listDays * direction);
  }
}

/** The API serves 1, 7, 30 or 90 days; a month grid (35 or 42 days) is read in pieces. */
export function chunks(from: string, days: number): { from: string; days: number }[] {
  const out: { from: string; days: number }[] = [];
  let start = from;
  let left = days;
  while (left > 0) {
    const size = left >= 90 ? 90 : left > 30 ? 30 : ALLOWED_DAYS.find((d) => d >= left)!;
    out.push({ from: start, days: size });
    start = addDays(start, size);
    left -= size;
  }
  return out;
}
