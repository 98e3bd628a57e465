import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { originOf, principalOf } from '../../platform/auth/guard.ts';
import { problemResponses, uuidParam } from '../../platform/http/schemas.ts';
import type { PacksService } from './packs.service.ts';
import type { PriceListsService } from './price-lists.service.ts';
import type { CatalogueService } from './catalogue.service.ts';
import { catalogueSchema, currency, instant, packSchema, packStatus, platform, priceListSchema, security } from './schemas.ts';

const tags = ['catalogue'];
const title = z.string().trim().min(1).max(120);
const description = z.string().max(4000);

export function catalogueRoutes(app: App, packs: PacksService, priceLists: PriceListsService, catalogue: CatalogueService) {
  app.get(
    '/api/v1/packs',
    {
      config: { access: 'sales:read' },
      schema: {
        tags,
        summary: 'Packs and bundles, with their media, prices and effective prices now',
        security,
        querystring: z.strictObject({ personaId: z.string().uuid().optional(), status: packStatus.optional() }),
        response: { 200: z.object({ items: z.array(packSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ items: await packs.list(principalOf(request), request.query) }),
  );
  app.post(
    '/api/v1/packs',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Create a pack (media sold together) or a bundle (packs sold together), as a draft',
        security,
        body: z.strictObject({ personaId: z.string().uuid(), kind: z.enum(['pack', 'bundle']).optional(), title, description: description.optional(), status: packStatus.optional() }),
        response: { 201: packSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(await packs.create(principalOf(request), request.body, originOf(request))),
  );
  app.get(
    '/api/v1/packs/:id',
    { config: { access: 'sales:read' }, schema: { tags, security, params: uuidParam, response: { 200: packSchema, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => packs.get(principalOf(request), request.params.id),
  );
  app.patch(
    '/api/v1/packs/:id',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Edit title, description or status; an empty pack cannot be active',
        security,
        params: uuidParam,
        body: z.strictObject({ title: title.optional(), description: description.optional(), status: packStatus.optional() }),
        response: { 200: packSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => packs.update(principalOf(request), request.params.id, request.body, originOf(request)),
  );
  app.delete(
    '/api/v1/packs/:id',
    { config: { access: 'sales:write' }, schema: { tags, security, params: uuidParam, response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      await packs.remove(principalOf(request), request.params.id, originOf(request));
      return reply.status(204).send(null);
    },
  );
  app.put(
    '/api/v1/packs/:id/items',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Replace a pack’s media (approved, rated, the same persona’s); its rating becomes the most restricted of theirs',
        security,
        params: uuidParam,
        body: z.strictObject({ assetIds: z.array(z.string().uuid()).max(200) }),
        response: { 200: packSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => packs.setItems(principalOf(request), request.params.id, request.body.assetIds, originOf(request)),
  );
  app.put(
    '/api/v1/packs/:id/bundle',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Replace a bundle’s packs (plain packs of the same persona)',
        security,
        params: uuidParam,
        body: z.strictObject({ packIds: z.array(z.string().uuid()).max(50) }),
        response: { 200: packSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => packs.setBundle(principalOf(request), request.params.id, request.body.packIds, originOf(request)),
  );
  app.put(
    '/api/v1/packs/:id/prices',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Replace the pack’s list prices in one price list (the persona’s default when none is named)',
        security,
        params: uuidParam,
        body: z.strictObject({
          priceListId: z.string().uuid().optional(),
          prices: z.array(z.strictObject({ platform, amountMinor: z.number().int().min(0).max(100_000_000).describe('Minor units (cents)'), currency })).max(20),
        }),
        response: { 200: packSchema, ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => packs.setPrices(principalOf(request), request.params.id, request.body, originOf(request)),
  );

  app.get(
    '/api/v1/price-lists',
    {
      config: { access: 'sales:read' },
      schema: {
        tags,
        security,
        querystring: z.strictObject({ personaId: z.string().uuid().optional() }),
        response: { 200: z.object({ items: z.array(priceListSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ items: await priceLists.list(principalOf(request), request.query.personaId) }),
  );
  app.post(
    '/api/v1/price-lists',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Create a price list; a persona’s first list is her default',
        security,
        body: z.strictObject({ personaId: z.string().uuid(), name: z.string().trim().min(1).max(80), isDefault: z.boolean().optional() }),
        response: { 201: priceListSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.status(201).send(await priceLists.create(principalOf(request), request.body, originOf(request))),
  );
  app.patch(
    '/api/v1/price-lists/:id',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Rename, or make it the default (the previous default stops being one)',
        security,
        params: uuidParam,
        body: z.strictObject({ name: z.string().trim().min(1).max(80).optional(), isDefault: z.boolean().optional() }),
        response: { 200: priceListSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => priceLists.update(principalOf(request), request.params.id, request.body, originOf(request)),
  );
  app.delete(
    '/api/v1/price-lists/:id',
    { config: { access: 'sales:write' }, schema: { tags, security, params: uuidParam, response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409) } } },
    async (request, reply) => {
      await priceLists.remove(principalOf(request), request.params.id, originOf(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/personas/:id/catalogue',
    {
      config: { access: 'sales:read' },
      schema: {
        tags,
        summary: 'What she can offer now on a platform (or channel): active packs with a price there, at their effective price',
        security,
        params: uuidParam,
        querystring: z.strictObject({ platform: platform.optional(), channelId: z.string().uuid().optional(), at: instant.optional() }),
        response: { 200: catalogueSchema, ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const { at, ...rest } = request.query;
      return catalogue.forPersona(principalOf(request), request.params.id, { ...rest, at: at ? new Date(at) : undefined });
    },
  );
}
