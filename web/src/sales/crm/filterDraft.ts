import { fromMinor, joinList, splitList, toMinor } from './format';
import type { SegmentFilter, Subscription } from './queries';

export const filterKinds = ['new_this_week', 'top_spenders', 'expired_subscribers', 'inactive_days', 'custom'] as const;
export type FilterKind = (typeof filterKinds)[number];

/** The segment editor's form: loose text and numbers, turned into a filter the API accepts. */
export interface FilterDraft {
  kind: FilterKind;
  top: number | undefined;
  /** In the reporting currency's units (not minor units). */
  minSpend: number | undefined;
  days: number | undefined;
  subscription: Subscription[];
  lastSeenWithinDays: number | undefined;
  notSeenForDays: number | undefined;
  tagsAny: string;
  tagsAll: string;
  language: string;
  platform: string;
  flagsHas: string;
  flagsNot: string;
}

export const emptyDraft = (): FilterDraft => ({
  kind: 'custom',
  top: undefined,
  minSpend: undefined,
  days: undefined,
  subscription: [],
  lastSeenWithinDays: undefined,
  notSeenForDays: undefined,
  tagsAny: '',
  tagsAll: '',
  language: '',
  platform: '',
  flagsHas: '',
  flagsNot: '',
});

const whole = (n: number | undefined, min = 1) => (n !== undefined && Number.isInteger(n) && n >= min ? n : undefined);
const list = (text: string) => {
  const items = splitList(text);
  return items.length ? items : undefined;
};
const drop = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function toFilter(d: FilterDraft, currency: string): SegmentFilter {
  const minSpendMinor = d.minSpend !== undefined && d.minSpend >= 0 ? toMinor(d.minSpend, currency) : undefined;
  switch (d.kind) {
    case 'top_spenders':
      return drop({ kind: d.kind, top: whole(d.top), minSpendMinor });
    case 'inactive_days':
      return { kind: d.kind, days: whole(d.days) ?? 14 };
    case 'custom':
      return drop({
        kind: d.kind,
        subscription: d.subscription.length ? d.subscription : undefined,
        minSpendMinor,
        lastSeenWithinDays: whole(d.lastSeenWithinDays),
        notSeenForDays: whole(d.notSeenForDays),
        tagsAny: list(d.tagsAny),
        tagsAll: list(d.tagsAll),
        language: d.language.trim().length >= 2 ? d.language.trim() : undefined,
        platform: d.platform.trim() || undefined,
        flagsHas: list(d.flagsHas),
        flagsNot: list(d.flagsNot),
      });
    default:
      return { kind: d.kind };
  }
}

export function fromFilter(f: SegmentFilter, currency: string): FilterDraft {
  const d = emptyDraft();
  d.kind = f.kind;
  if ('minSpendMinor' in f && f.minSpendMinor !== undefined) d.minSpend = fromMinor(f.minSpendMinor, currency);
  if (f.kind === 'top_spenders') d.top = f.top;
  if (f.kind === 'inactive_days') d.days = f.days;
  if (f.kind === 'custom') {
    d.subscription = f.subscription ?? [];
    d.lastSeenWithinDays = f.lastSeenWithinDays;
    d.notSeenForDays = f.notSeenForDays;
    d.tagsAny = joinList(f.tagsAny);
    d.tagsAll = joinList(f.tagsAll);
    d.language = f.language ?? '';
    d.platform = f.platform ?? '';
    d.flagsHas = joinList(f.flagsHas);
    d.flagsNot = joinList(f.flagsNot);
  }
  return d;
}
