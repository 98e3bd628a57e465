import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.ts';

/**
 * Request durations labelled by route pattern and `GET /metrics`. Register on the root instance
 * before the routes so the hooks cover every route.
 */
export function registerHttpMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onRequest', async (request) => {
    startedAt.set(request.raw, process.hrtime.bigint());
  });

  app.addHook('onResponse', async (request, reply) => {
    const start = startedAt.get(request.raw);
    if (start === undefined) return;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    metrics.httpDuration.observe(
      {
        method: request.method,
        // The pattern, never the raw URL: ids and query strings would create a series per request.
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      seconds,
    );
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}

// Keyed by the raw request so nothing is added to Fastify's request shape and entries go with it.
const startedAt = new WeakMap<object, bigint>();
