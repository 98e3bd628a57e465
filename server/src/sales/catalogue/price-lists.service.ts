import { and, eq, ne } from 'drizzle-orm';
import type { Database, Tx } from '../../platform/db/database.ts';
import { priceLists } from '../../platform/db/schema/index.ts';
import type { Origin, Principal } from '../../platform/auth/principal.ts';
import { canSeePersona } from '../../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../../platform/audit/audit.ts';
import { HttpError, notFound } from '../../platform/http/problem.ts';
import type { PersonasService } from '../../personas/index.ts';
import * as repo from './catalogue.repository.ts';

const view = (row: repo.PriceListRow) => ({ id: row.id, personaId: row.personaId, name: row.name, isDefault: row.isDefault, createdAt: row.createdAt.toISOString() });

/** Named price lists per persona ("Standard", "Holiday"); exactly one is the default the catalogue sells from. */
export class PriceListsService {
  readonly #db: Database;
  readonly #personas: PersonasService;
  constructor(db: Database, personas: PersonasService) {
    this.#db = db;
    this.#personas = personas;
  }

  async list(p: Principal, personaId: string | undefined) {
    if (personaId) await this.#personas.get(p, personaId);
    return this.#db.withOrg(p.orgId, async (tx) => (await repo.priceListsOf(tx, personaId ? [personaId] : p.personaScope)).map(view));
  }

  async create(p: Principal, input: { personaId: string; name: string; isDefault?: boolean | undefined }, origin: Origin) {
    await this.#personas.get(p, input.personaId);
    return this.#db.withOrg(p.orgId, async (tx) => {
      // The first list of a persona is its default, whatever was asked.
      const first = (await repo.defaultListsOf(tx, [input.personaId])).length === 0;
      const isDefault = first || input.isDefault === true;
      if (isDefault) await this.#clearDefault(tx, input.personaId);
      const [row] = await tx.insert(priceLists).values({ orgId: p.orgId, personaId: input.personaId, name: input.name, isDefault }).returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'price_list.created', targetType: 'price_list', targetId: row!.id, details: { isDefault } });
      return view(row!);
    });
  }

  async update(p: Principal, id: string, patch: { name?: string | undefined; isDefault?: boolean | undefined }, origin: Origin) {
    return this.#db.withOrg(p.orgId, async (tx) => {
      const row = await this.#own(tx, p, id);
      if (patch.isDefault === false && row.isDefault) throw new HttpError(409, 'default_needed', 'A persona always has a default price list: make another one the default instead');
      if (patch.isDefault === true && !row.isDefault) await this.#clearDefault(tx, row.personaId, id);
      const [updated] = await tx
        .update(priceLists)
        .set({ ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.isDefault !== undefined ? { isDefault: patch.isDefault } : {}) })
        .where(eq(priceLists.id, id))
        .returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'price_list.updated', targetType: 'price_list', targetId: id, details: { fields: Object.keys(patch) } });
      return view(updated!);
    });
  }

  async remove(p: Principal, id: string, origin: Origin) {
    await this.#db.withOrg(p.orgId, async (tx) => {
      const row = await this.#own(tx, p, id);
      if (row.isDefault) throw new HttpError(409, 'default_price_list', 'The default price list cannot be deleted: make another one the default first');
      await tx.delete(priceLists).where(eq(priceLists.id, id));
      await recordAudit(tx, auditBy(p), origin, { action: 'price_list.deleted', targetType: 'price_list', targetId: id });
    });
  }

  async #own(tx: Tx, p: Principal, id: string) {
    const row = await repo.priceList(tx, id);
    if (!row || !canSeePersona(p, row.personaId)) throw notFound('price list');
    return row;
  }

  async #clearDefault(tx: Tx, personaId: string, except?: string) {
    await tx
      .update(priceLists)
      .set({ isDefault: false })
      .where(and(eq(priceLists.personaId, personaId), eq(priceLists.isDefault, true), except ? ne(priceLists.id, except) : undefined));
  }
}
