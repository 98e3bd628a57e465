import { randomBytes } from 'node:crypto';
import { and, arrayContains, count, desc, eq, ilike, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Platform } from '../../platform/platform.ts';
import type { Tx } from '../../platform/db/database.ts';
import { fans, salesSettings, transactions } from '../../platform/db/schema/index.ts';
import type { Origin, Principal } from '../../platform/auth/principal.ts';
import { canSeePersona } from '../../platform/auth/principal.ts';
import { can } from '../../platform/auth/permissions.ts';
import { auditBy, recordAudit } from '../../platform/audit/audit.ts';
import { HttpError, notFound } from '../../platform/http/problem.ts';
import type { PersonasService } from '../../personas/index.ts';
import type { SegmentsService } from './segments.service.ts';
import { filterOf } from './segments.ts';
import { fanDataParts, mediaReferences, scrubberFor, type FanDataContext, type FanRow } from './fan-data.ts';

/**
 * Set by chat safety when a fan says they are a minor. Anyone who may edit fans can set it; only an owner
 * or admin can clear it, because clearing re-opens chat and PPV to that person: a decision the
 * organization answers for, not a chatter's or manager's call in the middle of a conversation.
 */
export const UNDER_18_FLAG = 'stated_under_18';
/**
 * Set by chat safety when a fan's message shows signs of self-harm, kept until an operator clears it after
 * checking in: nobody sells to that person meanwhile.
 */
export const SELF_HARM_FLAG = 'self_harm_signal';
/** Fans never sent to (PPV) whatever the segment says. */
export const NO_CONTACT_FLAGS = [UNDER_18_FLAG, SELF_HARM_FLAG, 'blocked'] as const;

export interface FanQuery {
  personaId?: string | undefined;
  segmentId?: string | undefined;
  q?: string | undefined;
  subscription?: FanRow['subscription'] | undefined;
  tag?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

export interface FanPatch {
  tags?: string[] | undefined;
  notes?: string | undefined;
  flags?: string[] | undefined;
  language?: string | null | undefined;
}

const encodeCursor = (r: FanRow) => Buffer.from(`${r.lastSeenAt.toISOString()}|${r.id}`).toString('base64url');
function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (!id || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(date.getTime())) throw new HttpError(400, 'bad_cursor', 'This cursor is not valid');
  return { at: date, id };
}

/** Fan records per platform account: list, profile, edits, GDPR export and erase. */
export class FansService {
  readonly #platform: Platform;
  readonly #personas: PersonasService;
  readonly #segments: SegmentsService;
  constructor(platform: Platform, deps: { personas: PersonasService; segments: SegmentsService }) {
    this.#platform = platform;
    this.#personas = deps.personas;
    this.#segments = deps.segments;
  }

  async list(p: Principal, q: FanQuery) {
    if (q.personaId) await this.#personas.get(p, q.personaId);
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const where: (SQL | undefined)[] = [isNull(fans.erasedAt)];
      if (q.personaId) where.push(eq(fans.personaId, q.personaId));
      else if (p.personaScope) where.push(p.personaScope.length ? sql`${fans.personaId} in (${sql.join(p.personaScope.map((id) => sql`${id}`), sql`, `)})` : sql`false`);
      if (q.segmentId) {
        const segment = await this.#segments.own(tx, p, q.segmentId);
        const filter = filterOf(segment);
        if (!filter || (segment.personaId && q.personaId && segment.personaId !== q.personaId)) return { items: [], nextCursor: null, currency: null };
        where.push(this.#segments.condition(p, filter, segment.personaId ?? q.personaId ?? null));
      }
      if (q.subscription) where.push(eq(fans.subscription, q.subscription));
      if (q.tag) where.push(arrayContains(fans.tags, [q.tag]));
      if (q.q) {
        const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        where.push(or(ilike(fans.handle, like), ilike(fans.displayName, like)));
      }
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        where.push(or(lt(fans.lastSeenAt, c.at), and(eq(fans.lastSeenAt, c.at), lt(fans.id, c.id))));
      }
      const rows = await tx
        .select()
        .from(fans)
        .where(and(...where))
        .orderBy(desc(fans.lastSeenAt), desc(fans.id))
        .limit(q.limit + 1);
      const page = rows.slice(0, q.limit);
      const spend = can(p.role, 'ledger:read') ? await this.#purchases(tx, page.map((r) => r.id)) : null;
      const currency = spend ? await reportingCurrency(tx, p.orgId) : null;
      return {
        items: page.map((r) => view(r, spend && { currency: currency!, purchases: spend.get(r.id) ?? 0 })),
        nextCursor: rows.length > q.limit ? encodeCursor(page.at(-1)!) : null,
        currency,
      };
    });
  }

  async get(p: Principal, id: string) {
    return this.#platform.db.withOrg(p.orgId, async (tx) => this.#detail(tx, p, await this.#own(tx, p, id)));
  }

  async update(p: Principal, id: string, patch: FanPatch, origin: Origin) {
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const fan = await this.#own(tx, p, id);
      if (fan.erasedAt) throw new HttpError(409, 'fan_erased', 'This fan was erased');
      if (patch.flags && fan.flags.includes(UNDER_18_FLAG) && !patch.flags.includes(UNDER_18_FLAG) && p.role !== 'owner' && p.role !== 'admin') {
        throw new HttpError(403, 'flag_owner_only', 'Only an owner or admin can clear "stated under 18"');
      }
      const clean = (list: string[]) => [...new Set(list.map((t) => t.trim()).filter(Boolean))];
      const [row] = await tx
        .update(fans)
        .set({
          ...(patch.tags ? { tags: clean(patch.tags) } : {}),
          ...(patch.flags ? { flags: clean(patch.flags) } : {}),
          ...(patch.notes !== undefined ? { notes: patch.notes } : {}),
          ...(patch.language !== undefined ? { language: patch.language } : {}),
          updatedAt: new Date(),
        })
        .where(eq(fans.id, id))
        .returning();
      // Field names only: values (notes, tags) are personal data that an append-only log could not erase.
      await recordAudit(tx, auditBy(p), origin, { action: 'fan.updated', targetType: 'fan', targetId: id, details: { fields: Object.keys(patch) } });
      return this.#detail(tx, p, row!);
    });
  }

  /** Everything held about one fan, as one JSON document (media as ids with short-lived signed URLs). */
  async export(p: Principal, id: string, origin: Origin) {
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const fan = await this.#own(tx, p, id);
      const ctx: FanDataContext = { storage: this.#platform.storage, mediaIds: new Set() };
      const parts: Record<string, unknown> = {};
      for (const part of fanDataParts()) parts[part.name] = await part.collect(tx, fan, ctx);
      const media = await mediaReferences(tx, ctx);
      await recordAudit(tx, auditBy(p), origin, { action: 'fan.exported', targetType: 'fan', targetId: id, details: { parts: Object.keys(parts) } });
      return {
        exportedAt: new Date().toISOString(),
        fan: { ...view(fan, { currency: await reportingCurrency(tx, p.orgId), purchases: (await this.#purchases(tx, [fan.id])).get(fan.id) ?? 0 }), channelId: fan.channelId },
        ...parts,
        media,
      };
    });
  }

  /**
   * Erases one fan in one transaction: every data part first (engagements deleted, ledger rows scrubbed
   * but kept so totals do not move), then the profile blanked and its platform id replaced so the account
   * cannot be matched again. The audit event names the fan's row, never the handle.
   */
  async erase(p: Principal, id: string, origin: Origin) {
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const fan = await this.#own(tx, p, id);
      if (fan.erasedAt) return this.#detail(tx, p, fan);
      const scrub = scrubberFor(fan);
      const touched: Record<string, number> = {};
      for (const part of fanDataParts()) touched[part.name] = await part.erase(tx, fan, scrub);
      const [row] = await tx
        .update(fans)
        .set({
          platformFanId: `erased:${randomBytes(12).toString('hex')}`,
          handle: null,
          displayName: null,
          notes: '',
          tags: [],
          flags: [],
          language: null,
          erasedAt: new Date(),
          updatedAt: new Date(),
        })
        .where(eq(fans.id, id))
        .returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'fan.erased', targetType: 'fan', targetId: id, details: { personaId: fan.personaId, platform: fan.platform, touched } });
      return this.#detail(tx, p, row!);
    });
  }

  async #own(tx: Tx, p: Principal, id: string) {
    const row = (await tx.select().from(fans).where(eq(fans.id, id)))[0];
    if (!row || !canSeePersona(p, row.personaId)) throw notFound('fan');
    return row;
  }

  async #detail(tx: Tx, p: Principal, row: FanRow) {
    if (!can(p.role, 'ledger:read')) return view(row, null);
    return view(row, { currency: await reportingCurrency(tx, p.orgId), purchases: (await this.#purchases(tx, [row.id])).get(row.id) ?? 0 });
  }

  /** Number of paid transactions per fan (refunds are separate negative rows and not counted). */
  async #purchases(tx: Tx, fanIds: string[]) {
    if (!fanIds.length) return new Map<string, number>();
    const rows = await tx
      .select({ fanId: transactions.fanId, n: count() })
      .from(transactions)
      .where(and(sql`${transactions.fanId} in (${sql.join(fanIds.map((id) => sql`${id}`), sql`, `)})`, sql`${transactions.grossMinor} > 0`))
      .groupBy(transactions.fanId);
    return new Map(rows.map((r) => [r.fanId!, r.n]));
  }
}

async function reportingCurrency(tx: Tx, orgId: string) {
  const [row] = await tx.select({ c: salesSettings.reportingCurrency }).from(salesSettings).where(eq(salesSettings.orgId, orgId));
  return row?.c ?? 'EUR';
}

/** The fan as the API shows it; `spend` only for callers with ledger:read (a chatter sees no money). */
function view(r: FanRow, spend: { currency: string; purchases: number } | null) {
  return {
    id: r.id,
    personaId: r.personaId,
    platform: r.platform,
    platformFanId: r.platformFanId,
    handle: r.handle,
    displayName: r.displayName,
    firstSeenAt: r.firstSeenAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    subscription: r.subscription,
    subscriptionEndsAt: r.subscriptionEndsAt?.toISOString() ?? null,
    tags: r.tags,
    notes: r.notes,
    language: r.language,
    flags: r.flags,
    erasedAt: r.erasedAt?.toISOString() ?? null,
    ...(spend
      ? {
          spend: {
            // Lifetime net spend in the reporting currency, kept by the ledger: this is the fan's LTV so far.
            totalMinor: r.totalSpendMinor,
            currency: spend.currency,
            purchases: spend.purchases,
            lastPurchaseAt: r.lastPurchaseAt?.toISOString() ?? null,
          },
        }
      : {}),
  };
}
