import { z } from 'zod';

export const security = [{ bearerAuth: [] }];

const ratio = z.number().nullable();
const minor = z.number().int().nullable();

export const kpisSchema = z
  .object({
    engagementRate: ratio.describe('(likes + comments + shares + clicks) / impressions, 0–1'),
    reach: z.number().int().describe('Σ impressions'),
    impressions: z.number().int(),
    engagements: z.number().int(),
    published: z.number().int(),
    failed: z.number().int(),
    publishSuccessRate: ratio,
    followers: z.number().int().nullable().describe('summed over channels at the end of the range'),
    followerChange: z.number().int(),
    linkClicks: z.number().int(),
    linkSubscribers: z.number().int(),
    conversionRate: ratio.describe('tracking-link subscribers / clicks'),
    revenueNetMinor: minor.describe('reporting currency, minor units; null: hidden or a rate is missing'),
    revenueGrossMinor: minor,
    revenuePerDayMinor: minor,
    costMinor: minor,
    roi: ratio.describe('(net revenue − costs) / costs'),
    generationSeconds: ratio,
    errorRate: ratio,
    availability: ratio,
    chatLatencySeconds: ratio,
  })
  .describe('KPIs (see GET /api/v1/analytics/kpis and docs/analytics.md)');

export const rangeSchema = z.object({ from: z.string(), to: z.string(), days: z.number().int(), previousFrom: z.string(), previousTo: z.string() });
export const warningSchema = z.object({ code: z.string(), message: z.string(), currency: z.string().optional(), day: z.string().optional() });
export const currencySumsSchema = z.object({ currency: z.string(), grossMinor: z.number(), feeMinor: z.number(), netMinor: z.number(), transactions: z.number(), costMinor: z.number() });

export const seriesPointSchema = z.object({
  day: z.string(),
  published: z.number().int(),
  failed: z.number().int(),
  impressions: z.number().int(),
  engagements: z.number().int(),
  engagementRate: ratio,
  followers: z.number().int().nullable(),
  followerChange: z.number().int(),
  linkClicks: z.number().int(),
  linkSubscribers: z.number().int(),
  revenueNetMinor: minor,
  costMinor: minor,
  generationJobs: z.number().int(),
  chatReplies: z.number().int(),
});

export const overviewSchema = z.object({
  range: rangeSchema,
  personaId: z.string().nullable(),
  reportingCurrency: z.string(),
  moneyHidden: z.boolean().describe('true for roles without ledger:read: money figures are null'),
  kpis: kpisSchema.extend({ ltvMinor: minor.describe('average lifetime net spend per paying fan, all time') }),
  previous: kpisSchema.describe('the same KPIs over the range just before'),
  series: z.array(seriesPointSchema),
  revenueByCurrency: z.array(currencySumsSchema),
  warnings: z.array(warningSchema),
});

export const personasTableSchema = z.object({
  range: rangeSchema,
  reportingCurrency: z.string(),
  moneyHidden: z.boolean(),
  items: z.array(z.object({ personaId: z.string(), name: z.string(), timezone: z.string(), kpis: kpisSchema })),
  totals: kpisSchema,
  warnings: z.array(warningSchema),
});

export const channelsTableSchema = z.object({
  range: rangeSchema,
  items: z.array(
    z.object({
      channelId: z.string(),
      personaId: z.string(),
      platform: z.string(),
      handle: z.string(),
      status: z.string(),
      published: z.number().int(),
      failed: z.number().int(),
      publishSuccessRate: ratio,
      impressions: z.number().int(),
      engagements: z.number().int(),
      engagementRate: ratio,
      followers: z.number().int().nullable(),
      followerChange: z.number().int(),
    }),
  ),
});

export const monthlySchema = z.object({
  reportingCurrency: z.string(),
  moneyHidden: z.boolean(),
  months: z.array(z.object({ month: z.string(), revenueNetMinor: minor, revenueGrossMinor: minor, costMinor: minor, roi: ratio, byCurrency: z.array(currencySumsSchema) })),
  warnings: z.array(warningSchema),
});

export const abTestsSchema = z.object({
  range: rangeSchema,
  items: z.array(
    z.object({
      postId: z.string(),
      personaId: z.string(),
      caption: z.string(),
      scheduledAt: z.string().nullable(),
      variants: z.array(
        z.object({
          key: z.string(),
          caption: z.string(),
          assetId: z.string().nullable(),
          winner: z.boolean(),
          probability: z.number().nullable(),
          targetIds: z.array(z.string()),
          impressions: z.number().int().nullable(),
          successes: z.number().int(),
          likes: z.number().int(),
          comments: z.number().int(),
          shares: z.number().int(),
          clicks: z.number().int(),
        }),
      ),
      decision: z.object({ winner: z.string().nullable(), reason: z.string().nullable(), threshold: z.number(), minImpressions: z.number().int() }),
    }),
  ),
});

const hourCell = z.object({ weekday: z.number().int().nullable(), hour: z.number().int(), posts: z.number().int(), impressions: z.number().int(), engagements: z.number().int(), score: z.number() });
export const bestHoursSchema = z.object({
  personaId: z.string(),
  timezone: z.string(),
  days: z.number().int(),
  basis: z.enum(['engagement_rate', 'engagements_per_post', 'none']),
  posts: z.number().int(),
  hours: z.array(hourCell).describe('24 entries, local hour 0–23 over all weekdays'),
  cells: z.array(hourCell).describe('ISO weekday × local hour cells that had posts, for a heat map'),
  best: z.array(z.number().int()).describe('the best local hours, best first'),
});

export const kpiCatalogueSchema = z.object({
  items: z.array(z.object({ key: z.string(), name: z.string(), unit: z.enum(['ratio', 'count', 'minor', 'seconds']), formula: z.string(), description: z.string() })),
});
