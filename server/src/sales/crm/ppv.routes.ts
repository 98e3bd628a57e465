import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { originOf, principalOf } from '../../platform/auth/guard.ts';
import { problemResponses, uuidParam } from '../../platform/http/schemas.ts';
import { ppvCampaigns } from '../../platform/db/schema/index.ts';
import type { PpvService } from './ppv.service.ts';

const security = [{ bearerAuth: [] }];
const tags = ['ppv'];
const statuses = ppvCampaigns.status.enumValues;
const campaignSchema = z.object({
  id: z.string(),
  personaId: z.string(),
  channelId: z.string(),
  segmentId: z.string().nullable(),
  packId: z.string().nullable(),
  assetIds: z.array(z.string()),
  message: z.string(),
  priceMinor: z.number().int(),
  currency: z.string(),
  scheduledAt: z.string().nullable(),
  status: z.enum(statuses),
  recipients: z.number().int(),
  sent: z.number().int(),
  delivery: z.object({ pending: z.number().int(), sent: z.number().int(), failed: z.number().int() }),
  error: z.object({ message: z.string(), kind: z.string().optional() }).passthrough().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Purchases and revenue from ledger rows linked to the campaign; only with ledger:read. */
  results: z.object({ purchases: z.number().int(), revenue: z.array(z.object({ currency: z.string(), grossMinor: z.number().int(), netMinor: z.number().int() })) }).optional(),
});
const fields = {
  segmentId: z.string().uuid(),
  packId: z.string().uuid().nullable().optional(),
  assetIds: z.array(z.string().uuid()).max(20),
  message: z.string().max(5000),
  /** Minor units; 0 = free message, otherwise at least Fanvue's minimum (300). */
  priceMinor: z.number().int().min(0).max(100_000_00),
  currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code'),
};

export function ppvRoutes(app: App, ppv: PpvService) {
  app.get(
    '/api/v1/ppv',
    {
      config: { access: 'sales:read' },
      schema: {
        tags,
        summary: 'PPV campaigns, newest first; `from`/`to` select those scheduled in that window (the calendar)',
        security,
        querystring: z.strictObject({
          personaId: z.string().uuid().optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          status: z.enum(statuses).optional(),
        }),
        response: { 200: z.object({ items: z.array(campaignSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { from, to, ...rest } = request.query;
      return { items: await ppv.list(principalOf(request), { ...rest, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined }) };
    },
  );
  app.post(
    '/api/v1/ppv',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Create a draft campaign: a message with approved media of the persona and a price, for a segment, on a Fanvue channel',
        security,
        body: z.strictObject({ personaId: z.string().uuid(), channelId: z.string().uuid(), ...fields, currency: fields.currency.default('USD') }),
        response: { 201: campaignSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => reply.status(201).send(await ppv.create(principalOf(request), request.body, originOf(request))),
  );
  app.get(
    '/api/v1/ppv/:id',
    { config: { access: 'sales:read' }, schema: { tags, security, params: uuidParam, response: { 200: campaignSchema, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => ppv.get(principalOf(request), request.params.id),
  );
  app.patch(
    '/api/v1/ppv/:id',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Edit a draft or scheduled campaign',
        security,
        params: uuidParam,
        body: z.strictObject({ segmentId: fields.segmentId.optional(), packId: fields.packId, assetIds: fields.assetIds.optional(), message: fields.message.optional(), priceMinor: fields.priceMinor.optional(), currency: fields.currency.optional() }),
        response: { 200: campaignSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => ppv.update(principalOf(request), request.params.id, request.body, originOf(request)),
  );
  app.delete(
    '/api/v1/ppv/:id',
    { config: { access: 'sales:write' }, schema: { tags, summary: 'Delete a draft or cancelled campaign', security, params: uuidParam, response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409) } } },
    async (request, reply) => {
      await ppv.remove(principalOf(request), request.params.id, originOf(request));
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/api/v1/ppv/:id/schedule',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Schedule (or move) the campaign; its audience is resolved when it is sent',
        security,
        params: uuidParam,
        body: z.strictObject({ at: z.iso.datetime({ offset: true }) }),
        response: { 200: campaignSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => ppv.schedule(principalOf(request), request.params.id, new Date(request.body.at), originOf(request)),
  );
  app.post(
    '/api/v1/ppv/:id/cancel',
    {
      config: { access: 'sales:write' },
      schema: { tags, summary: 'Cancel: nothing more is sent (fans already reached keep their message)', security, params: uuidParam, response: { 200: campaignSchema, ...problemResponses(400, 401, 403, 404, 409) } },
    },
    async (request) => ppv.cancel(principalOf(request), request.params.id, originOf(request)),
  );
}
