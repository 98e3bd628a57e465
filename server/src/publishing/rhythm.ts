/**
 * A persona's weekly rhythm: what each ISO weekday is for (planning, publishing, analysis, specials,
 * rest) and, on publishing and specials days, at which local times posts go out. The seed's rhythm is the
 * default. Applying a rhythm turns it into weekday-specific slot templates (see rhythmSlots).
 */
import { z } from 'zod';

export const activities = ['planning', 'publishing', 'analysis', 'specials', 'rest'] as const;
export type Activity = (typeof activities)[number];

/** Activities whose days have posting times. */
export const postingActivities: readonly Activity[] = ['publishing', 'specials'];

const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour');

export const rhythmDaySchema = z
  .strictObject({
    weekday: z.number().int().min(1).max(7),
    activity: z.enum(activities),
    slots: z.array(localTime).max(12).default([]),
    note: z.string().trim().max(280).optional(),
  })
  .refine((d) => postingActivities.includes(d.activity) || d.slots.length === 0, { message: 'Only publishing and specials days have slot times', path: ['slots'] })
  .refine((d) => new Set(d.slots).size === d.slots.length, { message: 'Each time once per day', path: ['slots'] });

/** Exactly the seven ISO weekdays, each once (stored sorted Monday → Sunday). */
export const rhythmDaysSchema = z
  .array(rhythmDaySchema)
  .length(7)
  .refine((days) => new Set(days.map((d) => d.weekday)).size === 7, { message: 'Each weekday (1 = Monday … 7 = Sunday) exactly once' })
  .transform((days) => days.map((d) => ({ ...d, slots: [...d.slots].sort() })).sort((a, b) => a.weekday - b.weekday));

export type RhythmDay = z.output<typeof rhythmDaySchema>;

const PUBLISHING_TIMES = ['10:00', '15:00', '20:00'];
const SPECIALS_TIMES = ['12:00', '20:00'];

/** The seed's rhythm: Monday planning, Tuesday–Thursday publishing, Friday analysis, weekend specials. */
export const DEFAULT_RHYTHM: RhythmDay[] = [
  { weekday: 1, activity: 'planning', slots: [] },
  { weekday: 2, activity: 'publishing', slots: PUBLISHING_TIMES },
  { weekday: 3, activity: 'publishing', slots: PUBLISHING_TIMES },
  { weekday: 4, activity: 'publishing', slots: PUBLISHING_TIMES },
  { weekday: 5, activity: 'analysis', slots: [] },
  { weekday: 6, activity: 'specials', slots: SPECIALS_TIMES },
  { weekday: 7, activity: 'specials', slots: SPECIALS_TIMES },
];

/** Stored days, or the default when the stored value does not validate (never fails a read). */
export function readRhythm(stored: unknown): { days: RhythmDay[]; isDefault: boolean } {
  const parsed = rhythmDaysSchema.safeParse(stored);
  return parsed.success ? { days: parsed.data, isDefault: false } : { days: DEFAULT_RHYTHM, isDefault: true };
}

/** Slot templates made by applying a rhythm carry this suffix; others are hand-made and left alone. */
export const RHYTHM_SLOT_SUFFIX = ' (rhythm)';
const LABELS: Record<Activity, string> = { planning: 'Planning', publishing: 'Publishing', analysis: 'Analysis', specials: 'Specials', rest: 'Rest' };
/** Specials get the better media first when auto-filling. */
const PRIORITY: Partial<Record<Activity, number>> = { specials: 10 };

export interface RhythmSlot {
  name: string;
  weekdays: number[];
  localTime: string;
  priority: number;
}

/** One template per activity and time, on the weekdays that have it (e.g. "Publishing 10:00" Tue–Thu). */
export function rhythmSlots(days: RhythmDay[]): RhythmSlot[] {
  const byKey = new Map<string, RhythmSlot>();
  for (const day of days) {
    if (!postingActivities.includes(day.activity)) continue;
    for (const time of day.slots) {
      const name = `${LABELS[day.activity]} ${time}${RHYTHM_SLOT_SUFFIX}`;
      const slot = byKey.get(name) ?? { name, weekdays: [], localTime: time, priority: PRIORITY[day.activity] ?? 0 };
      slot.weekdays.push(day.weekday);
      byKey.set(name, slot);
    }
  }
  return [...byKey.values()].sort((a, b) => a.localTime.localeCompare(b.localTime) || a.name.localeCompare(b.name));
}
