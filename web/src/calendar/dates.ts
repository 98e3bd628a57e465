/**
 * Calendar dates are the persona's local days as `YYYY-MM-DD` strings, exactly as the API gives them;
 * arithmetic on them is done in UTC so the browser's own timezone never shifts a day.
 */
const DAY_MS = 86_400_000;

const toUtc = (date: string) => Date.parse(`${date}T00:00:00Z`);
const fromUtc = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const addDays = (date: string, n: number) => fromUtc(toUtc(date) + n * DAY_MS);
export const daysBetween = (from: string, to: string) => Math.round((toUtc(to) - toUtc(from)) / DAY_MS);
/** ISO weekday, 1 = Monday … 7 = Sunday (the API's numbering). */
export const isoWeekday = (date: string) => new Date(toUtc(date)).getUTCDay() || 7;
export const startOfWeek = (date: string) => addDays(date, 1 - isoWeekday(date));
export const startOfMonth = (date: string) => `${date.slice(0, 8)}01`;
export function addMonths(date: string, n: number): string {
  const d = new Date(toUtc(startOfMonth(date)));
  d.setUTCMonth(d.getUTCMonth() + n);
  return fromUtc(d.getTime());
}
export const endOfMonth = (date: string) => addDays(addMonths(date, 1), -1);

/** The weeks shown for a month: Monday before the 1st to Sunday after the last day. */
export function monthGrid(date: string): { from: string; days: number } {
  const from = startOfWeek(startOfMonth(date));
  const to = addDays(startOfWeek(endOfMonth(date)), 6);
  return { from, days: daysBetween(from, to) + 1 };
}

/** A date as a Date at noon UTC, for Intl formatting with `timeZone: 'UTC'` (never a day off). */
export const noonUtc = (date: string) => new Date(`${date}T12:00:00Z`);

const partFormats = new Map<string, Intl.DateTimeFormat>();
function partsIn(zone: string, at: Date) {
  let format = partFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    partFormats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return { y: parts.year!, mo: parts.month!, d: parts.day!, h: parts.hour!, mi: parts.minute!, s: parts.second! };
}

/** The local date and `HH:MM` time of an instant in a timezone. */
export function zoned(instant: Date | string, zone: string): { date: string; time: string } {
  const p = partsIn(zone, typeof instant === 'string' ? new Date(instant) : instant);
  return { date: `${p.y}-${p.mo}-${p.d}`, time: `${p.h}:${p.mi}` };
}

export const todayIn = (zone: string) => zoned(new Date(), zone).date;

function offsetMs(instant: number, zone: string): number {
  const p = partsIn(zone, new Date(instant));
  const asUtc = Date.UTC(Number(p.y), Number(p.mo) - 1, Number(p.d), Number(p.h), Number(p.mi), Number(p.s));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * A local date and time in a timezone as an instant. The server does the same (and owns DST rules);
 * the dashboard needs it only to tell "in the past" early and to place a draft.
 */
export function localToUtc(date: string, time: string, zone: string): Date {
  const guess = Date.parse(`${date}T${time}:00Z`);
  const first = guess - offsetMs(guess, zone);
  return new Date(guess - offsetMs(first, zone));
}

/** The next whole hour in the zone, as a starting point for a new post. */
export function nextHour(zone: string): { date: string; time: string } {
  const at = new Date(Math.ceil((Date.now() + 60_000) / 3_600_000) * 3_600_000);
  return zoned(at, zone);
}

/** The server takes a minute of slack before calling a time "in the past". */
export const isPast = (date: string, time: string, zone: string) => localToUtc(date, time, zone).getTime() < Date.now() - 55_000;
