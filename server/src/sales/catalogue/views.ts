import type { Tx } from '../../platform/db/database.ts';
import { effectivePrice, type EffectivePrice } from './pricing.ts';
import * as repo from './catalogue.repository.ts';

export interface PackView {
  id: string;
  personaId: string;
  kind: 'pack' | 'bundle';
  title: string;
  description: string;
  rating: repo.Rating;
  status: repo.PackRow['status'];
  /** Media of a pack, in order. */
  assetIds: string[];
  /** Packs of a bundle. */
  packIds: string[];
  prices: { priceListId: string; platform: string; amountMinor: number; currency: string }[];
  /** Now, on the default price list, for no particular channel or fan. */
  effective: (EffectivePrice & { platform: string })[];
  createdAt: string;
  updatedAt: string;
}

const ORDER: repo.Rating[] = ['sfw', 'suggestive', 'explicit'];

/** The most restricted of the ratings; an empty set is sfw. */
export function strictest(ratings: readonly string[]): repo.Rating {
  let index = 0;
  for (const r of ratings) index = Math.max(index, ORDER.indexOf(r as repo.Rating));
  return ORDER[index]!;
}

/** Packs with their items, prices and effective prices now, in a few queries for the whole list. */
export async function packViews(tx: Tx, rows: repo.PackRow[], at = new Date()): Promise<PackView[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const personaIds = [...new Set(rows.map((r) => r.personaId))];
  // One after the other: a transaction is one connection, and node-postgres refuses overlapping queries on it.
  const items = await repo.itemsOf(tx, ids);
  const members = await repo.bundleItemsOf(tx, ids);
  const prices = await repo.pricesOf(tx, ids);
  const defaults = await repo.defaultListsOf(tx, personaIds);
  const promos = new Map<string, repo.PromotionRow[]>();
  for (const personaId of personaIds) promos.set(personaId, await repo.livePromotions(tx, personaId, at));
  return rows.map((row) => {
    const defaultList = defaults.find((l) => l.personaId === row.personaId);
    const own = prices.filter((p) => p.packId === row.id);
    return {
      id: row.id,
      personaId: row.personaId,
      kind: row.kind,
      title: row.title,
      description: row.description,
      rating: row.rating,
      status: row.status,
      assetIds: items.filter((i) => i.packId === row.id).map((i) => i.assetId),
      packIds: members.filter((m) => m.bundleId === row.id).map((m) => m.packId),
      prices: own.map((p) => ({ priceListId: p.priceListId, platform: p.platform, amountMinor: p.amountMinor, currency: p.currency })),
      effective: own
        .filter((p) => p.priceListId === defaultList?.id)
        .map((p) => ({ platform: p.platform, ...effectivePrice(p, promos.get(row.personaId) ?? [], { platform: p.platform, packId: row.id, at }) })),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  });
}
