import { eq } from 'drizzle-orm';
import type { Database } from '../../platform/db/database.ts';
import { ledgerImports } from '../../platform/db/schema/index.ts';
import type { Origin, Principal } from '../../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../../platform/audit/audit.ts';
import { HttpError } from '../../platform/http/problem.ts';
import type { EventBus } from '../../platform/events/index.ts';
import type { PersonasService } from '../../personas/index.ts';
import { upsertFan } from '../crm/fans.repository.ts';
import { parseStatement } from './csv.ts';
import { applyRows, importView } from './ledger.service.ts';
import { erasedOwners, keptErased } from './erased-rows.ts';
import type { IncomingTransaction } from './transactions.repository.ts';

export interface CsvImportInput {
  personaId: string;
  /** The platform the statement comes from (onlyfans, fansly, patreon, other…): rows get source `csv:<platform>`. */
  platform: string;
  filename: string | null;
  csv: string;
}

/** A statement file: checked whole first, then written whole in one transaction, or refused whole. */
export class CsvImportService {
  readonly #db: Database;
  readonly #personas: PersonasService;
  readonly #events: EventBus;
  constructor(db: Database, personas: PersonasService, events: EventBus) {
    this.#db = db;
    this.#personas = personas;
    this.#events = events;
  }

  async import(p: Principal, input: CsvImportInput, origin: Origin) {
    await this.#personas.assertVisible(p, [input.personaId]);
    const source = `csv:${input.platform}`;
    const parsed = parseStatement(input.csv, input.platform);
    if (!parsed.ok) {
      // Only the refusal is recorded; no transaction, fan or total was touched.
      const rejected = await this.#db.withOrg(p.orgId, async (tx) => {
        const [row] = await tx
          .insert(ledgerImports)
          .values({ orgId: p.orgId, personaId: input.personaId, source, filename: input.filename, status: 'rejected', errors: parsed.errors, createdBy: p.userId })
          .returning();
        await recordAudit(tx, auditBy(p), origin, { action: 'ledger.import_rejected', targetType: 'ledger_import', targetId: row!.id, details: { filename: input.filename, errors: parsed.errors.length } });
        return row!;
      });
      throw new HttpError(422, 'import_rejected', `The file was not imported: ${parsed.errors.length} problem${parsed.errors.length === 1 ? '' : 's'}, first ${parsed.errors[0]}`, {
        importId: rejected.id,
        lineErrors: parsed.errors,
        errors: parsed.errors.map((e) => ({ path: e.split(':')[0]!, message: e.slice(e.indexOf(':') + 1).trim() })),
      });
    }
    const rows = parsed.rows;
    const result = await this.#db.withOrg(p.orgId, async (tx) => {
      const [started] = await tx
        .insert(ledgerImports)
        .values({ orgId: p.orgId, personaId: input.personaId, source, filename: input.filename, status: 'imported', rows: rows.length, createdBy: p.userId })
        .returning();
      // Lines the ledger already holds for an erased fan stay hers, anonymised: a re-import never revives her.
      const erased = await erasedOwners(tx, p.orgId, source, rows.map((r) => r.sourceId));
      // One fan per platform account; first and last sighting from the file's own dates.
      const fanIds = new Map<string, string>();
      const byFan = new Map<string, typeof rows>();
      for (const r of rows) {
        const key = r.fanId ?? r.fanHandle;
        if (key && !erased.has(r.sourceId)) byFan.set(key, [...(byFan.get(key) ?? []), r]);
      }
      for (const [key, mine] of byFan) {
        const times = mine.map((r) => r.occurredAt.getTime());
        const handle = mine.find((r) => r.fanHandle)?.fanHandle ?? null;
        for (const at of new Set([Math.min(...times), Math.max(...times)])) {
          const fan = await upsertFan(tx, p.orgId, { personaId: input.personaId, platform: input.platform, platformFanId: key, handle, seenAt: new Date(at) });
          fanIds.set(key, fan.id);
        }
      }
      const applied = await applyRows(
        tx,
        p.orgId,
        rows.map((r) => {
          const row: IncomingTransaction = {
            personaId: input.personaId,
            fanId: fanIds.get(r.fanId ?? r.fanHandle ?? '') ?? null,
            channelId: null,
            platform: input.platform,
            kind: r.kind,
            grossMinor: r.grossMinor,
            feeMinor: r.feeMinor,
            netMinor: r.netMinor,
            currency: r.currency,
            occurredAt: r.occurredAt,
            source,
            sourceId: r.sourceId,
            importId: started!.id,
            description: r.description,
            raw: r.raw,
            createdBy: p.userId,
          };
          const erasedFanId = erased.get(r.sourceId);
          return erasedFanId ? keptErased(row, erasedFanId, { handle: r.fanHandle, platformFanId: r.fanId ?? r.fanHandle }) : row;
        }),
      );
      const [row] = await tx
        .update(ledgerImports)
        .set({ added: applied.added, updated: applied.updated, errors: applied.warnings })
        .where(eq(ledgerImports.id, started!.id))
        .returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'ledger.imported', targetType: 'ledger_import', targetId: row!.id, details: { filename: input.filename, rows: rows.length, added: applied.added, updated: applied.updated } });
      return { ...importView(row!), warnings: applied.warnings };
    });
    if (result.added || result.updated) await this.#events.publish({ type: 'ledger.updated', orgId: p.orgId, personaId: input.personaId, data: { importId: result.id, added: result.added, updated: result.updated } });
    return result;
  }
}
