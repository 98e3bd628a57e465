import { z } from 'zod';
import { platforms } from '../../publishing/connectors/types.ts';
import { FANVUE_LINK_PLATFORMS } from '../../publishing/connectors/fanvue/tracking-links.ts';
import { isCurrency } from './money.ts';

export const security = [{ bearerAuth: [] }];
export const platform = z.enum(platforms);
export const currency = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code, e.g. EUR').refine(isCurrency, 'Unknown ISO 4217 currency');
export const instant = z.iso.datetime({ offset: true });
const rating = z.enum(['sfw', 'suggestive', 'explicit']);
export const packStatus = z.enum(['draft', 'active', 'archived']);
export const promotionStatus = z.enum(['active', 'paused', 'archived']);

const applied = z.object({ id: z.string(), name: z.string(), kind: z.enum(['percent', 'fixed', 'free_trial']), value: z.number().int(), currency: z.string().nullable(), endsAt: z.string() });
export const effectiveSchema = z.object({
  listMinor: z.number().int(),
  effectiveMinor: z.number().int(),
  currency: z.string(),
  promotion: applied.nullable(),
  freeTrialDays: z.number().int().nullable(),
  freeTrialPromotionId: z.string().nullable(),
});

export const priceSchema = z.object({ priceListId: z.string(), platform: z.string(), amountMinor: z.number().int(), currency: z.string() });
export const packSchema = z.object({
  id: z.string(),
  personaId: z.string(),
  kind: z.enum(['pack', 'bundle']),
  title: z.string(),
  description: z.string(),
  rating,
  status: packStatus,
  assetIds: z.array(z.string()),
  packIds: z.array(z.string()),
  prices: z.array(priceSchema),
  effective: z.array(effectiveSchema.extend({ platform: z.string() })).describe('Now, on the default price list, for no particular channel or fan'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const priceListSchema = z.object({ id: z.string(), personaId: z.string(), name: z.string(), isDefault: z.boolean(), createdAt: z.string() });

export const catalogueSchema = z.object({
  personaId: z.string(),
  platform: z.string(),
  channelId: z.string().nullable(),
  at: z.string(),
  items: z.array(
    z.object({
      packId: z.string(),
      kind: z.enum(['pack', 'bundle']),
      title: z.string(),
      description: z.string(),
      rating,
      itemCount: z.number().int(),
      assetIds: z.array(z.string()),
      packIds: z.array(z.string()),
      price: effectiveSchema,
    }),
  ),
});

const promotionFields = {
  name: z.string().trim().min(1).max(120),
  kind: z.enum(['percent', 'fixed', 'free_trial']),
  value: z.number().int().min(0).max(10_000_000).describe('percent: basis points (2500 = 25 %); fixed: minor units of `currency`; free_trial: days'),
  currency: currency.nullable().optional().describe('Required for a fixed discount; ignored otherwise'),
  startsAt: instant,
  endsAt: instant,
  platforms: z.array(platform).max(platforms.length).optional(),
  channelIds: z.array(z.string().uuid()).max(50).optional(),
  packIds: z.array(z.string().uuid()).max(200).optional(),
  segmentId: z.string().uuid().nullable().optional(),
  trackingLinkId: z.string().uuid().nullable().optional(),
  status: promotionStatus.optional(),
};
export const promotionDraft = z.strictObject(promotionFields);
export const promotionCreate = z.strictObject({ personaId: z.string().uuid(), ...promotionFields });
export const promotionPatch = z.strictObject(Object.fromEntries(Object.entries(promotionFields).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof promotionFields]: z.ZodOptional<(typeof promotionFields)[K]> });

export const promotionSchema = z.object({
  id: z.string(),
  personaId: z.string(),
  name: z.string(),
  kind: z.enum(['percent', 'fixed', 'free_trial']),
  value: z.number().int(),
  currency: z.string().nullable(),
  startsAt: z.string(),
  endsAt: z.string(),
  platforms: z.array(z.string()),
  channelIds: z.array(z.string()),
  packIds: z.array(z.string()),
  segmentId: z.string().nullable(),
  trackingLinkId: z.string().nullable(),
  status: promotionStatus,
  live: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const previewSchema = z.object({
  packId: z.string(),
  platform: z.string(),
  priceListId: z.string(),
  before: effectiveSchema,
  after: effectiveSchema,
  draftApplies: z.boolean().describe('The draft matches this pack, platform, channel and time'),
  draftWins: z.boolean().describe('The draft is the discount (or trial) that applies'),
});

export const trackingLinkSchema = z.object({
  id: z.string(),
  personaId: z.string(),
  channelId: z.string().nullable(),
  name: z.string(),
  url: z.string(),
  remoteId: z.string().nullable(),
  clicks: z.number().int(),
  subscribers: z.number().int(),
  fetchedAt: z.string().nullable(),
  createdAt: z.string(),
});

export const trackingLinkCreate = z.strictObject({
  personaId: z.string().uuid(),
  name: z.string().trim().min(1).max(120),
  channelId: z.string().uuid().optional().describe('A Fanvue channel creates the link on Fanvue; other channels only label a hand-made link'),
  externalSocialPlatform: z.enum(FANVUE_LINK_PLATFORMS).optional().describe('Fanvue: where the link will be shared (default other)'),
  url: z
    .string()
    .url()
    .max(2000)
    .refine((u) => /^https?:\/\//i.test(u), 'http(s) address')
    .optional()
    .describe('A link made by hand (not for Fanvue channels)'),
});
