import { toMinor, fromMinor } from './money';
import type { Promotion, PromotionDraft, SalesPlatform } from './queries';

/** The promotion form as typed: text where people type numbers, local date-times. */
export interface PromotionFields {
  name: string;
  kind: Promotion['kind'];
  /** percent: "20" or "12.5"; fixed: "3.00" in `currency`; free_trial: days. */
  value: string;
  currency: string;
  startsAt: string;
  endsAt: string;
  platforms: SalesPlatform[];
  channelIds: string[];
  packIds: string[];
  segmentId: string;
  trackingLinkId: string;
  status: Promotion['status'];
}

/** A datetime-local value ("2026-03-10T18:30") in this browser's time zone. */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function emptyFields(now = new Date()): PromotionFields {
  const start = new Date(now);
  start.setSeconds(0, 0);
  return {
    name: '',
    kind: 'percent',
    value: '20',
    currency: 'EUR',
    startsAt: toLocalInput(start),
    endsAt: toLocalInput(new Date(start.getTime() + 7 * 86_400_000)),
    platforms: [],
    channelIds: [],
    packIds: [],
    segmentId: '',
    trackingLinkId: '',
    status: 'active',
  };
}

export function fieldsOf(p: Promotion): PromotionFields {
  return {
    name: p.name,
    kind: p.kind,
    value: p.kind === 'percent' ? String(p.value / 100) : p.kind === 'fixed' && p.currency ? fromMinor(p.value, p.currency) : String(p.value),
    currency: p.currency ?? 'EUR',
    startsAt: toLocalInput(new Date(p.startsAt)),
    endsAt: toLocalInput(new Date(p.endsAt)),
    platforms: p.platforms as SalesPlatform[],
    channelIds: p.channelIds,
    packIds: p.packIds,
    segmentId: p.segmentId ?? '',
    trackingLinkId: p.trackingLinkId ?? '',
    status: p.status,
  };
}

export type DraftProblem = 'value' | 'dates' | 'name';

/** The request body the fields describe, or which field keeps it from being one. */
export function toDraft(f: PromotionFields): { draft: PromotionDraft } | { problem: DraftProblem } {
  const startsAt = new Date(f.startsAt);
  const endsAt = new Date(f.endsAt);
  if (Number.isNaN(startsAt.getTime()) || Number.isNaN(endsAt.getTime()) || endsAt <= startsAt) return { problem: 'dates' };
  let value: number | undefined;
  const currency = f.currency.trim().toUpperCase();
  if (f.kind === 'percent') {
    const pct = Number(f.value.trim().replace(',', '.'));
    value = Number.isFinite(pct) && pct > 0 && pct <= 100 ? Math.round(pct * 100) : undefined;
  } else if (f.kind === 'fixed') {
    value = /^[A-Z]{3}$/.test(currency) ? toMinor(f.value, currency) : undefined;
    if (value === 0) value = undefined;
  } else {
    const days = Number(f.value.trim());
    value = Number.isInteger(days) && days >= 1 && days <= 365 ? days : undefined;
  }
  if (value === undefined) return { problem: 'value' };
  return {
    draft: {
      // May be empty while typing: the preview names an unnamed draft "this promotion" (namedDraft).
      name: f.name.trim(),
      kind: f.kind,
      value,
      currency: f.kind === 'fixed' ? currency : null,
      startsAt: startsAt.toISOString(),
      endsAt: endsAt.toISOString(),
      platforms: f.platforms,
      channelIds: f.channelIds,
      packIds: f.packIds,
      segmentId: f.segmentId || null,
      trackingLinkId: f.trackingLinkId || null,
      status: f.status,
    },
  };
}

/** The id the server's preview gives the draft's promotion: the edited one's, or "draft" for a new one. */
export const draftPromotionId = (promotionId: string | undefined) => promotionId ?? 'draft';

/**
 * A preview price with the draft's promotion named as the person typed it, or `unnamed` ("this promotion")
 * while the name is empty; other promotions keep their stored names.
 */
export function namedDraft<P extends { promotion: { id: string; name: string } | null }>(price: P, draftId: string, name: string, unnamed: string): P {
  if (price.promotion?.id !== draftId) return price;
  return { ...price, promotion: { ...price.promotion, name: name.trim() || unnamed } };
}
