import { and, desc, eq, gte, inArray, lt, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Tx } from '../../platform/db/database.ts';
import { fans, transactions, type TransactionKind } from '../../platform/db/schema/index.ts';
import { MissingRateError, type Converter } from './rates.ts';

export type TransactionRow = typeof transactions.$inferSelect;

export interface IncomingTransaction {
  personaId: string;
  fanId: string | null;
  channelId: string | null;
  platform: string;
  kind: TransactionKind;
  grossMinor: number;
  feeMinor: number;
  netMinor: number;
  currency: string;
  occurredAt: Date;
  source: string;
  sourceId: string;
  importId: string | null;
  description: string;
  raw: Record<string, unknown>;
  createdBy: string | null;
  /** The PPV campaign the sale came from, when known; a re-import without it keeps the stored link. */
  campaignId?: string | null;
}

/**
 * Inserts or updates by (org, source, source id). A row whose figures, fan and platform record are all
 * unchanged is left alone, so a re-run neither adds nor rewrites anything; a changed one (a refund
 * amended, a payout status moved) is updated in place, once.
 */
export async function upsertTransactions(tx: Tx, orgId: string, rows: IncomingTransaction[]): Promise<{ added: number; updated: number; fanIds: string[] }> {
  let added = 0;
  let updated = 0;
  const fanIds = new Set<string>();
  for (const r of rows) {
    const result = await tx
      .insert(transactions)
      .values({ orgId, ...r })
      .onConflictDoUpdate({
        target: [transactions.orgId, transactions.source, transactions.sourceId],
        set: {
          fanId: sql`excluded.fan_id`,
          kind: sql`excluded.kind`,
          grossMinor: sql`excluded.gross_minor`,
          feeMinor: sql`excluded.fee_minor`,
          netMinor: sql`excluded.net_minor`,
          currency: sql`excluded.currency`,
          occurredAt: sql`excluded.occurred_at`,
          description: sql`excluded.description`,
          raw: sql`excluded.raw`,
          campaignId: sql`coalesce(excluded.campaign_id, ${transactions.campaignId})`,
          importId: sql`excluded.import_id`,
          updatedAt: sql`now()`,
        },
        setWhere: sql`(${transactions.fanId}, ${transactions.kind}, ${transactions.grossMinor}, ${transactions.feeMinor}, ${transactions.netMinor}, ${transactions.currency}, ${transactions.occurredAt}, ${transactions.description}, ${transactions.raw}, ${transactions.campaignId})
          is distinct from (excluded.fan_id, excluded.kind, excluded.gross_minor, excluded.fee_minor, excluded.net_minor, excluded.currency, excluded.occurred_at, excluded.description, excluded.raw, coalesce(excluded.campaign_id, ${transactions.campaignId}))`,
      })
      .returning({ inserted: sql<boolean>`(xmax = 0)`, fanId: transactions.fanId });
    const row = result[0];
    if (!row) continue;
    if (row.inserted) added++;
    else updated++;
    if (row.fanId) fanIds.add(row.fanId);
    if (r.fanId) fanIds.add(r.fanId);
  }
  return { added, updated, fanIds: [...fanIds] };
}

export interface TransactionFilter {
  personaIds: string[] | null;
  personaId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  kind?: TransactionKind | undefined;
  fanId?: string | undefined;
}

export function filterWhere(f: TransactionFilter): SQL | undefined {
  return and(
    f.personaIds ? inArray(transactions.personaId, f.personaIds.length ? f.personaIds : ['00000000-0000-0000-0000-000000000000']) : undefined,
    f.personaId ? eq(transactions.personaId, f.personaId) : undefined,
    f.from ? gte(transactions.occurredAt, f.from) : undefined,
    f.to ? lt(transactions.occurredAt, f.to) : undefined,
    f.kind ? eq(transactions.kind, f.kind) : undefined,
    f.fanId ? eq(transactions.fanId, f.fanId) : undefined,
  );
}

/** Newest first, keyset on (occurred_at, id). */
export function listTransactions(tx: Tx, f: TransactionFilter, page: { limit: number; after?: { at: Date; id: string } | undefined }) {
  const after = page.after
    ? or(lt(transactions.occurredAt, page.after.at), and(eq(transactions.occurredAt, page.after.at), lt(transactions.id, page.after.id)))
    : undefined;
  return tx
    .select()
    .from(transactions)
    .where(and(filterWhere(f), after))
    .orderBy(desc(transactions.occurredAt), desc(transactions.id))
    .limit(page.limit);
}

const DAY = sql<string>`to_char(${transactions.occurredAt} at time zone 'UTC', 'YYYY-MM-DD')`;

/** Sums per currency and UTC day: the grain every conversion works on. */
export async function dayGroups(tx: Tx, where: SQL | undefined) {
  const rows = await tx
    .select({
      personaId: transactions.personaId,
      day: DAY,
      currency: transactions.currency,
      gross: sql<string>`sum(${transactions.grossMinor})`,
      fee: sql<string>`sum(${transactions.feeMinor})`,
      net: sql<string>`sum(${transactions.netMinor})`,
      count: sql<string>`count(*)`,
    })
    .from(transactions)
    .where(where)
    .groupBy(transactions.personaId, DAY, transactions.currency)
    .orderBy(DAY);
  return rows.map((r) => ({ personaId: r.personaId, day: r.day, currency: r.currency, gross: Number(r.gross), fee: Number(r.fee), net: Number(r.net), count: Number(r.count) }));
}

export type DayGroup = Awaited<ReturnType<typeof dayGroups>>[number];

export interface CurrencyTotal {
  currency: string;
  grossMinor: number;
  feeMinor: number;
  netMinor: number;
  count: number;
}

/** Per-currency totals; amounts of different currencies are never added together here. */
export function perCurrency(groups: DayGroup[]): CurrencyTotal[] {
  const by = new Map<string, CurrencyTotal>();
  for (const g of groups) {
    const t = by.get(g.currency) ?? { currency: g.currency, grossMinor: 0, feeMinor: 0, netMinor: 0, count: 0 };
    t.grossMinor += g.gross;
    t.feeMinor += g.fee;
    t.netMinor += g.net;
    t.count += g.count;
    by.set(g.currency, t);
  }
  return [...by.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

export type Converted = { currency: string; grossMinor: number; feeMinor: number; netMinor: number } | { currency: string; error: { code: string; message: string; currency: string; day: string } };

/** The reporting-currency totals, or the reason they cannot be given (a missing rate). */
export function converted(converter: Converter, groups: DayGroup[]): Converted {
  try {
    return {
      currency: converter.reporting,
      grossMinor: converter.sum(groups.map((g) => ({ currency: g.currency, day: g.day, minor: g.gross }))),
      feeMinor: converter.sum(groups.map((g) => ({ currency: g.currency, day: g.day, minor: g.fee }))),
      netMinor: converter.sum(groups.map((g) => ({ currency: g.currency, day: g.day, minor: g.net }))),
    };
  } catch (error) {
    if (error instanceof MissingRateError) return { currency: converter.reporting, error: { code: error.code, message: error.message, currency: error.currency, day: error.day } };
    throw error;
  }
}

const REVERSALS: TransactionKind[] = ['refund', 'chargeback'];

/**
 * Recomputes fans' lifetime spend (net, in the reporting currency) and last purchase from their rows. A
 * fan whose rows cannot all be converted keeps the previous total (returned in `unconverted`): a
 * partial sum would be a wrong figure that looks right.
 */
export async function refreshFanTotals(tx: Tx, fanIds: string[], converter: Converter): Promise<{ unconverted: MissingRateError[] }> {
  const unconverted: MissingRateError[] = [];
  if (!fanIds.length) return { unconverted };
  const groups = rowsOf<{ fan_id: string; day: string; currency: string; net: string }>(
    await tx.execute(sql`
      select ${transactions.fanId} as fan_id, ${DAY} as day, ${transactions.currency} as currency, sum(${transactions.netMinor}) as net
      from ${transactions} where ${inArray(transactions.fanId, fanIds)}
      group by 1, 2, 3`),
  );
  const last = await tx
    .select({ fanId: transactions.fanId, at: sql<Date | string | null>`max(${transactions.occurredAt})` })
    .from(transactions)
    .where(and(inArray(transactions.fanId, fanIds), notInArray(transactions.kind, REVERSALS)))
    .groupBy(transactions.fanId);
  for (const fanId of fanIds) {
    const mine = groups.filter((g) => g.fan_id === fanId);
    const lastAt = last.find((l) => l.fanId === fanId)?.at ?? null;
    const set: Partial<typeof fans.$inferInsert> = { lastPurchaseAt: lastAt ? new Date(lastAt) : null, updatedAt: new Date() };
    try {
      set.totalSpendMinor = converter.sum(mine.map((g) => ({ currency: g.currency, day: g.day, minor: Number(g.net) })));
    } catch (error) {
      if (!(error instanceof MissingRateError)) throw error;
      unconverted.push(error);
    }
    await tx.update(fans).set(set).where(eq(fans.id, fanId));
  }
  return { unconverted };
}

/** Every fan with rows in these currencies (all fans with rows when none are given), for a rate or setting change. */
export async function fansWithRows(tx: Tx, currencies?: string[]): Promise<string[]> {
  const rows = await tx
    .selectDistinct({ fanId: transactions.fanId })
    .from(transactions)
    .where(and(sql`${transactions.fanId} is not null`, currencies ? inArray(transactions.currency, currencies) : undefined));
  return rows.map((r) => r.fanId!);
}
