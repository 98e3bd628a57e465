import { HttpError } from '../../platform/http/problem.ts';

// ICU's list of ISO 4217 codes in circulation: no hand-kept table to fall out of date.
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export function isCurrency(code: string): boolean {
  return CURRENCIES.has(code);
}

export function assertCurrency(code: string): void {
  if (!isCurrency(code)) throw new HttpError(422, 'invalid_currency', `${code} is not an ISO 4217 currency code`);
}
