import { useTranslation } from 'react-i18next';
import { useMoney } from '../sales/catalogue/money';

/** Numbers as the dashboard shows them, in the reader's language; null reads as a dash. */
export function useFigures() {
  const { i18n } = useTranslation();
  const money = useMoney();
  const lang = i18n.language;
  const int = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  const compact = new Intl.NumberFormat(lang, { notation: 'compact', maximumFractionDigits: 1 });
  const pct = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 });
  const signedPct = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' });
  const signed = new Intl.NumberFormat(lang, { maximumFractionDigits: 0, signDisplay: 'exceptZero' });
  const secs = new Intl.NumberFormat(lang, { style: 'unit', unit: 'second', unitDisplay: 'short', maximumFractionDigits: 1 });
  const dash = '—';
  const day = new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const monthName = new Intl.DateTimeFormat(lang, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  return {
    dash,
    money: (minor: number | null | undefined, currency: string) => (minor === null || minor === undefined ? dash : money(minor, currency)),
    count: (n: number | null | undefined) => (n === null || n === undefined ? dash : int.format(n)),
    compact: (n: number) => compact.format(n),
    percent: (r: number | null | undefined) => (r === null || r === undefined ? dash : pct.format(r)),
    signedPercent: (r: number) => signedPct.format(r),
    signed: (n: number) => signed.format(n),
    seconds: (s: number | null | undefined) => (s === null || s === undefined ? dash : secs.format(s)),
    /** "2026-11-25" → "25 Nov" (a UTC day, as the rollups count them). */
    day: (d: string) => day.format(new Date(`${d}T00:00:00Z`)),
    /** "2026-11" → "Nov 2026". */
    month: (m: string) => monthName.format(new Date(`${m}-01T00:00:00Z`)),
  };
}

export type Figures = ReturnType<typeof useFigures>;
