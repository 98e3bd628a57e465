import { z } from 'zod';
import type { App } from '../platform/http/app.ts';
import type { Env } from '../platform/config/env.ts';
import { originOf, principalOf } from '../platform/auth/guard.ts';
import { notFound } from '../platform/http/problem.ts';
import { problemResponses } from '../platform/http/schemas.ts';
import { oauthPlatforms, publicBaseOf, type PlatformAppsService } from './platform-apps.service.ts';

const security = [{ bearerAuth: [] }];
const platformParam = z.strictObject({ platform: z.enum(oauthPlatforms) });
const httpUrl = z
  .string()
  .trim()
  .max(500)
  .url()
  .refine((v) => /^https?:\/\//i.test(v), 'must be an http(s) URL');

const appSchema = z.object({
  platform: z.enum(oauthPlatforms),
  configured: z.boolean(),
  clientId: z.string().nullable().describe('Not a secret; the client secret is never returned'),
  hasClientSecret: z.boolean(),
  baseUrl: z.string().nullable(),
  authBaseUrl: z.string().nullable(),
  redirectUri: z.string().describe('Register this exact URL as the redirect/callback URL of your app on the platform'),
});

export function platformAppsRoutes(app: App, service: PlatformAppsService, env: Pick<Env, 'PUBLIC_BASE_URL'>) {
  app.get(
    '/api/v1/platform-apps',
    {
      config: { access: 'channels:read' },
      schema: {
        tags: ['channels'],
        summary: "The organization's own developer apps for OAuth platforms (X, Reddit, Instagram, Fanvue)",
        security,
        response: { 200: z.object({ items: z.array(appSchema) }), ...problemResponses(401, 403) },
      },
    },
    async (request) => ({ items: await service.list(principalOf(request), publicBaseOf(env, request)) }),
  );
  app.put(
    '/api/v1/platform-apps/:platform',
    {
      config: { access: 'settings:manage' },
      schema: {
        tags: ['channels'],
        summary: 'Set the client id (and secret) of your app on a platform; the secret is sealed and write-only',
        security,
        params: platformParam,
        body: z.strictObject({
          clientId: z.string().trim().min(1).max(500),
          clientSecret: z.string().trim().min(1).max(2000).optional().describe('Omit to keep the stored one'),
          baseUrl: httpUrl.optional().describe('API base URL override (proxies, tests)'),
          authBaseUrl: httpUrl.optional().describe('Login/token host override (proxies, tests)'),
        }),
        response: { 204: z.null(), ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      await service.put(principalOf(request), request.params.platform, request.body, originOf(request));
      return reply.status(204).send(null);
    },
  );
  app.delete(
    '/api/v1/platform-apps/:platform',
    {
      config: { access: 'settings:manage' },
      schema: { tags: ['channels'], security, params: platformParam, response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) } },
    },
    async (request, reply) => {
      if (!(await service.remove(principalOf(request), request.params.platform, originOf(request)))) throw notFound('platform app');
      return reply.status(204).send(null);
    },
  );
}
