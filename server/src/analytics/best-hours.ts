/**
 * Best posting hours, learned from a persona's own history: published targets grouped by the local hour
 * (and ISO weekday) they went out in her timezone, scored by engagement. Scores are shrunk towards her
 * overall rate (a Beta-style prior worth PRIOR_IMPRESSIONS views, or PRIOR_POSTS posts when her platforms
 * report no impressions), so one lucky post at 3 a.m. does not make 3 a.m. the best hour.
 */
import { sql } from 'drizzle-orm';
import { rowsOf, type Tx } from '../platform/db/database.ts';

export const PRIOR_IMPRESSIONS = 1000;
export const PRIOR_POSTS = 3;
/** An hour needs at least this many posts to be recommended. */
export const MIN_POSTS = 2;

export interface HourCell {
  weekday: number | null;
  hour: number;
  posts: number;
  impressions: number;
  engagements: number;
  /** Engagements per impression where impressions are reported, else per post; shrunk as above. */
  score: number;
}

export interface BestHours {
  basis: 'engagement_rate' | 'engagements_per_post' | 'none';
  posts: number;
  hours: HourCell[];
  cells: HourCell[];
  best: number[];
}

/** Reads publishing's targets and metrics (read-only) for one persona over the last `days` days. */
export async function loadHourFigures(tx: Tx, personaId: string, timezone: string, since: Date) {
  const rows = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      select extract(isodow from t.published_at at time zone ${timezone})::int as weekday,
             extract(hour from t.published_at at time zone ${timezone})::int as hour,
             count(*) as posts,
             coalesce(sum(m.impressions) filter (where m.raw -> 'reported' ? 'impressions'), 0) as impressions,
             coalesce(sum(m.likes + m.comments + m.shares + m.clicks) filter (where m.raw -> 'reported' ? 'impressions'), 0) as engaged_seen,
             coalesce(sum(m.likes + m.comments + m.shares + m.clicks), 0) as engagements
      from post_targets t
      join posts p on p.id = t.post_id
      left join post_metrics m on m.target_id = t.id
      where p.persona_id = ${personaId} and t.status = 'published' and t.published_at >= ${since.toISOString()}::timestamptz
      group by 1, 2`),
  );
  return rows.map((r) => ({
    weekday: Number(r.weekday),
    hour: Number(r.hour),
    posts: Number(r.posts),
    impressions: Number(r.impressions),
    engagedSeen: Number(r.engaged_seen),
    engagements: Number(r.engagements),
  }));
}

export type HourFigures = Awaited<ReturnType<typeof loadHourFigures>>[number];

export function bestHours(rows: HourFigures[], top = 3): BestHours {
  const posts = rows.reduce((n, r) => n + r.posts, 0);
  const impressions = rows.reduce((n, r) => n + r.impressions, 0);
  const basis: BestHours['basis'] = posts === 0 ? 'none' : impressions > 0 ? 'engagement_rate' : 'engagements_per_post';
  const overallRate = impressions > 0 ? rows.reduce((n, r) => n + r.engagedSeen, 0) / impressions : 0;
  const overallPerPost = posts > 0 ? rows.reduce((n, r) => n + r.engagements, 0) / posts : 0;
  const score = (c: { posts: number; impressions: number; engagedSeen: number; engagements: number }) =>
    basis === 'engagement_rate'
      ? (c.engagedSeen + overallRate * PRIOR_IMPRESSIONS) / (c.impressions + PRIOR_IMPRESSIONS)
      : (c.engagements + overallPerPost * PRIOR_POSTS) / (c.posts + PRIOR_POSTS);
  const cell = (weekday: number | null, hour: number, list: HourFigures[]): HourCell => {
    const sum = { posts: 0, impressions: 0, engagedSeen: 0, engagements: 0 };
    for (const r of list) {
      sum.posts += r.posts;
      sum.impressions += r.impressions;
      sum.engagedSeen += r.engagedSeen;
      sum.engagements += r.engagements;
    }
    return { weekday, hour, posts: sum.posts, impressions: sum.impressions, engagements: sum.engagements, score: Math.round(score(sum) * 1e6) / 1e6 };
  };
  const hours = Array.from({ length: 24 }, (_, h) => cell(null, h, rows.filter((r) => r.hour === h)));
  const cells = rows.map((r) => cell(r.weekday, r.hour, [r])).sort((a, b) => a.weekday! - b.weekday! || a.hour - b.hour);
  const best =
    basis === 'none'
      ? []
      : hours
          .filter((h) => h.posts >= MIN_POSTS)
          .sort((a, b) => b.score - a.score || b.posts - a.posts)
          .slice(0, top)
          .map((h) => h.hour);
  return { basis, posts, hours, cells, best };
}
