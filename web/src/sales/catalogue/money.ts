import { useTranslation } from 'react-i18next';

/** Digits after the decimal point of a currency (2 for EUR, 0 for JPY), from the browser's ICU data. */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "12.5" in EUR → 1250; undefined when it is not a non-negative amount with at most the currency's decimals. */
export function toMinor(text: string, currency: string): number | undefined {
  const digits = minorDigits(currency);
  const normalized = text.trim().replace(',', '.');
  const pattern = digits > 0 ? new RegExp(`^\\d+(\\.\\d{0,${digits}})?$`) : /^\d+$/;
  if (!pattern.test(normalized)) return undefined;
  const [whole, fraction = ''] = normalized.split('.');
  return Number(whole) * 10 ** digits + Number((fraction + '0'.repeat(digits)).slice(0, digits) || '0');
}

/** 1250 in EUR → "12.50", for an input field. */
export function fromMinor(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  return digits ? (minor / 10 ** digits).toFixed(digits) : String(minor);
}

/** Minor units shown as money in the reader's language. */
export function useMoney() {
  const { i18n } = useTranslation();
  return (minor: number, currency: string) => {
    try {
      return new Intl.NumberFormat(i18n.language, { style: 'currency', currency }).format(minor / 10 ** minorDigits(currency));
    } catch {
      return `${minor} ${currency}`;
    }
  };
}

/** Currencies offered first in the forms; any ISO code can still be typed. */
export const commonCurrencies = ['EUR', 'USD', 'GBP', 'CAD', 'AUD', 'CHF', 'JPY'] as const;
