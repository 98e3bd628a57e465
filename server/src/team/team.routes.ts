import { z } from 'zod';
import type { App } from '../platform/http/app.ts';
import { originOf, principalOf } from '../platform/auth/guard.ts';
import { problemResponses, uuidParam } from '../platform/http/schemas.ts';
import { roles } from '../platform/db/schema/index.ts';
import type { TeamService } from './team.service.ts';

const security = [{ bearerAuth: [] }];
const role = z.enum(roles);
const memberSchema = z.object({
  userId: z.string(),
  email: z.string(),
  displayName: z.string(),
  role,
  restrictedToAssigned: z.boolean(),
  personaIds: z.array(z.string()),
  createdAt: z.string(),
});
const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  role,
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
});

const iso = (d: Date) => d.toISOString();
const apiKeyView = (k: { id: string; name: string; prefix: string; role: (typeof roles)[number]; lastUsedAt: Date | null; createdAt: Date }) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  role: k.role,
  lastUsedAt: k.lastUsedAt ? iso(k.lastUsedAt) : null,
  createdAt: iso(k.createdAt),
});

export function teamRoutes(app: App, team: TeamService) {
  app.get(
    '/api/v1/team',
    { config: { access: 'team:read' }, schema: { tags: ['team'], security, response: { 200: z.object({ items: z.array(memberSchema) }), ...problemResponses(401, 403) } } },
    async (request) => ({ items: (await team.list(principalOf(request))).map((m) => ({ ...m, createdAt: iso(m.createdAt) })) }),
  );

  app.post(
    '/api/v1/team',
    {
      config: { access: 'team:manage' },
      schema: {
        tags: ['team'],
        summary: 'Add a member (creates the account when the email is new)',
        security,
        body: z.strictObject({
          email: z.string().trim().toLowerCase().email().max(254),
          displayName: z.string().trim().min(1).max(120).optional(),
          password: z.string().min(10).max(1024).optional(),
          role,
          restrictedToAssigned: z.boolean().optional(),
          personaIds: z.array(z.string().uuid()).max(500).optional(),
        }),
        response: { 201: z.object({ userId: z.string() }), ...problemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => reply.status(201).send(await team.add(principalOf(request), request.body, originOf(request))),
  );

  app.patch(
    '/api/v1/team/:id',
    {
      config: { access: 'team:manage' },
      schema: {
        tags: ['team'],
        security,
        params: uuidParam,
        body: z.strictObject({ role: role.optional(), restrictedToAssigned: z.boolean().optional(), personaIds: z.array(z.string().uuid()).max(500).optional() }),
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await team.update(principalOf(request), request.params.id, request.body, originOf(request));
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/v1/team/:id',
    { config: { access: 'team:manage' }, schema: { tags: ['team'], security, params: uuidParam, response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409) } } },
    async (request, reply) => {
      await team.remove(principalOf(request), request.params.id, originOf(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/api-keys',
    { config: { access: 'apikeys:manage' }, schema: { tags: ['api-keys'], security, response: { 200: z.object({ items: z.array(apiKeySchema) }), ...problemResponses(401, 403) } } },
    async (request) => ({ items: (await team.listApiKeys(principalOf(request))).map(apiKeyView) }),
  );

  app.post(
    '/api/v1/api-keys',
    {
      config: { access: 'apikeys:manage' },
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key for automation; the key is shown only in this response',
        security,
        body: z.strictObject({ name: z.string().trim().min(1).max(80), role }),
        response: { 201: apiKeySchema.extend({ key: z.string() }), ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const created = await team.createApiKey(principalOf(request), request.body, originOf(request));
      return reply.status(201).send({ ...apiKeyView(created), key: created.key });
    },
  );

  app.delete(
    '/api/v1/api-keys/:id',
    { config: { access: 'apikeys:manage' }, schema: { tags: ['api-keys'], security, params: uuidParam, response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      await team.revokeApiKey(principalOf(request), request.params.id, originOf(request));
      return reply.status(204).send(null);
    },
  );
}
