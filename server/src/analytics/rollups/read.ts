/**
 * Reads the daily rollups back as KPI figures, summed per day, per persona, per channel or in total.
 * Counters are summed in SQL; money is summed per day and currency in SQL and converted here with the
 * ledger's converter (each day at its own rate), so no sum ever mixes currencies.
 */
import { and, desc, eq, gte, inArray, isNotNull, lt, sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Tx } from '../../platform/db/database.ts';
import { analyticsDaily, analyticsOrgDaily } from '../../platform/db/schema/index.ts';
import { loadConverter, MissingRateError, type Converter } from '../../sales/ledger/index.ts';
import { emptyFigures, type Figures } from '../kpis.ts';
import { addDays } from '../range.ts';
import { FOLLOWER_LOOKBACK_DAYS } from './store.ts';

export type GroupBy = 'total' | 'day' | 'persona' | 'channel';

export interface Scope {
  /** null: every persona and the org-level rows; otherwise only these personas. */
  personaIds: string[] | null;
  channelId?: string | undefined;
}

export interface Warning {
  code: string;
  message: string;
  currency?: string;
  day?: string;
}

export interface CurrencySums {
  currency: string;
  grossMinor: number;
  feeMinor: number;
  netMinor: number;
  transactions: number;
  costMinor: number;
}

export interface Read {
  reportingCurrency: string;
  figures: Map<string, Figures>;
  /** Revenue and costs per currency, unconverted, for the whole selection. */
  byCurrency: CurrencySums[];
  warnings: Warning[];
}

const NONE = '00000000-0000-0000-0000-000000000000';
const num = (v: unknown) => Number(v ?? 0);
const KEY: Record<GroupBy, SQL> = {
  total: sql`'all'`,
  day: sql`to_char(${analyticsDaily.day}, 'YYYY-MM-DD')`,
  persona: sql`coalesce(${analyticsDaily.personaId}::text, '')`,
  channel: sql`coalesce(${analyticsDaily.channelId}::text, '')`,
};

function scopeWhere(scope: Scope): SQL | undefined {
  return and(
    scope.personaIds ? inArray(analyticsDaily.personaId, scope.personaIds.length ? scope.personaIds : [NONE]) : undefined,
    scope.channelId ? eq(analyticsDaily.channelId, scope.channelId) : undefined,
  );
}

/**
 * Agency-wide totals and daily series read the organization's totals (analytics_org_daily: a row per day,
 * family and currency); everything narrower reads analytics_daily.
 */
export async function readFigures(tx: Tx, orgId: string, range: { from: string; end: string }, scope: Scope, groupBy: GroupBy): Promise<Read> {
  if (scope.personaIds === null && !scope.channelId && (groupBy === 'total' || groupBy === 'day')) return readOrgFigures(tx, orgId, range, groupBy);
  const key = KEY[groupBy];
  const where = and(gte(analyticsDaily.day, range.from), lt(analyticsDaily.day, range.end), scopeWhere(scope));
  const figures = new Map<string, Figures>();
  const get = (k: string) => {
    let f = figures.get(k);
    if (!f) figures.set(k, (f = emptyFigures()));
    return f;
  };

  const counters = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      select ${key} as k,
        sum(${analyticsDaily.published}) as published, sum(${analyticsDaily.failed}) as failed,
        sum(${analyticsDaily.impressions}) as impressions,
        sum(${analyticsDaily.likes} + ${analyticsDaily.comments} + ${analyticsDaily.shares} + ${analyticsDaily.clicks}) as engagements,
        sum(${analyticsDaily.likes} + ${analyticsDaily.comments} + ${analyticsDaily.shares} + ${analyticsDaily.clicks}) filter (where ${analyticsDaily.impressions} > 0) as engaged_seen,
        sum(${analyticsDaily.followerChange}) as follower_change,
        sum(${analyticsDaily.linkClicks}) as link_clicks, sum(${analyticsDaily.linkSubscribers}) as link_subscribers,
        sum(${analyticsDaily.genJobs}) as gen_jobs, sum(${analyticsDaily.genFailed}) as gen_failed, sum(${analyticsDaily.genMs}) as gen_ms,
        sum(${analyticsDaily.chatReplies}) as chat_replies, sum(${analyticsDaily.chatFailed}) as chat_failed, sum(${analyticsDaily.chatLatencyMs}) as chat_latency_ms
      from ${analyticsDaily}
      where ${and(where, inArray(analyticsDaily.family, ['posts', 'audience', 'conversions', 'tech']))}
      group by 1`),
  );
  for (const r of counters) {
    const f = get(String(r.k));
    f.published += num(r.published);
    f.failed += num(r.failed);
    f.impressions += num(r.impressions);
    f.engagements += num(r.engagements);
    f.engagementsWithImpressions += num(r.engaged_seen);
    f.followerChange += num(r.follower_change);
    f.linkClicks += num(r.link_clicks);
    f.linkSubscribers += num(r.link_subscribers);
    f.genJobs += num(r.gen_jobs);
    f.genFailed += num(r.gen_failed);
    f.genMs += num(r.gen_ms);
    f.chatReplies += num(r.chat_replies);
    f.chatFailed += num(r.chat_failed);
    f.chatLatencyMs += num(r.chat_latency_ms);
  }

  const money = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      select ${key} as k, to_char(${analyticsDaily.day}, 'YYYY-MM-DD') as day, ${analyticsDaily.currency} as currency,
        sum(${analyticsDaily.grossMinor}) as gross, sum(${analyticsDaily.feeMinor}) as fee, sum(${analyticsDaily.netMinor}) as net,
        sum(${analyticsDaily.transactions}) as transactions, sum(${analyticsDaily.costMinor}) as cost
      from ${analyticsDaily}
      where ${and(where, inArray(analyticsDaily.family, ['revenue', 'costs']))}
      group by 1, 2, 3`),
  );
  const converter = await loadConverter(tx, orgId, [...new Set(money.map((m) => String(m.currency)))]);
  const warnings = new Map<string, Warning>();
  const convert = (minor: number, currency: string, day: string): number | null => {
    try {
      return converter.convert(minor, currency, day);
    } catch (error) {
      if (!(error instanceof MissingRateError)) throw error;
      warnings.set(`${currency}|${day}`, { code: error.code, message: error.message, currency, day });
      return null;
    }
  };
  const byCurrency = new Map<string, CurrencySums>();
  const add = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
  for (const m of money) {
    const f = get(String(m.k));
    const currency = String(m.currency);
    const day = String(m.day);
    const [gross, fee, net, cost] = [num(m.gross), num(m.fee), num(m.net), num(m.cost)];
    if (gross || net) {
      f.revenueGrossMinor = add(f.revenueGrossMinor, convert(gross, currency, day));
      f.revenueNetMinor = add(f.revenueNetMinor, convert(net, currency, day));
    }
    if (cost) f.costMinor = add(f.costMinor, convert(cost, currency, day));
    const c = byCurrency.get(currency) ?? { currency, grossMinor: 0, feeMinor: 0, netMinor: 0, transactions: 0, costMinor: 0 };
    c.grossMinor += gross;
    c.feeMinor += fee;
    c.netMinor += net;
    c.transactions += num(m.transactions);
    c.costMinor += cost;
    byCurrency.set(currency, c);
  }

  await readFollowers(tx, range, scope, groupBy, get);
  return {
    reportingCurrency: converter.reporting,
    figures,
    byCurrency: [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    warnings: [...warnings.values()].slice(0, 20),
  };
}

async function readOrgFigures(tx: Tx, orgId: string, range: { from: string; end: string }, groupBy: 'total' | 'day'): Promise<Read> {
  const o = analyticsOrgDaily;
  const figures = new Map<string, Figures>();
  const get = (k: string) => {
    let f = figures.get(k);
    if (!f) figures.set(k, (f = emptyFigures()));
    return f;
  };
  const rows = await tx
    .select()
    .from(o)
    .where(and(gte(o.day, range.from), lt(o.day, range.end)))
    .orderBy(o.day);
  const money = rows.filter((r) => r.family === 'revenue' || r.family === 'costs');
  const converter = await loadConverter(tx, orgId, [...new Set(money.map((m) => m.currency))]);
  const warnings = new Map<string, Warning>();
  const convert = (minor: number, currency: string, day: string): number | null => {
    try {
      return converter.convert(minor, currency, day);
    } catch (error) {
      if (!(error instanceof MissingRateError)) throw error;
      warnings.set(`${currency}|${day}`, { code: error.code, message: error.message, currency, day });
      return null;
    }
  };
  const add = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
  const byCurrency = new Map<string, CurrencySums>();
  let lastFollowers: number | null = null;
  for (const r of rows) {
    const f = get(groupBy === 'day' ? r.day : 'all');
    f.published += r.published;
    f.failed += r.failed;
    f.impressions += r.impressions;
    f.engagements += r.likes + r.comments + r.shares + r.clicks;
    f.engagementsWithImpressions += r.engagedSeen;
    f.followerChange += r.followerChange;
    f.linkClicks += r.linkClicks;
    f.linkSubscribers += r.linkSubscribers;
    f.genJobs += r.genJobs;
    f.genFailed += r.genFailed;
    f.genMs += r.genMs;
    f.chatReplies += r.chatReplies;
    f.chatFailed += r.chatFailed;
    f.chatLatencyMs += r.chatLatencyMs;
    if (r.family === 'audience' && r.followers !== null) {
      if (groupBy === 'day') f.followers = r.followers;
      lastFollowers = r.followers;
    }
    if (r.family !== 'revenue' && r.family !== 'costs') continue;
    if (r.grossMinor || r.netMinor) {
      f.revenueGrossMinor = add(f.revenueGrossMinor, convert(r.grossMinor, r.currency, r.day));
      f.revenueNetMinor = add(f.revenueNetMinor, convert(r.netMinor, r.currency, r.day));
    }
    if (r.costMinor) f.costMinor = add(f.costMinor, convert(r.costMinor, r.currency, r.day));
    const c = byCurrency.get(r.currency) ?? { currency: r.currency, grossMinor: 0, feeMinor: 0, netMinor: 0, transactions: 0, costMinor: 0 };
    c.grossMinor += r.grossMinor;
    c.feeMinor += r.feeMinor;
    c.netMinor += r.netMinor;
    c.transactions += r.transactions;
    c.costMinor += r.costMinor;
    byCurrency.set(r.currency, c);
  }
  // The level when the range starts: days (or a whole range) without a count keep it.
  const before = await tx
    .select({ followers: o.followers })
    .from(o)
    .where(and(eq(o.family, 'audience'), isNotNull(o.followers), gte(o.day, addDays(range.from, -FOLLOWER_LOOKBACK_DAYS)), lt(o.day, range.from)))
    .orderBy(desc(o.day))
    .limit(1);
  let level = before[0]?.followers ?? null;
  if (groupBy === 'total') {
    if (lastFollowers !== null || level !== null) get('all').followers = lastFollowers ?? level;
  } else {
    for (let day = range.from; day < range.end; day = nextDay(day)) {
      const f = figures.get(day);
      if (f?.followers != null) level = f.followers;
      else if (level !== null) get(day).followers = level;
    }
  }
  return {
    reportingCurrency: converter.reporting,
    figures,
    byCurrency: [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    warnings: [...warnings.values()].slice(0, 20),
  };
}

/**
 * Follower levels: for each channel the last count seen on or before the group's last day, summed. For a
 * daily series every day carries the level forward from the channel's last count.
 */
async function readFollowers(tx: Tx, range: { from: string; end: string }, scope: Scope, groupBy: GroupBy, get: (k: string) => Figures) {
  type Level = { channel_id: string; persona_id: string | null; day: string; followers: string };
  const audience = and(eq(analyticsDaily.family, 'audience'), isNotNull(analyticsDaily.followers), scopeWhere(scope));
  // The level each channel had when the range starts (counted in the month before; older counts are stale),
  // then every count inside the range.
  const before = rowsOf<Level>(
    await tx.execute(sql`
      select distinct on (${analyticsDaily.channelId}) ${analyticsDaily.channelId} as channel_id, ${analyticsDaily.personaId} as persona_id,
        to_char(${analyticsDaily.day}, 'YYYY-MM-DD') as day, ${analyticsDaily.followers} as followers
      from ${analyticsDaily} where ${and(audience, gte(analyticsDaily.day, addDays(range.from, -FOLLOWER_LOOKBACK_DAYS)), lt(analyticsDaily.day, range.from))}
      order by ${analyticsDaily.channelId}, ${analyticsDaily.day} desc`),
  );
  const inside = rowsOf<Level>(
    await tx.execute(sql`
      select ${analyticsDaily.channelId} as channel_id, ${analyticsDaily.personaId} as persona_id, to_char(${analyticsDaily.day}, 'YYYY-MM-DD') as day, ${analyticsDaily.followers} as followers
      from ${analyticsDaily} where ${and(audience, gte(analyticsDaily.day, range.from), lt(analyticsDaily.day, range.end))}
      order by 3`),
  );
  const levels = [...before.sort((a, b) => a.day.localeCompare(b.day)), ...inside];
  if (!levels.length) return;
  if (groupBy === 'day') {
    const current = new Map<string, number>();
    const byDay = new Map<string, typeof levels>();
    for (const l of levels) byDay.set(l.day, [...(byDay.get(l.day) ?? []), l]);
    const carried = levels.filter((l) => l.day < range.from);
    for (const l of carried) current.set(l.channel_id, num(l.followers));
    for (let day = range.from; day < range.end; day = nextDay(day)) {
      for (const l of byDay.get(day) ?? []) current.set(l.channel_id, num(l.followers));
      if (current.size) get(day).followers = [...current.values()].reduce((a, b) => a + b, 0);
    }
    return;
  }
  const last = new Map<string, { key: string; followers: number }>();
  for (const l of levels) {
    const key = groupBy === 'total' ? 'all' : groupBy === 'persona' ? (l.persona_id ?? '') : l.channel_id;
    last.set(l.channel_id, { key, followers: num(l.followers) });
  }
  for (const { key, followers } of last.values()) {
    const f = get(key);
    f.followers = (f.followers ?? 0) + followers;
  }
}

const nextDay = (day: string) => addDays(day, 1);

export type { Converter };
