/**
 * Effective prices: the one place a list price meets promotions. Everything that shows or offers a price
 * (pack views, the catalogue the chatbot grounds its offers on, PPV, the promotion preview) calls
 * `effectivePrice`; nothing else computes a discount.
 *
 * The overlap rule (also in docs/sales.md):
 *
 * 1. A promotion is a candidate only when it is `active`, `startsAt <= at < endsAt`, and each limit it sets
 *    matches the context: platforms, channels, packs (an empty list means "all"), and its fan segment.
 *    An unknown context never unlocks a limit: a channel-limited promotion needs the channel, a
 *    segment-limited one needs a fan known to be in that segment.
 * 2. A fixed discount only applies to a price in its own currency (amounts of two currencies never meet).
 * 3. Discounts never stack: the one giving the fan the lowest price applies. Ties go to the promotion
 *    ending soonest, then the oldest, then the smallest id (so the answer never depends on row order).
 * 4. A percent discount (basis points) is rounded to the nearest minor unit, halves up. The price never
 *    goes below zero.
 * 5. Free trials do not change a price: the longest applicable trial (same tie-breaks) is reported beside it.
 */

export type PromotionKind = 'percent' | 'fixed' | 'free_trial';

export interface PromotionTerms {
  id: string;
  name: string;
  kind: PromotionKind;
  /** percent: basis points (2500 = 25 %); fixed: minor units of `currency`; free_trial: days. */
  value: number;
  currency: string | null;
  startsAt: Date;
  endsAt: Date;
  platforms: readonly string[];
  channelIds: readonly string[];
  packIds: readonly string[];
  segmentId: string | null;
  status: 'active' | 'paused' | 'archived';
  createdAt: Date;
}

export interface PriceContext {
  platform: string;
  packId: string;
  channelId?: string | null | undefined;
  /** The fan's segment memberships, when a fan is known; null or absent: no fan (segment promotions skip). */
  segmentIds?: readonly string[] | null | undefined;
  at: Date;
}

export interface ListPrice {
  amountMinor: number;
  currency: string;
}

export interface AppliedPromotion {
  id: string;
  name: string;
  kind: PromotionKind;
  value: number;
  currency: string | null;
  endsAt: string;
}

export interface EffectivePrice {
  listMinor: number;
  effectiveMinor: number;
  currency: string;
  /** The discount that won, or null when the list price stands. */
  promotion: AppliedPromotion | null;
  freeTrialDays: number | null;
  /** The free-trial promotion reported in `freeTrialDays`. */
  freeTrialPromotionId: string | null;
}

/** Whether a promotion's window, status and limits match the context (currency aside). */
export function promotionApplies(promo: PromotionTerms, ctx: PriceContext): boolean {
  if (promo.status !== 'active') return false;
  const at = ctx.at.getTime();
  if (at < promo.startsAt.getTime() || at >= promo.endsAt.getTime()) return false;
  if (promo.platforms.length && !promo.platforms.includes(ctx.platform)) return false;
  if (promo.channelIds.length && !(ctx.channelId && promo.channelIds.includes(ctx.channelId))) return false;
  if (promo.packIds.length && !promo.packIds.includes(ctx.packId)) return false;
  if (promo.segmentId && !ctx.segmentIds?.includes(promo.segmentId)) return false;
  return true;
}

/** The price after one discount alone, or null when it cannot apply to this price (currency, kind). */
export function discountedMinor(promo: PromotionTerms, list: ListPrice): number | null {
  const base = Math.max(0, list.amountMinor);
  if (promo.kind === 'percent') {
    const bps = Math.min(10_000, Math.max(0, promo.value));
    const discount = Math.floor((base * bps + 5_000) / 10_000);
    return Math.max(0, base - discount);
  }
  if (promo.kind === 'fixed') {
    if (!promo.currency || promo.currency !== list.currency) return null;
    return Math.max(0, base - Math.max(0, promo.value));
  }
  return null;
}

/** Ending soonest, then oldest, then smallest id. */
function tieOrder(a: PromotionTerms, b: PromotionTerms): number {
  return a.endsAt.getTime() - b.endsAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function effectivePrice(list: ListPrice, promotions: readonly PromotionTerms[], ctx: PriceContext): EffectivePrice {
  const listMinor = Math.max(0, list.amountMinor);
  const candidates = promotions.filter((p) => promotionApplies(p, ctx));

  let best: { promo: PromotionTerms; price: number } | null = null;
  for (const promo of candidates) {
    const price = discountedMinor(promo, list);
    if (price === null) continue;
    if (!best || price < best.price || (price === best.price && tieOrder(promo, best.promo) < 0)) best = { promo, price };
  }

  let trial: PromotionTerms | null = null;
  for (const promo of candidates) {
    if (promo.kind !== 'free_trial' || promo.value <= 0) continue;
    if (!trial || promo.value > trial.value || (promo.value === trial.value && tieOrder(promo, trial) < 0)) trial = promo;
  }

  return {
    listMinor,
    effectiveMinor: best ? best.price : listMinor,
    currency: list.currency,
    promotion: best
      ? { id: best.promo.id, name: best.promo.name, kind: best.promo.kind, value: best.promo.value, currency: best.promo.currency, endsAt: best.promo.endsAt.toISOString() }
      : null,
    freeTrialDays: trial ? trial.value : null,
    freeTrialPromotionId: trial ? trial.id : null,
  };
}

/** Segments the candidate promotions are limited to: the only memberships worth asking the CRM about. */
export function segmentsOf(promotions: readonly Pick<PromotionTerms, 'segmentId'>[]): string[] {
  return [...new Set(promotions.map((p) => p.segmentId).filter((s): s is string => !!s))];
}
