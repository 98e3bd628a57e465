import { useTranslation } from 'react-i18next';
import { noonUtc } from './dates';

/**
 * Dates and times of the persona's calendar, in the interface language. Times are shown in her
 * timezone whatever the browser's; dates are the API's local days (formatted at noon UTC).
 */
export function useCalendarFormat(timezone: string) {
  const { i18n } = useTranslation();
  const lang = i18n.language;
  const time = new Intl.DateTimeFormat(lang, { timeZone: timezone, hour: '2-digit', minute: '2-digit' });
  const when = new Intl.DateTimeFormat(lang, { timeZone: timezone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  const day = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' });
  const longDay = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  const weekday = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', weekday: 'short' });
  const dayNumber = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', day: 'numeric' });
  const month = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', month: 'long', year: 'numeric' });
  const range = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
  return {
    /** An instant's time of day in her timezone. */
    time: (iso: string) => time.format(new Date(iso)),
    /** An instant as weekday, date and time in her timezone. */
    when: (iso: string) => when.format(new Date(iso)),
    day: (date: string) => day.format(noonUtc(date)),
    longDay: (date: string) => longDay.format(noonUtc(date)),
    weekday: (date: string) => weekday.format(noonUtc(date)),
    dayNumber: (date: string) => dayNumber.format(noonUtc(date)),
    month: (date: string) => month.format(noonUtc(date)),
    range: (from: string, to: string) => range.formatRange(noonUtc(from), noonUtc(to)),
  };
}
export type CalendarFormat = ReturnType<typeof useCalendarFormat>;
