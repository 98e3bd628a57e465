import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { originOf, principalOf } from '../../platform/auth/guard.ts';
import { problemResponses, uuidParam } from '../../platform/http/schemas.ts';
import { providerTypes } from './configs.ts';
import type { ProvidersService } from './providers.service.ts';

const security = [{ bearerAuth: [] }];
const providerSchema = z.object({
  id: z.string(),
  kind: z.enum(['image', 'text', 'voice']),
  type: z.enum(providerTypes as [string, ...string[]]),
  name: z.string(),
  config: z.record(z.string(), z.unknown()),
  enabled: z.boolean(),
  credentialNames: z.array(z.string()).describe('Which credentials are stored; values are never returned'),
  createdAt: z.string(),
});
const credentials = z.partialRecord(z.enum(['apiKey', 'password']), z.string().min(1).max(4096));

export function providersRoutes(app: App, service: ProvidersService) {
  app.get(
    '/api/v1/providers',
    { config: { access: 'settings:manage' }, schema: { tags: ['providers'], security, response: { 200: z.object({ items: z.array(providerSchema) }), ...problemResponses(401, 403) } } },
    async (request) => ({ items: await service.list(principalOf(request)) }),
  );
  app.post(
    '/api/v1/providers',
    {
      config: { access: 'settings:manage' },
      schema: {
        tags: ['providers'],
        summary: 'Add a generation back-end (ComfyUI, A1111/Forge, Replicate, Stability, Ollama, OpenAI-compatible, ElevenLabs, Piper, espeak-ng)',
        security,
        body: z.strictObject({
          type: z.enum(providerTypes as [string, ...string[]]),
          name: z.string().trim().min(1).max(80),
          config: z.record(z.string(), z.unknown()).default({}),
          enabled: z.boolean().optional(),
          credentials: credentials.optional(),
        }),
        response: { 201: providerSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.create(principalOf(request), { ...request.body, type: request.body.type as never }, originOf(request))),
  );
  app.patch(
    '/api/v1/providers/:id',
    {
      config: { access: 'settings:manage' },
      schema: {
        tags: ['providers'],
        security,
        params: uuidParam,
        body: z.strictObject({
          name: z.string().trim().min(1).max(80).optional(),
          config: z.record(z.string(), z.unknown()).optional(),
          enabled: z.boolean().optional(),
          credentials: credentials.optional(),
        }),
        response: { 200: providerSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => service.update(principalOf(request), request.params.id, request.body, originOf(request)),
  );
  app.delete(
    '/api/v1/providers/:id',
    { config: { access: 'settings:manage' }, schema: { tags: ['providers'], security, params: uuidParam, response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      await service.remove(principalOf(request), request.params.id, originOf(request));
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/api/v1/providers/:id/check',
    {
      config: { access: 'settings:manage' },
      schema: { tags: ['providers'], summary: 'Is it reachable?', security, params: uuidParam, response: { 200: z.object({ ok: z.boolean(), detail: z.string().optional() }), ...problemResponses(400, 401, 403, 404, 409) } },
    },
    async (request) => service.check(principalOf(request), request.params.id),
  );
}
