import { and, count, desc, eq, gte, inArray, lt, sql, sum, type SQL } from 'drizzle-orm';
import type { Platform } from '../../platform/platform.ts';
import type { Tx } from '../../platform/db/database.ts';
import { mediaAssets, packs, ppvCampaigns, ppvRecipients, transactions } from '../../platform/db/schema/index.ts';
import type { Origin, Principal } from '../../platform/auth/principal.ts';
import { canSeePersona } from '../../platform/auth/principal.ts';
import { can } from '../../platform/auth/permissions.ts';
import { auditBy, recordAudit } from '../../platform/audit/audit.ts';
import { HttpError, notFound } from '../../platform/http/problem.ts';
import type { PersonasService } from '../../personas/index.ts';
import type { ChannelsService } from '../../channels/index.ts';
import type { StudioService } from '../../generation/index.ts';
import type { Connectors } from '../../publishing/connectors/registry.ts';
import { route } from '../../publishing/router.ts';
import { FANVUE_MAX_MEDIA, FANVUE_MIN_PRICE_CENTS } from '../../publishing/connectors/fanvue/index.ts';
import type { SegmentsService } from './segments.service.ts';

export const PPV_SEND_JOB = 'sales.ppv.send';

export interface CampaignInput {
  personaId: string;
  channelId: string;
  segmentId: string;
  packId?: string | null | undefined;
  assetIds: string[];
  message: string;
  priceMinor: number;
  currency: string;
}
export type CampaignPatch = Partial<Omit<CampaignInput, 'personaId' | 'channelId'>>;
type CampaignRow = typeof ppvCampaigns.$inferSelect;

const EDITABLE = ['draft', 'scheduled'] as const;

/** Pay-to-view campaigns: a priced message with media, sent on Fanvue to each fan of a segment. */
export class PpvService {
  readonly #platform: Platform;
  readonly #personas: PersonasService;
  readonly #channels: ChannelsService;
  readonly #segments: SegmentsService;
  readonly #studio: StudioService;
  readonly #connectors: Connectors;
  constructor(platform: Platform, deps: { personas: PersonasService; channels: ChannelsService; segments: SegmentsService; studio: StudioService; connectors: Connectors }) {
    this.#platform = platform;
    this.#personas = deps.personas;
    this.#channels = deps.channels;
    this.#segments = deps.segments;
    this.#studio = deps.studio;
    this.#connectors = deps.connectors;
  }

  async list(p: Principal, q: { personaId?: string | undefined; from?: Date | undefined; to?: Date | undefined; status?: CampaignRow['status'] | undefined }) {
    if (q.personaId) await this.#personas.get(p, q.personaId);
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const where: (SQL | undefined)[] = [
        q.personaId ? eq(ppvCampaigns.personaId, q.personaId) : undefined,
        q.from ? gte(ppvCampaigns.scheduledAt, q.from) : undefined,
        q.to ? lt(ppvCampaigns.scheduledAt, q.to) : undefined,
        q.status ? eq(ppvCampaigns.status, q.status) : undefined,
      ];
      const rows = await tx
        .select()
        .from(ppvCampaigns)
        .where(and(...where))
        .orderBy(desc(sql`coalesce(${ppvCampaigns.scheduledAt}, ${ppvCampaigns.createdAt})`))
        .limit(500);
      return this.#views(tx, p, rows.filter((r) => canSeePersona(p, r.personaId)));
    });
  }

  async get(p: Principal, id: string) {
    return this.#platform.db.withOrg(p.orgId, async (tx) => (await this.#views(tx, p, [await this.#own(tx, p, id)]))[0]!);
  }

  async create(p: Principal, input: CampaignInput, origin: Origin) {
    await this.#check(p, input);
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const [row] = await tx
        .insert(ppvCampaigns)
        .values({
          orgId: p.orgId,
          personaId: input.personaId,
          channelId: input.channelId,
          segmentId: input.segmentId,
          packId: input.packId ?? null,
          assetIds: input.assetIds,
          message: input.message,
          priceMinor: input.priceMinor,
          currency: input.currency,
          createdBy: p.userId,
        })
        .returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'ppv.created', targetType: 'ppv_campaign', targetId: row!.id, details: { priceMinor: input.priceMinor, currency: input.currency, media: input.assetIds.length } });
      return (await this.#views(tx, p, [row!]))[0]!;
    });
  }

  async update(p: Principal, id: string, patch: CampaignPatch, origin: Origin) {
    const current = await this.get(p, id);
    const next: CampaignInput = { ...current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as CampaignInput;
    await this.#check(p, next);
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const row = await this.#own(tx, p, id, true);
      if (!(EDITABLE as readonly string[]).includes(row.status)) throw new HttpError(409, 'ppv_not_editable', `This campaign is ${row.status}`);
      const [updated] = await tx
        .update(ppvCampaigns)
        .set({ segmentId: next.segmentId, packId: next.packId ?? null, assetIds: next.assetIds, message: next.message, priceMinor: next.priceMinor, currency: next.currency, updatedAt: new Date() })
        .where(eq(ppvCampaigns.id, id))
        .returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'ppv.updated', targetType: 'ppv_campaign', targetId: id, details: { fields: Object.keys(patch) } });
      return (await this.#views(tx, p, [updated!]))[0]!;
    });
  }

  async remove(p: Principal, id: string, origin: Origin) {
    await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const row = await this.#own(tx, p, id, true);
      // A sent campaign is the record of what fans received and what it earned.
      if (row.status !== 'draft' && row.status !== 'cancelled') throw new HttpError(409, 'ppv_not_deletable', `A ${row.status} campaign is kept: cancel it or leave it`);
      await tx.delete(ppvCampaigns).where(eq(ppvCampaigns.id, id));
      await recordAudit(tx, auditBy(p), origin, { action: 'ppv.deleted', targetType: 'ppv_campaign', targetId: id });
    });
  }

  /** Schedules (or moves) the campaign; the send job is enqueued in the same transaction. */
  async schedule(p: Principal, id: string, at: Date, origin: Origin) {
    if (at.getTime() < Date.now() - 60_000) throw new HttpError(422, 'in_the_past', 'That time has already passed');
    const current = await this.get(p, id);
    await this.#check(p, current);
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const row = await this.#own(tx, p, id, true);
      if (!(EDITABLE as readonly string[]).includes(row.status)) throw new HttpError(409, 'ppv_not_schedulable', `This campaign is ${row.status}`);
      const [updated] = await tx.update(ppvCampaigns).set({ status: 'scheduled', scheduledAt: at, error: null, updatedAt: new Date() }).where(eq(ppvCampaigns.id, id)).returning();
      // The job carries the time it was made for: moving the campaign makes earlier jobs stale.
      await this.#platform.jobs.enqueue(tx, PPV_SEND_JOB, { orgId: p.orgId, campaignId: id, at: at.toISOString() }, { startAfter: at });
      await recordAudit(tx, auditBy(p), origin, { action: 'ppv.scheduled', targetType: 'ppv_campaign', targetId: id, details: { at: at.toISOString() } });
      return (await this.#views(tx, p, [updated!]))[0]!;
    });
  }

  /** Stops the campaign: before sending nothing goes out; while sending, fans not reached yet are skipped. */
  async cancel(p: Principal, id: string, origin: Origin) {
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const row = await this.#own(tx, p, id, true);
      if (!['draft', 'scheduled', 'sending'].includes(row.status)) throw new HttpError(409, 'ppv_not_cancellable', `This campaign is ${row.status}`);
      const [updated] = await tx.update(ppvCampaigns).set({ status: 'cancelled', updatedAt: new Date() }).where(eq(ppvCampaigns.id, id)).returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'ppv.cancelled', targetType: 'ppv_campaign', targetId: id, details: { was: row.status } });
      return (await this.#views(tx, p, [updated!]))[0]!;
    });
  }

  /** Everything a campaign refers to must be the persona's own, and the message within Fanvue's limits. */
  async #check(p: Principal, input: Omit<CampaignInput, 'segmentId'> & { segmentId: string | null }) {
    await this.#personas.get(p, input.personaId);
    const segmentId = input.segmentId;
    if (!segmentId) throw new HttpError(422, 'segment_required', 'Choose the segment to send to');
    const channel = await this.#channels.get(p, input.channelId);
    if (channel.personaId !== input.personaId) throw new HttpError(422, 'channel_not_own', `Channel ${channel.handle} belongs to another persona`);
    if (channel.platform !== 'fanvue') throw new HttpError(422, 'ppv_fanvue_only', 'PPV campaigns are sent through Fanvue’s API: choose a Fanvue channel');
    if (input.priceMinor > 0 && input.priceMinor < FANVUE_MIN_PRICE_CENTS) throw new HttpError(422, 'ppv_price_too_low', `Fanvue pay-to-view messages cost at least ${FANVUE_MIN_PRICE_CENTS / 100} (or 0 for a free message)`);
    if (input.priceMinor > 0 && !input.assetIds.length) throw new HttpError(422, 'ppv_needs_media', 'A priced message needs media');
    if (!input.message.trim() && !input.assetIds.length) throw new HttpError(422, 'ppv_empty', 'Write a message or attach media');
    if (input.assetIds.length > FANVUE_MAX_MEDIA) throw new HttpError(422, 'too_many_media', `At most ${FANVUE_MAX_MEDIA} media per message`);
    const rating = await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const segment = await this.#segments.own(tx, p, segmentId);
      if (segment.personaId && segment.personaId !== input.personaId) throw new HttpError(422, 'segment_not_own', 'This segment belongs to another persona');
      if (input.packId) {
        const [pack] = await tx.select({ personaId: packs.personaId }).from(packs).where(eq(packs.id, input.packId));
        if (!pack || pack.personaId !== input.personaId) throw new HttpError(422, 'pack_not_own', 'The pack must be one of this persona’s');
      }
      const ids = [...new Set(input.assetIds)];
      const assets = ids.length ? await tx.select().from(mediaAssets).where(inArray(mediaAssets.id, ids)) : [];
      if (assets.length !== ids.length || assets.some((a) => a.personaId !== input.personaId)) throw new HttpError(422, 'asset_not_own', 'The media must be this persona’s assets');
      if (assets.some((a) => a.status !== 'approved')) throw new HttpError(409, 'asset_not_approved', 'Some media is waiting for approval (or was rejected): approve it first');
      if (assets.some((a) => a.rating === 'unrated')) throw new HttpError(409, 'asset_unrated', 'Some media has no rating yet');
      if (assets.some((a) => a.kind === 'audio')) throw new HttpError(422, 'asset_kind', 'Only images and videos can be sent as PPV');
      // Explicit media is allowed: Fanvue's audience is age-verified (the channel policy says so).
      return assets.some((a) => a.rating === 'explicit') ? 'explicit' : assets.some((a) => a.rating === 'suggestive') ? 'suggestive' : 'sfw';
    });
    const { settings } = await this.#studio.settings(p, input.personaId);
    const verdict = route({
      platform: 'fanvue',
      handle: channel.handle,
      policy: this.#connectors.get('fanvue').policy({ settings: channel.settings }),
      rating,
      mediaCount: input.assetIds.length,
      text: input.message,
      disclosure: settings.disclosureText,
    });
    if (!verdict.ok) throw new HttpError(422, verdict.code, verdict.message);
  }

  async #own(tx: Tx, p: Principal, id: string, lock = false) {
    const q = tx.select().from(ppvCampaigns).where(eq(ppvCampaigns.id, id));
    const row = (await (lock ? q.for('update') : q))[0];
    if (!row || !canSeePersona(p, row.personaId)) throw notFound('ppv campaign');
    return row;
  }

  async #views(tx: Tx, p: Principal, rows: CampaignRow[]) {
    const ids = rows.map((r) => r.id);
    const delivery = ids.length
      ? await tx.select({ id: ppvRecipients.campaignId, status: ppvRecipients.status, n: count() }).from(ppvRecipients).where(inArray(ppvRecipients.campaignId, ids)).groupBy(ppvRecipients.campaignId, ppvRecipients.status)
      : [];
    // Results are computed on read from the ledger rows linked to the campaign; money needs ledger:read.
    const money = can(p.role, 'ledger:read');
    const results =
      money && ids.length
        ? await tx
            .select({
              id: transactions.campaignId,
              currency: transactions.currency,
              purchases: sql<number>`count(*) filter (where ${transactions.grossMinor} > 0)`.mapWith(Number),
              gross: sum(transactions.grossMinor).mapWith(Number),
              net: sum(transactions.netMinor).mapWith(Number),
            })
            .from(transactions)
            .where(inArray(transactions.campaignId, ids))
            .groupBy(transactions.campaignId, transactions.currency)
        : [];
    return rows.map((r) => {
      const d = delivery.filter((x) => x.id === r.id);
      const by = (s: string) => d.find((x) => x.status === s)?.n ?? 0;
      const mine = results.filter((x) => x.id === r.id);
      return {
        id: r.id,
        personaId: r.personaId,
        channelId: r.channelId,
        segmentId: r.segmentId,
        packId: r.packId,
        assetIds: r.assetIds,
        message: r.message,
        priceMinor: r.priceMinor,
        currency: r.currency,
        scheduledAt: r.scheduledAt?.toISOString() ?? null,
        status: r.status,
        recipients: r.recipients,
        sent: r.sent,
        delivery: { pending: by('pending'), sent: by('sent') + by('purchased'), failed: by('failed') },
        error: (r.error as { message: string; kind?: string } | null) ?? null,
        createdAt: r.createdAt.toISOString(),
        updatedAt: r.updatedAt.toISOString(),
        ...(money
          ? {
              results: {
                purchases: mine.reduce((a, x) => a + x.purchases, 0),
                // Per currency: amounts of two currencies are never added together.
                revenue: mine.map((x) => ({ currency: x.currency, grossMinor: x.gross ?? 0, netMinor: x.net ?? 0 })),
              },
            }
          : {}),
      };
    });
  }
}
