/**
 * The KPIs, each defined once, here, and documented in docs/analytics.md (the catalogue below is served at
 * GET /api/v1/analytics/kpis so the web shows the same words). Every dashboard, report and alert computes
 * them through `computeKpis`, from figures summed over the daily rollups of a range.
 *
 * Money is in minor units of the reporting currency, converted per day with the ledger's exchange rates;
 * a figure that needs a missing rate is null (with a warning), never a partial sum.
 */

/** Sums over a range of rollup rows (analytics/rollups/read.ts builds them). */
export interface Figures {
  published: number;
  failed: number;
  impressions: number;
  /** likes + comments + shares + clicks, all rows. */
  engagements: number;
  /** Engagements on rows that also report impressions: the numerator of the engagement rate. */
  engagementsWithImpressions: number;
  /** Followers summed over channels at the end of the range (null: never counted). */
  followers: number | null;
  followerChange: number;
  linkClicks: number;
  linkSubscribers: number;
  /** Net revenue (after platform fees) and gross, converted; null when a rate is missing. */
  revenueNetMinor: number | null;
  revenueGrossMinor: number | null;
  costMinor: number | null;
  genJobs: number;
  genFailed: number;
  genMs: number;
  chatReplies: number;
  chatFailed: number;
  chatLatencyMs: number;
  /** Share of the range without an open availability alert (0–1); null when not measured. */
  availability: number | null;
}

export const emptyFigures = (): Figures => ({
  published: 0,
  failed: 0,
  impressions: 0,
  engagements: 0,
  engagementsWithImpressions: 0,
  followers: null,
  followerChange: 0,
  linkClicks: 0,
  linkSubscribers: 0,
  revenueNetMinor: 0,
  revenueGrossMinor: 0,
  costMinor: 0,
  genJobs: 0,
  genFailed: 0,
  genMs: 0,
  chatReplies: 0,
  chatFailed: 0,
  chatLatencyMs: 0,
  availability: null,
});

export interface Kpis {
  engagementRate: number | null;
  reach: number;
  impressions: number;
  engagements: number;
  published: number;
  failed: number;
  publishSuccessRate: number | null;
  followers: number | null;
  followerChange: number;
  linkClicks: number;
  linkSubscribers: number;
  conversionRate: number | null;
  revenueNetMinor: number | null;
  revenueGrossMinor: number | null;
  revenuePerDayMinor: number | null;
  costMinor: number | null;
  roi: number | null;
  generationSeconds: number | null;
  errorRate: number | null;
  availability: number | null;
  chatLatencySeconds: number | null;
}

const ratio = (num: number, den: number) => (den > 0 ? num / den : null);
const round = (value: number | null, digits = 4) => (value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits);

export function computeKpis(f: Figures, days: number): Kpis {
  const attempts = f.published + f.failed + f.genJobs + f.chatReplies + f.chatFailed;
  const revenue = f.revenueNetMinor;
  return {
    engagementRate: round(ratio(f.engagementsWithImpressions, f.impressions)),
    reach: f.impressions,
    impressions: f.impressions,
    engagements: f.engagements,
    published: f.published,
    failed: f.failed,
    publishSuccessRate: round(ratio(f.published, f.published + f.failed)),
    followers: f.followers,
    followerChange: f.followerChange,
    linkClicks: f.linkClicks,
    linkSubscribers: f.linkSubscribers,
    conversionRate: round(ratio(f.linkSubscribers, f.linkClicks)),
    revenueNetMinor: revenue,
    revenueGrossMinor: f.revenueGrossMinor,
    revenuePerDayMinor: revenue === null || days <= 0 ? null : Math.round(revenue / days),
    costMinor: f.costMinor,
    roi: revenue === null || f.costMinor === null ? null : round(ratio(revenue - f.costMinor, f.costMinor)),
    generationSeconds: round(ratio(f.genMs / 1000, f.genJobs - f.genFailed), 2),
    errorRate: round(ratio(f.failed + f.genFailed + f.chatFailed, attempts)),
    availability: f.availability === null ? null : round(f.availability, 5),
    chatLatencySeconds: round(ratio(f.chatLatencyMs / 1000, f.chatReplies), 2),
  };
}

export type KpiKey = keyof Kpis | 'ltvMinor';

export interface KpiDefinition {
  key: KpiKey;
  name: string;
  unit: 'ratio' | 'count' | 'minor' | 'seconds';
  formula: string;
  description: string;
}

/** The catalogue: what each KPI means, in the words docs/analytics.md uses. */
export const KPI_DEFINITIONS: KpiDefinition[] = [
  {
    key: 'engagementRate',
    name: 'Engagement rate',
    unit: 'ratio',
    formula: '(likes + comments + shares + clicks) / impressions, over rollup rows that report impressions',
    description: 'How many interactions each view earns. Platforms that report no impressions (Reddit, Bluesky, Fanvue) are left out of both sides, so they cannot inflate it.',
  },
  { key: 'reach', name: 'Reach', unit: 'count', formula: 'Σ impressions', description: 'Views the platforms reported for published posts in the range (repeat views included: platforms do not all report unique reach).' },
  { key: 'publishSuccessRate', name: 'Publish success', unit: 'ratio', formula: 'published / (published + failed)', description: 'Share of publication attempts that ended published rather than failed or needing review.' },
  { key: 'followerChange', name: 'Follower growth', unit: 'count', formula: 'followers at the end − followers at the start', description: 'Followers/subscribers gained over the range, summed over channels (counts read by the hourly metrics round).' },
  { key: 'conversionRate', name: 'Conversion (click → subscriber)', unit: 'ratio', formula: 'tracking-link subscribers / tracking-link clicks', description: 'Share of tracking-link clicks that became subscribers, from the platforms’ link counters.' },
  {
    key: 'revenueNetMinor',
    name: 'Revenue',
    unit: 'minor',
    formula: 'Σ net (gross − platform fees) per day and currency, each converted at that day’s rate',
    description: 'Net revenue from the Sales ledger in the reporting currency; refunds and chargebacks count negative. Daily: revenuePerDayMinor; monthly: GET /api/v1/analytics/revenue/monthly.',
  },
  { key: 'roi', name: 'ROI', unit: 'ratio', formula: '(net revenue − costs) / costs', description: 'Return on recorded costs: ledger cost lines (studio GPU/API spend, platform, manual) plus each persona’s monthly infrastructure share.' },
  { key: 'ltvMinor', name: 'Lifetime value', unit: 'minor', formula: 'Σ lifetime net spend of paying fans / paying fans', description: 'Average net spend per paying fan since the first transaction (the ledger’s fan totals), reporting currency.' },
  { key: 'generationSeconds', name: 'Generation time', unit: 'seconds', formula: 'Σ (finished − started) / succeeded generation jobs', description: 'Mean run time of a successful generation job (image, clip, montage, caption, voice).' },
  {
    key: 'availability',
    name: 'Availability',
    unit: 'ratio',
    formula: '1 − (time with an open provider-down, storage or queue-backlog alert) / range',
    description: 'Share of the range during which the studio could work normally. Process up-time itself is Prometheus’ `up` (Grafana operations dashboard).',
  },
  {
    key: 'errorRate',
    name: 'Error rate',
    unit: 'ratio',
    formula: '(failed publications + failed generation jobs + failed chat replies) / all of those attempts',
    description: 'Share of the system’s outward work that failed for good.',
  },
  { key: 'chatLatencySeconds', name: 'Chat latency', unit: 'seconds', formula: 'Σ (reply sent − fan message received) / replies', description: 'Mean time a fan waited for the persona’s automatic reply.' },
];
