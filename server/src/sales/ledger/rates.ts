import { and, asc, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.ts';
import { exchangeRates, salesSettings } from '../../platform/db/schema/index.ts';
import { HttpError } from '../../platform/http/problem.ts';
import { minorDigits } from './money.ts';

const SCALE = 100_000_000n; // rates are numeric(18, 8)

export class MissingRateError extends HttpError {
  readonly currency: string;
  readonly day: string;
  constructor(currency: string, day: string, reporting: string) {
    super(422, 'exchange_rate_missing', `No exchange rate for ${currency} on or before ${day} (reporting currency ${reporting}): add one under exchange rates`, { currency, day, reportingCurrency: reporting });
    this.currency = currency;
    this.day = day;
  }
}

export async function reportingCurrency(tx: Tx, orgId: string): Promise<string> {
  const row = (await tx.select({ c: salesSettings.reportingCurrency }).from(salesSettings).where(eq(salesSettings.orgId, orgId)))[0];
  return row?.c ?? 'EUR';
}

export async function setReportingCurrency(tx: Tx, orgId: string, currency: string) {
  await tx
    .insert(salesSettings)
    .values({ orgId, reportingCurrency: currency })
    .onConflictDoUpdate({ target: salesSettings.orgId, set: { reportingCurrency: currency, updatedAt: new Date() } });
}

/** "1.08" → 108000000n; the numeric column already bounds it to 8 decimals. */
function scaled(rate: string): bigint {
  const [whole, fraction = ''] = rate.split('.');
  return BigInt(whole!) * SCALE + BigInt(fraction.padEnd(8, '0').slice(0, 8));
}

/** a / b rounded half away from zero, in integers. */
function divRound(a: bigint, b: bigint): bigint {
  const negative = a < 0n !== b < 0n;
  const [x, y] = [a < 0n ? -a : a, b < 0n ? -b : b];
  const q = (2n * x + y) / (2n * y);
  return negative ? -q : q;
}

/**
 * The one conversion into the reporting currency: the rate of the nearest day on or before the amount's
 * day. A missing rate is an error naming the currency and day, never a silent 1:1.
 */
export class Converter {
  readonly reporting: string;
  readonly #rates: Map<string, { day: string; rate: bigint }[]>;
  constructor(reporting: string, rates: Map<string, { day: string; rate: bigint }[]>) {
    this.reporting = reporting;
    this.#rates = rates;
  }

  rateFor(currency: string, day: string): bigint {
    const list = this.#rates.get(currency) ?? [];
    let lo = 0;
    let hi = list.length - 1;
    let found: bigint | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.day <= day) {
        found = list[mid]!.rate;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found === null || found <= 0n) throw new MissingRateError(currency, day, this.reporting);
    return found;
  }

  /** `minor` of `currency` on `day` (YYYY-MM-DD) → minor units of the reporting currency. */
  convert(minor: number, currency: string, day: string): number {
    if (currency === this.reporting) return minor;
    const rate = this.rateFor(currency, day);
    // reporting = amount / rate; both sides in their own minor units.
    const numerator = BigInt(minor) * 10n ** BigInt(minorDigits(this.reporting)) * SCALE;
    const denominator = rate * 10n ** BigInt(minorDigits(currency));
    return Number(divRound(numerator, denominator));
  }

  /** Sums day groups after converting each, so every caller rounds the same way. */
  sum(groups: { currency: string; day: string; minor: number }[]): number {
    return groups.reduce((total, g) => total + this.convert(g.minor, g.currency, g.day), 0);
  }
}

/** The org's converter, with every rate of the currencies asked for (all when none are named). */
export async function loadConverter(tx: Tx, orgId: string, currencies?: string[]): Promise<Converter> {
  const reporting = await reportingCurrency(tx, orgId);
  const wanted = currencies ? [...new Set(currencies)].filter((c) => c !== reporting) : null;
  const rows =
    wanted && wanted.length === 0
      ? []
      : await tx
          .select({ currency: exchangeRates.currency, day: exchangeRates.day, rate: exchangeRates.rate })
          .from(exchangeRates)
          .where(wanted ? inArray(exchangeRates.currency, wanted) : undefined)
          .orderBy(asc(exchangeRates.currency), asc(exchangeRates.day));
  const rates = new Map<string, { day: string; rate: bigint }[]>();
  for (const r of rows) {
    const list = rates.get(r.currency) ?? [];
    list.push({ day: r.day, rate: scaled(r.rate) });
    rates.set(r.currency, list);
  }
  return new Converter(reporting, rates);
}

export function listRates(tx: Tx, filter: { currency?: string | undefined; from?: string | undefined; to?: string | undefined }) {
  return tx
    .select({ day: exchangeRates.day, currency: exchangeRates.currency, rate: exchangeRates.rate })
    .from(exchangeRates)
    .where(
      and(
        filter.currency ? eq(exchangeRates.currency, filter.currency) : undefined,
        filter.from ? gte(exchangeRates.day, filter.from) : undefined,
        filter.to ? lte(exchangeRates.day, filter.to) : undefined,
      ),
    )
    .orderBy(asc(exchangeRates.currency), sql`${exchangeRates.day} desc`)
    .limit(5000);
}

export async function upsertRates(tx: Tx, orgId: string, rates: { day: string; currency: string; rate: string }[]) {
  if (!rates.length) return;
  await tx
    .insert(exchangeRates)
    .values(rates.map((r) => ({ orgId, ...r })))
    .onConflictDoUpdate({ target: [exchangeRates.orgId, exchangeRates.currency, exchangeRates.day], set: { rate: sql`excluded.rate` } });
}
