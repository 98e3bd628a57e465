import { eq } from 'drizzle-orm';
import type { Database, Tx } from '../../platform/db/database.ts';
import { packs } from '../../platform/db/schema/index.ts';
import type { Origin, Principal } from '../../platform/auth/principal.ts';
import { canSeePersona } from '../../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../../platform/audit/audit.ts';
import { HttpError, notFound } from '../../platform/http/problem.ts';
import type { PersonasService } from '../../personas/index.ts';
import { assertCurrency } from './money.ts';
import { packViews, strictest } from './views.ts';
import * as repo from './catalogue.repository.ts';

export interface PackInput {
  personaId: string;
  kind?: 'pack' | 'bundle' | undefined;
  title: string;
  description?: string | undefined;
  status?: repo.PackRow['status'] | undefined;
}
export type PackPatch = Partial<Pick<PackInput, 'title' | 'description' | 'status'>>;
export interface PriceInput {
  platform: string;
  amountMinor: number;
  currency: string;
}

/** Packs (media sold together) and bundles (packs sold together), their media, and their list prices. */
export class PacksService {
  readonly #db: Database;
  readonly #personas: PersonasService;
  constructor(db: Database, personas: PersonasService) {
    this.#db = db;
    this.#personas = personas;
  }

  async list(p: Principal, q: { personaId?: string | undefined; status?: repo.PackRow['status'] | undefined }) {
    if (q.personaId) await this.#personas.get(p, q.personaId);
    return this.#db.withOrg(p.orgId, async (tx) => packViews(tx, await repo.packsOf(tx, q.personaId ? [q.personaId] : p.personaScope, q.status)));
  }

  async get(p: Principal, id: string) {
    return this.#db.withOrg(p.orgId, async (tx) => (await packViews(tx, [await this.#own(tx, p, id)]))[0]!);
  }

  async create(p: Principal, input: PackInput, origin: Origin) {
    await this.#personas.get(p, input.personaId);
    // Nothing is in a new pack yet: it cannot be offered before it holds something.
    if (input.status === 'active') throw emptyPack();
    return this.#db.withOrg(p.orgId, async (tx) => {
      const [row] = await tx
        .insert(packs)
        .values({ orgId: p.orgId, personaId: input.personaId, kind: input.kind ?? 'pack', title: input.title, description: input.description ?? '', status: input.status ?? 'draft' })
        .returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'pack.created', targetType: 'pack', targetId: row!.id, details: { kind: row!.kind } });
      return (await packViews(tx, [row!]))[0]!;
    });
  }

  async update(p: Principal, id: string, patch: PackPatch, origin: Origin) {
    return this.#db.withOrg(p.orgId, async (tx) => {
      const row = await this.#own(tx, p, id);
      if (patch.status === 'active' && !(await this.#holdsSomething(tx, row))) throw emptyPack();
      const [updated] = await tx
        .update(packs)
        .set({ ...patch, updatedAt: new Date() })
        .where(eq(packs.id, id))
        .returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'pack.updated', targetType: 'pack', targetId: id, details: { fields: Object.keys(patch), status: patch.status } });
      return (await packViews(tx, [updated!]))[0]!;
    });
  }

  async remove(p: Principal, id: string, origin: Origin) {
    await this.#db.withOrg(p.orgId, async (tx) => {
      await this.#own(tx, p, id);
      const bundles = await repo.bundlesContaining(tx, [id]);
      await tx.delete(packs).where(eq(packs.id, id));
      await this.#rerateBundles(tx, bundles);
      await recordAudit(tx, auditBy(p), origin, { action: 'pack.deleted', targetType: 'pack', targetId: id });
    });
  }

  /**
   * Replaces a pack's media. Each must be an approved, rated asset of the pack's persona; the pack's
   * rating becomes the most restricted of theirs, and bundles holding the pack follow.
   */
  async setItems(p: Principal, id: string, assetIds: string[], origin: Origin) {
    const unique = [...new Set(assetIds)];
    return this.#db.withOrg(p.orgId, async (tx) => {
      const row = await this.#own(tx, p, id);
      if (row.kind !== 'pack') throw new HttpError(409, 'not_a_pack', 'A bundle holds packs, not media: use PUT /packs/{id}/bundle');
      if (!unique.length && row.status === 'active') throw emptyPack();
      const assets = await repo.assetsByIds(tx, unique);
      for (const assetId of unique) {
        const asset = assets.find((a) => a.id === assetId);
        // Another org's id is invisible under RLS and reads the same as another persona's.
        if (!asset || asset.personaId !== row.personaId) throw new HttpError(422, 'asset_not_own', 'Every media must be one of this persona’s assets', { assetId });
        if (asset.status !== 'approved') throw new HttpError(409, 'asset_not_approved', 'This media is waiting for approval (or was rejected): approve it first', { assetId });
        if (asset.rating === 'unrated') throw new HttpError(409, 'asset_unrated', 'This media has no rating yet', { assetId });
      }
      await repo.replaceItems(tx, p.orgId, id, unique);
      await repo.touch(tx, id, { rating: strictest(assets.map((a) => a.rating)) });
      await this.#rerateBundles(tx, await repo.bundlesContaining(tx, [id]));
      await recordAudit(tx, auditBy(p), origin, { action: 'pack.items_set', targetType: 'pack', targetId: id, details: { count: unique.length } });
      return (await packViews(tx, [(await repo.pack(tx, id))!]))[0]!;
    });
  }

  /** Replaces a bundle's packs: plain packs (no bundles inside bundles) of the same persona. */
  async setBundle(p: Principal, id: string, packIds: string[], origin: Origin) {
    const unique = [...new Set(packIds)];
    return this.#db.withOrg(p.orgId, async (tx) => {
      const row = await this.#own(tx, p, id);
      if (row.kind !== 'bundle') throw new HttpError(409, 'not_a_bundle', 'Only a bundle holds packs: create it with kind "bundle"');
      if (!unique.length && row.status === 'active') throw emptyPack();
      const members = await repo.packsByIds(tx, unique);
      for (const packId of unique) {
        const member = members.find((m) => m.id === packId);
        if (!member || member.personaId !== row.personaId) throw new HttpError(422, 'pack_not_own', 'Every pack must be one of this persona’s packs', { packId });
        if (member.kind !== 'pack') throw new HttpError(422, 'nested_bundle', 'A bundle cannot hold another bundle', { packId });
      }
      await repo.replaceBundle(tx, p.orgId, id, unique);
      await repo.touch(tx, id, { rating: strictest(members.map((m) => m.rating)) });
      await recordAudit(tx, auditBy(p), origin, { action: 'pack.bundle_set', targetType: 'pack', targetId: id, details: { count: unique.length } });
      return (await packViews(tx, [(await repo.pack(tx, id))!]))[0]!;
    });
  }

  /** Replaces the pack's prices in one price list (the persona's default when none is named). */
  async setPrices(p: Principal, id: string, input: { priceListId?: string | undefined; prices: PriceInput[] }, origin: Origin) {
    const platforms = input.prices.map((x) => x.platform);
    if (new Set(platforms).size !== platforms.length) throw new HttpError(422, 'duplicate_platform', 'One price per platform');
    for (const price of input.prices) {
      assertCurrency(price.currency);
      if (!Number.isSafeInteger(price.amountMinor) || price.amountMinor < 0) throw new HttpError(422, 'invalid_amount', 'Prices are whole minor units (cents), 0 or more');
    }
    return this.#db.withOrg(p.orgId, async (tx) => {
      const row = await this.#own(tx, p, id);
      const list = input.priceListId ? await repo.priceList(tx, input.priceListId) : await repo.ensureDefaultList(tx, p.orgId, row.personaId);
      if (!list || list.personaId !== row.personaId) throw new HttpError(422, 'price_list_not_own', 'The price list must be one of this persona’s');
      await repo.replacePrices(tx, p.orgId, list.id, id, input.prices);
      await repo.touch(tx, id);
      await recordAudit(tx, auditBy(p), origin, {
        action: 'pack.prices_set',
        targetType: 'pack',
        targetId: id,
        details: { priceListId: list.id, prices: input.prices.map((x) => `${x.platform} ${x.amountMinor} ${x.currency}`) },
      });
      return (await packViews(tx, [(await repo.pack(tx, id))!]))[0]!;
    });
  }

  async #own(tx: Tx, p: Principal, id: string) {
    const row = await repo.pack(tx, id);
    if (!row || !canSeePersona(p, row.personaId)) throw notFound('pack');
    return row;
  }

  async #holdsSomething(tx: Tx, row: repo.PackRow) {
    return row.kind === 'pack' ? (await repo.itemsOf(tx, [row.id])).length > 0 : (await repo.bundleItemsOf(tx, [row.id])).length > 0;
  }

  async #rerateBundles(tx: Tx, bundleIds: string[]) {
    for (const bundleId of bundleIds) {
      const members = await repo.packsByIds(tx, (await repo.bundleItemsOf(tx, [bundleId])).map((m) => m.packId));
      await repo.touch(tx, bundleId, { rating: strictest(members.map((m) => m.rating)) });
    }
  }
}

const emptyPack = () => new HttpError(409, 'pack_empty', 'Add media (or, for a bundle, packs) before making it active');
