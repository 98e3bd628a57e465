import { z } from 'zod';
import type { App } from './app.ts';
import type { Platform } from '../platform.ts';
import { principalOf } from '../auth/guard.ts';
import { canSeePersona } from '../auth/principal.ts';
import { streamEvents } from '../events/index.ts';
import { LOCAL_MEDIA_ROUTE, ObjectNotFoundError, verifySignedUrl, parseKey, InvalidStorageKeyError } from '../storage/index.ts';
import { problemResponses } from './schemas.ts';
import { HttpError, notFound } from './problem.ts';

const MIME_BY_EXT: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.json': 'application/json',
};

export function systemRoutes(app: App, platform: Platform) {
  const { db, jobs, storage, events, keyring } = platform;

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness and readiness: the database, the job queue and storage answer',
        response: {
          200: z.object({ status: z.literal('ok'), checks: z.record(z.string(), z.string()) }),
          503: z.object({ status: z.literal('unavailable'), checks: z.record(z.string(), z.string()) }),
        },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, string> = {};
      const probe = async (name: string, fn: () => Promise<void>) => {
        try {
          await withTimeout(fn(), 3_000);
          checks[name] = 'ok';
        } catch (err) {
          checks[name] = err instanceof Error ? err.message.slice(0, 200) : 'failed';
        }
      };
      await Promise.all([probe('database', () => db.ping()), probe('jobs', () => jobs.ping()), probe('storage', () => storage.ping())]);
      const ok = Object.values(checks).every((v) => v === 'ok');
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks } as never);
    },
  );

  app.get(
    '/api/v1/events',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['system'],
        summary: 'Live events (text/event-stream). EventSource cannot send headers: pass access_token in the query.',
        security: [{ bearerAuth: [] }],
        querystring: z.strictObject({ access_token: z.string().max(4096).optional() }),
        response: { 200: z.string().describe('text/event-stream'), ...problemResponses(401) },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      streamEvents(request, reply, events, p.orgId, { filter: (e) => !e.personaId || canSeePersona(p, e.personaId) });
      return reply;
    },
  );

  // Local storage's signed URLs land here; the signature is the credential, like an S3 presigned URL.
  app.get(
    LOCAL_MEDIA_ROUTE,
    {
      config: { access: 'public' },
      schema: {
        tags: ['media'],
        summary: 'Media bytes behind a short-lived signed URL',
        querystring: z.strictObject({ key: z.string().max(300), exp: z.string().regex(/^\d{1,12}$/), sig: z.string().max(200) }),
        response: { 200: z.any(), ...problemResponses(400, 403, 404) },
      },
    },
    async (request, reply) => {
      const { key, exp, sig } = request.query;
      if (!verifySignedUrl(keyring.derive('media-url'), key, exp, sig)) throw new HttpError(403, 'bad_signature', 'This link is invalid or expired');
      let ext: string;
      try {
        ext = parseKey(key).ext;
      } catch (error) {
        if (error instanceof InvalidStorageKeyError) throw notFound('media');
        throw error;
      }
      try {
        const body = await storage.stream(key);
        return reply
          .type(MIME_BY_EXT[ext] ?? 'application/octet-stream')
          .header('cache-control', 'private, max-age=300')
          .send(body);
      } catch (error) {
        if (error instanceof ObjectNotFoundError) throw notFound('media');
        throw error;
      }
    },
  );

  app.get(
    '/api/v1/jobs/dead-letter',
    {
      config: { access: 'jobs:read' },
      schema: {
        tags: ['jobs'],
        summary: 'Jobs that failed after every retry (this organization only)',
        security: [{ bearerAuth: [] }],
        response: {
          200: z.object({
            items: z.array(z.object({ id: z.string(), name: z.string(), createdOn: z.string(), data: z.unknown(), output: z.unknown() })),
          }),
          ...problemResponses(401, 403),
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const items = await jobs.deadLetters(p.orgId);
      return {
        items: items.map((j) => ({ id: j.id, name: j.name, createdOn: new Date(j.createdOn).toISOString(), data: j.data, output: j.output })),
      };
    },
  );
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
