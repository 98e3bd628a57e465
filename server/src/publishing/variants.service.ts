/**
 * A/B tests of one post: 2–4 variants (A…D), each a caption and/or a media, spread over the post's
 * targets, then judged by Thompson sampling (ab-test.ts) each time new metrics arrive.
 *
 * Spread modes:
 * - `channels`: the post's unsent targets, one per channel, take the variants round-robin (A on the
 *   first channel, B on the second…); needs at least as many channels as variants;
 * - `slots`: every variant becomes its own target on one channel, at successive times (given, or the
 *   persona's next free slots). The first variant goes when the post goes; when the post is moved the
 *   others keep their spacing (`variantTime`).
 *
 * Every variant is checked like a post (persona's own approved, rated media; the channel's policy router,
 * disclosure included) through CalendarService.plan. Variants can be replaced until a target is sent.
 * A decided winner stays until another variant is decided the winner.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Platform } from '../platform/platform.ts';
import type { Tx } from '../platform/db/database.ts';
import { postMetrics, postTargets, postVariants, posts } from '../platform/db/schema/index.ts';
import type { Origin, Principal } from '../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../platform/audit/audit.ts';
import { HttpError } from '../platform/http/problem.ts';
import type { CalendarService } from './calendar.service.ts';
import { evaluate, MIN_IMPRESSIONS, seededRng, WIN_PROBABILITY, type AbVerdict } from './ab-test.ts';
import { FIGURES, figuresOf, type Figure } from './metrics.service.ts';

export const VARIANT_KEYS = ['A', 'B', 'C', 'D'] as const;
export const SPREAD_MODES = ['channels', 'slots'] as const;
export type SpreadMode = (typeof SPREAD_MODES)[number];

export interface VariantInput {
  caption?: string | undefined;
  assetId?: string | null | undefined;
}

export interface SpreadInput {
  mode: SpreadMode;
  variants: VariantInput[];
  /** slots: the channel the variants go to (default: the post's only channel). */
  channelId?: string | undefined;
  /** slots: one time per variant (default: the persona's next free slots). */
  times?: Date[] | undefined;
}

const UNSENT = new Set(['draft', 'scheduled', 'failed']);
const LOCKED = new Set(['publishing', 'published', 'needs_review']);

type TargetTimes = Pick<typeof postTargets.$inferSelect, 'id' | 'channelId' | 'variantKey' | 'scheduledAt'>;

/**
 * When a target goes if its post is (re)scheduled at `at`: slot-spread variants (several variant targets
 * on one channel) keep their spacing after the first; every other target goes at `at`.
 */
export function variantTime(target: TargetTimes, all: TargetTimes[], at: Date): Date {
  if (!target.variantKey || !target.scheduledAt) return at;
  const group = all.filter((t) => t.channelId === target.channelId && t.variantKey && t.scheduledAt);
  if (group.length < 2) return at;
  const first = Math.min(...group.map((t) => t.scheduledAt!.getTime()));
  return new Date(at.getTime() + (target.scheduledAt.getTime() - first));
}

export class VariantsService {
  readonly #platform: Platform;
  readonly #calendar: CalendarService;

  constructor(platform: Platform, deps: { calendar: CalendarService }) {
    this.#platform = platform;
    this.#calendar = deps.calendar;
  }

  /** Replaces the post's variants and spreads them over its targets. */
  async replace(p: Principal, postId: string, input: SpreadInput, origin: Origin) {
    const post = await this.#calendar.get(p, postId);
    if (post.status === 'cancelled') throw new HttpError(409, 'cancelled', 'This post was cancelled');
    if (post.targets.some((t) => LOCKED.has(t.status))) throw new HttpError(409, 'variants_locked', 'A target of this post is already sent or being sent: its variants can no longer change');
    if (input.variants.length < 2 || input.variants.length > VARIANT_KEYS.length) throw new HttpError(422, 'variant_count', 'An A/B test has 2 to 4 variants');
    const variants = input.variants.map((v, i) => {
      const caption = v.caption?.trim() ? v.caption : '';
      if (!caption && !v.assetId) throw new HttpError(422, 'variant_empty', `Variant ${VARIANT_KEYS[i]} needs a caption or a media`);
      return { key: VARIANT_KEYS[i]!, caption, assetId: v.assetId ?? null, sendCaption: caption || post.caption, sendAssetId: v.assetId ?? post.assetId };
    });
    const unsent = post.targets.filter((t) => UNSENT.has(t.status));
    const planOne = async (v: (typeof variants)[number], t: { channelId: string; variant: string; options: Record<string, unknown> }) =>
      (await this.#calendar.plan(p, { personaId: post.personaId, caption: v.sendCaption, assetId: v.sendAssetId, targets: [{ channelId: t.channelId, variant: t.variant, options: t.options }] }))[0]!;

    let writes: (tx: Tx) => Promise<void>;
    let firstSlot: Date | null = null;
    if (input.mode === 'channels') {
      const seen = new Set<string>();
      const kept = unsent.filter((t) => !seen.has(t.channelId) && seen.add(t.channelId));
      const dropped = unsent.filter((t) => !kept.includes(t));
      if (kept.length < variants.length) throw new HttpError(422, 'not_enough_channels', `Spreading ${variants.length} variants over channels needs at least ${variants.length} channels on the post`);
      const planned: { id: string; key: string; assetId: string | null; text: string }[] = [];
      for (const [i, t] of kept.entries()) {
        const v = variants[i % variants.length]!;
        planned.push({ id: t.id, key: v.key, assetId: v.sendAssetId, text: (await planOne(v, t)).text });
      }
      writes = async (tx) => {
        if (dropped.length) await tx.delete(postTargets).where(inArray(postTargets.id, dropped.map((t) => t.id)));
        for (const t of planned) await tx.update(postTargets).set({ variantKey: t.key, text: t.text, assetId: t.assetId, updatedAt: new Date() }).where(eq(postTargets.id, t.id));
      };
    } else {
      const channelIds = [...new Set(post.targets.map((t) => t.channelId))];
      const channelId = input.channelId ?? (channelIds.length === 1 ? channelIds[0] : undefined);
      if (!channelId) throw new HttpError(422, 'channel_required', 'Choose the channel the variants take turns on');
      const times = (input.times ?? (await this.#nextSlots(p, post.personaId, variants.length))).map((d) => new Date(d)).sort((a, b) => a.getTime() - b.getTime());
      if (times.length !== variants.length) throw new HttpError(422, 'not_enough_slots', `${variants.length} variants need ${variants.length} times (or as many free slots in the next 30 days)`);
      if (times[0]!.getTime() < Date.now() - 60_000) throw new HttpError(422, 'in_the_past', 'That time has already passed');
      firstSlot = times[0]!;
      const base = post.targets.find((t) => t.channelId === channelId) ?? { channelId, variant: 'original', options: {} };
      const rows: (typeof postTargets.$inferInsert)[] = [];
      for (const [i, v] of variants.entries()) rows.push({ ...(await planOne(v, base)), assetId: v.sendAssetId, variantKey: v.key, scheduledAt: times[i]!, orgId: p.orgId, postId });
      const replaced = unsent.filter((t) => t.channelId === channelId).map((t) => t.id);
      writes = async (tx) => {
        if (replaced.length) await tx.delete(postTargets).where(inArray(postTargets.id, replaced));
        await tx.insert(postTargets).values(rows);
        if (post.status === 'draft' || post.status === 'approved') await tx.update(posts).set({ scheduledAt: firstSlot, updatedAt: new Date() }).where(eq(posts.id, postId));
      };
    }

    await this.#platform.db.withOrg(p.orgId, async (tx) => {
      await tx.delete(postVariants).where(eq(postVariants.postId, postId));
      await tx.insert(postVariants).values(variants.map((v) => ({ orgId: p.orgId, postId, key: v.key, caption: v.caption, assetId: v.assetId })));
      await writes(tx);
      await recordAudit(tx, auditBy(p), origin, { action: 'post.variants_set', targetType: 'post', targetId: postId, details: { mode: input.mode, variants: variants.length } });
    });
    // Slot targets are new rows: on a post already queued they are queued too (schedule does it, from
    // the first slot). Channel-spread targets keep their jobs: text and media are read at send time.
    if (firstSlot && (post.status === 'scheduled' || post.status === 'failed')) await this.#calendar.schedule(p, postId, firstSlot, origin);
    return this.view(p, postId);
  }

  async #nextSlots(p: Principal, personaId: string, count: number): Promise<Date[]> {
    const view = await this.#calendar.calendar(p, { personaId, days: 30 });
    const now = Date.now();
    return view.days
      .flatMap((d) => d.freeSlots.map((s) => new Date(s.at)))
      .filter((d) => d.getTime() > now)
      .slice(0, count);
  }

  /** The post's variants with their summed figures, P(best) and the decision. */
  async view(p: Principal, postId: string) {
    await this.#calendar.get(p, postId);
    const data = await this.#platform.db.withOrg(p.orgId, (tx) => this.#load(tx, postId));
    return present(postId, data, verdictOf(postId, data));
  }

  /**
   * Judges the post's test on the stored figures and records the probabilities and the winner (sticky
   * until another variant wins); a new winner is audited and announced live.
   */
  async evaluate(orgId: string, postId: string) {
    const winner = await this.#platform.db.withOrg(orgId, async (tx) => {
      const data = await this.#load(tx, postId);
      if (!data.variants.length) return null;
      const verdict = verdictOf(postId, data);
      const previous = data.variants.find((v) => v.winner)?.key ?? null;
      const next = verdict.winner ?? previous;
      for (const v of data.variants) {
        const probability = verdict.probabilities?.[v.key];
        await tx
          .update(postVariants)
          .set({ winner: v.key === next, winProbability: probability === undefined ? null : Math.round(probability * 100) })
          .where(and(eq(postVariants.postId, postId), eq(postVariants.key, v.key)));
      }
      if (!verdict.winner || verdict.winner === previous) return null;
      const probability = verdict.probabilities![verdict.winner]!;
      await recordAudit(tx, { orgId }, { ip: null, userAgent: 'metrics', requestId: null }, { action: 'post.variant_winner', targetType: 'post', targetId: postId, details: { key: verdict.winner, probability } });
      return { key: verdict.winner, probability, personaId: data.personaId };
    });
    if (winner) await this.#platform.events.publish({ type: 'post.variant_winner', orgId, personaId: winner.personaId, data: { postId, key: winner.key, probability: winner.probability } });
    return winner;
  }

  async #load(tx: Tx, postId: string) {
    // One query at a time: a transaction is one connection.
    const variants = await tx.select().from(postVariants).where(eq(postVariants.postId, postId)).orderBy(asc(postVariants.key));
    const targets = await tx.select({ id: postTargets.id, variantKey: postTargets.variantKey }).from(postTargets).where(eq(postTargets.postId, postId));
    const post = await tx.select({ personaId: posts.personaId }).from(posts).where(eq(posts.id, postId));
    const ids = targets.map((t) => t.id);
    const metrics = ids.length ? await tx.select().from(postMetrics).where(inArray(postMetrics.targetId, ids)) : [];
    return { variants, targets, metrics: new Map(metrics.map((m) => [m.targetId, m])), personaId: post[0]?.personaId };
  }
}

interface Loaded {
  variants: (typeof postVariants.$inferSelect)[];
  targets: { id: string; variantKey: string | null }[];
  metrics: Map<string, typeof postMetrics.$inferSelect>;
  personaId: string | undefined;
}

/**
 * Sums each variant's figures. Impressions (and the successes compared with them) only count targets
 * whose platform reports impressions, so a variant also shown on Reddit is judged on its X/Instagram
 * share alone; a variant with none of those has null impressions and cannot be judged.
 */
function totals(data: Loaded) {
  return data.variants.map((v) => {
    const mine = data.targets.filter((t) => t.variantKey === v.key);
    const sums = Object.fromEntries(FIGURES.map((f) => [f, 0])) as Record<Figure, number>;
    let impressions: number | null = null;
    let successes = 0;
    for (const t of mine) {
      const row = data.metrics.get(t.id);
      if (!row) continue;
      const f = figuresOf(row);
      for (const name of FIGURES) sums[name] += f[name] ?? 0;
      if (f.impressions !== null) {
        impressions = (impressions ?? 0) + f.impressions;
        successes += (f.likes ?? 0) + (f.comments ?? 0) + (f.shares ?? 0) + (f.clicks ?? 0);
      }
    }
    return { key: v.key, targetIds: mine.map((t) => t.id), sums, impressions, successes };
  });
}

function verdictOf(postId: string, data: Loaded): AbVerdict {
  // Seeded by the post: the same figures always give the same probabilities (re-runs change nothing).
  return evaluate(
    totals(data).map((t) => ({ key: t.key, impressions: t.impressions, successes: t.successes })),
    { rng: seededRng(postId) },
  );
}

function present(postId: string, data: Loaded, verdict: AbVerdict) {
  const sums = new Map(totals(data).map((t) => [t.key, t]));
  return {
    postId,
    variants: data.variants.map((v) => {
      const t = sums.get(v.key)!;
      return {
        key: v.key,
        caption: v.caption,
        assetId: v.assetId,
        winner: v.winner,
        probability: verdict.probabilities?.[v.key] ?? null,
        targetIds: t.targetIds,
        impressions: t.impressions,
        successes: t.successes,
        likes: t.sums.likes,
        comments: t.sums.comments,
        shares: t.sums.shares,
        clicks: t.sums.clicks,
      };
    }),
    decision: { winner: data.variants.find((v) => v.winner)?.key ?? null, reason: data.variants.length ? verdict.reason : null, threshold: WIN_PROBABILITY, minImpressions: MIN_IMPRESSIONS },
  };
}
