import type { FastifyInstance } from 'fastify';
import type { Platform } from '../platform.ts';
import { recordAudit } from '../audit/audit.ts';
import { originOf } from '../auth/guard.ts';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every authenticated mutating call leaves an audit row (route, outcome), whatever the service did;
 * services add domain events with more detail (e.g. persona attestation) in their own transaction.
 * Sign-in routes are public and audit themselves.
 */
export function registerAuditTrail(app: FastifyInstance, platform: Platform) {
  app.addHook('onResponse', async (request, reply) => {
    const principal = request.principal;
    if (!principal || !MUTATING.has(request.method)) return;
    const route = request.routeOptions.url ?? request.url;
    const params = (request.params ?? {}) as Record<string, unknown>;
    try {
      await platform.db.withOrg(principal.orgId, (tx) =>
        recordAudit(tx, principal, originOf(request), {
          action: `api.${request.method.toLowerCase()}`,
          targetType: 'route',
          targetId: route,
          details: { status: reply.statusCode, ...(typeof params.id === 'string' ? { id: params.id } : {}) },
        }),
      );
    } catch (err) {
      request.log.error({ err }, 'could not write audit row');
    }
  });
}
