import { describe, expect, it } from 'vitest';
import { addMonths, isoWeekday, localToUtc, monthGrid, startOfWeek, zoned } from '../src/calendar/dates';
import { chunks, rangeOf, step } from '../src/calendar/navigation';
import { countChars, estimateFinalText, policyOf, redditTitle } from '../src/calendar/policy';

describe('calendar dates', () => {
  it('counts weeks from Monday and builds whole-week month grids', () => {
    expect(isoWeekday('2026-11-29')).toBe(7);
    expect(startOfWeek('2026-11-29')).toBe('2026-11-23');
    expect(monthGrid('2026-11-25')).toEqual({ from: '2026-10-26', days: 42 });
    expect(monthGrid('2027-02-10')).toEqual({ from: '2027-02-01', days: 28 });
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-01');
  });

  it('turns a local time into an instant across DST changes, and back', () => {
    expect(localToUtc('2026-07-01', '10:00', 'Europe/Paris').toISOString()).toBe('2026-07-01T08:00:00.000Z');
    expect(localToUtc('2026-11-25', '10:00', 'Europe/Paris').toISOString()).toBe('2026-11-25T09:00:00.000Z');
    // The day clocks go back (25 hours) and the day they go forward (23 hours).
    expect(localToUtc('2026-10-25', '20:00', 'Europe/Paris').toISOString()).toBe('2026-10-25T19:00:00.000Z');
    expect(localToUtc('2026-03-29', '10:00', 'Europe/Paris').toISOString()).toBe('2026-03-29T08:00:00.000Z');
    expect(zoned('2026-03-29T08:00:00.000Z', 'Europe/Paris')).toEqual({ date: '2026-03-29', time: '10:00' });
    expect(zoned('2026-11-25T23:30:00.000Z', 'Europe/Paris')).toEqual({ date: '2026-11-26', time: '00:30' });
  });

  it('reads long ranges in the sizes the API serves', () => {
    expect(chunks('2026-10-26', 42)).toEqual([
      { from: '2026-10-26', days: 30 },
      { from: '2026-11-25', days: 30 },
    ]);
    expect(chunks('2026-11-01', 35)).toEqual([
      { from: '2026-11-01', days: 30 },
      { from: '2026-12-01', days: 7 },
    ]);
    expect(chunks('2026-11-01', 90)).toEqual([{ from: '2026-11-01', days: 90 }]);
    expect(chunks('2026-11-01', 1)).toEqual([{ from: '2026-11-01', days: 1 }]);
  });

  it('steps each view by its own period', () => {
    const nav = { view: 'week', anchor: '2026-11-25', listDays: 30 } as const;
    expect(rangeOf(nav)).toEqual({ from: '2026-11-23', days: 7 });
    expect(step(nav, 1)).toBe('2026-12-02');
    expect(step({ ...nav, view: 'month' }, -1)).toBe('2026-10-01');
    expect(rangeOf({ ...nav, view: 'list', listDays: 90 })).toEqual({ from: '2026-11-25', days: 90 });
  });
});

describe('channel policy mirror', () => {
  it('knows what each platform takes', () => {
    expect(policyOf({ platform: 'instagram', settings: {} })).toEqual({ accepts: ['sfw'], limit: 2200, counts: 'text' });
    expect(policyOf({ platform: 'discord', settings: { ageRestricted: true } }).accepts).toContain('explicit');
    expect(policyOf({ platform: 'telegram', settings: {} }).accepts).toEqual(['sfw', 'suggestive']);
    expect(policyOf({ platform: 'reddit', settings: { subreddits: { cafe: { nsfwAllowed: true } } } }).accepts).toContain('explicit');
    expect(policyOf({ platform: 'x', settings: {} }).limit).toBe(280);
  });

  it('estimates the final text as the router writes it', () => {
    expect(estimateFinalText('  Café  ', 'AI persona')).toBe('Café\n\nAI persona');
    expect(estimateFinalText('Café — AI persona', 'AI persona')).toBe('Café — AI persona');
    expect(estimateFinalText('', 'AI persona')).toBe('AI persona');
    expect(countChars('café 👩‍🎨')).toBe(6);
    expect(redditTitle('\n First line\nsecond')).toBe('First line');
  });
});
