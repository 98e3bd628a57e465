import { and, inArray, isNull, eq, sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../../platform/db/database.ts';
import { fans, transactions } from '../../platform/db/schema/index.ts';
import { canSeePersona, type Principal } from '../../platform/auth/principal.ts';
import { notFound } from '../../platform/http/problem.ts';
import { loadConverter, MissingRateError, type Converter } from './rates.ts';
import * as repo from './transactions.repository.ts';

const NONE = '00000000-0000-0000-0000-000000000000';

function tryConvert(converter: Converter, groups: { currency: string; day: string; minor: number }[]): number | null {
  try {
    return converter.sum(groups);
  } catch (error) {
    if (error instanceof MissingRateError) return null;
    throw error;
  }
}

/** Revenue per persona and UTC day, and lifetime value per fan and per first-seen-month cohort. */
export class ReportingService {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  #personaFilter(p: Principal, personaId: string | undefined) {
    if (personaId && !canSeePersona(p, personaId)) throw notFound('persona');
    return { personaIds: p.personaScope, personaId };
  }

  async revenue(p: Principal, q: { personaId?: string | undefined; from?: Date | undefined; to?: Date | undefined }) {
    const filter = { ...this.#personaFilter(p, q.personaId), from: q.from, to: q.to };
    return this.#db.withOrg(p.orgId, async (tx) => {
      const groups = await repo.dayGroups(tx, repo.filterWhere(filter));
      const converter = await loadConverter(tx, p.orgId, groups.map((g) => g.currency));
      const byDay = new Map<string, repo.DayGroup[]>();
      for (const g of groups) {
        const key = `${g.personaId}|${g.day}`;
        byDay.set(key, [...(byDay.get(key) ?? []), g]);
      }
      const days = [...byDay.values()].map((list) => {
        const c = repo.converted(converter, list);
        return {
          personaId: list[0]!.personaId,
          day: list[0]!.day,
          byCurrency: repo.perCurrency(list),
          converted: 'error' in c ? null : c,
        };
      });
      return { reportingCurrency: converter.reporting, days, totals: { byCurrency: repo.perCurrency(groups), converted: repo.converted(converter, groups) } };
    });
  }

  async ltv(p: Principal, q: { personaId?: string | undefined; by: 'fan' | 'cohort'; limit: number }) {
    const filter = this.#personaFilter(p, q.personaId);
    return this.#db.withOrg(p.orgId, async (tx) => {
      const personaWhere = and(
        filter.personaIds ? inArray(fans.personaId, filter.personaIds.length ? filter.personaIds : [NONE]) : undefined,
        filter.personaId ? eq(fans.personaId, filter.personaId) : undefined,
      );
      const people = await tx
        .select({ id: fans.id, personaId: fans.personaId, platform: fans.platform, handle: fans.handle, displayName: fans.displayName, firstSeenAt: fans.firstSeenAt, lastPurchaseAt: fans.lastPurchaseAt })
        .from(fans)
        .where(and(personaWhere, isNull(fans.erasedAt)));
      const ids = people.map((f) => f.id);
      const groups = ids.length
        ? rowsOf<{ fan_id: string; day: string; currency: string; net: string; n: string }>(
            await tx.execute(sql`
              select ${transactions.fanId} as fan_id, to_char(${transactions.occurredAt} at time zone 'UTC', 'YYYY-MM-DD') as day,
                     ${transactions.currency} as currency, sum(${transactions.netMinor}) as net, count(*) as n
              from ${transactions} where ${inArray(transactions.fanId, ids)} group by 1, 2, 3`),
          ).map((g) => ({ fanId: g.fan_id, day: g.day, currency: g.currency, minor: Number(g.net), count: Number(g.n) }))
        : [];
      const converter = await loadConverter(tx, p.orgId, groups.map((g) => g.currency));
      const perFan = new Map<string, typeof groups>();
      for (const g of groups) perFan.set(g.fanId, [...(perFan.get(g.fanId) ?? []), g]);
      const sumBy = (list: typeof groups) => {
        const by = new Map<string, number>();
        for (const g of list) by.set(g.currency, (by.get(g.currency) ?? 0) + g.minor);
        return [...by].map(([currency, netMinor]) => ({ currency, netMinor })).sort((a, b) => a.currency.localeCompare(b.currency));
      };

      if (q.by === 'fan') {
        const items = people
          .map((f) => {
            const mine = perFan.get(f.id) ?? [];
            return {
              fanId: f.id,
              personaId: f.personaId,
              platform: f.platform,
              handle: f.handle,
              displayName: f.displayName,
              firstSeenAt: f.firstSeenAt.toISOString(),
              lastPurchaseAt: f.lastPurchaseAt?.toISOString() ?? null,
              transactions: mine.reduce((n, g) => n + g.count, 0),
              byCurrency: sumBy(mine),
              ltvMinor: tryConvert(converter, mine),
            };
          })
          .filter((f) => f.transactions > 0)
          .sort((a, b) => (b.ltvMinor ?? -Infinity) - (a.ltvMinor ?? -Infinity))
          .slice(0, q.limit);
        return { reportingCurrency: converter.reporting, by: 'fan' as const, fans: items, cohorts: [] };
      }

      const cohorts = new Map<string, { fans: number; paying: number; groups: typeof groups }>();
      for (const f of people) {
        const month = f.firstSeenAt.toISOString().slice(0, 7);
        const c = cohorts.get(month) ?? { fans: 0, paying: 0, groups: [] };
        const mine = perFan.get(f.id) ?? [];
        c.fans++;
        if (mine.length) c.paying++;
        c.groups.push(...mine);
        cohorts.set(month, c);
      }
      const items = [...cohorts]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([cohort, c]) => {
          const total = tryConvert(converter, c.groups);
          return { cohort, fans: c.fans, payingFans: c.paying, byCurrency: sumBy(c.groups), totalMinor: total, averageMinor: total === null ? null : Math.round(total / c.fans) };
        });
      return { reportingCurrency: converter.reporting, by: 'cohort' as const, fans: [], cohorts: items };
    });
  }
}
