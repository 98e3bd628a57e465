import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { originOf, principalOf } from '../../platform/auth/guard.ts';
import { problemResponses, uuidParam } from '../../platform/http/schemas.ts';
import type { FansService } from './fans.service.ts';
import { subscriptionStates } from './segments.ts';

const security = [{ bearerAuth: [] }];
const tags = ['fans'];
const word = z.string().trim().min(1).max(64);
export const fanSchema = z.object({
  id: z.string(),
  personaId: z.string(),
  platform: z.string(),
  platformFanId: z.string(),
  handle: z.string().nullable(),
  displayName: z.string().nullable(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  subscription: z.enum(subscriptionStates),
  subscriptionEndsAt: z.string().nullable(),
  tags: z.array(z.string()),
  notes: z.string(),
  language: z.string().nullable(),
  flags: z.array(z.string()),
  erasedAt: z.string().nullable(),
  /** Only for callers with ledger:read. */
  spend: z.object({ totalMinor: z.number().int(), currency: z.string(), purchases: z.number().int(), lastPurchaseAt: z.string().nullable() }).optional(),
});

export function fansRoutes(app: App, fans: FansService) {
  app.get(
    '/api/v1/fans',
    {
      config: { access: 'sales:read' },
      schema: {
        tags,
        summary: 'Fans, most recently seen first, filtered by persona, segment, search, subscription or tag. Spend only with ledger:read.',
        security,
        querystring: z.strictObject({
          personaId: z.string().uuid().optional(),
          segmentId: z.string().uuid().optional(),
          q: z.string().trim().min(1).max(100).optional(),
          subscription: z.enum(subscriptionStates).optional(),
          tag: word.optional(),
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ items: z.array(fanSchema), nextCursor: z.string().nullable(), currency: z.string().nullable() }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => fans.list(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/fans/:id',
    { config: { access: 'sales:read' }, schema: { tags, security, params: uuidParam, response: { 200: fanSchema, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => fans.get(principalOf(request), request.params.id),
  );
  app.patch(
    '/api/v1/fans/:id',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Edit tags, notes, flags, language. "stated_under_18" can be set by anyone here, cleared only by an owner or admin.',
        security,
        params: uuidParam,
        body: z.strictObject({
          tags: z.array(word).max(50).optional(),
          notes: z.string().max(5000).optional(),
          flags: z.array(word).max(20).optional(),
          language: z.string().trim().min(2).max(16).nullable().optional(),
        }),
        response: { 200: fanSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => fans.update(principalOf(request), request.params.id, request.body, originOf(request)),
  );
  app.get(
    '/api/v1/fans/:id/export',
    {
      config: { access: 'fans:export' },
      schema: {
        tags,
        summary: 'GDPR export: everything held about the fan as JSON (profile, transactions, PPV deliveries, engagements, media as ids with signed URLs). Audited.',
        security,
        params: uuidParam,
        response: { 200: z.object({ exportedAt: z.string(), fan: fanSchema.extend({ channelId: z.string().nullable() }), media: z.array(z.object({ assetId: z.string(), mimeType: z.string(), url: z.string() })) }).catchall(z.unknown()), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const doc = await fans.export(principalOf(request), request.params.id, originOf(request));
      return reply.header('content-disposition', `attachment; filename="fan-${request.params.id}.json"`).send(doc);
    },
  );
  app.post(
    '/api/v1/fans/:id/erase',
    {
      config: { access: 'fans:export' },
      schema: {
        tags,
        summary: 'GDPR erase, in one transaction: profile blanked, engagements deleted, ledger rows anonymised (totals kept). Audited without the handle.',
        security,
        params: uuidParam,
        response: { 200: fanSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => fans.erase(principalOf(request), request.params.id, originOf(request)),
  );
}
