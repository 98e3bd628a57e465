import { eq } from 'drizzle-orm';
import type { Database, Tx } from '../../platform/db/database.ts';
import { promotions } from '../../platform/db/schema/index.ts';
import type { Origin, Principal } from '../../platform/auth/principal.ts';
import { canSeePersona } from '../../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../../platform/audit/audit.ts';
import { HttpError, notFound } from '../../platform/http/problem.ts';
import type { PersonasService } from '../../personas/index.ts';
import type { ChannelsService } from '../../channels/index.ts';
import { builtinKindOf, ensureBuiltinSegments } from '../crm/segments.ts';
import { assertCurrency } from './money.ts';
import { effectivePrice, promotionApplies, type PromotionTerms } from './pricing.ts';
import * as repo from './catalogue.repository.ts';

export const MAX_TRIAL_DAYS = 365;

export interface PromotionInput {
  personaId: string;
  name: string;
  kind: PromotionTerms['kind'];
  value: number;
  currency?: string | null | undefined;
  startsAt: Date;
  endsAt: Date;
  platforms?: string[] | undefined;
  channelIds?: string[] | undefined;
  packIds?: string[] | undefined;
  segmentId?: string | null | undefined;
  trackingLinkId?: string | null | undefined;
  status?: PromotionTerms['status'] | undefined;
}
export type PromotionPatch = Partial<Omit<PromotionInput, 'personaId'>>;
export type PromotionDraft = Omit<PromotionInput, 'personaId'>;

export interface PreviewInput {
  promotion: PromotionDraft;
  /** Editing a stored promotion: the draft replaces it in "after". */
  promotionId?: string | undefined;
  packId: string;
  platform: string;
  channelId?: string | undefined;
  priceListId?: string | undefined;
  at?: Date | undefined;
}

function view(row: repo.PromotionRow, now = new Date()) {
  return {
    id: row.id,
    personaId: row.personaId,
    name: row.name,
    kind: row.kind,
    value: row.value,
    currency: row.currency,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    platforms: row.platforms,
    channelIds: row.channelIds,
    packIds: row.packIds,
    segmentId: row.segmentId,
    trackingLinkId: row.trackingLinkId,
    status: row.status,
    /** Running now (active and inside its window). */
    live: row.status === 'active' && row.startsAt <= now && now < row.endsAt,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The terms shape checks that need no database: window, value by kind, currency. */
function normalize(input: PromotionDraft): PromotionDraft & { currency: string | null } {
  if (!(input.endsAt.getTime() > input.startsAt.getTime())) throw new HttpError(422, 'invalid_window', 'A promotion must end after it starts');
  if (!Number.isInteger(input.value)) throw new HttpError(422, 'invalid_value', 'The value is a whole number');
  if (input.kind === 'percent' && (input.value < 1 || input.value > 10_000)) throw new HttpError(422, 'invalid_percent', 'A percent discount is 1 to 10000 basis points (0.01 % to 100 %)');
  if (input.kind === 'fixed') {
    if (!input.currency) throw new HttpError(422, 'currency_required', 'A fixed discount needs its currency');
    assertCurrency(input.currency);
    if (input.value < 1) throw new HttpError(422, 'invalid_value', 'A fixed discount is at least 1 minor unit');
  }
  if (input.kind === 'free_trial' && (input.value < 1 || input.value > MAX_TRIAL_DAYS)) throw new HttpError(422, 'invalid_trial', `A free trial lasts 1 to ${MAX_TRIAL_DAYS} days`);
  // Only a fixed amount has a currency; a percent or a trial applies to any.
  return { ...input, currency: input.kind === 'fixed' ? input.currency! : null };
}

/** Time-boxed discounts and free trials, limited to platforms, channels, packs or a fan segment. */
export class PromotionsService {
  readonly #db: Database;
  readonly #personas: PersonasService;
  readonly #channels: ChannelsService;
  constructor(db: Database, personas: PersonasService, channels: ChannelsService) {
    this.#db = db;
    this.#personas = personas;
    this.#channels = channels;
  }

  async list(p: Principal, q: { personaId?: string | undefined; status?: PromotionTerms['status'] | undefined }) {
    if (q.personaId) await this.#personas.get(p, q.personaId);
    return this.#db.withOrg(p.orgId, async (tx) =>
      (await repo.promotionsOf(tx, q.personaId ? [q.personaId] : p.personaScope)).filter((r) => !q.status || r.status === q.status).map((r) => view(r)),
    );
  }

  async get(p: Principal, id: string) {
    return this.#db.withOrg(p.orgId, async (tx) => view(await this.#own(tx, p, id)));
  }

  async create(p: Principal, input: PromotionInput, origin: Origin) {
    await this.#personas.get(p, input.personaId);
    const terms = normalize(input);
    await this.#assertReferences(p, input.personaId, terms);
    return this.#db.withOrg(p.orgId, async (tx) => {
      const [row] = await tx
        .insert(promotions)
        .values({
          orgId: p.orgId,
          personaId: input.personaId,
          name: terms.name,
          kind: terms.kind,
          value: terms.value,
          currency: terms.currency,
          startsAt: terms.startsAt,
          endsAt: terms.endsAt,
          platforms: [...new Set(terms.platforms ?? [])],
          channelIds: [...new Set(terms.channelIds ?? [])],
          packIds: [...new Set(terms.packIds ?? [])],
          segmentId: terms.segmentId ?? null,
          trackingLinkId: terms.trackingLinkId ?? null,
          status: terms.status ?? 'active',
        })
        .returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'promotion.created', targetType: 'promotion', targetId: row!.id, details: { kind: row!.kind, value: row!.value, currency: row!.currency } });
      return view(row!);
    });
  }

  async update(p: Principal, id: string, patch: PromotionPatch, origin: Origin) {
    const current = await this.#db.withOrg(p.orgId, (tx) => this.#own(tx, p, id));
    const merged = normalize({ ...draftOf(current), ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) });
    await this.#assertReferences(p, current.personaId, { ...merged, ...pick(patch) });
    return this.#db.withOrg(p.orgId, async (tx) => {
      const [row] = await tx
        .update(promotions)
        .set({
          name: merged.name,
          kind: merged.kind,
          value: merged.value,
          currency: merged.currency,
          startsAt: merged.startsAt,
          endsAt: merged.endsAt,
          platforms: [...new Set(merged.platforms ?? [])],
          channelIds: [...new Set(merged.channelIds ?? [])],
          packIds: [...new Set(merged.packIds ?? [])],
          segmentId: merged.segmentId ?? null,
          trackingLinkId: merged.trackingLinkId ?? null,
          status: merged.status ?? 'active',
          updatedAt: new Date(),
        })
        .where(eq(promotions.id, id))
        .returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'promotion.updated', targetType: 'promotion', targetId: id, details: { fields: Object.keys(patch) } });
      return view(row!);
    });
  }

  async remove(p: Principal, id: string, origin: Origin) {
    await this.#db.withOrg(p.orgId, async (tx) => {
      await this.#own(tx, p, id);
      await tx.delete(promotions).where(eq(promotions.id, id));
      await recordAudit(tx, auditBy(p), origin, { action: 'promotion.deleted', targetType: 'promotion', targetId: id });
    });
  }

  /**
   * The pack's price before and after a draft promotion, for one platform (and channel), for a fan in the
   * draft's segment when it names one. Computed by the same `effectivePrice` as every stored price.
   */
  async preview(p: Principal, input: PreviewInput) {
    const at = input.at ?? new Date();
    const terms = normalize(input.promotion);
    const pack = await this.#db.withOrg(p.orgId, (tx) => repo.pack(tx, input.packId));
    if (!pack || !canSeePersona(p, pack.personaId)) throw notFound('pack');
    if (input.channelId) await this.#assertChannels(p, pack.personaId, [input.channelId]);
    return this.#db.withOrg(p.orgId, async (tx) => {
      const list = input.priceListId ? await repo.priceList(tx, input.priceListId) : (await repo.defaultListsOf(tx, [pack.personaId]))[0];
      if (input.priceListId && (!list || list.personaId !== pack.personaId)) throw new HttpError(422, 'price_list_not_own', 'The price list must be one of this persona’s');
      const price = list ? (await repo.pricesOf(tx, [pack.id], list.id)).find((x) => x.platform === input.platform) : undefined;
      if (!price) throw new HttpError(409, 'no_price', `This pack has no price on ${input.platform} yet`);
      let edited: repo.PromotionRow | undefined;
      if (input.promotionId) {
        edited = await this.#own(tx, p, input.promotionId);
        if (edited.personaId !== pack.personaId) throw new HttpError(422, 'promotion_not_own', 'The promotion belongs to another persona');
      }
      const stored = await repo.livePromotions(tx, pack.personaId, at);
      const draft: PromotionTerms = {
        id: edited?.id ?? 'draft',
        name: terms.name,
        kind: terms.kind,
        value: terms.value,
        currency: terms.currency,
        startsAt: terms.startsAt,
        endsAt: terms.endsAt,
        platforms: terms.platforms ?? [],
        channelIds: terms.channelIds ?? [],
        packIds: terms.packIds ?? [],
        segmentId: terms.segmentId ?? null,
        status: terms.status ?? 'active',
        // A new promotion is the newest: it loses ties, exactly as it will once stored.
        createdAt: edited?.createdAt ?? new Date(),
      };
      const ctx = { platform: input.platform, packId: pack.id, channelId: input.channelId ?? null, segmentIds: draft.segmentId ? [draft.segmentId] : [], at };
      const before = effectivePrice(price, stored, ctx);
      const after = effectivePrice(price, [...stored.filter((s) => s.id !== edited?.id), draft], ctx);
      return {
        packId: pack.id,
        platform: input.platform,
        priceListId: list!.id,
        before,
        after,
        draftApplies: promotionApplies(draft, ctx) && (draft.kind !== 'fixed' || draft.currency === price.currency),
        draftWins: after.promotion?.id === draft.id || after.freeTrialPromotionId === draft.id,
      };
    });
  }

  async #own(tx: Tx, p: Principal, id: string) {
    const row = await repo.promotion(tx, id);
    if (!row || !canSeePersona(p, row.personaId)) throw notFound('promotion');
    return row;
  }

  async #assertChannels(p: Principal, personaId: string, channelIds: readonly string[]) {
    for (const id of new Set(channelIds)) {
      const channel = await this.#channels.get(p, id);
      if (channel.personaId !== personaId) throw new HttpError(422, 'channel_not_own', `Channel ${channel.handle} belongs to another persona`);
    }
  }

  /** Every id a promotion stores must be the same persona's and visible: foreign keys ignore RLS. */
  async #assertReferences(p: Principal, personaId: string, refs: Pick<PromotionInput, 'channelIds' | 'packIds' | 'segmentId' | 'trackingLinkId'>) {
    await this.#assertChannels(p, personaId, refs.channelIds ?? []);
    await this.#db.withOrg(p.orgId, async (tx) => {
      const packIds = [...new Set(refs.packIds ?? [])];
      const found = await repo.packsByIds(tx, packIds);
      if (found.length !== packIds.length || found.some((x) => x.personaId !== personaId)) throw new HttpError(422, 'pack_not_own', 'Every pack must be one of this persona’s packs');
      if (refs.segmentId) {
        // Built-in segments are rows made on first use: a promotion may be that first use.
        if (builtinKindOf(p.orgId, refs.segmentId)) await ensureBuiltinSegments(tx, p.orgId);
        const segment = await repo.segment(tx, refs.segmentId);
        // A segment without a persona spans the whole organization.
        if (!segment || (segment.personaId !== null && segment.personaId !== personaId)) throw new HttpError(422, 'segment_not_own', 'The segment must be this persona’s (or the organization’s)');
      }
      if (refs.trackingLinkId) {
        const link = await repo.trackingLink(tx, refs.trackingLinkId);
        if (!link || link.personaId !== personaId) throw new HttpError(422, 'tracking_link_not_own', 'The tracking link must be one of this persona’s');
      }
    });
  }
}

function draftOf(row: repo.PromotionRow): PromotionDraft {
  return {
    name: row.name,
    kind: row.kind,
    value: row.value,
    currency: row.currency,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    platforms: row.platforms,
    channelIds: row.channelIds,
    packIds: row.packIds,
    segmentId: row.segmentId,
    trackingLinkId: row.trackingLinkId,
    status: row.status,
  };
}

/** References a patch newly names; stored ones were checked when they were stored. */
function pick(patch: PromotionPatch) {
  return { channelIds: patch.channelIds ?? [], packIds: patch.packIds ?? [], segmentId: patch.segmentId ?? null, trackingLinkId: patch.trackingLinkId ?? null };
}
