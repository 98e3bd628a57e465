import { randomUUID } from 'node:crypto';
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Database, Tx } from '../../platform/db/database.ts';
import { fans, ledgerImports, transactions, type TransactionKind } from '../../platform/db/schema/index.ts';
import { canSeePersona, type Origin, type Principal } from '../../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../../platform/audit/audit.ts';
import { badRequest, HttpError, notFound } from '../../platform/http/problem.ts';
import type { PersonasService } from '../../personas/index.ts';
import { isCurrency } from './money.ts';
import { loadConverter, type Converter } from './rates.ts';
import * as repo from './transactions.repository.ts';

export const REVERSAL_KINDS: readonly TransactionKind[] = ['refund', 'chargeback'];

export interface ListQuery {
  personaId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  kind?: TransactionKind | undefined;
  fanId?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

export interface ManualEntry {
  personaId: string;
  kind: TransactionKind;
  grossMinor: number;
  feeMinor?: number | undefined;
  netMinor?: number | undefined;
  currency: string;
  occurredAt: Date;
  platform?: string | undefined;
  fanId?: string | undefined;
  description?: string | undefined;
}

export function transactionView(r: repo.TransactionRow) {
  return {
    id: r.id,
    personaId: r.personaId,
    fanId: r.fanId,
    channelId: r.channelId,
    platform: r.platform,
    kind: r.kind,
    grossMinor: r.grossMinor,
    feeMinor: r.feeMinor,
    netMinor: r.netMinor,
    currency: r.currency,
    occurredAt: r.occurredAt.toISOString(),
    source: r.source,
    sourceId: r.sourceId,
    importId: r.importId,
    description: r.description,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function importView(r: typeof ledgerImports.$inferSelect) {
  return {
    id: r.id,
    personaId: r.personaId,
    source: r.source,
    filename: r.filename,
    status: r.status,
    rows: r.rows,
    added: r.added,
    updated: r.updated,
    errors: (Array.isArray(r.errors) ? r.errors : []) as string[],
    createdAt: r.createdAt.toISOString(),
  };
}

const encodeCursor = (r: { occurredAt: Date; id: string }) => Buffer.from(JSON.stringify([r.occurredAt.toISOString(), r.id])).toString('base64url');
function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(at);
    if (Number.isNaN(date.getTime()) || typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad');
    return { at: date, id };
  } catch {
    throw badRequest('invalid_cursor', 'The cursor is not one this API gave out');
  }
}

/**
 * Rows entering the books, whatever their source: upserted idempotently, then the touched fans' totals
 * recomputed from their rows. Runs in the caller's transaction (one per page or per file).
 */
export async function applyRows(tx: Tx, orgId: string, rows: repo.IncomingTransaction[], converter?: Converter) {
  const result = await repo.upsertTransactions(tx, orgId, rows);
  const conv = converter ?? (await loadConverter(tx, orgId));
  const { unconverted } = await repo.refreshFanTotals(tx, result.fanIds, conv);
  const warnings = [...new Set(unconverted.map((e) => e.message))];
  return { added: result.added, updated: result.updated, warnings };
}

/** The ledger: money in (and back out), per persona, never summed across currencies. */
export class LedgerService {
  readonly #db: Database;
  readonly #personas: PersonasService;
  constructor(db: Database, personas: PersonasService) {
    this.#db = db;
    this.#personas = personas;
  }

  #filter(p: Principal, q: Omit<ListQuery, 'cursor' | 'limit'>): repo.TransactionFilter {
    if (q.personaId && !canSeePersona(p, q.personaId)) throw notFound('persona');
    return { personaIds: p.personaScope, personaId: q.personaId, from: q.from, to: q.to, kind: q.kind, fanId: q.fanId };
  }

  async list(p: Principal, q: ListQuery) {
    const filter = this.#filter(p, q);
    return this.#db.withOrg(p.orgId, async (tx) => {
      const rows = await repo.listTransactions(tx, filter, { limit: q.limit + 1, after: q.cursor ? decodeCursor(q.cursor) : undefined });
      const page = rows.slice(0, q.limit);
      const groups = await repo.dayGroups(tx, repo.filterWhere(filter));
      const converter = await loadConverter(tx, p.orgId, groups.map((g) => g.currency));
      return {
        items: page.map(transactionView),
        nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!) : null,
        totals: { byCurrency: repo.perCurrency(groups), converted: repo.converted(converter, groups) },
      };
    });
  }

  async create(p: Principal, input: ManualEntry, origin: Origin) {
    await this.#personas.assertVisible(p, [input.personaId]);
    const currency = input.currency.toUpperCase();
    if (!isCurrency(currency)) throw badRequest('invalid_currency', `${input.currency} is not an ISO 4217 currency`);
    const reversal = REVERSAL_KINDS.includes(input.kind);
    const fee = input.feeMinor ?? 0;
    const net = input.netMinor ?? input.grossMinor - fee;
    if (reversal ? input.grossMinor > 0 : input.grossMinor < 0) {
      throw badRequest('invalid_amount', reversal ? 'Refunds and chargebacks are negative amounts' : 'Sales are positive amounts; record money going back as a refund or chargeback');
    }
    if (Math.abs(input.grossMinor - fee - net) > 1) throw badRequest('invalid_amount', `net (${net}) must equal gross (${input.grossMinor}) minus fee (${fee})`);
    return this.#db.withOrg(p.orgId, async (tx) => {
      if (input.fanId) {
        const fan = (await tx.select({ id: fans.id }).from(fans).where(and(eq(fans.id, input.fanId), eq(fans.personaId, input.personaId))))[0];
        if (!fan) throw notFound('fan');
      }
      const sourceId = randomUUID();
      await applyRows(tx, p.orgId, [
        {
          personaId: input.personaId,
          fanId: input.fanId ?? null,
          channelId: null,
          platform: input.platform ?? 'manual',
          kind: input.kind,
          grossMinor: input.grossMinor,
          feeMinor: fee,
          netMinor: net,
          currency,
          occurredAt: input.occurredAt,
          source: 'manual',
          sourceId,
          importId: null,
          description: input.description ?? '',
          raw: {},
          createdBy: p.userId,
        },
      ]);
      const row = (await tx.select().from(transactions).where(and(eq(transactions.source, 'manual'), eq(transactions.sourceId, sourceId))))[0]!;
      await recordAudit(tx, auditBy(p), origin, { action: 'transaction.created', targetType: 'transaction', targetId: row.id, details: { kind: row.kind, netMinor: row.netMinor, currency } });
      return transactionView(row);
    });
  }

  async remove(p: Principal, id: string, origin: Origin) {
    await this.#db.withOrg(p.orgId, async (tx) => {
      const row = (await tx.select().from(transactions).where(eq(transactions.id, id)))[0];
      if (!row || !canSeePersona(p, row.personaId)) throw notFound('transaction');
      if (row.source !== 'manual') throw new HttpError(409, 'not_manual', 'Only hand-entered rows can be deleted; imported rows follow their source');
      await tx.delete(transactions).where(eq(transactions.id, id));
      if (row.fanId) await repo.refreshFanTotals(tx, [row.fanId], await loadConverter(tx, p.orgId));
      await recordAudit(tx, auditBy(p), origin, { action: 'transaction.deleted', targetType: 'transaction', targetId: id, details: { kind: row.kind, netMinor: row.netMinor, currency: row.currency } });
    });
  }

  async imports(p: Principal, q: { personaId?: string | undefined; limit: number }) {
    if (q.personaId && !canSeePersona(p, q.personaId)) throw notFound('persona');
    return this.#db.withOrg(p.orgId, async (tx) => {
      const rows = await tx
        .select()
        .from(ledgerImports)
        .where(
          and(
            q.personaId ? eq(ledgerImports.personaId, q.personaId) : undefined,
            p.personaScope ? inArray(ledgerImports.personaId, p.personaScope.length ? p.personaScope : ['00000000-0000-0000-0000-000000000000']) : undefined,
          ),
        )
        .orderBy(desc(ledgerImports.createdAt))
        .limit(q.limit);
      return { items: rows.map(importView) };
    });
  }
}
