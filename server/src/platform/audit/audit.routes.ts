import { z } from 'zod';
import type { App } from '../http/app.ts';
import type { Platform } from '../platform.ts';
import { principalOf } from '../auth/guard.ts';
import { problemResponses } from '../http/schemas.ts';
import { listAudit } from './audit.ts';

const entry = z.object({
  id: z.string(),
  seq: z.number().int(),
  action: z.string(),
  actorUserId: z.string().nullable(),
  actorApiKeyId: z.string().nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.unknown(),
  createdAt: z.string(),
});

export function auditRoutes(app: App, { db }: Platform) {
  app.get(
    '/api/v1/audit',
    {
      config: { access: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'The organization’s audit log, newest first',
        security: [{ bearerAuth: [] }],
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          before: z.coerce.number().int().positive().optional().describe('The `seq` of the oldest entry already shown'),
          action: z.string().max(100).optional(),
        }),
        response: { 200: z.object({ items: z.array(entry), nextBefore: z.number().int().nullable() }), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const rows = await db.withOrg(p.orgId, (tx) => listAudit(tx, request.query));
      const items = rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
      return { items, nextBefore: items.length === request.query.limit ? (items.at(-1)?.seq ?? null) : null };
    },
  );
}
