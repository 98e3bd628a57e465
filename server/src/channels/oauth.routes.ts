import { z } from 'zod';
import type { App } from '../platform/http/app.ts';
import type { Env } from '../platform/config/env.ts';
import { originOf, principalOf } from '../platform/auth/guard.ts';
import { HttpError } from '../platform/http/problem.ts';
import { problemResponses, uuidParam } from '../platform/http/schemas.ts';
import { oauthPlatforms, publicBaseOf } from './platform-apps.service.ts';
import type { OAuthConnectService } from './oauth.service.ts';

const security = [{ bearerAuth: [] }];
const setupCheckSchema = z.object({ ok: z.boolean(), problems: z.array(z.string()), checkedAt: z.string() });

export function oauthRoutes(app: App, service: OAuthConnectService, env: Pick<Env, 'PUBLIC_BASE_URL'>) {
  app.post(
    '/api/v1/channels/oauth/start',
    {
      config: { access: 'channels:manage' },
      schema: {
        tags: ['channels'],
        summary: 'Begin connecting (or reconnecting) an account by OAuth: send the browser to authorizeUrl',
        security,
        body: z.strictObject({
          personaId: z.string().uuid(),
          platform: z.enum(oauthPlatforms),
          channelId: z.string().uuid().optional().describe('Reconnect this channel instead of creating one'),
          returnTo: z.string().max(500).optional().describe('A path on this site to come back to (default /calendar/channels)'),
        }),
        response: { 200: z.object({ authorizeUrl: z.string(), expiresAt: z.string() }), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => service.start(principalOf(request), request.body, publicBaseOf(env, request)),
  );

  app.get(
    '/api/v1/oauth/callback/:platform',
    {
      // The platform sends the browser here without our bearer: everything is bound through the state.
      config: { access: 'public' },
      schema: {
        tags: ['channels'],
        summary: 'Where the platform sends the browser back; always redirects to the web (connected=<id> or oauth_error=<code>)',
        params: z.strictObject({ platform: z.string().max(40) }),
        querystring: z.looseObject({
          code: z.string().max(4096).optional(),
          state: z.string().max(512).optional(),
          error: z.string().max(512).optional(),
        }),
        response: { 302: z.null().describe('Redirect to the web') },
      },
    },
    async (request, reply) => {
      const location = await service.callback(request.params.platform, request.query, originOf(request));
      return reply.header('cache-control', 'no-store').redirect(location, 302);
    },
  );

  app.get(
    '/api/v1/channels/:id/setup-check',
    {
      config: { access: 'channels:read' },
      schema: {
        tags: ['channels'],
        summary: "The channel's last setup check (X: Automated label, bio disclosure)",
        security,
        params: uuidParam,
        response: { 200: setupCheckSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const check = await service.setupCheck(principalOf(request), request.params.id);
      if (!check) throw new HttpError(404, 'not_checked', 'This channel has not been checked yet');
      return check;
    },
  );
  app.post(
    '/api/v1/channels/:id/setup-check',
    {
      config: { access: 'channels:manage' },
      schema: { tags: ['channels'], summary: 'Run the setup checks again now', security, params: uuidParam, response: { 200: setupCheckSchema, ...problemResponses(400, 401, 403, 404) } },
    },
    async (request) => service.recheck(principalOf(request), request.params.id),
  );
}
