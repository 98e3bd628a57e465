/**
 * What the web Analytics page (and the reports) read: KPIs per persona and agency-wide over a range, daily
 * trends, per-persona and per-channel tables, monthly revenue, A/B test results and best posting hours.
 * Everything but the last two comes from the daily rollups.
 *
 * Money is shown to roles with `ledger:read` only (chatters and viewers see the rest with money null), like
 * the ledger's own routes.
 */
import { sql } from 'drizzle-orm';
import type { Platform } from '../platform/platform.ts';
import { rowsOf } from '../platform/db/database.ts';
import { can } from '../platform/auth/permissions.ts';
import type { Principal } from '../platform/auth/principal.ts';
import type { PersonasService } from '../personas/index.ts';
import type { ChannelsService } from '../channels/index.ts';
import type { VariantsService } from '../publishing/variants.service.ts';
import type { ReportingService } from '../sales/ledger/reporting.service.ts';
import { computeKpis, emptyFigures, type Figures, type Kpis } from './kpis.ts';
import { monthRange, rangeOf, resolveRange, type Range, type RangeQuery } from './range.ts';
import { readFigures, type CurrencySums, type Scope, type Warning } from './rollups/read.ts';
import { availability } from './alerts/availability.ts';
import { bestHours, loadHourFigures } from './best-hours.ts';

interface Deps {
  personas: PersonasService;
  channels: ChannelsService;
  variants: VariantsService;
  reporting: ReportingService;
}

export interface SeriesPoint {
  day: string;
  published: number;
  failed: number;
  impressions: number;
  engagements: number;
  engagementRate: number | null;
  followers: number | null;
  followerChange: number;
  linkClicks: number;
  linkSubscribers: number;
  revenueNetMinor: number | null;
  costMinor: number | null;
  generationJobs: number;
  chatReplies: number;
}

const MONEY_KEYS = ['revenueNetMinor', 'revenueGrossMinor', 'revenuePerDayMinor', 'costMinor', 'roi'] as const;
/** LTV reads every fan's transactions: kept a few minutes per organization and persona. */
const LTV_TTL_MS = 10 * 60_000;

export class DashboardService {
  readonly #platform: Platform;
  readonly #deps: Deps;
  readonly #ltvCache = new Map<string, { at: number; value: { ltvMinor: number | null; payingFans: number; warnings: Warning[] } }>();
  constructor(platform: Platform, deps: Deps) {
    this.#platform = platform;
    this.#deps = deps;
  }

  /** The persona (checked visible) or the caller's whole scope. */
  async scopeOf(p: Principal, personaId: string | undefined): Promise<Scope> {
    if (personaId) {
      await this.#deps.personas.get(p, personaId);
      return { personaIds: [personaId] };
    }
    return { personaIds: p.personaScope };
  }

  /** KPIs for the range and the one before it, daily series, revenue per currency. */
  async overview(p: Principal, q: RangeQuery & { personaId?: string | undefined }, now = new Date()) {
    const range = resolveRange(q, now);
    const scope = await this.scopeOf(p, q.personaId);
    const agency = scope.personaIds === null;
    const data = await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const current = await readFigures(tx, p.orgId, range, scope, 'total');
      const previous = await readFigures(tx, p.orgId, { from: range.previous.from, end: range.previous.end }, scope, 'total');
      const days = await readFigures(tx, p.orgId, range, scope, 'day');
      const up = agency ? await availability(tx, dayStart(range.from), dayStart(range.end), now) : null;
      const upBefore = agency ? await availability(tx, dayStart(range.previous.from), dayStart(range.previous.end), now) : null;
      return { current, previous, days, up, upBefore };
    });
    const total = withAvailability(data.current.figures.get('all'), data.up);
    const before = withAvailability(data.previous.figures.get('all'), data.upBefore);
    const ltv = await this.ltv(p, q.personaId);
    const money = can(p.role, 'ledger:read');
    return {
      range: rangeView(range),
      personaId: q.personaId ?? null,
      reportingCurrency: data.current.reportingCurrency,
      moneyHidden: !money,
      kpis: { ...this.#mask(p, computeKpis(total, range.days.length)), ltvMinor: money ? ltv.ltvMinor : null },
      previous: this.#mask(p, computeKpis(before, range.days.length)),
      series: range.days.map((day) => this.#point(p, day, data.days.figures.get(day))),
      revenueByCurrency: money ? data.current.byCurrency : [],
      warnings: money ? [...data.current.warnings, ...ltv.warnings] : [],
    };
  }

  /** One row per visible persona, with her KPIs over the range (the agency's per-persona table). */
  async personas(p: Principal, q: RangeQuery, now = new Date()) {
    const range = resolveRange(q, now);
    const personas = await this.#deps.personas.list(p);
    const read = await this.#platform.db.withOrg(p.orgId, (tx) => readFigures(tx, p.orgId, range, { personaIds: p.personaScope }, 'persona'));
    const total = emptyFigures();
    const items = personas.map((persona) => {
      const f = read.figures.get(persona.id) ?? emptyFigures();
      addInto(total, f);
      return { personaId: persona.id, name: persona.name, timezone: persona.timezone, kpis: this.#mask(p, computeKpis(f, range.days.length)) };
    });
    // Org-wide rows (costs not tied to a persona) count in the total, not in any persona.
    const orgWide = read.figures.get('');
    if (orgWide && p.personaScope === null) addInto(total, orgWide);
    return { range: rangeView(range), reportingCurrency: read.reportingCurrency, moneyHidden: !can(p.role, 'ledger:read'), items, totals: this.#mask(p, computeKpis(total, range.days.length)), warnings: can(p.role, 'ledger:read') ? read.warnings : [] };
  }

  /** One row per visible channel (optionally of one persona): publishing, engagement and audience figures. */
  async channels(p: Principal, q: RangeQuery & { personaId?: string | undefined }, now = new Date()) {
    const range = resolveRange(q, now);
    const scope = await this.scopeOf(p, q.personaId);
    const channels = (await this.#deps.channels.list(p, q.personaId ? { personaId: q.personaId } : {})).filter((c) => !scope.personaIds || scope.personaIds.includes(c.personaId));
    const read = await this.#platform.db.withOrg(p.orgId, (tx) => readFigures(tx, p.orgId, range, scope, 'channel'));
    return {
      range: rangeView(range),
      items: channels.map((c) => {
        const k = computeKpis(read.figures.get(c.id) ?? emptyFigures(), range.days.length);
        return {
          channelId: c.id,
          personaId: c.personaId,
          platform: c.platform,
          handle: c.handle,
          status: c.status,
          published: k.published,
          failed: k.failed,
          publishSuccessRate: k.publishSuccessRate,
          impressions: k.impressions,
          engagements: k.engagements,
          engagementRate: k.engagementRate,
          followers: k.followers,
          followerChange: k.followerChange,
        };
      }),
    };
  }

  /** Net revenue and costs per calendar month (the last `months`, this one included), converted, with ROI. */
  async monthlyRevenue(p: Principal, q: { months: number; personaId?: string | undefined }, now = new Date()) {
    const scope = await this.scopeOf(p, q.personaId);
    const thisMonth = now.toISOString().slice(0, 7);
    const months = Array.from({ length: q.months }, (_, i) => {
      const d = new Date(Date.UTC(Number(thisMonth.slice(0, 4)), Number(thisMonth.slice(5, 7)) - 1 - (q.months - 1 - i), 1));
      return d.toISOString().slice(0, 7);
    });
    const all = rangeOf(monthRange(months[0]!).from, monthRange(months.at(-1)!).to);
    const rows = await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const read = await readFigures(tx, p.orgId, all, scope, 'day');
      // One query at a time: a transaction is one connection.
      const perMonth: { month: string; byCurrency: CurrencySums[] }[] = [];
      for (const month of months) perMonth.push({ month, byCurrency: (await readFigures(tx, p.orgId, monthRange(month), scope, 'total')).byCurrency });
      return { read, perMonth };
    });
    const money = can(p.role, 'ledger:read');
    return {
      reportingCurrency: rows.read.reportingCurrency,
      moneyHidden: !money,
      months: months.map((month, i) => {
        const f = emptyFigures();
        for (const day of monthRange(month).days) {
          const d = rows.read.figures.get(day);
          if (d) addInto(f, d);
        }
        const k = computeKpis(f, monthRange(month).days.length);
        return {
          month,
          revenueNetMinor: money ? k.revenueNetMinor : null,
          revenueGrossMinor: money ? k.revenueGrossMinor : null,
          costMinor: money ? k.costMinor : null,
          roi: money ? k.roi : null,
          byCurrency: money ? rows.perMonth[i]!.byCurrency : [],
        };
      }),
      warnings: money ? rows.read.warnings : [],
    };
  }

  /** Posts with A/B variants scheduled in the range, with publishing's verdict for each. */
  async abTests(p: Principal, q: RangeQuery & { personaId?: string | undefined; limit: number }, now = new Date()) {
    const range = resolveRange(q, now);
    const scope = await this.scopeOf(p, q.personaId);
    const posts = await this.#platform.db.withOrg(p.orgId, async (tx) =>
      rowsOf<{ post_id: string; persona_id: string; caption: string; scheduled_at: string | null }>(
        await tx.execute(sql`
          select p.id as post_id, p.persona_id, p.caption, p.scheduled_at::text as scheduled_at
          from posts p where exists (select 1 from post_variants v where v.post_id = p.id)
            and p.scheduled_at >= ${range.from}::date and p.scheduled_at < ${range.end}::date
            ${scope.personaIds ? sql`and p.persona_id in (${sql.join((scope.personaIds.length ? scope.personaIds : ['00000000-0000-0000-0000-000000000000']).map((id) => sql`${id}::uuid`), sql`, `)})` : sql``}
          order by p.scheduled_at desc limit ${q.limit}`),
      ),
    );
    const items = [];
    for (const post of posts) {
      const view = await this.#deps.variants.view(p, post.post_id);
      items.push({ ...view, personaId: post.persona_id, caption: post.caption, scheduledAt: post.scheduled_at ? new Date(post.scheduled_at).toISOString() : null });
    }
    return { range: rangeView(range), items };
  }

  /** Best local posting hours of a persona, learned from her last `days` days of published posts. */
  async bestHours(p: Principal, q: { personaId: string; days: number }, now = new Date()) {
    const persona = await this.#deps.personas.get(p, q.personaId);
    const since = new Date(now.getTime() - q.days * 86_400_000);
    const rows = await this.#platform.db.withOrg(p.orgId, (tx) => loadHourFigures(tx, persona.id, persona.timezone, since));
    return { personaId: persona.id, timezone: persona.timezone, days: q.days, ...bestHours(rows) };
  }

  /** Average lifetime net spend per paying fan, from the ledger's cohorts (all time). */
  async ltv(p: Principal, personaId: string | undefined): Promise<{ ltvMinor: number | null; payingFans: number; warnings: Warning[] }> {
    if (!can(p.role, 'ledger:read')) return { ltvMinor: null, payingFans: 0, warnings: [] };
    // Restricted members get their own scope's figure, never a cached one of someone else's.
    const key = `${p.orgId}|${personaId ?? (p.personaScope ? `scope:${[...p.personaScope].sort().join(',')}` : 'all')}`;
    const cached = this.#ltvCache.get(key);
    if (cached && Date.now() - cached.at < LTV_TTL_MS) return cached.value;
    const value = await this.#computeLtv(p, personaId);
    if (this.#ltvCache.size > 1000) this.#ltvCache.clear();
    this.#ltvCache.set(key, { at: Date.now(), value });
    return value;
  }

  async #computeLtv(p: Principal, personaId: string | undefined): Promise<{ ltvMinor: number | null; payingFans: number; warnings: Warning[] }> {
    const { cohorts } = await this.#deps.reporting.ltv(p, { personaId, by: 'cohort', limit: 10_000 });
    const paying = cohorts.reduce((n, c) => n + c.payingFans, 0);
    if (cohorts.some((c) => c.totalMinor === null)) return { ltvMinor: null, payingFans: paying, warnings: [{ code: 'exchange_rate_missing', message: 'Lifetime value needs an exchange rate that is missing' }] };
    const total = cohorts.reduce((n, c) => n + (c.totalMinor ?? 0), 0);
    return { ltvMinor: paying ? Math.round(total / paying) : null, payingFans: paying, warnings: [] };
  }

  #mask<T extends Partial<Kpis>>(p: Principal, kpis: T): T {
    if (can(p.role, 'ledger:read')) return kpis;
    const out = { ...kpis } as Record<string, unknown>;
    for (const k of MONEY_KEYS) if (k in out) out[k] = null;
    return out as T;
  }

  #point(p: Principal, day: string, f: Figures | undefined): SeriesPoint {
    const k = computeKpis(f ?? emptyFigures(), 1);
    const money = can(p.role, 'ledger:read');
    return {
      day,
      published: k.published,
      failed: k.failed,
      impressions: k.impressions,
      engagements: k.engagements,
      engagementRate: k.engagementRate,
      followers: k.followers,
      followerChange: k.followerChange,
      linkClicks: k.linkClicks,
      linkSubscribers: k.linkSubscribers,
      revenueNetMinor: money ? k.revenueNetMinor : null,
      costMinor: money ? k.costMinor : null,
      generationJobs: f?.genJobs ?? 0,
      chatReplies: f?.chatReplies ?? 0,
    };
  }
}

export function rangeView(range: Range) {
  return { from: range.from, to: range.to, days: range.days.length, previousFrom: range.previous.from, previousTo: range.previous.to };
}

const dayStart = (day: string) => new Date(`${day}T00:00:00Z`);

function withAvailability(f: Figures | undefined, up: number | null): Figures {
  return { ...(f ?? emptyFigures()), availability: up };
}

/** Adds b's figures into a (levels summed too: both are sets of different channels). */
export function addInto(a: Figures, b: Figures) {
  const keys = ['published', 'failed', 'impressions', 'engagements', 'engagementsWithImpressions', 'followerChange', 'linkClicks', 'linkSubscribers', 'genJobs', 'genFailed', 'genMs', 'chatReplies', 'chatFailed', 'chatLatencyMs'] as const;
  for (const k of keys) a[k] += b[k];
  if (b.followers !== null) a.followers = (a.followers ?? 0) + b.followers;
  for (const k of ['revenueNetMinor', 'revenueGrossMinor', 'costMinor'] as const) a[k] = a[k] === null || b[k] === null ? null : a[k] + b[k];
}
