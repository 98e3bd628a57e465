import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Platform } from '../platform.ts';
import { registerGuard } from '../auth/guard.ts';
import { registerHttpMetrics } from '../observability/http-metrics.ts';
import { closeEventStreams } from '../events/index.ts';
import { registerProblemHandlers, sendFrameworkProblem, sendRouteNotFound } from './problem.ts';
import { registerAuditTrail } from './audit-trail.ts';
import { serveWeb } from './web.ts';

export type App = FastifyInstance<any, any, any, any, ZodTypeProvider>;

/** A capability contributes routes and jobs; it reaches other capabilities only through their services. */
export interface Capability {
  name: string;
  routes?(app: App, platform: Platform): void | Promise<void>;
  jobs?(platform: Platform): void;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

export async function buildApp(platform: Platform, capabilities: Capability[], opts: { webDist?: string | null } = {}): Promise<App> {
  const { env } = platform;
  const app = Fastify({
    // pino's Logger type is wider than Fastify's base logger; the instance is the same.
    loggerInstance: platform.log as FastifyBaseLogger,
    bodyLimit: env.BODY_LIMIT_BYTES,
    trustProxy: env.NODE_ENV === 'production',
    // Not `requestIdHeader`: Fastify would then take the client's header verbatim and call genReqId only
    // when it is absent, skipping the check below (any length, any characters into logs and headers).
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: (error, request, reply) => {
      sendFrameworkProblem(error, request as never, reply as never);
    },
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandlers(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('preClose', async () => closeEventStreams(app));

  await app.register(helmet, {
    // Swagger UI and the SPA are served from this origin; nothing loads from elsewhere.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        // Self-hosted installs are often plain HTTP on a LAN address: upgrading would break every asset.
        upgradeInsecureRequests: null,
      },
    },
  });
  const origins = env.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  if (origins.length) await app.register(cors, { origin: origins, credentials: true });
  await app.register(cookie);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Atelier API', version: '1', description: 'Self-hosted studio for AI creator personas' },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'Access token or API key (atk_…)' } },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerHttpMetrics(app, platform.metrics);
  registerGuard(app, platform.auth);
  registerAuditTrail(app, platform);

  for (const capability of capabilities) {
    await app.register(async (scope) => {
      await capability.routes?.(scope as App, platform);
    });
  }

  if (opts.webDist) await serveWeb(app, opts.webDist);
  else app.setNotFoundHandler(sendRouteNotFound);
  return app;
}
