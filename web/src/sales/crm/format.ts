import { useTranslation } from 'react-i18next';
import type { Segment } from './queries';

/** Minor units of a currency ↔ the amount people type, using the currency's own number of decimals. */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}
export const toMinor = (amount: number, currency: string) => Math.round(amount * 10 ** currencyDigits(currency));
export const fromMinor = (minor: number, currency: string) => minor / 10 ** currencyDigits(currency);

export function useMoney() {
  const { i18n } = useTranslation();
  return (minor: number, currency: string) => {
    try {
      return new Intl.NumberFormat(i18n.language, { style: 'currency', currency }).format(fromMinor(minor, currency));
    } catch {
      return `${fromMinor(minor, currency)} ${currency}`;
    }
  };
}

/** Built-in segments are named in the interface language; custom ones by their own name. */
export function useSegmentName() {
  const { t } = useTranslation();
  return (s: Pick<Segment, 'key' | 'name'>) => (s.key ? t(`crm.segments.builtin.${s.key}`) : s.name);
}

/** "a, b ,c" ↔ ['a', 'b', 'c'] for tag and flag fields. */
export const splitList = (text: string) => [...new Set(text.split(',').map((x) => x.trim()).filter(Boolean))];
export const joinList = (list: readonly string[] | undefined) => (list ?? []).join(', ');
