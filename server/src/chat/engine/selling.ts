/**
 * Offers come from the sales catalogue only (`catalogueFor` in sales/catalogue), within the persona's selling
 * limits: at most N offers per fan per rolling day, and a number of fan messages between two offers.
 */
import type { Tx } from '../../platform/db/database.ts';
import type { CatalogueEntry, CatalogueQuery } from '../../sales/catalogue/index.ts';
import type { Selling } from '../profile.ts';
import type { ConversationRow } from '../repository.ts';
import type { OfferItem } from './context.ts';

/** `catalogueFor`'s signature: injected, so tests (and the bench) can ground offers on a list of their own. */
export type CatalogueFn = (tx: Tx, personaId: string, q: CatalogueQuery) => Promise<CatalogueEntry[]>;

export function offerItems(entries: readonly CatalogueEntry[]): OfferItem[] {
  return entries.map((e) => ({
    packId: e.packId,
    title: e.title,
    description: e.description,
    kind: e.kind,
    itemCount: e.itemCount,
    effectiveMinor: e.price.effectiveMinor,
    listMinor: e.price.listMinor,
    currency: e.price.currency,
    promotion: e.price.promotion ? { name: e.price.promotion.name, endsAt: e.price.promotion.endsAt } : null,
    freeTrialDays: e.price.freeTrialDays,
    assetIds: e.assetIds,
  }));
}

/** Whether an offer may be made in the next reply. `offersToday`: replies with an offer in the last 24 hours. */
export function offersAllowedNow(selling: Selling, conversation: Pick<ConversationRow, 'lastOfferAt' | 'lastOfferSeq' | 'lastSeq'>, offersToday: number): boolean {
  if (!selling.enabled || offersToday >= selling.maxOffersPerDay) return false;
  // Sequence numbers count both sides: N fan messages are about 2N messages.
  if (conversation.lastOfferAt && conversation.lastSeq - conversation.lastOfferSeq < selling.minMessagesBetweenOffers * 2) return false;
  return true;
}
