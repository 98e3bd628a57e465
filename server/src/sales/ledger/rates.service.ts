import type { Database } from '../../platform/db/database.ts';
import type { Origin, Principal } from '../../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../../platform/audit/audit.ts';
import { badRequest } from '../../platform/http/problem.ts';
import { isCurrency } from './money.ts';
import { listRates, loadConverter, reportingCurrency, setReportingCurrency, upsertRates } from './rates.ts';
import { fansWithRows, refreshFanTotals } from './transactions.repository.ts';

export interface RateInput {
  day: string;
  currency: string;
  rate: string;
}

/** The reporting currency and the day rates into it. Changing either recomputes fans' lifetime spend. */
export class RatesService {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  settings(p: Principal) {
    return this.#db.withOrg(p.orgId, async (tx) => ({ reportingCurrency: await reportingCurrency(tx, p.orgId) }));
  }

  async setSettings(p: Principal, input: { reportingCurrency: string }, origin: Origin) {
    const currency = input.reportingCurrency.toUpperCase();
    if (!isCurrency(currency)) throw badRequest('invalid_currency', `${input.reportingCurrency} is not an ISO 4217 currency`);
    return this.#db.withOrg(p.orgId, async (tx) => {
      const before = await reportingCurrency(tx, p.orgId);
      await setReportingCurrency(tx, p.orgId, currency);
      if (before !== currency) {
        await refreshFanTotals(tx, await fansWithRows(tx), await loadConverter(tx, p.orgId));
        await recordAudit(tx, auditBy(p), origin, { action: 'sales.reporting_currency_changed', targetType: 'organization', targetId: p.orgId, details: { from: before, to: currency } });
      }
      return { reportingCurrency: currency };
    });
  }

  async list(p: Principal, q: { currency?: string | undefined; from?: string | undefined; to?: string | undefined }) {
    return this.#db.withOrg(p.orgId, async (tx) => ({
      reportingCurrency: await reportingCurrency(tx, p.orgId),
      items: (await listRates(tx, { ...q, currency: q.currency?.toUpperCase() })).map((r) => ({ day: r.day, currency: r.currency, rate: r.rate })),
    }));
  }

  async put(p: Principal, rates: RateInput[], origin: Origin) {
    const clean = rates.map((r, i) => {
      const currency = r.currency.toUpperCase();
      if (!isCurrency(currency)) throw badRequest('invalid_currency', `rates[${i}]: ${r.currency} is not an ISO 4217 currency`);
      return { day: r.day, currency, rate: r.rate };
    });
    const seen = new Set<string>();
    for (const r of clean) {
      const key = `${r.currency}|${r.day}`;
      if (seen.has(key)) throw badRequest('duplicate_rate', `${r.currency} on ${r.day} is given twice`);
      seen.add(key);
    }
    return this.#db.withOrg(p.orgId, async (tx) => {
      const reporting = await reportingCurrency(tx, p.orgId);
      const own = clean.find((r) => r.currency === reporting);
      if (own) throw badRequest('invalid_currency', `${reporting} is the reporting currency: it needs no rate`);
      await upsertRates(tx, p.orgId, clean);
      const currencies = [...new Set(clean.map((r) => r.currency))];
      await refreshFanTotals(tx, await fansWithRows(tx, currencies), await loadConverter(tx, p.orgId));
      await recordAudit(tx, auditBy(p), origin, { action: 'sales.exchange_rates_set', details: { count: clean.length, currencies } });
      return { count: clean.length };
    });
  }
}
