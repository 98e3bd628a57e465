import { and, asc, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.ts';
import { bundleItems, mediaAssets, packItems, packPrices, packs, priceLists, promotions, segments, trackingLinks } from '../../platform/db/schema/index.ts';

export type PackRow = typeof packs.$inferSelect;
export type PriceRow = typeof packPrices.$inferSelect;
export type PriceListRow = typeof priceLists.$inferSelect;
export type PromotionRow = typeof promotions.$inferSelect;
export type TrackingLinkRow = typeof trackingLinks.$inferSelect;
export type Rating = PackRow['rating'];

const NONE = ['00000000-0000-0000-0000-000000000000'];
const ids = (list: readonly string[]) => (list.length ? [...list] : NONE);

export function pack(tx: Tx, id: string) {
  return tx.select().from(packs).where(eq(packs.id, id)).then((r) => r[0]);
}

export function packsOf(tx: Tx, personaIds: readonly string[] | null, status?: PackRow['status']) {
  return tx
    .select()
    .from(packs)
    .where(and(personaIds ? inArray(packs.personaId, ids(personaIds)) : undefined, status ? eq(packs.status, status) : undefined))
    .orderBy(asc(packs.createdAt));
}

export function packsByIds(tx: Tx, packIds: readonly string[]) {
  return tx.select().from(packs).where(inArray(packs.id, ids(packIds)));
}

export function itemsOf(tx: Tx, packIds: readonly string[]) {
  return tx.select().from(packItems).where(inArray(packItems.packId, ids(packIds))).orderBy(asc(packItems.position));
}

export function bundleItemsOf(tx: Tx, bundleIds: readonly string[]) {
  return tx.select().from(bundleItems).where(inArray(bundleItems.bundleId, ids(bundleIds)));
}

/** Bundles that contain any of these packs: their rating follows the packs'. */
export function bundlesContaining(tx: Tx, packIds: readonly string[]) {
  return tx.selectDistinct({ bundleId: bundleItems.bundleId }).from(bundleItems).where(inArray(bundleItems.packId, ids(packIds))).then((r) => r.map((x) => x.bundleId));
}

export function assetsByIds(tx: Tx, assetIds: readonly string[]) {
  return tx
    .select({ id: mediaAssets.id, personaId: mediaAssets.personaId, status: mediaAssets.status, rating: mediaAssets.rating })
    .from(mediaAssets)
    .where(inArray(mediaAssets.id, ids(assetIds)));
}

export async function replaceItems(tx: Tx, orgId: string, packId: string, assetIds: readonly string[]) {
  await tx.delete(packItems).where(eq(packItems.packId, packId));
  if (assetIds.length) await tx.insert(packItems).values(assetIds.map((assetId, position) => ({ orgId, packId, assetId, position })));
}

export async function replaceBundle(tx: Tx, orgId: string, bundleId: string, packIds: readonly string[]) {
  await tx.delete(bundleItems).where(eq(bundleItems.bundleId, bundleId));
  if (packIds.length) await tx.insert(bundleItems).values(packIds.map((packId) => ({ orgId, bundleId, packId })));
}

export function pricesOf(tx: Tx, packIds: readonly string[], priceListId?: string) {
  return tx
    .select()
    .from(packPrices)
    .where(and(inArray(packPrices.packId, ids(packIds)), priceListId ? eq(packPrices.priceListId, priceListId) : undefined))
    .orderBy(asc(packPrices.platform));
}

export async function replacePrices(tx: Tx, orgId: string, priceListId: string, packId: string, prices: readonly { platform: string; amountMinor: number; currency: string }[]) {
  await tx.delete(packPrices).where(and(eq(packPrices.priceListId, priceListId), eq(packPrices.packId, packId)));
  if (prices.length) await tx.insert(packPrices).values(prices.map((p) => ({ ...p, orgId, priceListId, packId })));
}

export function priceList(tx: Tx, id: string) {
  return tx.select().from(priceLists).where(eq(priceLists.id, id)).then((r) => r[0]);
}

export function priceListsOf(tx: Tx, personaIds: readonly string[] | null) {
  return tx
    .select()
    .from(priceLists)
    .where(personaIds ? inArray(priceLists.personaId, ids(personaIds)) : undefined)
    .orderBy(asc(priceLists.createdAt));
}

export function defaultListsOf(tx: Tx, personaIds: readonly string[]) {
  return tx
    .select()
    .from(priceLists)
    .where(and(inArray(priceLists.personaId, ids(personaIds)), eq(priceLists.isDefault, true)));
}

/** The persona's default price list, created ("Standard") the first time it is needed. */
export async function ensureDefaultList(tx: Tx, orgId: string, personaId: string): Promise<PriceListRow> {
  const existing = (await defaultListsOf(tx, [personaId]))[0];
  if (existing) return existing;
  // The partial unique index settles a race between two first writers: the loser reads the winner's row.
  await tx.insert(priceLists).values({ orgId, personaId, name: 'Standard', isDefault: true }).onConflictDoNothing();
  return (await defaultListsOf(tx, [personaId]))[0]!;
}

export function promotion(tx: Tx, id: string) {
  return tx.select().from(promotions).where(eq(promotions.id, id)).then((r) => r[0]);
}

export function promotionsOf(tx: Tx, personaIds: readonly string[] | null) {
  return tx
    .select()
    .from(promotions)
    .where(personaIds ? inArray(promotions.personaId, ids(personaIds)) : undefined)
    .orderBy(asc(promotions.startsAt), asc(promotions.createdAt));
}

/** Promotions of a persona that can apply at `at` (the pricing rules check the rest). */
export function livePromotions(tx: Tx, personaId: string, at: Date) {
  return tx
    .select()
    .from(promotions)
    .where(and(eq(promotions.personaId, personaId), eq(promotions.status, 'active'), lte(promotions.startsAt, at), gt(promotions.endsAt, at)));
}

export function segment(tx: Tx, id: string) {
  return tx.select({ id: segments.id, personaId: segments.personaId }).from(segments).where(eq(segments.id, id)).then((r) => r[0]);
}

export function trackingLink(tx: Tx, id: string) {
  return tx.select().from(trackingLinks).where(eq(trackingLinks.id, id)).then((r) => r[0]);
}

export function trackingLinksOf(tx: Tx, personaIds: readonly string[] | null) {
  return tx
    .select()
    .from(trackingLinks)
    .where(personaIds ? inArray(trackingLinks.personaId, ids(personaIds)) : undefined)
    .orderBy(asc(trackingLinks.createdAt));
}

/** Touches `updated_at` so lists sorted by change show the pack moved. */
export function touch(tx: Tx, packId: string, set: Partial<Pick<PackRow, 'rating'>> = {}) {
  return tx.update(packs).set({ ...set, updatedAt: sql`now()` }).where(eq(packs.id, packId));
}
