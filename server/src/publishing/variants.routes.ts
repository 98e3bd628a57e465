import { z } from 'zod';
import type { App } from '../platform/http/app.ts';
import type { Platform } from '../platform/platform.ts';
import { originOf, principalOf } from '../platform/auth/guard.ts';
import { problemResponses, uuidParam } from '../platform/http/schemas.ts';
import type { ChannelsService } from '../channels/index.ts';
import type { CalendarService } from './calendar.service.ts';
import type { Connectors } from './connectors/registry.ts';
import { MetricsService } from './metrics.service.ts';
import { SPREAD_MODES, VariantsService } from './variants.service.ts';

interface Deps {
  calendar: CalendarService;
  channels: ChannelsService;
  connectors: Connectors;
}

const built = new WeakMap<Platform, { variants: VariantsService; metrics: MetricsService }>();

/** Metrics ingestion and A/B tests, one set per platform instance (routes and jobs share it). */
export function abTesting(platform: Platform, deps: Deps) {
  let s = built.get(platform);
  if (!s) {
    const variants = new VariantsService(platform, { calendar: deps.calendar });
    s = { variants, metrics: new MetricsService(platform, { ...deps, variants }) };
    built.set(platform, s);
  }
  return s;
}

const security = [{ bearerAuth: [] }];
const figure = z.number().int().nullable();
const metricsSchema = z.object({
  postId: z.string(),
  targets: z.array(
    z.object({
      targetId: z.string(),
      channelId: z.string(),
      variantKey: z.string().nullable(),
      status: z.string(),
      publishedAt: z.string().nullable(),
      metrics: z.object({ impressions: figure, likes: figure, comments: figure, shares: figure, clicks: figure, fetchedAt: z.string() }).nullable(),
    }),
  ),
});
const variantsSchema = z.object({
  postId: z.string(),
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
});

export function variantsRoutes(app: App, platform: Platform, deps: Deps) {
  const { variants, metrics } = abTesting(platform, deps);
  app.get(
    '/api/v1/posts/:id/metrics',
    {
      config: { access: 'posts:read' },
      schema: { tags: ['calendar'], summary: 'Latest figures of each published target (null: not fetched yet / not reported by the platform)', security, params: uuidParam, response: { 200: metricsSchema, ...problemResponses(400, 401, 403, 404) } },
    },
    async (request) => metrics.forPost(principalOf(request), request.params.id),
  );
  app.post(
    '/api/v1/posts/:id/metrics/refresh',
    {
      config: { access: 'posts:write' },
      schema: {
        tags: ['calendar'],
        summary: 'Fetch the figures of this post from its platforms now; channels that fail or are rate limited are listed in `problems`',
        security,
        params: uuidParam,
        response: { 200: metricsSchema.extend({ problems: z.array(z.object({ channelId: z.string(), kind: z.string(), message: z.string() })) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => metrics.refreshPost(principalOf(request), request.params.id),
  );
  app.get(
    '/api/v1/posts/:id/variants',
    {
      config: { access: 'posts:read' },
      schema: { tags: ['calendar'], summary: 'The post’s A/B variants with their figures, P(best) and the decision', security, params: uuidParam, response: { 200: variantsSchema, ...problemResponses(400, 401, 403, 404) } },
    },
    async (request) => variants.view(principalOf(request), request.params.id),
  );
  app.put(
    '/api/v1/posts/:id/variants',
    {
      config: { access: 'posts:write' },
      schema: {
        tags: ['calendar'],
        summary: 'Replace the post’s A/B variants (2–4, keys A–D in order) and spread them over channels or over successive slots of one channel',
        security,
        params: uuidParam,
        body: z.strictObject({
          mode: z.enum(SPREAD_MODES),
          variants: z
            .array(z.strictObject({ caption: z.string().max(5000).optional(), assetId: z.string().uuid().nullable().optional() }))
            .min(2)
            .max(4),
          channelId: z.string().uuid().optional(),
          times: z.array(z.iso.datetime({ offset: true })).min(2).max(4).optional(),
        }),
        response: { 200: variantsSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const { times, ...rest } = request.body;
      return variants.replace(principalOf(request), request.params.id, { ...rest, ...(times ? { times: times.map((t) => new Date(t)) } : {}) }, originOf(request));
    },
  );
}
