import { describe, expect, it } from 'vitest';
import { discountedMinor, effectivePrice, promotionApplies, segmentsOf, type PriceContext, type PromotionTerms } from '../../src/sales/catalogue/pricing.ts';

const AT = new Date('2026-03-10T12:00:00Z');
let seq = 0;
function promo(over: Partial<PromotionTerms> = {}): PromotionTerms {
  seq += 1;
  return {
    id: `p${String(seq).padStart(3, '0')}`,
    name: `promo ${seq}`,
    kind: 'percent',
    value: 1000,
    currency: null,
    startsAt: new Date('2026-03-01T00:00:00Z'),
    endsAt: new Date('2026-03-31T00:00:00Z'),
    platforms: [],
    channelIds: [],
    packIds: [],
    segmentId: null,
    status: 'active',
    createdAt: new Date('2026-02-01T00:00:00Z'),
    ...over,
  };
}
const ctx = (over: Partial<PriceContext> = {}): PriceContext => ({ platform: 'fanvue', packId: 'pack-1', at: AT, ...over });
const EUR = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

describe('effectivePrice', () => {
  it('keeps the list price without promotions', () => {
    expect(effectivePrice(EUR(1500), [], ctx())).toEqual({ listMinor: 1500, effectiveMinor: 1500, currency: 'EUR', promotion: null, freeTrialDays: null, freeTrialPromotionId: null });
  });

  it('applies a percent discount in basis points, rounding the discount half up', () => {
    expect(effectivePrice(EUR(1000), [promo({ value: 2500 })], ctx()).effectiveMinor).toBe(750);
    // 999 × 33.33 % = 332.967 → discount 333
    expect(effectivePrice(EUR(999), [promo({ value: 3333 })], ctx()).effectiveMinor).toBe(666);
    // 5 × 10 % = 0.5 → discount 1 (half up)
    expect(effectivePrice(EUR(5), [promo({ value: 1000 })], ctx()).effectiveMinor).toBe(4);
    // 4 × 10 % = 0.4 → discount 0
    expect(effectivePrice(EUR(4), [promo({ value: 1000 })], ctx()).effectiveMinor).toBe(4);
  });

  it('a 100 % discount makes the pack free, never negative', () => {
    expect(effectivePrice(EUR(1234), [promo({ value: 10_000 })], ctx()).effectiveMinor).toBe(0);
    // Out-of-range values (never stored: the API refuses them) are clamped, not trusted.
    expect(effectivePrice(EUR(1234), [promo({ value: 20_000 })], ctx()).effectiveMinor).toBe(0);
  });

  it('a fixed discount bigger than the price floors at zero', () => {
    const result = effectivePrice(EUR(300), [promo({ kind: 'fixed', value: 500, currency: 'EUR' })], ctx());
    expect(result.effectiveMinor).toBe(0);
    expect(result.promotion?.kind).toBe('fixed');
  });

  it('a fixed discount in another currency never applies (no mixed sums)', () => {
    const usd = promo({ kind: 'fixed', value: 500, currency: 'USD' });
    const result = effectivePrice(EUR(1000), [usd], ctx());
    expect(result.effectiveMinor).toBe(1000);
    expect(result.promotion).toBeNull();
    expect(discountedMinor(usd, EUR(1000))).toBeNull();
    expect(discountedMinor(usd, { amountMinor: 1000, currency: 'USD' })).toBe(500);
    // A fixed discount without a currency is not applied either.
    expect(discountedMinor(promo({ kind: 'fixed', value: 100, currency: null }), EUR(1000))).toBeNull();
  });

  it('the result keeps the list price’s currency', () => {
    expect(effectivePrice({ amountMinor: 1000, currency: 'JPY' }, [promo({ value: 5000 })], ctx())).toMatchObject({ currency: 'JPY', effectiveMinor: 500 });
  });

  describe('overlaps: never stacked, the lowest price wins', () => {
    it('picks the promotion giving the lowest price, whatever the kind', () => {
      const tenPercent = promo({ value: 1000 }); // 2000 → 1800
      const fixed300 = promo({ kind: 'fixed', value: 300, currency: 'EUR' }); // 2000 → 1700
      const fivePercent = promo({ value: 500 }); // 2000 → 1900
      const result = effectivePrice(EUR(2000), [tenPercent, fixed300, fivePercent], ctx());
      expect(result.effectiveMinor).toBe(1700);
      expect(result.promotion?.id).toBe(fixed300.id);
      // Order of the candidates does not matter.
      expect(effectivePrice(EUR(2000), [fivePercent, fixed300, tenPercent], ctx()).promotion?.id).toBe(fixed300.id);
    });

    it('the winner can change with the price: fixed wins on cheap packs, percent on dear ones', () => {
      const percent = promo({ value: 2000 });
      const fixed = promo({ kind: 'fixed', value: 500, currency: 'EUR' });
      expect(effectivePrice(EUR(1000), [percent, fixed], ctx()).promotion?.id).toBe(fixed.id); // 800 vs 500
      expect(effectivePrice(EUR(5000), [percent, fixed], ctx()).promotion?.id).toBe(percent.id); // 4000 vs 4500
    });

    it('ties go to the one ending soonest, then the oldest, then the smallest id', () => {
      const late = promo({ value: 2000, endsAt: new Date('2026-03-30T00:00:00Z') });
      const soon = promo({ value: 2000, endsAt: new Date('2026-03-20T00:00:00Z') });
      expect(effectivePrice(EUR(1000), [late, soon], ctx()).promotion?.id).toBe(soon.id);

      const ends = new Date('2026-03-25T00:00:00Z');
      const newer = promo({ value: 2000, endsAt: ends, createdAt: new Date('2026-02-20T00:00:00Z') });
      const older = promo({ value: 2000, endsAt: ends, createdAt: new Date('2026-02-10T00:00:00Z') });
      expect(effectivePrice(EUR(1000), [newer, older], ctx()).promotion?.id).toBe(older.id);

      const twinA = promo({ id: 'a-twin', value: 2000, endsAt: ends });
      const twinB = promo({ id: 'b-twin', value: 2000, endsAt: ends });
      expect(effectivePrice(EUR(1000), [twinB, twinA], ctx()).promotion?.id).toBe('a-twin');
    });

    it('two discounts that both bring the price to zero tie, and the tie rule picks', () => {
      const big = promo({ kind: 'fixed', value: 5000, currency: 'EUR', endsAt: new Date('2026-03-29T00:00:00Z') });
      const full = promo({ value: 10_000, endsAt: new Date('2026-03-15T00:00:00Z') });
      const result = effectivePrice(EUR(1000), [big, full], ctx());
      expect(result.effectiveMinor).toBe(0);
      expect(result.promotion?.id).toBe(full.id);
    });
  });

  describe('window, status and limits', () => {
    it('applies from startsAt included to endsAt excluded', () => {
      const p = promo({ startsAt: AT, endsAt: new Date(AT.getTime() + 1000) });
      expect(promotionApplies(p, ctx({ at: new Date(AT.getTime() - 1) }))).toBe(false);
      expect(promotionApplies(p, ctx({ at: AT }))).toBe(true);
      expect(promotionApplies(p, ctx({ at: new Date(AT.getTime() + 999) }))).toBe(true);
      expect(promotionApplies(p, ctx({ at: new Date(AT.getTime() + 1000) }))).toBe(false);
    });

    it('paused and archived promotions never apply', () => {
      expect(effectivePrice(EUR(1000), [promo({ status: 'paused' }), promo({ status: 'archived' })], ctx()).effectiveMinor).toBe(1000);
    });

    it('platform, pack and channel limits', () => {
      const onlyX = promo({ platforms: ['x'] });
      expect(promotionApplies(onlyX, ctx())).toBe(false);
      expect(promotionApplies(onlyX, ctx({ platform: 'x' }))).toBe(true);

      const otherPack = promo({ packIds: ['pack-2'] });
      expect(promotionApplies(otherPack, ctx())).toBe(false);
      expect(promotionApplies(otherPack, ctx({ packId: 'pack-2' }))).toBe(true);

      const oneChannel = promo({ channelIds: ['ch-1'] });
      expect(promotionApplies(oneChannel, ctx({ channelId: 'ch-1' }))).toBe(true);
      expect(promotionApplies(oneChannel, ctx({ channelId: 'ch-2' }))).toBe(false);
      // An unknown channel never unlocks a channel-limited promotion.
      expect(promotionApplies(oneChannel, ctx())).toBe(false);
    });

    it('segment-limited promotions apply only to fans known to be in the segment', () => {
      const vip = promo({ value: 5000, segmentId: 'seg-vip' });
      const everyone = promo({ value: 1000 });
      expect(effectivePrice(EUR(1000), [vip, everyone], ctx({ segmentIds: ['seg-vip', 'seg-new'] })).promotion?.id).toBe(vip.id);
      expect(effectivePrice(EUR(1000), [vip, everyone], ctx({ segmentIds: ['seg-new'] })).promotion?.id).toBe(everyone.id);
      expect(effectivePrice(EUR(1000), [vip, everyone], ctx({ segmentIds: null })).promotion?.id).toBe(everyone.id);
      expect(effectivePrice(EUR(1000), [vip, everyone], ctx()).effectiveMinor).toBe(900);
      expect(segmentsOf([vip, everyone, promo({ segmentId: 'seg-vip' })])).toEqual(['seg-vip']);
    });
  });

  describe('free trials', () => {
    it('are reported beside the price and never change it', () => {
      const trial = promo({ kind: 'free_trial', value: 7 });
      const result = effectivePrice(EUR(999), [trial], ctx());
      expect(result).toMatchObject({ effectiveMinor: 999, promotion: null, freeTrialDays: 7, freeTrialPromotionId: trial.id });
    });

    it('the longest applicable trial is reported, next to the winning discount', () => {
      const week = promo({ kind: 'free_trial', value: 7 });
      const month = promo({ kind: 'free_trial', value: 30 });
      const vipYear = promo({ kind: 'free_trial', value: 365, segmentId: 'seg-vip' });
      const discount = promo({ value: 1000 });
      const result = effectivePrice(EUR(1000), [week, month, vipYear, discount], ctx());
      expect(result).toMatchObject({ effectiveMinor: 900, freeTrialDays: 30, freeTrialPromotionId: month.id });
      expect(result.promotion?.id).toBe(discount.id);
      expect(effectivePrice(EUR(1000), [week, month, vipYear], ctx({ segmentIds: ['seg-vip'] })).freeTrialDays).toBe(365);
    });

    it('a trial outside its window is not reported', () => {
      expect(effectivePrice(EUR(1000), [promo({ kind: 'free_trial', value: 7, endsAt: AT })], ctx()).freeTrialDays).toBeNull();
    });
  });

  it('a negative list price (never stored: the database refuses it) is read as zero', () => {
    expect(effectivePrice(EUR(-50), [promo({ kind: 'fixed', value: 10, currency: 'EUR' })], ctx())).toMatchObject({ listMinor: 0, effectiveMinor: 0 });
  });

  it('reports the winning promotion’s terms', () => {
    const p = promo({ name: 'Spring', value: 1500 });
    expect(effectivePrice(EUR(2000), [p], ctx()).promotion).toEqual({ id: p.id, name: 'Spring', kind: 'percent', value: 1500, currency: null, endsAt: p.endsAt.toISOString() });
  });
});
