/**
 * Wall-clock ↔ UTC in a persona's IANA zone, without the process TZ. Times are stored in UTC; slots are
 * planned in local time, so 10:00 Europe/Paris stays 10:00 on both sides of a DST change.
 */

/** Offset of `zone` from UTC at instant `t`, in minutes (Paris in summer: +120). */
export function offsetMinutes(t: number, zone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(t))
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return Math.round((asUtc - Math.floor(t / 1000) * 1000) / 60_000);
}

/**
 * The UTC instant of a local date and time in `zone`. A time that does not exist (the spring-forward
 * gap) moves forward by the gap, as clocks do; an ambiguous one (autumn) takes the first occurrence.
 */
export function localToUtc(localDate: string, localTime: string, zone: string): Date {
  const [y, m, d] = localDate.split('-').map(Number) as [number, number, number];
  const [hh, mm] = localTime.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  // The zone's offsets a day before and after cover both sides of any transition that day.
  const offsets = [offsetMinutes(wall - 86_400_000, zone), offsetMinutes(wall + 86_400_000, zone)];
  const candidates = offsets.map((o) => wall - o * 60_000).filter((t) => t + offsetMinutes(t, zone) * 60_000 === wall);
  if (candidates.length) return new Date(Math.min(...candidates));
  // In the gap: the wall time plus the gap, i.e. the later offset applied to the earlier one's instant.
  return new Date(wall - Math.min(...offsets) * 60_000);
}

/** Local calendar date (YYYY-MM-DD) and ISO weekday (1 = Monday) of an instant in `zone`. */
export function localDay(t: Date, zone: string): { date: string; weekday: number; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', weekday: 'short' })
      .formatToParts(t)
      .map((p) => [p.type, p.value]),
  );
  const weekdays: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
  return { date: `${parts.year}-${parts.month}-${parts.day}`, weekday: weekdays[parts.weekday!]!, time: `${parts.hour}:${parts.minute}` };
}

/** The local dates from `startDate` on, `days` of them (calendar arithmetic, no time zone involved). */
export function localDates(startDate: string, days: number): string[] {
  const [y, m, d] = startDate.split('-').map(Number) as [number, number, number];
  return Array.from({ length: days }, (_, i) => new Date(Date.UTC(y, m - 1, d + i)).toISOString().slice(0, 10));
}

export function isoWeekday(localDate: string): number {
  const day = new Date(`${localDate}T00:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}
