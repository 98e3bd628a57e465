/**
 * Per-channel platform spend. X bills every post (PLATFORMS.md: $0.015, $0.20 with a link); a channel's
 * `settings.costBudgetCents` caps what one calendar month (UTC) may cost. Scheduling counts what was
 * published that month plus what is already scheduled for it; the dispatcher checks again just before
 * sending, against what was actually published.
 *
 * Cents are whole and rounded up: the books hold integer minor units, and rounding up means a budget can
 * never be overrun by rounding. A $0.015 post is therefore counted (and booked) as 2 cents — X bills the
 * exact total, so the books over-state by at most half a cent per post.
 */
import { and, eq, gte, inArray, lt, ne, sql } from 'drizzle-orm';
import type { Tx } from '../platform/db/database.ts';
import { channels, postTargets, posts } from '../platform/db/schema/index.ts';
import { recordCost } from '../sales/ledger/cost-lines.repository.ts';
import { xPostCostCents } from './connectors/x/index.ts';
import type { PlatformName, PublishResult } from './connectors/types.ts';

export const SPEND_CURRENCY = 'USD';

/** What one post to `platform` costs, in whole cents (0 where posting is free). */
export function postCostCents(platform: PlatformName | string, text: string, hasMedia: boolean): number {
  return platform === 'x' ? Math.ceil(xPostCostCents(text, hasMedia)) : 0;
}

export function budgetCents(settings: Record<string, unknown>): number | null {
  const b = settings.costBudgetCents;
  return typeof b === 'number' && Number.isFinite(b) && b >= 0 ? Math.floor(b) : null;
}

/** YYYY-MM of an instant, in UTC. */
export const monthOf = (t: Date) => t.toISOString().slice(0, 7);

export function monthRange(month: string): { from: Date; to: Date } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return { from: new Date(Date.UTC(y, m - 1, 1)), to: new Date(Date.UTC(y, m, 1)) };
}

export interface MonthSpend {
  month: string;
  currency: string;
  budgetCents: number | null;
  /** Booked: targets published this month. */
  publishedCents: number;
  /** Expected: targets scheduled (or being sent) for this month. */
  scheduledCents: number;
  remainingCents: number | null;
}

/** One channel's spend in `month`; `exceptTargetId` leaves out a target being (re)scheduled. */
export async function channelSpend(tx: Tx, channel: { id: string; platform: string; settings: unknown }, month: string, exceptTargetId?: string): Promise<MonthSpend> {
  const { from, to } = monthRange(month);
  const except = exceptTargetId ? ne(postTargets.id, exceptTargetId) : undefined;
  const [published] = await tx
    .select({ cents: sql<string>`coalesce(sum(${postTargets.costCents}), 0)` })
    .from(postTargets)
    .where(and(eq(postTargets.channelId, channel.id), eq(postTargets.status, 'published'), gte(postTargets.publishedAt, from), lt(postTargets.publishedAt, to), except));
  const pending = await tx
    .select({ text: postTargets.text, assetId: postTargets.assetId })
    .from(postTargets)
    .where(and(eq(postTargets.channelId, channel.id), inArray(postTargets.status, ['scheduled', 'publishing']), gte(postTargets.scheduledAt, from), lt(postTargets.scheduledAt, to), except));
  const publishedCents = Number(published?.cents ?? 0);
  const scheduledCents = pending.reduce((sum, t) => sum + postCostCents(channel.platform, t.text, t.assetId !== null), 0);
  const budget = budgetCents((channel.settings ?? {}) as Record<string, unknown>);
  return { month, currency: SPEND_CURRENCY, budgetCents: budget, publishedCents, scheduledCents, remainingCents: budget === null ? null : budget - publishedCents - scheduledCents };
}

export interface BudgetRefusal {
  code: 'x_budget_exceeded';
  message: string;
  details: { channelId: string; month: string; budgetCents: number; spentCents: number; scheduledCents: number; postCents: number };
}

const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;

/**
 * Would sending this target break its channel's monthly budget? At scheduling (`atSend` false) the
 * month's scheduled posts count too; just before sending, what was really published and what other sends
 * hold right now (holdBudgetForSend). Call it with the channel's row locked (channels/lock.ts) in the
 * transaction that books the slot or the hold, so simultaneous requests are counted one after the other.
 */
export async function budgetRefusal(
  tx: Tx,
  channel: { id: string; platform: string; handle: string; settings: unknown },
  target: { id: string; text: string; assetId: string | null },
  at: Date,
  atSend = false,
): Promise<BudgetRefusal | null> {
  const postCents = postCostCents(channel.platform, target.text, target.assetId !== null);
  const budget = budgetCents((channel.settings ?? {}) as Record<string, unknown>);
  if (postCents === 0 || budget === null) return null;
  const spend = await channelSpend(tx, channel, monthOf(at), target.id);
  const scheduledCents = atSend ? await heldCents(tx, channel.id, target.id) : spend.scheduledCents;
  if (spend.publishedCents + scheduledCents + postCents <= budget) return null;
  return {
    code: 'x_budget_exceeded',
    message:
      `${channel.handle}: this post (${dollars(postCents)}) would exceed the ${spend.month} X budget of ${dollars(budget)} — ` +
      `${dollars(spend.publishedCents)} spent${atSend ? (scheduledCents ? `, ${dollars(scheduledCents)} being sent` : '') : `, ${dollars(scheduledCents)} already scheduled`}`,
    details: { channelId: channel.id, month: spend.month, budgetCents: budget, spentCents: spend.publishedCents, scheduledCents, postCents },
  };
}

/** Key in a target's `meta` while it is being sent: the cents its send holds against the budget. */
export const BUDGET_HOLD = 'budgetHold';

/** What other targets of the channel being sent now hold (they passed this check and have not landed yet). */
async function heldCents(tx: Tx, channelId: string, exceptTargetId: string): Promise<number> {
  const [row] = await tx
    .select({ cents: sql<string>`coalesce(sum((${postTargets.meta}->>${BUDGET_HOLD}::text)::int), 0)` })
    .from(postTargets)
    .where(and(eq(postTargets.channelId, channelId), eq(postTargets.status, 'publishing'), ne(postTargets.id, exceptTargetId), sql`${postTargets.meta} ? ${BUDGET_HOLD}::text`));
  return Number(row?.cents ?? 0);
}

/**
 * The last look before sending (the target is `publishing`): refused, or the post's cost held in its `meta`
 * so a simultaneous send of the same channel counts it. Publishing replaces `meta` and books the cost in one
 * transaction; a target that fails or is rescheduled leaves `publishing` and holds nothing; the dispatcher
 * clears a stale hold when it claims the target again.
 */
export async function holdBudgetForSend(tx: Tx, channel: { id: string; platform: string; handle: string; settings: unknown }, target: { id: string; text: string; assetId: string | null }) {
  const refusal = await budgetRefusal(tx, channel, target, new Date(), true);
  const postCents = postCostCents(channel.platform, target.text, target.assetId !== null);
  if (!refusal && postCents > 0 && budgetCents((channel.settings ?? {}) as Record<string, unknown>) !== null) {
    await tx
      .update(postTargets)
      .set({ meta: sql`coalesce(${postTargets.meta}, '{}'::jsonb) || ${JSON.stringify({ [BUDGET_HOLD]: postCents })}::jsonb` })
      .where(eq(postTargets.id, target.id));
  }
  return refusal;
}

/**
 * Stores what a published target cost and books it as a cost line, once per publication: the target id
 * for the first one, target id + idempotency key for an explicit republish (a new, billed post).
 * Call it in the transaction that marks the target published, before that update.
 */
export async function bookPublishCost(tx: Tx, targetId: string, result: PublishResult) {
  const [row] = await tx.select().from(postTargets).where(eq(postTargets.id, targetId));
  if (!row || row.status === 'published') return;
  const [channel] = await tx.select().from(channels).where(eq(channels.id, row.channelId));
  if (!channel) return;
  const reported = typeof result.meta?.costCents === 'number' ? Math.ceil(result.meta.costCents) : null;
  const cents = reported ?? postCostCents(channel.platform, row.text, row.assetId !== null);
  if (cents <= 0) return;
  const [post] = await tx.select({ personaId: posts.personaId }).from(posts).where(eq(posts.id, row.postId));
  await tx.update(postTargets).set({ costCents: row.costCents + cents }).where(eq(postTargets.id, row.id));
  await recordCost(tx, row.orgId, {
    personaId: post?.personaId ?? null,
    kind: 'platform',
    description: `${channel.platform === 'x' ? 'X' : channel.platform} post by ${channel.handle}`,
    amountMinor: cents,
    currency: SPEND_CURRENCY,
    occurredOn: new Date().toISOString().slice(0, 10),
    source: 'publishing',
    sourceId: row.costCents > 0 ? `${row.id}:${row.idempotencyKey}` : row.id,
  });
}
