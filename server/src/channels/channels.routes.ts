import { z } from 'zod';
import type { App } from '../platform/http/app.ts';
import { originOf, principalOf } from '../platform/auth/guard.ts';
import { problemResponses, uuidParam } from '../platform/http/schemas.ts';
import { platforms, type ChannelsService } from './channels.service.ts';

const security = [{ bearerAuth: [] }];
const channelSchema = z.object({
  id: z.string(),
  personaId: z.string(),
  platform: z.enum(platforms),
  handle: z.string(),
  settings: z.record(z.string(), z.unknown()),
  status: z.string(),
  credentialNames: z.array(z.string()).describe('Which credentials are stored; values are never returned'),
  createdAt: z.string(),
});

export function channelsRoutes(app: App, service: ChannelsService) {
  app.get(
    '/api/v1/channels',
    {
      config: { access: 'channels:read' },
      schema: {
        tags: ['channels'],
        security,
        querystring: z.strictObject({ personaId: z.string().uuid().optional().describe('Only this persona\'s channels') }),
        response: { 200: z.object({ items: z.array(channelSchema) }), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => ({ items: await service.list(principalOf(request), { personaId: request.query.personaId }) }),
  );
  app.post(
    '/api/v1/channels',
    {
      config: { access: 'channels:manage' },
      schema: {
        tags: ['channels'],
        summary: 'Connect a persona to a platform account; credentials are sealed at rest',
        security,
        body: z.strictObject({
          personaId: z.string().uuid(),
          platform: z.enum(platforms),
          handle: z.string().trim().min(1).max(200),
          settings: z.record(z.string(), z.unknown()).optional(),
          credentials: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), z.string().min(1).max(8192)).optional(),
        }),
        response: { 201: channelSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.status(201).send(await service.create(principalOf(request), request.body, originOf(request))),
  );
  app.get(
    '/api/v1/channels/:id',
    { config: { access: 'channels:read' }, schema: { tags: ['channels'], security, params: uuidParam, response: { 200: channelSchema, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => service.get(principalOf(request), request.params.id),
  );
  app.patch(
    '/api/v1/channels/:id',
    {
      config: { access: 'channels:manage' },
      schema: {
        tags: ['channels'],
        summary: 'Rename a channel or replace its settings (checked by platform); credentials change by reconnecting',
        security,
        params: uuidParam,
        body: z.strictObject({
          handle: z.string().trim().min(1).max(200).optional(),
          settings: z.record(z.string(), z.unknown()).optional(),
        }),
        response: { 200: channelSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => service.update(principalOf(request), request.params.id, request.body, originOf(request)),
  );
  app.delete(
    '/api/v1/channels/:id',
    { config: { access: 'channels:manage' }, schema: { tags: ['channels'], security, params: uuidParam, response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      await service.remove(principalOf(request), request.params.id, originOf(request));
      return reply.status(204).send(null);
    },
  );
}
