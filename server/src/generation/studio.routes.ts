import { z } from 'zod';
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { desc, and, eq } from 'drizzle-orm';
import type { App } from '../platform/http/app.ts';
import type { Platform } from '../platform/platform.ts';
import { captions } from '../platform/db/schema/index.ts';
import { originOf, principalOf } from '../platform/auth/guard.ts';
import { canSeePersona } from '../platform/auth/principal.ts';
import { HttpError, notFound } from '../platform/http/problem.ts';
import { problemResponses, uuidParam } from '../platform/http/schemas.ts';
import { studioSettingsSchema } from './identity.ts';
import { generationRequestSchema } from './requests.ts';
import { generationKinds, generationStatuses } from '../platform/db/schema/index.ts';
import type { StudioService } from './studio.service.ts';
import type { LibraryService } from './library.service.ts';

const security = [{ bearerAuth: [] }];
const UPLOAD_LIMIT_BYTES = 200 * 1024 * 1024;

const studioView = z.object({ personaId: z.string(), settings: studioSettingsSchema, autoApproveExplicit: z.boolean() });
const jobSchema = z.object({
  id: z.string(),
  personaId: z.string(),
  kind: z.enum(generationKinds),
  status: z.enum(generationStatuses),
  progress: z.number(),
  progressMessage: z.string().nullable(),
  request: z.record(z.string(), z.unknown()),
  error: z.object({ message: z.string(), kind: z.string().optional(), details: z.unknown().optional() }).nullable(),
  resultAssetIds: z.array(z.string()),
  resultCaptionIds: z.array(z.string()),
  attempts: z.number().int(),
  planDate: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
const variantSchema = z.object({ name: z.string(), key: z.string(), width: z.number().nullable(), height: z.number().nullable(), bytes: z.number(), mimeType: z.string(), url: z.string() });
const assetSchema = z.object({
  id: z.string(),
  personaId: z.string(),
  kind: z.enum(['image', 'video', 'audio']),
  mimeType: z.string(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  durationSeconds: z.number().nullable(),
  bytes: z.number(),
  rating: z.enum(['unrated', 'sfw', 'suggestive', 'explicit']),
  ratingScores: z.record(z.string(), z.number()).nullable(),
  status: z.enum(['pending_approval', 'approved', 'rejected']),
  tags: z.array(z.string()),
  origin: z.record(z.string(), z.unknown()),
  jobId: z.string().nullable(),
  createdAt: z.string(),
  thumbnailUrl: z.string().nullable(),
  url: z.string(),
  variants: z.array(variantSchema),
});
const captionSchema = z.object({
  id: z.string(),
  personaId: z.string(),
  assetId: z.string().nullable(),
  jobId: z.string().nullable(),
  platform: z.string(),
  language: z.string(),
  variant: z.number().int(),
  text: z.string(),
  hashtags: z.array(z.string()),
  disclosureAdded: z.boolean(),
  createdAt: z.string(),
});
const tag = z.string().trim().min(1).max(50);

export function studioRoutes(app: App, platform: Platform, studio: StudioService, library: LibraryService) {
  app.get(
    '/api/v1/personas/:id/studio',
    { config: { access: 'personas:read' }, schema: { tags: ['studio'], summary: 'A persona’s look, voice, captions and daily plan', security, params: uuidParam, response: { 200: studioView, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => studio.settings(principalOf(request), request.params.id),
  );
  app.put(
    '/api/v1/personas/:id/studio',
    {
      config: { access: 'personas:write' },
      schema: { tags: ['studio'], security, params: uuidParam, body: studioSettingsSchema, response: { 200: studioView, ...problemResponses(400, 401, 403, 404, 422) } },
    },
    async (request) => studio.saveSettings(principalOf(request), request.params.id, request.body, originOf(request)),
  );
  app.put(
    '/api/v1/personas/:id/studio/auto-approve',
    {
      config: { access: 'settings:manage' },
      schema: {
        tags: ['studio'],
        summary: 'Let explicit media of this persona skip the approval queue (admins; audited)',
        security,
        params: uuidParam,
        body: z.strictObject({ enabled: z.boolean() }),
        response: { 200: studioView, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => studio.setAutoApprove(principalOf(request), request.params.id, request.body.enabled, originOf(request)),
  );

  app.post(
    '/api/v1/studio/jobs',
    {
      config: { access: 'media:write' },
      schema: {
        tags: ['studio'],
        summary: 'Generate images, a clip, a montage, captions or a voice file; progress arrives as live events',
        security,
        body: generationRequestSchema,
        response: { 202: jobSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => reply.status(202).send(await studio.request(principalOf(request), request.body, originOf(request))),
  );
  app.get(
    '/api/v1/studio/jobs',
    {
      config: { access: 'media:read' },
      schema: {
        tags: ['studio'],
        security,
        querystring: z.strictObject({
          personaId: z.string().uuid().optional(),
          status: z.enum(generationStatuses).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          before: z.iso.datetime({ offset: true }).optional(),
        }),
        response: { 200: z.object({ items: z.array(jobSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { before, ...q } = request.query;
      return { items: await studio.jobs(principalOf(request), { ...q, before: before ? new Date(before) : undefined }) };
    },
  );
  app.get(
    '/api/v1/studio/jobs/:id',
    { config: { access: 'media:read' }, schema: { tags: ['studio'], security, params: uuidParam, response: { 200: jobSchema, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => studio.job(principalOf(request), request.params.id),
  );
  app.post(
    '/api/v1/studio/jobs/:id/cancel',
    { config: { access: 'media:write' }, schema: { tags: ['studio'], security, params: uuidParam, response: { 200: jobSchema, ...problemResponses(400, 401, 403, 404, 409) } } },
    async (request) => studio.cancel(principalOf(request), request.params.id, originOf(request)),
  );

  app.get(
    '/api/v1/media',
    {
      config: { access: 'media:read' },
      schema: {
        tags: ['media'],
        summary: 'The media library, newest first, with filters',
        security,
        querystring: z.strictObject({
          personaId: z.string().uuid().optional(),
          kind: z.enum(['image', 'video', 'audio']).optional(),
          rating: z.enum(['unrated', 'sfw', 'suggestive', 'explicit']).optional(),
          status: z.enum(['pending_approval', 'approved', 'rejected']).optional(),
          tag: tag.optional(),
          q: z.string().trim().min(1).max(200).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          before: z.iso.datetime({ offset: true }).optional(),
        }),
        response: { 200: z.object({ items: z.array(assetSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { before, ...q } = request.query;
      return { items: await library.list(principalOf(request), { ...q, before: before ? new Date(before) : undefined }) };
    },
  );
  app.get(
    '/api/v1/media/:id',
    { config: { access: 'media:read' }, schema: { tags: ['media'], security, params: uuidParam, response: { 200: assetSchema, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => library.get(principalOf(request), request.params.id),
  );
  app.patch(
    '/api/v1/media/:id',
    {
      config: { access: 'media:write' },
      schema: { tags: ['media'], security, params: uuidParam, body: z.strictObject({ tags: z.array(tag).max(30) }), response: { 200: assetSchema, ...problemResponses(400, 401, 403, 404) } },
    },
    async (request) => library.tag(principalOf(request), request.params.id, request.body.tags, originOf(request)),
  );
  for (const decision of ['approve', 'reject'] as const) {
    app.post(
      `/api/v1/media/:id/${decision}`,
      {
        config: { access: 'media:write' },
        schema: { tags: ['media'], summary: `${decision === 'approve' ? 'Approve' : 'Reject'} an asset (approval queue)`, security, params: uuidParam, response: { 200: assetSchema, ...problemResponses(400, 401, 403, 404) } },
      },
      async (request) => library.review(principalOf(request), request.params.id, decision === 'approve' ? 'approved' : 'rejected', originOf(request)),
    );
  }
  app.post(
    '/api/v1/media/:id/regenerate',
    {
      config: { access: 'media:write' },
      schema: { tags: ['media'], summary: 'Generate again with the same request and seed', security, params: uuidParam, response: { 202: jobSchema, ...problemResponses(400, 401, 403, 404, 409, 422) } },
    },
    async (request, reply) => reply.status(202).send(await studio.regenerate(principalOf(request), request.params.id, originOf(request))),
  );

  app.get(
    '/api/v1/captions',
    {
      config: { access: 'media:read' },
      schema: {
        tags: ['studio'],
        security,
        querystring: z.strictObject({ personaId: z.string().uuid(), assetId: z.string().uuid().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ items: z.array(captionSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      if (!canSeePersona(p, request.query.personaId)) throw notFound('persona');
      const rows = await platform.db.withOrg(p.orgId, (tx) =>
        tx
          .select()
          .from(captions)
          .where(and(eq(captions.personaId, request.query.personaId), request.query.assetId ? eq(captions.assetId, request.query.assetId) : undefined))
          .orderBy(desc(captions.createdAt))
          .limit(request.query.limit),
      );
      return { items: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })) };
    },
  );

  app.register(async (uploads) => {
    await uploads.register(multipart, { limits: { fileSize: UPLOAD_LIMIT_BYTES, files: 1, fields: 10 } });
    uploads.post(
      '/api/v1/media/upload',
      {
        config: { access: 'media:write' },
        bodyLimit: UPLOAD_LIMIT_BYTES,
        schema: {
          tags: ['media'],
          summary: 'Upload or import (Midjourney has no API) an image, clip or sound: multipart/form-data with fields personaId, source (upload|midjourney), tags (comma-separated) and one file',
          security,
          response: { 201: assetSchema, ...problemResponses(400, 401, 403, 404, 413, 415) },
        },
      },
      async (request, reply) => {
        if (!request.isMultipart()) throw new HttpError(415, 'unsupported_media_type', 'Send multipart/form-data with one file');
        const { file, bytes } = await readUpload(request);
        const field = (name: string) => {
          const f = file.fields[name];
          const one = Array.isArray(f) ? f[0] : f;
          return one && 'value' in one ? String(one.value) : undefined;
        };
        const fields = z
          .strictObject({
            personaId: z.string().uuid(),
            source: z.enum(['upload', 'midjourney']).default('upload'),
            tags: z.string().max(1000).default(''),
          })
          .safeParse({ personaId: field('personaId'), source: field('source'), tags: field('tags') });
        if (!fields.success) {
          throw new HttpError(400, 'validation_failed', 'Invalid upload fields', {
            errors: fields.error.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message })),
          });
        }
        const tags = fields.data.tags.split(',').map((t) => t.trim()).filter(Boolean).slice(0, 30);
        const asset = await library.upload(principalOf(request), { personaId: fields.data.personaId, bytes, mimeType: file.mimetype, source: fields.data.source, tags }, originOf(request));
        return reply.status(201).send(asset);
      },
    );
  });
}

/** One uploaded file and its bytes; a malformed or oversized form is the client's error, never a 500. */
async function readUpload(request: FastifyRequest) {
  try {
    const file = await request.file();
    if (!file) throw new HttpError(400, 'file_missing', 'No file in the upload');
    const bytes = await file.toBuffer();
    return { file, bytes };
  } catch (error) {
    if (error instanceof HttpError) throw error;
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 413) throw new HttpError(413, 'body_too_large', 'The file is larger than the upload limit');
    throw new HttpError(400, 'malformed_multipart', `The upload could not be read: ${(error as Error).message}`);
  }
}
