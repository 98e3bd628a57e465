import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from '../http/problem.ts';
import type { AuthService } from './auth.service.ts';
import { can, type Permission } from './permissions.ts';
import type { Origin, Principal } from './principal.ts';

/** Each route says what it needs: a permission, 'authenticated' (any member), or 'public'. */
export type RouteAccess = Permission | 'authenticated' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** The one guard. A route without a declared access level refuses to register. */
export function registerGuard(app: FastifyInstance, auth: AuthService) {
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    const guarded = route.url.startsWith('/api/v1/');
    if (guarded && !route.config?.access) {
      throw new Error(`Route ${route.method} ${route.url} declares no access level (config.access)`);
    }
  });

  // onRequest, before the body is even read: strangers get 401/403, never a validation report.
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access || access === 'public') return;
    const token = bearerOf(request);
    if (!token) throw unauthorized();
    const principal = await auth.authenticate(token);
    if (!principal) throw unauthorized('Your session has expired or the credential is invalid', 'invalid_token');
    request.principal = principal;
    if (access !== 'authenticated' && !can(principal.role, access)) {
      throw forbidden(`Your role (${principal.role}) does not allow ${access}`);
    }
  });
}

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || null;
  // EventSource cannot set headers: the live-events stream alone may pass the token in the query.
  if (request.routeOptions.config.access && request.routeOptions.url === '/api/v1/events') {
    const token = (request.query as { access_token?: unknown } | undefined)?.access_token;
    if (typeof token === 'string' && token) return token;
  }
  return null;
}

/** The authenticated principal of a guarded route (never null past the guard). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

export function originOf(request: FastifyRequest): Origin {
  return { ip: request.ip, userAgent: request.headers['user-agent']?.slice(0, 300) ?? null, requestId: request.id };
}
