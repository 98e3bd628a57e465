// Segments: saved fan filters. One compiler (segmentCondition) turns a filter into SQL for the fans list,
// segment sizes, promotions limited to a segment and PPV audiences, so they always agree on who is in.
import { createHash } from 'node:crypto';
import { and, arrayContains, arrayOverlaps, eq, gte, inArray, isNull, lt, not, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../../platform/db/database.ts';
import { fans, segments } from '../../platform/db/schema/index.ts';

export const subscriptionStates = ['none', 'trial', 'active', 'expired', 'cancelled'] as const;
export const builtinKinds = ['new_this_week', 'top_spenders', 'expired_subscribers', 'inactive_days'] as const;
export type BuiltinKind = (typeof builtinKinds)[number];

const days = z.number().int().min(1).max(3650);
const word = z.string().trim().min(1).max(64);
const words = z.array(word).min(1).max(50);

export const segmentFilterSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('new_this_week') }),
  z.strictObject({
    kind: z.literal('top_spenders'),
    /** The N biggest spenders (default 10 when no threshold is given). */
    top: z.number().int().min(1).max(10_000).optional(),
    /** Everyone whose lifetime spend (reporting currency) reaches this. */
    minSpendMinor: z.number().int().min(0).optional(),
  }),
  z.strictObject({ kind: z.literal('expired_subscribers') }),
  z.strictObject({ kind: z.literal('inactive_days'), days: days.default(14) }),
  z.strictObject({
    kind: z.literal('custom'),
    subscription: z.array(z.enum(subscriptionStates)).min(1).optional(),
    minSpendMinor: z.number().int().min(0).optional(),
    lastSeenWithinDays: days.optional(),
    notSeenForDays: days.optional(),
    tagsAny: words.optional(),
    tagsAll: words.optional(),
    language: z.string().trim().min(2).max(16).optional(),
    platform: word.optional(),
    flagsHas: words.optional(),
    flagsNot: words.optional(),
  }),
]);
export type SegmentFilter = z.infer<typeof segmentFilterSchema>;

const DAY = 86_400_000;
const ago = (now: Date, d: number) => new Date(now.getTime() - d * DAY);

export interface SegmentScope {
  /** The persona whose fans are meant; null/undefined: every persona in `personaIds` (or the org). */
  personaId?: string | null | undefined;
  personaIds?: readonly string[] | null | undefined;
  now?: Date | undefined;
}

/** Which personas' fans a query covers (the segment's own persona wins over the caller's choice). */
function personaCondition(scope: SegmentScope, column = fans.personaId): SQL | undefined {
  if (scope.personaId) return eq(column, scope.personaId);
  if (scope.personaIds) return scope.personaIds.length ? inArray(column, [...scope.personaIds]) : sql`false`;
  return undefined;
}

/**
 * The SQL condition on `fans` for a filter. Erased fans never match. "Top N" ranks within the scope
 * (one persona, or the personas given), ties broken by id so the set is stable.
 */
export function segmentCondition(filter: SegmentFilter, scope: SegmentScope = {}): SQL {
  const now = scope.now ?? new Date();
  const parts: (SQL | undefined)[] = [isNull(fans.erasedAt), personaCondition(scope)];
  switch (filter.kind) {
    case 'new_this_week':
      parts.push(gte(fans.firstSeenAt, ago(now, 7)));
      break;
    case 'expired_subscribers':
      parts.push(or(eq(fans.subscription, 'expired'), and(eq(fans.subscription, 'cancelled'), lt(fans.subscriptionEndsAt, now))));
      break;
    case 'inactive_days':
      parts.push(lt(fans.lastSeenAt, ago(now, filter.days)));
      break;
    case 'top_spenders': {
      if (filter.minSpendMinor !== undefined) parts.push(gte(fans.totalSpendMinor, Math.max(1, filter.minSpendMinor)));
      const top = filter.top ?? (filter.minSpendMinor === undefined ? 10 : undefined);
      if (top !== undefined) {
        const inner = scope.personaId ? sql`and f2.persona_id = ${scope.personaId}` : scope.personaIds ? (scope.personaIds.length ? sql`and f2.persona_id in (${sql.join(scope.personaIds.map((id) => sql`${id}`), sql`, `)})` : sql`and false`) : sql``;
        parts.push(sql`${fans.id} in (select f2.id from fans f2 where f2.erased_at is null and f2.total_spend_minor > 0 ${inner} order by f2.total_spend_minor desc, f2.id limit ${top})`);
      }
      break;
    }
    case 'custom':
      if (filter.subscription) parts.push(inArray(fans.subscription, filter.subscription));
      if (filter.minSpendMinor !== undefined) parts.push(gte(fans.totalSpendMinor, filter.minSpendMinor));
      if (filter.lastSeenWithinDays !== undefined) parts.push(gte(fans.lastSeenAt, ago(now, filter.lastSeenWithinDays)));
      if (filter.notSeenForDays !== undefined) parts.push(lt(fans.lastSeenAt, ago(now, filter.notSeenForDays)));
      if (filter.tagsAny) parts.push(arrayOverlaps(fans.tags, filter.tagsAny));
      if (filter.tagsAll) parts.push(arrayContains(fans.tags, filter.tagsAll));
      if (filter.language) parts.push(sql`lower(${fans.language}) = ${filter.language.toLowerCase()}`);
      if (filter.platform) parts.push(eq(fans.platform, filter.platform));
      if (filter.flagsHas) parts.push(arrayContains(fans.flags, filter.flagsHas));
      if (filter.flagsNot) parts.push(not(arrayOverlaps(fans.flags, filter.flagsNot)));
      break;
  }
  return and(...parts)!;
}

// ---------------------------------------------------------------------------------------------------
// Built-in segments: real rows (promotions and campaigns reference segments by foreign key), created on
// first use with an id derived from the organization and the kind, so every org has the same four and
// concurrent first uses cannot create duplicates.

const BUILTIN_NAMES: Record<BuiltinKind, string> = {
  new_this_week: 'New this week',
  top_spenders: 'Top spenders',
  expired_subscribers: 'Expired subscribers',
  inactive_days: 'Inactive 14 days',
};

export function builtinSegmentId(orgId: string, kind: BuiltinKind): string {
  const h = createHash('sha256').update(`atelier:segment:${orgId}:${kind}`).digest('hex');
  // RFC 4122 layout (version 5-style, variant 10) so it passes uuid validation everywhere.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export function builtinKindOf(orgId: string, segmentId: string): BuiltinKind | null {
  return builtinKinds.find((k) => builtinSegmentId(orgId, k) === segmentId) ?? null;
}

export async function ensureBuiltinSegments(tx: Tx, orgId: string): Promise<void> {
  await tx
    .insert(segments)
    .values(builtinKinds.map((kind) => ({ id: builtinSegmentId(orgId, kind), orgId, personaId: null, name: BUILTIN_NAMES[kind], filter: segmentFilterSchema.parse({ kind }) })))
    .onConflictDoNothing();
}

export type SegmentRow = typeof segments.$inferSelect;

/** A stored filter, read defensively: a row that no longer validates selects nobody rather than everybody. */
export function filterOf(row: Pick<SegmentRow, 'filter'>): SegmentFilter | null {
  const parsed = segmentFilterSchema.safeParse(row.filter);
  return parsed.success ? parsed.data : null;
}

async function segmentRow(tx: Tx, segmentId: string) {
  return (await tx.select().from(segments).where(eq(segments.id, segmentId)))[0] ?? null;
}

/** Ids of the (non-erased) fans of `personaId` the segment selects, now. */
export async function fansInSegment(tx: Tx, segmentId: string, personaId: string): Promise<string[]> {
  const row = await segmentRow(tx, segmentId);
  const filter = row && filterOf(row);
  if (!row || !filter || (row.personaId && row.personaId !== personaId)) return [];
  const rows = await tx.select({ id: fans.id }).from(fans).where(segmentCondition(filter, { personaId }));
  return rows.map((r) => r.id);
}

/** Whether one fan is in the segment now. */
export async function fanInSegment(tx: Tx, segmentId: string, fanId: string): Promise<boolean> {
  const row = await segmentRow(tx, segmentId);
  const filter = row && filterOf(row);
  if (!row || !filter) return false;
  const fan = (await tx.select({ personaId: fans.personaId }).from(fans).where(eq(fans.id, fanId)))[0];
  if (!fan || (row.personaId && row.personaId !== fan.personaId)) return false;
  const hit = await tx
    .select({ id: fans.id })
    .from(fans)
    .where(and(eq(fans.id, fanId), segmentCondition(filter, { personaId: fan.personaId })));
  return hit.length > 0;
}
