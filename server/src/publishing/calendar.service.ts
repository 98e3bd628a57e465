import { and, desc, eq, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import type { Platform } from '../platform/platform.ts';
import type { Tx } from '../platform/db/database.ts';
import { captions, mediaAssets, postTargets, posts, slotTemplates } from '../platform/db/schema/index.ts';
import type { Origin, Principal } from '../platform/auth/principal.ts';
import { canSeePersona } from '../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../platform/audit/audit.ts';
import { HttpError, notFound } from '../platform/http/problem.ts';
import type { PersonasService } from '../personas/index.ts';
import type { ChannelsService } from '../channels/index.ts';
import type { StudioService } from '../generation/index.ts';
import type { Rating } from '../safety/types.ts';
import type { Connectors } from './connectors/registry.ts';
import type { PlatformName } from './connectors/types.ts';
import { route } from './router.ts';
import { publicMediaUrl } from './public-media.ts';
import { checkPublicUrl } from './connectors/instagram/index.ts';
import { isNearDuplicate } from '../generation/media/pipeline.ts';
import { isoWeekday, localDates, localDay, localToUtc } from './time.ts';
import * as repo from './calendar.repository.ts';
import { variantTime } from './variants.service.ts';
import { PlatformRules } from './platform-rules.ts';
import { lockChannels } from '../channels/lock.ts';
import { isUnsent, matchTargets } from './post-edit.ts';

export const DISPATCH_JOB = 'publishing.dispatch';
/** Refusals that no other media would avoid: auto-fill leaves such a slot empty. */
const SLOT_REFUSALS = new Set(['x_budget_exceeded', 'reddit_too_frequent', 'reddit_ai_not_allowed', 'reddit_flair_required', 'reddit_rules_unavailable', 'subreddit_missing']);

export interface TargetInput {
  /** On edit: the existing target this entry keeps (else matched by channel, else a new target). */
  id?: string | undefined;
  channelId: string;
  variant?: string | undefined;
  /** Overrides the post caption for this channel. */
  text?: string | undefined;
  options?: Record<string, unknown> | undefined;
}

export interface PostInput {
  personaId: string;
  caption: string;
  priority?: number | undefined;
  assetId?: string | null | undefined;
  targets: TargetInput[];
}

/** Posts, their targets, slots and the calendar views. Sending belongs to the dispatcher. */
export class CalendarService {
  readonly #platform: Platform;
  readonly #personas: PersonasService;
  readonly #channels: ChannelsService;
  readonly #studio: StudioService;
  readonly #connectors: Connectors;
  readonly #rules: PlatformRules;
  constructor(platform: Platform, deps: { personas: PersonasService; channels: ChannelsService; studio: StudioService; connectors: Connectors }) {
    this.#platform = platform;
    this.#personas = deps.personas;
    this.#channels = deps.channels;
    this.#studio = deps.studio;
    this.#connectors = deps.connectors;
    this.#rules = new PlatformRules(platform, deps);
  }

  /** Checks every target with the policy router and returns the rows to write. */
  /** The same checks for an A/B variant (variants.service). */
  plan(p: Principal, input: PostInput) {
    return this.#plan(p, input);
  }

  async #plan(p: Principal, input: PostInput) {
    await this.#personas.get(p, input.personaId);
    let rating: Rating = 'sfw';
    let asset: typeof mediaAssets.$inferSelect | undefined;
    if (input.assetId) {
      asset = await this.#platform.db.withOrg(p.orgId, (tx) => tx.select().from(mediaAssets).where(eq(mediaAssets.id, input.assetId!)).then((r) => r[0]));
      if (!asset || asset.personaId !== input.personaId) throw new HttpError(422, 'asset_not_own', 'The media must be one of this persona’s assets');
      await this.#assertNotCopied(p, asset);
      if (asset.status !== 'approved') throw new HttpError(409, 'asset_not_approved', 'This media is waiting for approval (or was rejected): approve it first');
      if (asset.rating === 'unrated') throw new HttpError(409, 'asset_unrated', 'This media has no rating yet');
      rating = asset.rating;
    }
    const { settings } = await this.#studio.settings(p, input.personaId);
    const rows = [];
    for (const t of input.targets) {
      const channel = await this.#channels.get(p, t.channelId);
      if (channel.personaId !== input.personaId) throw new HttpError(422, 'channel_not_own', `Channel ${channel.handle} belongs to another persona`);
      const connector = this.#connectors.get(channel.platform as PlatformName);
      const verdict = route({
        platform: channel.platform as PlatformName,
        handle: channel.handle,
        policy: connector.policy({ settings: channel.settings }),
        rating,
        mediaCount: input.assetId ? 1 : 0,
        mediaKinds: asset ? [asset.kind === 'video' ? 'video' : 'image'] : [],
        text: t.text ?? input.caption,
        disclosure: settings.disclosureText,
      });
      if (!verdict.ok) throw new HttpError(422, verdict.code, verdict.message, { channelId: t.channelId });
      await this.#rules.checkContent(p.orgId, channel, t, rating);
      if (asset && connector.policy({ settings: channel.settings }).needsPublicMediaUrl) await this.#assertPublic(asset.storageKey, channel.handle, channel.id);
      rows.push({ channelId: t.channelId, variant: t.variant ?? 'original', text: verdict.text, options: t.options ?? {} });
    }
    return rows;
  }

  /** Instagram fetches media itself: the URL must answer from outside before anything is scheduled. */
  async #assertPublic(key: string, handle: string, channelId: string) {
    const url = await publicMediaUrl(this.#platform.storage, this.#platform.env, key);
    if (!url) throw new HttpError(422, 'no_public_url', `${handle} fetches media from a public URL: set PUBLIC_BASE_URL (or use S3 storage reachable from the internet)`, { channelId });
    const check = await checkPublicUrl(url, AbortSignal.timeout(10_000));
    if (!check.ok) throw new HttpError(422, 'media_not_reachable', `${handle} could not fetch the media at its public URL: ${check.problem}`, { channelId });
  }

  /**
   * The same picture on two personas' accounts is "identical content across accounts" (X forbids it, and
   * it gives personas away): a near-duplicate already on another persona's calendar is refused.
   */
  async #assertNotCopied(p: Principal, asset: typeof mediaAssets.$inferSelect) {
    if (!asset.phash) return;
    const otherPersona = and(sql`${posts.personaId} <> ${asset.personaId}`, sql`${posts.status} <> 'cancelled'`, sql`${mediaAssets.phash} is not null`);
    // The post's picture, and the pictures its targets carry on their own (A/B variants with other media).
    const others = await this.#platform.db.withOrg(p.orgId, async (tx) => [
      ...(await tx.select({ phash: mediaAssets.phash }).from(posts).innerJoin(mediaAssets, eq(mediaAssets.id, posts.assetId)).where(otherPersona)),
      ...(await tx
        .select({ phash: mediaAssets.phash })
        .from(postTargets)
        .innerJoin(posts, eq(posts.id, postTargets.postId))
        .innerJoin(mediaAssets, eq(mediaAssets.id, postTargets.assetId))
        .where(and(otherPersona, sql`${postTargets.status} <> 'cancelled'`))),
    ]);
    if (others.some((o) => isNearDuplicate(o.phash!, asset.phash!))) {
      throw new HttpError(409, 'near_duplicate_across_personas', 'A near-identical picture is already planned for another persona: platforms forbid the same content across accounts');
    }
  }

  async create(p: Principal, input: PostInput, origin: Origin) {
    if (!input.targets.length) throw new HttpError(422, 'no_targets', 'Choose at least one channel');
    const rows = await this.#plan(p, input);
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const [post] = await tx
        .insert(posts)
        .values({ orgId: p.orgId, personaId: input.personaId, caption: input.caption, priority: input.priority ?? 0, assetId: input.assetId ?? null, status: 'draft' })
        .returning();
      await tx.insert(postTargets).values(rows.map((r) => ({ ...r, assetId: input.assetId ?? null, orgId: p.orgId, postId: post!.id })));
      await recordAudit(tx, auditBy(p), origin, { action: 'post.created', targetType: 'post', targetId: post!.id });
      return this.#view(tx, post!);
    });
  }

  async get(p: Principal, id: string) {
    return this.#platform.db.withOrg(p.orgId, async (tx) => this.#view(tx, await this.#own(tx, p, id)));
  }

  /** A persona's posts, highest priority first; `unscheduled` keeps those with no time yet (the drafts tray). */
  async list(p: Principal, q: { personaId: string; status?: string | undefined; unscheduled?: boolean | undefined; limit: number }) {
    await this.#personas.get(p, q.personaId);
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const rows = await tx
        .select()
        .from(posts)
        .where(and(eq(posts.personaId, q.personaId), q.status ? eq(posts.status, q.status) : undefined, q.unscheduled ? isNull(posts.scheduledAt) : undefined))
        .orderBy(desc(posts.priority), desc(posts.createdAt))
        .limit(q.limit);
      return this.#views(tx, rows);
    });
  }

  async approve(p: Principal, id: string, origin: Origin) {
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const post = await this.#own(tx, p, id);
      if (post.status !== 'draft') throw new HttpError(409, 'not_draft', `This post is ${post.status}`);
      const [updated] = await tx.update(posts).set({ status: 'approved', updatedAt: new Date() }).where(eq(posts.id, id)).returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'post.approved', targetType: 'post', targetId: id });
      return this.#view(tx, updated!);
    });
  }

  /** Schedules (or reschedules) every unsent target; each gets a dispatch job in the same transaction. */
  async schedule(p: Principal, id: string, at: Date, origin: Origin) {
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const post = await this.#own(tx, p, id);
      if (post.status === 'draft') throw new HttpError(409, 'not_approved', 'Approve the post before scheduling it');
      if (post.status === 'cancelled') throw new HttpError(409, 'cancelled', 'This post was cancelled');
      const targets = await repo.targetsOf(tx, [id]);
      const movable = targets.filter((t) => t.status === 'draft' || t.status === 'scheduled' || t.status === 'failed');
      if (!movable.length) throw new HttpError(409, 'nothing_to_schedule', 'Every target is already sent or being sent');
      // Budget and frequency are decided under the channels' locks (checkTiming); all taken first, in order.
      await lockChannels(tx, movable.map((t) => t.channelId));
      for (const t of movable) await this.#enqueue(tx, t, variantTime(t, targets, at));
      await tx.update(posts).set({ scheduledAt: at, updatedAt: new Date() }).where(eq(posts.id, id));
      await repo.rollUp(tx, id);
      await recordAudit(tx, auditBy(p), origin, { action: 'post.scheduled', targetType: 'post', targetId: id, details: { at: at.toISOString() } });
      return this.#view(tx, (await repo.post(tx, id))!);
    });
  }

  async #enqueue(tx: Tx, t: repo.TargetRow, at: Date, fresh = false) {
    await this.#rules.checkTiming(tx, t, at);
    const [updated] = await tx
      .update(postTargets)
      .set({
        status: 'scheduled',
        scheduledAt: at,
        version: t.version + 1,
        error: null,
        updatedAt: new Date(),
        ...(fresh ? { idempotencyKey: sql`gen_random_uuid()`, remoteId: null, remoteUrl: null, publishedAt: null, attempts: 0 } : {}),
      })
      .where(eq(postTargets.id, t.id))
      .returning();
    await this.#platform.jobs.enqueue(tx, DISPATCH_JOB, { orgId: t.orgId, targetId: t.id, version: updated!.version }, { startAfter: at });
  }

  /**
   * Edits text, priority or time. Sent targets keep what was sent: an edit never republishes, unless
   * `republish` asks for it explicitly (then they go out again as new posts).
   */
  async update(
    p: Principal,
    id: string,
    patch: { caption?: string | undefined; priority?: number | undefined; scheduledAt?: Date | undefined; republish?: boolean | undefined; assetId?: string | null | undefined; targets?: TargetInput[] | undefined },
    origin: Origin,
  ) {
    const current = await this.get(p, id);
    const assetChanged = patch.assetId !== undefined && patch.assetId !== current.assetId;
    const assetId = patch.assetId !== undefined ? patch.assetId : current.assetId;
    const edit = patch.caption !== undefined || assetChanged || patch.targets !== undefined ? matchTargets(current.targets, patch.targets, { captionChanged: patch.caption !== undefined, republish: patch.republish === true }) : null;
    if (edit && patch.targets && !edit.writable.length && !current.targets.some((t) => !isUnsent(t.status) && t.status !== 'cancelled')) throw new HttpError(422, 'no_targets', 'Choose at least one channel');
    const rows = edit ? await this.#plan(p, { personaId: current.personaId, caption: patch.caption ?? current.caption, assetId, targets: edit.writable.map((e) => e.input) }) : [];
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      // Channels whose targets may be (re)scheduled below (checkTiming locks each): all first, in order.
      if (patch.scheduledAt || patch.republish || patch.targets) await lockChannels(tx, [...current.targets.map((t) => t.channelId), ...(patch.targets ?? []).map((t) => t.channelId)]);
      await tx
        .update(posts)
        .set({ ...(patch.caption !== undefined ? { caption: patch.caption } : {}), ...(patch.priority !== undefined ? { priority: patch.priority } : {}), ...(assetChanged ? { assetId } : {}), updatedAt: new Date() })
        .where(eq(posts.id, id));
      for (const t of edit?.removed ?? []) await tx.delete(postTargets).where(eq(postTargets.id, t.id));
      const planned = new Map<string, (typeof rows)[number] & { assetId?: string | null }>();
      const added = new Set<string>();
      const postAt = patch.scheduledAt ?? (current.scheduledAt ? new Date(current.scheduledAt) : null);
      for (const [i, e] of (edit?.writable ?? []).entries()) {
        const values = { ...rows[i]!, ...(assetChanged ? { assetId } : {}) };
        if (e.existing) {
          planned.set(e.existing.id, values);
          // A target carrying an A/B variant keeps the variant's text and media (PUT …/variants changes them).
          if (isUnsent(e.existing.status)) await tx.update(postTargets).set({ ...values, updatedAt: new Date() }).where(and(eq(postTargets.id, e.existing.id), isNull(postTargets.variantKey)));
          continue;
        }
        const [created] = await tx.insert(postTargets).values({ ...values, assetId, orgId: p.orgId, postId: id }).returning();
        added.add(created!.id);
        // A channel added to a post that is already planned follows the post's time (never one in the past).
        if (postAt && postAt > new Date() && current.status !== 'draft' && current.status !== 'cancelled') await this.#enqueue(tx, created!, postAt);
      }
      const targets = await repo.targetsOf(tx, [id]);
      for (const t of targets) {
        if (added.has(t.id)) continue;
        const unsent = isUnsent(t.status);
        const at = patch.scheduledAt ?? t.scheduledAt;
        if (patch.scheduledAt && unsent && t.status !== 'draft') await this.#enqueue(tx, (await repo.target(tx, t.id))!, variantTime(t, targets, patch.scheduledAt));
        if (patch.republish && t.status === 'published' && at) {
          const values = planned.get(t.id);
          if (values) await tx.update(postTargets).set(values).where(eq(postTargets.id, t.id));
          await this.#enqueue(tx, (await repo.target(tx, t.id))!, at > new Date() ? at : new Date(), true);
        }
      }
      if (patch.scheduledAt) await tx.update(posts).set({ scheduledAt: patch.scheduledAt }).where(eq(posts.id, id));
      await repo.rollUp(tx, id);
      await recordAudit(tx, auditBy(p), origin, { action: 'post.updated', targetType: 'post', targetId: id, details: { fields: Object.keys(patch) } });
      return this.#view(tx, (await repo.post(tx, id))!);
    });
  }

  /** A local date and time of the post's persona, as a UTC instant. */
  async localInstant(p: Principal, id: string, localDate: string, localTime: string) {
    const post = await this.get(p, id);
    const persona = await this.#personas.get(p, post.personaId);
    return localToUtc(localDate, localTime, persona.timezone);
  }

  async cancel(p: Principal, id: string, origin: Origin) {
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      await this.#own(tx, p, id);
      await tx
        .update(postTargets)
        .set({ status: 'cancelled', updatedAt: new Date() })
        .where(and(eq(postTargets.postId, id), inArray(postTargets.status, ['draft', 'scheduled', 'failed', 'needs_review'])));
      await repo.rollUp(tx, id);
      const post = (await repo.post(tx, id))!;
      if (post.status === 'draft' || post.status === 'approved') await tx.update(posts).set({ status: 'cancelled' }).where(eq(posts.id, id));
      await recordAudit(tx, auditBy(p), origin, { action: 'post.cancelled', targetType: 'post', targetId: id });
      return this.#view(tx, (await repo.post(tx, id))!);
    });
  }

  /** 7/30/90-day view in the persona's timezone: each local day with its posts and free slots. */
  async calendar(p: Principal, q: { personaId: string; from?: string | undefined; days: number }) {
    const persona = await this.#personas.get(p, q.personaId);
    const zone = persona.timezone;
    const start = q.from ?? localDay(new Date(), zone).date;
    const dates = localDates(start, q.days);
    const from = localToUtc(dates[0]!, '00:00', zone);
    const to = localToUtc(localDates(dates.at(-1)!, 2)[1]!, '00:00', zone);
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const rows = await repo.postsBetween(tx, [q.personaId], from, to);
      const views = await this.#views(tx, rows);
      const slots = (await repo.slotsOf(tx, q.personaId)).filter((s) => s.enabled);
      return {
        personaId: q.personaId,
        timezone: zone,
        days: dates.map((date) => {
          const dayPosts = views.filter((v) => v.scheduledAt && localDay(new Date(v.scheduledAt), zone).date === date);
          const taken = new Set(dayPosts.map((v) => localDay(new Date(v.scheduledAt!), zone).time));
          return {
            date,
            weekday: isoWeekday(date),
            posts: dayPosts,
            freeSlots: slots
              .filter((s) => !s.weekdays.length || s.weekdays.includes(isoWeekday(date)))
              .filter((s) => !taken.has(s.localTime))
              .map((s) => ({ slotId: s.id, name: s.name, localTime: s.localTime, at: localToUtc(date, s.localTime, zone).toISOString() })),
          };
        }),
      };
    });
  }

  async slots(p: Principal, personaId: string) {
    await this.#personas.get(p, personaId);
    return this.#platform.db.withOrg(p.orgId, (tx) => repo.slotsOf(tx, personaId));
  }

  /** Replaces the persona's slots; a slot sent back with its id keeps it (the web and rhythm apply rely on stable ids). */
  async saveSlots(p: Principal, personaId: string, slots: { id?: string | undefined; name: string; weekdays: number[]; localTime: string; channelIds: string[]; priority: number; enabled: boolean }[], origin: Origin) {
    await this.#personas.get(p, personaId);
    for (const id of new Set(slots.flatMap((s) => s.channelIds))) {
      const channel = await this.#channels.get(p, id);
      if (channel.personaId !== personaId) throw new HttpError(422, 'channel_not_own', `Channel ${channel.handle} belongs to another persona`);
    }
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const known = new Set((await repo.slotsOf(tx, personaId)).map((s) => s.id));
      const kept = slots.filter((s): s is typeof s & { id: string } => !!s.id && known.has(s.id));
      const keptIds = kept.map((s) => s.id);
      await tx.delete(slotTemplates).where(and(eq(slotTemplates.personaId, personaId), keptIds.length ? notInArray(slotTemplates.id, keptIds) : undefined));
      for (const { id, ...s } of kept) await tx.update(slotTemplates).set(s).where(eq(slotTemplates.id, id));
      const fresh = slots.filter((s) => !s.id || !known.has(s.id)).map(({ id: _id, ...s }) => ({ ...s, orgId: p.orgId, personaId }));
      if (fresh.length) await tx.insert(slotTemplates).values(fresh);
      await recordAudit(tx, auditBy(p), origin, { action: 'calendar.slots_saved', targetType: 'persona', targetId: personaId, details: { count: slots.length } });
      return repo.slotsOf(tx, personaId);
    });
  }

  /**
   * Fills empty slots with approved media nobody posted yet, newest first, higher-priority slots first;
   * each filled slot becomes an approved, scheduled post on the slot's channels. Media a slot's channels
   * cannot take (by rating, or a video where only images go) is left for another slot.
   */
  async autofill(p: Principal, personaId: string, q: { from?: string | undefined; days: number }, origin: Origin) {
    const view = await this.calendar(p, { personaId, from: q.from, days: q.days });
    const slots = await this.slots(p, personaId);
    const byId = new Map(slots.map((s) => [s.id, s]));
    const free = view.days
      .flatMap((d) => d.freeSlots)
      .filter((s) => new Date(s.at) > new Date() && byId.get(s.slotId)?.channelIds.length)
      .sort((a, b) => byId.get(b.slotId)!.priority - byId.get(a.slotId)!.priority || a.at.localeCompare(b.at));
    const candidates = await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const used = (await tx.select({ id: posts.assetId }).from(posts).where(and(eq(posts.personaId, personaId), sql`${posts.assetId} is not null`))).map((r) => r.id!);
      return tx
        .select()
        .from(mediaAssets)
        .where(and(eq(mediaAssets.personaId, personaId), eq(mediaAssets.status, 'approved'), inArray(mediaAssets.kind, ['image', 'video']), used.length ? notInArray(mediaAssets.id, used) : undefined))
        .orderBy(desc(mediaAssets.createdAt))
        .limit(500);
    });
    const created = [];
    for (const slot of free) {
      const template = byId.get(slot.slotId)!;
      for (const [i, asset] of candidates.entries()) {
        const caption = await this.#captionFor(p, asset.id);
        let postId: string | undefined;
        try {
          const post = await this.create(p, { personaId, caption, assetId: asset.id, priority: template.priority, targets: template.channelIds.map((channelId) => ({ channelId })) }, origin);
          postId = post.id;
          await this.approve(p, post.id, origin);
          created.push(await this.schedule(p, post.id, new Date(slot.at), origin));
          candidates.splice(i, 1);
          break;
        } catch (error) {
          if (error instanceof HttpError && (error.code === 'rating_not_allowed' || error.code === 'media_kind_not_allowed' || error.code === 'reddit_nsfw_not_allowed')) continue;
          // The slot itself cannot take a post (budget spent, subreddit too soon…): leave it empty.
          if (error instanceof HttpError && SLOT_REFUSALS.has(error.code)) {
            if (postId) await this.cancel(p, postId, origin);
            break;
          }
          throw error;
        }
      }
    }
    return created;
  }

  async #captionFor(p: Principal, assetId: string) {
    const rows = await this.#platform.db.withOrg(p.orgId, (tx) => tx.select({ text: captions.text }).from(captions).where(eq(captions.assetId, assetId)).orderBy(desc(captions.createdAt)).limit(1));
    return rows[0]?.text ?? '';
  }

  async #own(tx: Tx, p: Principal, id: string) {
    const post = await repo.post(tx, id);
    if (!post || !canSeePersona(p, post.personaId)) throw notFound('post');
    return post;
  }

  async #view(tx: Tx, post: repo.PostRow) {
    return (await this.#views(tx, [post]))[0]!;
  }

  async #views(tx: Tx, rows: repo.PostRow[]) {
    const targets = await repo.targetsOf(tx, rows.map((r) => r.id));
    return rows.map((post) => ({
      id: post.id,
      personaId: post.personaId,
      status: post.status,
      caption: post.caption,
      priority: post.priority,
      assetId: post.assetId,
      scheduledAt: post.scheduledAt?.toISOString() ?? null,
      createdAt: post.createdAt.toISOString(),
      targets: targets
        .filter((t) => t.postId === post.id)
        .map((t) => ({
          id: t.id,
          channelId: t.channelId,
          variant: t.variant,
          text: t.text,
          options: t.options as Record<string, unknown>,
          status: t.status,
          scheduledAt: t.scheduledAt?.toISOString() ?? null,
          attempts: t.attempts,
          publishedAt: t.publishedAt?.toISOString() ?? null,
          remoteId: t.remoteId,
          remoteUrl: t.remoteUrl,
          error: (t.error as { message: string; kind?: string } | null) ?? null,
          costCents: t.costCents,
        })),
    }));
  }
}
