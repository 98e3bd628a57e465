/**
 * Re-reading a platform's history must not undo a GDPR erase. The Fanvue sync re-reads the last weeks on
 * every run and a statement can be imported twice: a row the ledger already holds for an erased fan stays
 * that fan's, anonymised — the import names no fan for it (no fresh record with the handle) and stores the
 * platform's copy scrubbed of the fan's identifiers, exactly as the erase left it (so nothing is rewritten).
 * A refund of such a row follows it. New activity of the same account after the erase is new data and
 * starts a fresh record (see upsertFan).
 */
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.ts';
import { fans, transactions } from '../../platform/db/schema/index.ts';
import { erasedSourceId, scrubberFor } from '../crm/fan-data.ts';
import type { IncomingTransaction } from './transactions.repository.ts';

/** Source ids (as the platform gives them) of rows already held for an erased fan → that fan's id. */
export async function erasedOwners(tx: Tx, orgId: string, source: string, sourceIds: readonly string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(sourceIds.filter((id) => id))];
  if (!wanted.length) return new Map();
  const stored = new Map(wanted.map((id) => [erasedSourceId(id), id]));
  const rows = await tx
    .select({ sourceId: transactions.sourceId, fanId: transactions.fanId })
    .from(transactions)
    .innerJoin(fans, eq(fans.id, transactions.fanId))
    .where(and(eq(transactions.orgId, orgId), eq(transactions.source, source), inArray(transactions.sourceId, [...wanted, ...stored.keys()]), isNotNull(fans.erasedAt)));
  return new Map(rows.map((r) => [stored.get(r.sourceId) ?? r.sourceId, r.fanId!]));
}

/** The incoming row as the erase left its twin: the erased fan's, without the fan's identifiers. */
export function keptErased(row: IncomingTransaction, fanId: string, identity: { handle?: string | null; displayName?: string | null; platformFanId?: string | null }): IncomingTransaction {
  const scrub = scrubberFor({ handle: identity.handle ?? null, displayName: identity.displayName ?? null, platformFanId: identity.platformFanId ?? '' });
  return {
    ...row,
    fanId,
    description: scrub.text(row.description),
    raw: scrub.json(row.raw) as Record<string, unknown>,
    sourceId: scrub.contains(row.sourceId) ? erasedSourceId(row.sourceId) : row.sourceId,
  };
}
