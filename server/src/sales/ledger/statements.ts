import { and, asc, eq, gte, lt } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.ts';
import { billingProfiles, costLines, transactions } from '../../platform/db/schema/index.ts';
import { loadConverter } from './rates.ts';
import * as repo from './transactions.repository.ts';

export interface StatementTotals {
  month: string;
  from: string;
  /** Last day of the month, for people. */
  toInclusive: string;
  reportingCurrency: string;
  persona: { id: string; name: string } | null;
  client: { name: string; email: string | null } | null;
  revenue: { byCurrency: repo.CurrencyTotal[]; converted: { grossMinor: number; feeMinor: number; netMinor: number } };
  costs: {
    lines: { kind: string; description: string; amountMinor: number; currency: string; occurredOn: string; convertedMinor: number }[];
    byKind: { kind: string; convertedMinor: number }[];
    convertedMinor: number;
  };
  /** bps is null on an org-wide statement: each persona's own share applies to its own revenue. */
  revenueShare: { bps: number | null; minor: number };
  /** Net revenue − agency share − costs: what the client is owed for the month. */
  balanceMinor: number;
  generatedAt: string;
}

export function monthBounds(month: string) {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const from = new Date(Date.UTC(y, m - 1, 1));
  const to = new Date(Date.UTC(y, m, 1));
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return { from, to, fromDay: day(from), toDay: day(to), lastDay: day(new Date(to.getTime() - 86_400_000)) };
}

/**
 * The month's figures for one persona (or the whole organization): revenue per currency and converted,
 * costs by kind (the billing profile's infrastructure share included), the agency's revenue share and the
 * balance. A missing exchange rate fails the whole statement (MissingRateError) rather than leave a hole.
 */
export async function computeStatement(tx: Tx, orgId: string, month: string, persona: { id: string; name: string } | null, now = new Date()): Promise<StatementTotals> {
  const b = monthBounds(month);
  const inMonth = and(gte(transactions.occurredAt, b.from), lt(transactions.occurredAt, b.to), persona ? eq(transactions.personaId, persona.id) : undefined);
  const groups = await repo.dayGroups(tx, inMonth);
  const costs = await tx
    .select()
    .from(costLines)
    .where(and(gte(costLines.occurredOn, b.fromDay), lt(costLines.occurredOn, b.toDay), persona ? eq(costLines.personaId, persona.id) : undefined))
    .orderBy(asc(costLines.occurredOn), asc(costLines.createdAt));
  const profiles = await tx.select().from(billingProfiles).where(persona ? eq(billingProfiles.personaId, persona.id) : undefined);
  const converter = await loadConverter(tx, orgId, [...groups.map((g) => g.currency), ...costs.map((c) => c.currency)]);
  const r = converter.reporting;

  const sum = (pick: 'gross' | 'fee' | 'net', list = groups) => converter.sum(list.map((g) => ({ currency: g.currency, day: g.day, minor: g[pick] })));
  const converted = { grossMinor: sum('gross'), feeMinor: sum('fee'), netMinor: sum('net') };

  const lines: StatementTotals['costs']['lines'] = costs.map((c) => ({
    kind: c.kind,
    description: c.description,
    amountMinor: c.amountMinor,
    currency: c.currency,
    occurredOn: c.occurredOn,
    convertedMinor: converter.convert(c.amountMinor, c.currency, c.occurredOn),
  }));
  for (const p of profiles) {
    if (p.infrastructureMinor) {
      lines.push({ kind: 'infrastructure', description: `Monthly infrastructure share${persona ? '' : ` (${p.clientName})`}`, amountMinor: p.infrastructureMinor, currency: r, occurredOn: b.fromDay, convertedMinor: p.infrastructureMinor });
    }
  }
  const byKindMap = new Map<string, number>();
  for (const l of lines) byKindMap.set(l.kind, (byKindMap.get(l.kind) ?? 0) + l.convertedMinor);
  const costTotal = lines.reduce((t, l) => t + l.convertedMinor, 0);

  // The share is a fraction of each persona's own converted net revenue, rounded once per persona.
  let share = 0;
  for (const p of profiles) {
    const mine = groups.filter((g) => g.personaId === p.personaId);
    share += Math.round((sum('net', mine) * p.revenueShareBps) / 10_000);
  }
  const profile = persona ? (profiles[0] ?? null) : null;
  return {
    month,
    from: b.fromDay,
    toInclusive: b.lastDay,
    reportingCurrency: r,
    persona,
    client: profile ? { name: profile.clientName, email: profile.clientEmail } : null,
    revenue: { byCurrency: repo.perCurrency(groups), converted },
    costs: { lines, byKind: [...byKindMap].map(([kind, convertedMinor]) => ({ kind, convertedMinor })).sort((a, b) => a.kind.localeCompare(b.kind)), convertedMinor: costTotal },
    revenueShare: { bps: persona ? (profile?.revenueShareBps ?? 0) : null, minor: share },
    balanceMinor: converted.netMinor - share - costTotal,
    generatedAt: now.toISOString(),
  };
}
