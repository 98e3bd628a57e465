import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { originOf, principalOf } from '../../platform/auth/guard.ts';
import { problemResponses, uuidParam } from '../../platform/http/schemas.ts';
import { alertSeverities, alertStatuses } from '../../platform/db/schema/index.ts';
import type { AnalyticsServices } from '../services.ts';
import { deliverySchema } from './reports.routes.ts';
import { security } from './schemas.ts';

const tags = ['alerts'];

const alertSchema = z.object({
  id: z.string(),
  rule: z.string().describe('see GET /api/v1/alerts/rules'),
  kind: z.enum(['condition', 'event']).describe('condition: resolves by itself when it clears; event: resolved by acknowledging'),
  subject: z.string().describe('what it is about: a channel id, persona id or "agency", queue name, provider id, "storage", an audit row id'),
  personaId: z.string().nullable(),
  severity: z.enum(alertSeverities),
  status: z.enum(alertStatuses),
  title: z.string(),
  details: z.record(z.string(), z.unknown()),
  openedAt: z.string(),
  lastSeenAt: z.string(),
  resolvedAt: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
});
const alertWithDeliveries = alertSchema.extend({ deliveries: z.array(deliverySchema) });

export function alertsRoutes(app: App, s: AnalyticsServices) {
  app.get(
    '/api/v1/alerts',
    {
      config: { access: 'analytics:read' },
      schema: {
        tags,
        summary: 'Alerts, newest first (open by default), with the number currently open',
        security,
        querystring: z.strictObject({
          status: z.enum(['open', 'resolved', 'all']).default('open'),
          personaId: z.string().uuid().optional(),
          rule: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ items: z.array(alertSchema), openCount: z.number().int() }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => s.alerts.list(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/alerts/rules',
    {
      config: { access: 'analytics:read' },
      schema: {
        tags,
        summary: 'The alert rules with their current settings (change them with PUT /api/v1/analytics/settings, `alerts`)',
        security,
        response: {
          200: z.object({
            items: z.array(z.object({ rule: z.string(), name: z.string(), description: z.string(), kind: z.enum(['condition', 'event']), settingsKey: z.string(), settings: z.record(z.string(), z.unknown()) })),
          }),
          ...problemResponses(401, 403),
        },
      },
    },
    async (request) => s.alerts.rules((await s.settings.get(principalOf(request))).settings),
  );
  app.post(
    '/api/v1/alerts/evaluate',
    {
      config: { access: 'analytics:manage' },
      schema: {
        tags,
        summary: 'Evaluate the rules now (they also run every 5 minutes); notifications go out through the delivery job',
        security,
        response: { 200: z.object({ opened: z.number().int(), resolved: z.number().int(), open: z.number().int(), failedRules: z.array(z.string()) }), ...problemResponses(401, 403) },
      },
    },
    async (request) => {
      const { orgId: _orgId, ...result } = await s.alerts.evaluateOrg(principalOf(request).orgId);
      return result;
    },
  );
  app.get(
    '/api/v1/alerts/:id',
    { config: { access: 'analytics:read' }, schema: { tags, summary: 'One alert with its notifications', security, params: uuidParam, response: { 200: alertWithDeliveries, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => s.alerts.get(principalOf(request), request.params.id),
  );
  app.post(
    '/api/v1/alerts/:id/acknowledge',
    {
      config: { access: 'analytics:manage' },
      schema: { tags, summary: 'Mark an alert seen; an event alert (chat safety) is resolved by it', security, params: uuidParam, response: { 200: alertWithDeliveries, ...problemResponses(400, 401, 403, 404) } },
    },
    async (request) => s.alerts.acknowledge(principalOf(request), request.params.id, originOf(request)),
  );
}
