/**
 * What each connector reads from a channel's settings, checked when a channel is created or edited so a
 * typo fails at the form rather than at publish time. Unknown keys pass (connectors ignore them, and
 * newer connector options should not need a change here); known keys must have the type the connector
 * expects. The connectors themselves stay the authority on meaning (e.g. an Instagram channel without
 * igUserId is refused at publish).
 */
import { z } from 'zod';
import { badRequest } from '../platform/http/problem.ts';
import type { PlatformName } from '../publishing/connectors/types.ts';

const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .url()
  .refine((v) => /^https?:\/\//i.test(v), 'must be an http(s) URL');
const id = z.union([z.string().trim().min(1).max(200), z.number().int()]);
const text = z.string().trim().min(1).max(500);

const subreddit = z.looseObject({
  nsfwAllowed: z.boolean().optional(),
  aiAllowed: z.boolean().optional(),
  flairRequired: z.boolean().optional(),
  minHoursBetweenPosts: z.number().min(0).max(24 * 365).optional(),
});

const schemas: Record<PlatformName, z.ZodType<Record<string, unknown>>> = {
  sandbox: z.looseObject({}),
  onlyfans_export: z.looseObject({}),
  x: z.looseObject({
    baseUrl: httpUrl.optional(),
    costBudgetCents: z.number().min(0).optional(),
    markAllMediaSensitive: z.boolean().optional(),
    automatedLabelConfirmedAt: z.iso.datetime({ offset: true }).optional(),
  }),
  instagram: z.looseObject({ igUserId: id.optional(), graphBaseUrl: httpUrl.optional(), apiVersion: z.string().regex(/^v\d+\.\d+$/).optional() }),
  reddit: z.looseObject({
    username: text.optional(),
    oauthBaseUrl: httpUrl.optional(),
    tokenUrl: httpUrl.optional(),
    userAgent: text.optional(),
    subreddits: z.record(z.string().regex(/^[A-Za-z0-9_]{2,21}$/, 'not a subreddit name'), subreddit).optional(),
  }),
  telegram: z.looseObject({ chatId: id.optional(), ageRestricted: z.boolean().optional(), apiRoot: httpUrl.optional() }),
  discord: z.looseObject({ channelId: z.string().regex(/^\d{5,25}$/).optional(), guildId: z.string().regex(/^\d{5,25}$/).optional(), ageRestricted: z.boolean().optional(), apiBase: httpUrl.optional() }),
  bluesky: z.looseObject({ service: httpUrl.optional(), langs: z.array(z.string().min(2).max(35)).max(3).optional() }),
  fanvue: z.looseObject({
    baseUrl: httpUrl.optional(),
    tokenUrl: httpUrl.optional(),
    apiVersion: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
    creatorUserUuid: z.string().uuid().optional(),
    tokenAuth: z.enum(['basic', 'post']).optional(),
  }),
};

/** The settings as stored, or a 400 naming each wrong field (`settings.<key>`), like body validation does. */
export function validateChannelSettings(platform: PlatformName, settings: Record<string, unknown>): Record<string, unknown> {
  const result = schemas[platform].safeParse(settings);
  if (result.success) return result.data;
  throw badRequest('invalid_settings', `These settings do not fit a ${platform} channel`, {
    errors: result.error.issues.map((issue) => ({ path: ['body', 'settings', ...issue.path.map(String)].join('.'), message: issue.message })),
  });
}
