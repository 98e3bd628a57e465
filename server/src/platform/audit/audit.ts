import { and, desc, lt, eq } from 'drizzle-orm';
import type { Tx } from '../db/database.ts';
import { auditLog } from '../db/schema/index.ts';
import type { Origin, Principal } from '../auth/principal.ts';

export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

/**
 * Writes one audit row inside the caller's transaction, so the record and the change it describes
 * commit or roll back together. The table is append-only (trigger in migration 0001).
 */
export async function recordAudit(
  tx: Tx,
  actor: { orgId: string | null; userId?: string | null; apiKeyId?: string | null },
  origin: Partial<Origin>,
  entry: AuditEntry,
): Promise<void> {
  await tx.insert(auditLog).values({
    orgId: actor.orgId,
    actorUserId: actor.userId ?? null,
    actorApiKeyId: actor.apiKeyId ?? null,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    ip: origin.ip ?? null,
    userAgent: origin.userAgent ?? null,
    requestId: origin.requestId ?? null,
    details: entry.details ?? null,
  });
}

export const auditBy = (p: Principal) => ({ orgId: p.orgId, userId: p.userId, apiKeyId: p.apiKeyId });

/** Newest first, keyset-paginated on the insertion sequence. RLS limits rows to the caller's organization. */
export function listAudit(tx: Tx, opts: { limit: number; before?: number | undefined; action?: string | undefined }) {
  const filters = [opts.before ? lt(auditLog.seq, opts.before) : undefined, opts.action ? eq(auditLog.action, opts.action) : undefined];
  return tx
    .select()
    .from(auditLog)
    .where(and(...filters))
    .orderBy(desc(auditLog.seq))
    .limit(opts.limit);
}
