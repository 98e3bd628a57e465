import { and, asc, count, eq, inArray, isNull, or, type SQL } from 'drizzle-orm';
import type { Database, Tx } from '../../platform/db/database.ts';
import { fans, ppvCampaigns, segments } from '../../platform/db/schema/index.ts';
import type { Origin, Principal } from '../../platform/auth/principal.ts';
import { canSeePersona } from '../../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../../platform/audit/audit.ts';
import { HttpError, notFound } from '../../platform/http/problem.ts';
import type { PersonasService } from '../../personas/index.ts';
import { builtinKindOf, ensureBuiltinSegments, filterOf, segmentCondition, type SegmentFilter, type SegmentRow } from './segments.ts';

export interface SegmentInput {
  personaId?: string | null | undefined;
  name: string;
  filter: SegmentFilter;
}

/** Saved fan filters; the four built-ins exist for every organization and cannot be edited. */
export class SegmentsService {
  readonly #db: Database;
  readonly #personas: PersonasService;
  constructor(db: Database, personas: PersonasService) {
    this.#db = db;
    this.#personas = personas;
  }

  async list(p: Principal, personaId?: string) {
    if (personaId) await this.#personas.get(p, personaId);
    return this.#db.withOrg(p.orgId, async (tx) => {
      await ensureBuiltinSegments(tx, p.orgId);
      const rows = await tx
        .select()
        .from(segments)
        .where(personaId ? or(isNull(segments.personaId), eq(segments.personaId, personaId)) : undefined)
        .orderBy(asc(segments.createdAt), asc(segments.name));
      return rows.filter((r) => !r.personaId || canSeePersona(p, r.personaId)).map((r) => this.#view(p, r));
    });
  }

  async get(p: Principal, id: string) {
    return this.#db.withOrg(p.orgId, async (tx) => this.#view(p, await this.own(tx, p, id)));
  }

  async create(p: Principal, input: SegmentInput, origin: Origin) {
    if (input.personaId) await this.#personas.get(p, input.personaId);
    // A segment for every persona would show members of personas a restricted member cannot see.
    else if (p.personaScope !== null) throw new HttpError(422, 'persona_required', 'Choose the persona this segment is for');
    return this.#db.withOrg(p.orgId, async (tx) => {
      const [row] = await tx.insert(segments).values({ orgId: p.orgId, personaId: input.personaId ?? null, name: input.name, filter: input.filter }).returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'segment.created', targetType: 'segment', targetId: row!.id, details: { kind: input.filter.kind } });
      return this.#view(p, row!);
    });
  }

  async update(p: Principal, id: string, patch: { name?: string | undefined; filter?: SegmentFilter | undefined }, origin: Origin) {
    return this.#db.withOrg(p.orgId, async (tx) => {
      const row = await this.own(tx, p, id);
      if (builtinKindOf(p.orgId, row.id)) throw new HttpError(409, 'segment_builtin', 'Built-in segments cannot be changed: create a custom one');
      const [updated] = await tx
        .update(segments)
        .set({ ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.filter ? { filter: patch.filter } : {}), updatedAt: new Date() })
        .where(eq(segments.id, id))
        .returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'segment.updated', targetType: 'segment', targetId: id, details: { fields: Object.keys(patch) } });
      return this.#view(p, updated!);
    });
  }

  async remove(p: Principal, id: string, origin: Origin) {
    await this.#db.withOrg(p.orgId, async (tx) => {
      const row = await this.own(tx, p, id);
      if (builtinKindOf(p.orgId, row.id)) throw new HttpError(409, 'segment_builtin', 'Built-in segments cannot be deleted');
      const [busy] = await tx
        .select({ n: count() })
        .from(ppvCampaigns)
        .where(and(eq(ppvCampaigns.segmentId, id), inArray(ppvCampaigns.status, ['scheduled', 'sending'])));
      if (busy!.n > 0) throw new HttpError(409, 'segment_in_use', 'A scheduled PPV campaign sends to this segment: cancel it first');
      await tx.delete(segments).where(eq(segments.id, id));
      await recordAudit(tx, auditBy(p), origin, { action: 'segment.deleted', targetType: 'segment', targetId: id });
    });
  }

  /** How many fans the segment selects now: for its persona, or `personaId` for an all-personas segment. */
  async size(p: Principal, id: string, personaId?: string) {
    if (personaId) await this.#personas.get(p, personaId);
    return this.#db.withOrg(p.orgId, async (tx) => {
      const row = await this.own(tx, p, id);
      const filter = filterOf(row);
      if (!filter || (row.personaId && personaId && row.personaId !== personaId)) return { size: 0 };
      return { size: await countFans(tx, this.condition(p, filter, row.personaId ?? personaId ?? null)) };
    });
  }

  /** Size of a filter not saved yet (the editor's live count). */
  async preview(p: Principal, filter: SegmentFilter, personaId?: string) {
    if (personaId) await this.#personas.get(p, personaId);
    return this.#db.withOrg(p.orgId, async (tx) => ({ size: await countFans(tx, this.condition(p, filter, personaId ?? null)) }));
  }

  /** The compiled condition, limited to what the caller may see. */
  condition(p: Principal, filter: SegmentFilter, personaId: string | null): SQL {
    return segmentCondition(filter, personaId ? { personaId } : { personaIds: p.personaScope });
  }

  /** The segment row, 404 unless visible to the caller (its persona, if any, must be visible). */
  async own(tx: Tx, p: Principal, id: string): Promise<SegmentRow> {
    await ensureBuiltinSegments(tx, p.orgId);
    const row = (await tx.select().from(segments).where(eq(segments.id, id)))[0];
    if (!row || (row.personaId && !canSeePersona(p, row.personaId))) throw notFound('segment');
    return row;
  }

  #view(p: Principal, r: SegmentRow) {
    const key = builtinKindOf(p.orgId, r.id);
    return {
      id: r.id,
      key,
      builtin: key !== null,
      personaId: r.personaId,
      name: r.name,
      filter: filterOf(r) ?? { kind: 'custom' as const },
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    };
  }
}

async function countFans(tx: Tx, where: SQL) {
  const [row] = await tx.select({ n: count() }).from(fans).where(where);
  return row!.n;
}
