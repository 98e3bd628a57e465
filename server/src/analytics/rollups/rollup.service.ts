/**
 * Ingestion into the daily rollups, per organization, on a schedule.
 *
 * Post metrics and follower counts are NOT fetched here: publishing's metrics round (`publishing.metrics`,
 * hourly at :23, with its own per-channel rate-limit back-off) keeps the platforms' latest cumulative
 * figures in post_metrics and channel_cache. This job (hourly at :41) turns those into daily figures:
 *
 * - posts (per channel): the day's change of the channel's summed counters (today's totals minus the totals
 *   stored on the channel's previous row). Changes are attributed to the UTC day they were observed; a
 *   channel seen for the first time gets its history so far spread over its posts' publication days.
 *   Publications and failures per day are counted from the targets themselves (recomputed over a window).
 * - audience (per channel): the follower count seen today and its change since the previous row.
 * - conversions (per persona): tracking-link clicks and subscribers, the change of each link's counters.
 *   Fanvue's links are refreshed here (the only outside call), at most every LINK_REFRESH_HOURS per link,
 *   skipping a channel that is rate limited (until the platform's reset) or needs reconnecting.
 * - revenue and costs (per persona and currency): from the Sales ledger's services, rewritten over a window.
 * - tech (per persona): generation run times and chat reply times, rewritten over a window.
 *
 * Every write replaces a row by its natural key (or a family over its window), so running the job again —
 * the same hour or the same day — changes nothing that was not new. The organization's daily totals
 * (analytics_org_daily, what agency-wide views read) are rewritten for the families and days written.
 */
import { and, eq, gte, isNotNull, lt, sql } from 'drizzle-orm';
import type { Platform } from '../../platform/platform.ts';
import type { Tx } from '../../platform/db/database.ts';
import { analyticsDaily, organizations } from '../../platform/db/schema/index.ts';
import type { Origin } from '../../platform/auth/principal.ts';
import { HttpError } from '../../platform/http/problem.ts';
import type { PersonasService } from '../../personas/index.ts';
import { ACCOUNT_METRICS_KEY } from '../../publishing/metrics.service.ts';
import type { ReportingService } from '../../sales/ledger/reporting.service.ts';
import type { BillingService } from '../../sales/ledger/billing.service.ts';
import type { TrackingLinksService } from '../../sales/catalogue/tracking-links.service.ts';
import { addDays, utcDay } from '../range.ts';
import { systemPrincipal } from '../system.ts';
import * as sources from './sources.ts';
import * as store from './store.ts';

export const ROLLUP_JOB = 'analytics.rollup';
/** Hourly, after publishing's metrics round (:23) has had time to finish. */
export const ROLLUP_SCHEDULE = '41 * * * *';
export const ROLLUP_NIGHTLY_JOB = 'analytics.rollup-nightly';
/** Once a night: money over two years, for ledger imports that reach far back. */
export const ROLLUP_NIGHTLY_SCHEDULE = '17 3 * * *';
export const REBUILD_JOB = 'analytics.rebuild';

/** Days recomputed on the hourly run for event families (outcomes, tech) and for money. */
export const HOURLY_DAYS = 3;
export const HOURLY_MONEY_DAYS = 62;
export const NIGHTLY_DAYS = 35;
export const NIGHTLY_MONEY_DAYS = 731;
export const LINK_REFRESH_HOURS = 6;
const RATE_LIMIT_BACKOFF_SECONDS = 15 * 60;

const ORIGIN: Origin = { ip: null, userAgent: 'analytics', requestId: null };
const COUNTERS = ['impressions', 'likes', 'comments', 'shares', 'clicks'] as const;
type Counters = Record<(typeof COUNTERS)[number], number>;

const zero = (): Counters => ({ impressions: 0, likes: 0, comments: 0, shares: 0, clicks: 0 });
const countersOf = (v: unknown): Counters | null => {
  const o = v as Partial<Counters> | null;
  return o && typeof o.impressions === 'number' ? Object.fromEntries(COUNTERS.map((k) => [k, Number(o[k] ?? 0)])) as Counters : null;
};
const minus = (a: Counters, b: Counters): Counters => Object.fromEntries(COUNTERS.map((k) => [k, a[k] - b[k]])) as Counters;
const plus = (a: Counters, b: Counters): Counters => Object.fromEntries(COUNTERS.map((k) => [k, a[k] + b[k]])) as Counters;

export interface RollupOptions {
  /** Window of event families (publications, failures, tech), ending today. */
  days?: number;
  /** Window of money families (revenue, costs), ending today. */
  moneyDays?: number;
  /** Refresh Fanvue tracking links (outside calls) first. */
  refreshLinks?: boolean;
}

export interface RollupResult {
  orgId: string;
  day: string;
  channels: number;
  personas: number;
  links: { refreshed: number; skipped: number };
  problems: string[];
}

interface Deps {
  personas: PersonasService;
  reporting: ReportingService;
  billing: BillingService;
  links: TrackingLinksService;
}

export class RollupService {
  readonly #platform: Platform;
  readonly #deps: Deps;
  /** Channel id → epoch ms before which its tracking links are not asked for again. */
  readonly #backoff = new Map<string, number>();

  constructor(platform: Platform, deps: Deps) {
    this.#platform = platform;
    this.#deps = deps;
  }

  register() {
    const { jobs } = this.#platform;
    jobs.register({ name: ROLLUP_JOB, schedule: ROLLUP_SCHEDULE, options: { retryLimit: 0, expireInSeconds: 3600 }, handler: () => this.rollupAll(new Date()) });
    jobs.register({
      name: ROLLUP_NIGHTLY_JOB,
      schedule: ROLLUP_NIGHTLY_SCHEDULE,
      options: { retryLimit: 1, expireInSeconds: 3 * 3600 },
      handler: () => this.rollupAll(new Date(), { days: NIGHTLY_DAYS, moneyDays: NIGHTLY_MONEY_DAYS, refreshLinks: false }),
    });
    jobs.register<{ orgId: string; from: string; to: string }>({
      name: REBUILD_JOB,
      options: { retryLimit: 1, expireInSeconds: 3 * 3600 },
      handler: ({ data }) => this.rebuild(data.orgId, data.from, data.to),
    });
  }

  async rollupAll(now = new Date(), opts: RollupOptions = {}) {
    const orgs = await this.#platform.db.withSystem((tx) => tx.select({ id: organizations.id }).from(organizations));
    const results: RollupResult[] = [];
    for (const org of orgs) {
      try {
        results.push(await this.rollupOrg(org.id, now, opts));
      } catch (error) {
        // One organization's trouble (a missing table row, a bad setting) must not starve the others.
        this.#platform.log.warn({ err: error, orgId: org.id }, 'analytics rollup failed for an organization');
      }
    }
    return results;
  }

  async rollupOrg(orgId: string, now = new Date(), opts: RollupOptions = {}): Promise<RollupResult> {
    const today = utcDay(now);
    const end = addDays(today, 1);
    const problems: string[] = [];
    const links = opts.refreshLinks === false ? { refreshed: 0, skipped: 0 } : await this.#refreshLinks(orgId, now, problems);
    const linkList = await this.#deps.links.list(systemPrincipal(orgId), undefined);
    const snapshot = await this.#platform.db.withOrg(orgId, (tx) => this.#snapshots(tx, orgId, today, linkList));
    await this.#events(orgId, addDays(today, -((opts.days ?? HOURLY_DAYS) - 1)), end);
    problems.push(...(await this.#money(orgId, addDays(today, -((opts.moneyDays ?? HOURLY_MONEY_DAYS) - 1)), end)));
    return { orgId, day: today, ...snapshot, links, problems };
  }

  /** Recomputes what can be recomputed from its source for [from, to]: publications, failures, tech, revenue, costs. */
  async rebuild(orgId: string, from: string, to: string) {
    const end = addDays(to, 1);
    await this.#events(orgId, from, end);
    return { problems: await this.#money(orgId, from, end) };
  }

  /** Today's counters: posts engagement, followers, tracking-link conversions. */
  async #snapshots(tx: Tx, orgId: string, today: string, linkList: { id: string; personaId: string; clicks: number; subscribers: number }[]) {
    const counters = await sources.channelCounters(tx);
    let earliest = today;
    for (const c of counters) {
      const current: Counters = { impressions: c.impressions, likes: c.likes, comments: c.comments, shares: c.shares, clicks: c.clicks };
      const scope = { channelId: c.channelId, personaId: c.personaId };
      const prev = await store.previousRow(tx, 'posts', today, scope, sql`${analyticsDaily.cumulative} ? 'impressions'`);
      const rows: store.RollupRow[] = [];
      let base = countersOf(prev?.cumulative);
      if (!base) {
        // First sight of this channel: its history so far, by the day each post went out.
        base = zero();
        for (const h of await sources.countersByPublishDay(tx, c.channelId)) {
          if (h.day >= today) continue;
          const delta: Counters = { impressions: h.impressions, likes: h.likes, comments: h.comments, shares: h.shares, clicks: h.clicks };
          base = plus(base, delta);
          rows.push({ orgId, day: h.day, family: 'posts', ...scope, currency: '', ...delta, cumulative: base });
          if (h.day < earliest) earliest = h.day;
        }
      }
      rows.push({ orgId, day: today, family: 'posts', ...scope, currency: '', ...minus(current, base), cumulative: current });
      await store.upsert(tx, rows, [...COUNTERS, 'cumulative']);
    }

    const followers = await sources.followerCounts(tx, ACCOUNT_METRICS_KEY);
    for (const f of followers) {
      const scope = { channelId: f.channelId, personaId: f.personaId };
      const prev = await store.previousRow(tx, 'audience', today, scope, isNotNull(analyticsDaily.followers));
      const change = prev?.followers == null ? 0 : f.followers - prev.followers;
      await store.upsert(tx, [{ orgId, day: today, family: 'audience', ...scope, currency: '', followers: f.followers, followerChange: change }], ['followers', 'followerChange']);
    }

    const byPersona = new Map<string, Record<string, { clicks: number; subscribers: number }>>();
    for (const l of linkList) byPersona.set(l.personaId, { ...(byPersona.get(l.personaId) ?? {}), [l.id]: { clicks: l.clicks, subscribers: l.subscribers } });
    for (const [personaId, current] of byPersona) {
      const prev = await store.previousRow(tx, 'conversions', today, { channelId: null, personaId });
      const before = ((prev?.cumulative as { links?: Record<string, { clicks: number; subscribers: number }> } | undefined)?.links ?? {}) as Record<string, { clicks: number; subscribers: number }>;
      let clicks = 0;
      let subscribers = 0;
      for (const [id, now] of Object.entries(current)) {
        clicks += now.clicks - (before[id]?.clicks ?? 0);
        subscribers += now.subscribers - (before[id]?.subscribers ?? 0);
      }
      await store.upsert(tx, [{ orgId, day: today, family: 'conversions', personaId, channelId: null, currency: '', linkClicks: clicks, linkSubscribers: subscribers, cumulative: { links: current } }], ['linkClicks', 'linkSubscribers', 'cumulative']);
    }
    await store.refreshOrgTotals(tx, ['posts', 'audience', 'conversions'], earliest, addDays(today, 1));
    return { channels: new Set([...counters.map((c) => c.channelId), ...followers.map((f) => f.channelId)]).size, personas: byPersona.size };
  }

  /** Publications, failures and technical figures over [from, end), recomputed from their source. */
  async #events(orgId: string, from: string, end: string) {
    await this.#platform.db.withOrg(orgId, async (tx) => {
      await tx
        .update(analyticsDaily)
        .set({ published: 0, failed: 0 })
        .where(and(eq(analyticsDaily.family, 'posts'), gte(analyticsDaily.day, from), lt(analyticsDaily.day, end)));
      const outcomes = await sources.publicationOutcomes(tx, from, end);
      await store.upsert(
        tx,
        outcomes.map((o) => ({ orgId, day: o.day, family: 'posts' as const, personaId: o.personaId, channelId: o.channelId, currency: '', published: o.published, failed: o.failed })),
        ['published', 'failed'],
      );
      const tech = await sources.technicalFigures(tx, from, end);
      await store.replace(
        tx,
        'tech',
        from,
        end,
        tech.map(({ personaId, day, ...figures }) => ({ orgId, day, family: 'tech' as const, personaId, channelId: null, currency: '', ...figures })),
      );
      await store.refreshOrgTotals(tx, ['posts', 'tech'], from, end);
    });
  }

  /** Revenue and costs over [from, end) through the ledger's services, per persona, day and currency. */
  async #money(orgId: string, from: string, end: string): Promise<string[]> {
    const p = systemPrincipal(orgId);
    const problems: string[] = [];
    const revenue = await this.#deps.reporting.revenue(p, { from: new Date(`${from}T00:00:00Z`), to: new Date(`${end}T00:00:00Z`) });
    const revenueRows: store.RollupRow[] = revenue.days.flatMap((d) =>
      d.byCurrency.map((c) => ({ orgId, day: d.day, family: 'revenue' as const, personaId: d.personaId, channelId: null, currency: c.currency, grossMinor: c.grossMinor, feeMinor: c.feeMinor, netMinor: c.netMinor, transactions: c.count })),
    );

    const costs = new Map<string, store.RollupRow>();
    const addCost = (personaId: string | null, day: string, currency: string, minor: number) => {
      const key = `${personaId}|${day}|${currency}`;
      const row = costs.get(key) ?? { orgId, day, family: 'costs' as const, personaId, channelId: null, currency, costMinor: 0 };
      row.costMinor = (row.costMinor ?? 0) + minor;
      costs.set(key, row);
    };
    const months: string[] = [];
    for (let m = from.slice(0, 7); m <= addDays(end, -1).slice(0, 7); m = nextMonth(m)) months.push(m);
    for (const month of months) {
      const { items } = await this.#deps.billing.costs(p, { month, limit: 1_000_000 });
      for (const c of items) if (c.occurredOn >= from && c.occurredOn < end) addCost(c.personaId, c.occurredOn, c.currency, c.amountMinor);
    }
    // Each persona's fixed monthly infrastructure share, booked on the 1st like the monthly statement does.
    const personas = await this.#deps.personas.list(p);
    for (const persona of personas) {
      const profile = await this.#deps.billing.profile(p, persona.id);
      if (!profile.configured || !profile.infrastructureMinor) continue;
      for (const month of months) {
        const first = `${month}-01`;
        if (first >= from && first < end) addCost(persona.id, first, profile.currency, profile.infrastructureMinor);
      }
    }
    await this.#platform.db.withOrg(orgId, async (tx) => {
      await store.replace(tx, 'revenue', from, end, revenueRows);
      await store.replace(tx, 'costs', from, end, [...costs.values()]);
      await store.refreshOrgTotals(tx, ['revenue', 'costs'], from, end);
    });
    if ('error' in revenue.totals.converted) problems.push(revenue.totals.converted.error.message);
    return problems;
  }

  async #refreshLinks(orgId: string, now: Date, problems: string[]) {
    const p = systemPrincipal(orgId);
    const list = await this.#deps.links.list(p, undefined);
    let refreshed = 0;
    let skipped = 0;
    const stale = now.getTime() - LINK_REFRESH_HOURS * 3_600_000;
    for (const link of list) {
      if (!link.remoteId || !link.channelId) continue;
      if (link.fetchedAt && Date.parse(link.fetchedAt) > stale) continue;
      const until = this.#backoff.get(link.channelId);
      if (until && until > now.getTime()) {
        skipped++;
        continue;
      }
      try {
        await this.#deps.links.refresh(p, link.id, undefined, ORIGIN);
        refreshed++;
      } catch (error) {
        skipped++;
        const code = error instanceof HttpError ? error.code : 'error';
        if (code === 'platform_rate_limited' || code === 'reconnect_needed' || code === 'platform_auth') {
          const seconds = code === 'platform_rate_limited' ? Number((error as HttpError).extensions.retryAfterSeconds ?? RATE_LIMIT_BACKOFF_SECONDS) : 6 * 3600;
          this.#backoff.set(link.channelId, now.getTime() + seconds * 1000);
        }
        problems.push(`tracking link ${link.name}: ${(error as Error).message}`);
        this.#platform.log.warn({ orgId, linkId: link.id, code }, 'analytics: tracking link not refreshed');
      }
    }
    return { refreshed, skipped };
  }
}

function nextMonth(month: string) {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
}
