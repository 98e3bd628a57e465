import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { originOf, principalOf } from '../../platform/auth/guard.ts';
import { problemResponses, uuidParam } from '../../platform/http/schemas.ts';
import type { PromotionDraft, PromotionsService } from './promotions.service.ts';
import type { TrackingLinksService } from './tracking-links.service.ts';
import { instant, platform, previewSchema, promotionCreate, promotionDraft, promotionPatch, promotionSchema, promotionStatus, security, trackingLinkCreate, trackingLinkSchema } from './schemas.ts';

const tags = ['catalogue'];
const dates = <T extends { startsAt?: string | undefined; endsAt?: string | undefined }>(body: T) => ({
  ...body,
  ...(body.startsAt !== undefined ? { startsAt: new Date(body.startsAt) } : {}),
  ...(body.endsAt !== undefined ? { endsAt: new Date(body.endsAt) } : {}),
});

export function promotionsRoutes(app: App, promotions: PromotionsService, links: TrackingLinksService) {
  app.get(
    '/api/v1/promotions',
    {
      config: { access: 'sales:read' },
      schema: {
        tags,
        security,
        querystring: z.strictObject({ personaId: z.string().uuid().optional(), status: promotionStatus.optional() }),
        response: { 200: z.object({ items: z.array(promotionSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ items: await promotions.list(principalOf(request), request.query) }),
  );
  app.post(
    '/api/v1/promotions',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Create a time-boxed discount or free trial; promotions never stack (see docs/sales.md)',
        security,
        body: promotionCreate,
        response: { 201: promotionSchema, ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const body = dates(request.body) as typeof request.body & { startsAt: Date; endsAt: Date };
      return reply.status(201).send(await promotions.create(principalOf(request), body, originOf(request)));
    },
  );
  app.post(
    '/api/v1/promotions/preview',
    {
      config: { access: 'sales:read' },
      schema: {
        tags,
        summary: 'A pack’s effective price before and after a draft promotion (nothing is stored)',
        security,
        body: z.strictObject({
          promotion: promotionDraft,
          promotionId: z.string().uuid().optional().describe('Editing this stored promotion: the draft replaces it'),
          packId: z.string().uuid(),
          platform,
          channelId: z.string().uuid().optional(),
          priceListId: z.string().uuid().optional(),
          at: instant.optional(),
        }),
        response: { 200: previewSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const { promotion, at, ...rest } = request.body;
      return promotions.preview(principalOf(request), { ...rest, promotion: dates(promotion) as PromotionDraft, at: at ? new Date(at) : undefined });
    },
  );
  app.get(
    '/api/v1/promotions/:id',
    { config: { access: 'sales:read' }, schema: { tags, security, params: uuidParam, response: { 200: promotionSchema, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => promotions.get(principalOf(request), request.params.id),
  );
  app.patch(
    '/api/v1/promotions/:id',
    {
      config: { access: 'sales:write' },
      schema: { tags, security, params: uuidParam, body: promotionPatch, response: { 200: promotionSchema, ...problemResponses(400, 401, 403, 404, 422) } },
    },
    async (request) => promotions.update(principalOf(request), request.params.id, dates(request.body) as never, originOf(request)),
  );
  app.delete(
    '/api/v1/promotions/:id',
    { config: { access: 'sales:write' }, schema: { tags, security, params: uuidParam, response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      await promotions.remove(principalOf(request), request.params.id, originOf(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/tracking-links',
    {
      config: { access: 'sales:read' },
      schema: {
        tags,
        security,
        querystring: z.strictObject({ personaId: z.string().uuid().optional() }),
        response: { 200: z.object({ items: z.array(trackingLinkSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ items: await links.list(principalOf(request), request.query.personaId) }),
  );
  app.post(
    '/api/v1/tracking-links',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'On a Fanvue channel: create the link on Fanvue. Otherwise: record a link made by hand',
        security,
        body: trackingLinkCreate,
        response: { 201: trackingLinkSchema, ...problemResponses(400, 401, 403, 404, 409, 422, 502, 503) },
      },
    },
    async (request, reply) => reply.status(201).send(await links.create(principalOf(request), request.body, originOf(request))),
  );
  app.post(
    '/api/v1/tracking-links/:id/refresh',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Fanvue links: read clicks and subscribers from Fanvue. Hand-made links: record the counters given',
        security,
        params: uuidParam,
        body: z.strictObject({ clicks: z.number().int().min(0).optional(), subscribers: z.number().int().min(0).optional() }).optional(),
        response: { 200: trackingLinkSchema, ...problemResponses(400, 401, 403, 404, 409, 502, 503) },
      },
    },
    async (request) => links.refresh(principalOf(request), request.params.id, request.body, originOf(request)),
  );
}
