// Currency facts come from the runtime's ICU data (ISO 4217 codes and their minor digits), not a hand-kept table.

import { isCurrency } from '../catalogue/money.ts';

export { isCurrency };

const digitsCache = new Map<string, number>();

/** Minor-unit digits of an ISO currency: 2 for EUR, 0 for JPY, 3 for KWD. */
export function minorDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

/**
 * A decimal written by a person or a statement ("12.5", "-3.00", "1200") → exact integer minor units.
 * Refuses thousands separators, exponents and more decimals than the currency has: a silently rounded
 * amount is worse than a rejected line.
 */
export function parseDecimalMinor(text: string, currency: string): { ok: true; minor: number } | { ok: false; message: string } {
  const trimmed = text.trim();
  const match = /^([+-])?(\d+)(?:\.(\d+))?$/.exec(trimmed);
  if (!match) return { ok: false, message: `"${trimmed}" is not a decimal number (use a dot, no thousands separators)` };
  const digits = minorDigits(currency);
  const fraction = match[3] ?? '';
  if (fraction.length > digits) return { ok: false, message: `"${trimmed}" has more than ${digits} decimal${digits === 1 ? '' : 's'} for ${currency}` };
  const minor = BigInt(match[2]! + fraction.padEnd(digits, '0'));
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, message: `"${trimmed}" is too large` };
  const value = Number(minor);
  return { ok: true, minor: match[1] === '-' && value !== 0 ? -value : value };
}

/** Minor units → "12.50" (no grouping, for statements and CSV-like output). */
export function formatMinor(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const negative = minor < 0;
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  const whole = digits ? text.slice(0, -digits) : text;
  return `${negative ? '-' : ''}${whole}${digits ? `.${text.slice(-digits)}` : ''}`;
}
