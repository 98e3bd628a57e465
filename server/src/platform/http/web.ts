import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { sendRouteNotFound } from './problem.ts';

const BUILDING_PAGE = `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
<title>Atelier</title></head><body style="font-family:system-ui;margin:4rem;color:#333">
<h1>Atelier</h1><p>The dashboard is being built; this page reloads by itself.</p>
<p>Le tableau de bord est en cours de construction ; cette page se recharge toute seule.</p></body></html>`;

/**
 * Serves the built SPA from webDist: files as they are, any other page path as index.html (client-side
 * routing). The folder is looked up per request, so the API can start before `vite build` has finished.
 */
export async function serveWeb(app: FastifyInstance, webDist: string) {
  mkdirSync(webDist, { recursive: true });
  await app.register(fastifyStatic, { root: webDist, serve: false });
  app.setNotFoundHandler((request, reply) => {
    const path = decodeURIComponent(request.url.split('?')[0] ?? '/');
    const isPage = request.method === 'GET' || request.method === 'HEAD';
    if (!isPage || path.startsWith('/api/') || path === '/metrics' || path === '/healthz') {
      return sendRouteNotFound(request, reply);
    }
    const relative = normalize(path).replace(/^([/\\])+/, '');
    const file = join(webDist, relative);
    if (relative && !relative.startsWith('..') && file.startsWith(webDist + sep) && existsSync(file) && statSync(file).isFile()) {
      // Hashed asset names never change content: cache them for good.
      if (relative.startsWith('assets' + sep)) reply.header('cache-control', 'public, max-age=31536000, immutable');
      return reply.sendFile(relative);
    }
    // A missing asset is a 404, not the SPA shell (which would be parsed as the wrong file type).
    if (relative.startsWith('assets' + sep)) return sendRouteNotFound(request, reply);
    if (existsSync(join(webDist, 'index.html'))) return reply.header('cache-control', 'no-cache').sendFile('index.html');
    return reply.type('text/html; charset=utf-8').status(503).header('retry-after', '3').send(BUILDING_PAGE);
  });
}
