import { z } from 'zod';
import type { App } from '../platform/http/app.ts';
import { originOf, principalOf } from '../platform/auth/guard.ts';
import { problemResponses, uuidParam } from '../platform/http/schemas.ts';
import type { PersonasService } from './personas.service.ts';

const timezone = z
  .string()
  .min(1)
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'Unknown IANA time zone');

const language = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'BCP 47 language tag, e.g. en or fr-FR');

const fields = {
  name: z.string().trim().min(1).max(80),
  bio: z.string().max(4000),
  timezone,
  languages: z.array(language).min(1).max(10),
  statedAge: z.number().int().min(18, 'Personas are adults: 18 or more').max(120),
};

const personaSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  bio: z.string(),
  timezone: z.string(),
  languages: z.array(z.string()),
  statedAge: z.number().int(),
  attestation: z.object({ by: z.string(), at: z.string(), text: z.string() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const createBody = z.strictObject({
  ...fields,
  bio: fields.bio.optional(),
  attestation: z.strictObject({
    fictional: z.literal(true, 'The persona must be fictional'),
    adult: z.literal(true, 'The persona must be an adult'),
    notRealPerson: z.literal(true, 'The persona must not be modelled on a real person'),
  }),
});

export function personasRoutes(app: App, personas: PersonasService) {
  const security = [{ bearerAuth: [] }];
  app.get(
    '/api/v1/personas',
    {
      config: { access: 'personas:read' },
      schema: { tags: ['personas'], security, response: { 200: z.object({ items: z.array(personaSchema) }), ...problemResponses(401, 403) } },
    },
    async (request) => ({ items: await personas.list(principalOf(request)) }),
  );

  app.post(
    '/api/v1/personas',
    {
      config: { access: 'personas:write' },
      schema: {
        tags: ['personas'],
        summary: 'Create a persona; requires the creator’s attestation (fictional, adult, no real person)',
        security,
        body: createBody,
        response: { 201: personaSchema, ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request, reply) => reply.status(201).send(await personas.create(principalOf(request), request.body, originOf(request))),
  );

  app.get(
    '/api/v1/personas/:id',
    {
      config: { access: 'personas:read' },
      schema: { tags: ['personas'], security, params: uuidParam, response: { 200: personaSchema, ...problemResponses(400, 401, 403, 404) } },
    },
    async (request) => personas.get(principalOf(request), request.params.id),
  );

  app.patch(
    '/api/v1/personas/:id',
    {
      config: { access: 'personas:write' },
      schema: {
        tags: ['personas'],
        security,
        params: uuidParam,
        body: z.strictObject(fields).partial(),
        response: { 200: personaSchema, ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => personas.update(principalOf(request), request.params.id, request.body, originOf(request)),
  );

  app.delete(
    '/api/v1/personas/:id',
    {
      config: { access: 'personas:delete' },
      schema: { tags: ['personas'], security, params: uuidParam, response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) } },
    },
    async (request, reply) => {
      await personas.remove(principalOf(request), request.params.id, originOf(request));
      return reply.status(204).send(null);
    },
  );
}
