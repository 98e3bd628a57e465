import type { Tx } from '../../platform/db/database.ts';
import { costLines } from '../../platform/db/schema/index.ts';

export interface CostRecord {
  personaId: string | null;
  kind: 'gpu' | 'api' | 'infrastructure' | 'platform' | 'manual';
  description: string;
  amountMinor: number;
  currency: string;
  occurredOn: string; // YYYY-MM-DD
  /** studio | publishing | manual */
  source: string;
  /** With `source`, makes recording the same spend twice a no-op (a retried job, a re-run sweep). */
  sourceId: string | null;
  createdBy?: string | null;
}

/** The one way spend enters the books (studio GPU/API time, X per-post billing, manual lines). */
export async function recordCost(tx: Tx, orgId: string, c: CostRecord): Promise<void> {
  if (c.amountMinor === 0) return;
  await tx
    .insert(costLines)
    .values({ orgId, ...c, currency: c.currency.toUpperCase(), createdBy: c.createdBy ?? null })
    .onConflictDoNothing({ target: [costLines.orgId, costLines.source, costLines.sourceId] });
}
