import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { originOf, principalOf } from '../../platform/auth/guard.ts';
import { HttpError } from '../../platform/http/problem.ts';
import { problemResponses, uuidParam } from '../../platform/http/schemas.ts';
import type { SegmentsService } from './segments.service.ts';
import { builtinKinds, segmentFilterSchema } from './segments.ts';

const security = [{ bearerAuth: [] }];
const tags = ['fans'];
const segmentSchema = z.object({
  id: z.string(),
  key: z.enum(builtinKinds).nullable(),
  builtin: z.boolean(),
  personaId: z.string().nullable(),
  name: z.string(),
  filter: segmentFilterSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
const name = z.string().trim().min(1).max(120);
const sizeSchema = z.object({ size: z.number().int() });

export function segmentsRoutes(app: App, segments: SegmentsService) {
  app.get(
    '/api/v1/segments',
    {
      config: { access: 'sales:read' },
      schema: {
        tags,
        summary: 'Saved fan filters: the four built-ins (new this week, top spenders, expired subscribers, inactive 14 days; key set) and custom ones',
        security,
        querystring: z.strictObject({ personaId: z.string().uuid().optional() }),
        response: { 200: z.object({ items: z.array(segmentSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ items: await segments.list(principalOf(request), request.query.personaId) }),
  );
  app.post(
    '/api/v1/segments',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Save a segment (personaId null: for every persona)',
        security,
        body: z.strictObject({ personaId: z.string().uuid().nullable().optional(), name, filter: segmentFilterSchema }),
        response: { 201: segmentSchema, ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => reply.status(201).send(await segments.create(principalOf(request), request.body, originOf(request))),
  );
  app.get(
    '/api/v1/segments/preview',
    {
      config: { access: 'sales:read' },
      schema: {
        tags,
        summary: 'How many fans an unsaved filter selects (the editor’s live size); `filter` is the filter as JSON',
        security,
        querystring: z.strictObject({ personaId: z.string().uuid().optional(), filter: z.string().max(4000) }),
        response: { 200: sizeSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      let raw: unknown;
      try {
        raw = JSON.parse(request.query.filter);
      } catch {
        throw new HttpError(400, 'bad_filter', 'filter must be JSON');
      }
      const parsed = segmentFilterSchema.safeParse(raw);
      if (!parsed.success) throw new HttpError(400, 'bad_filter', 'This filter is not valid', { errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
      return segments.preview(principalOf(request), parsed.data, request.query.personaId);
    },
  );
  app.get(
    '/api/v1/segments/:id',
    { config: { access: 'sales:read' }, schema: { tags, security, params: uuidParam, response: { 200: segmentSchema, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => segments.get(principalOf(request), request.params.id),
  );
  app.patch(
    '/api/v1/segments/:id',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Rename or change a custom segment (built-ins answer 409)',
        security,
        params: uuidParam,
        body: z.strictObject({ name: name.optional(), filter: segmentFilterSchema.optional() }),
        response: { 200: segmentSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => segments.update(principalOf(request), request.params.id, request.body, originOf(request)),
  );
  app.delete(
    '/api/v1/segments/:id',
    { config: { access: 'sales:write' }, schema: { tags, security, params: uuidParam, response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409) } } },
    async (request, reply) => {
      await segments.remove(principalOf(request), request.params.id, originOf(request));
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/api/v1/segments/:id/size',
    {
      config: { access: 'sales:read' },
      schema: {
        tags,
        summary: 'How many fans the segment selects now (for an all-personas segment: of `personaId`, or of every visible persona)',
        security,
        params: uuidParam,
        querystring: z.strictObject({ personaId: z.string().uuid().optional() }),
        response: { 200: sizeSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => segments.size(principalOf(request), request.params.id, request.query.personaId),
  );
}
