import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { originOf, principalOf } from '../../platform/auth/guard.ts';
import { problemResponses, uuidParam } from '../../platform/http/schemas.ts';
import { destinationKinds, reportKinds } from '../../platform/db/schema/index.ts';
import { destinationInput, destinationPatch } from '../delivery/destinations.service.ts';
import type { AnalyticsServices } from '../services.ts';
import { kpisSchema, security } from './schemas.ts';

const tags = ['reports'];
const money = z.object({ grossMinor: z.number(), feeMinor: z.number(), netMinor: z.number() });

export const deliverySchema = z.object({
  id: z.string(),
  destinationId: z.string(),
  destinationName: z.string().nullable(),
  destinationKind: z.string().nullable(),
  event: z.string().describe('report | fired | resolved | test'),
  status: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number().int(),
  error: z.string().nullable(),
  sentAt: z.string().nullable(),
  createdAt: z.string(),
});

const reportSchema = z.object({
  id: z.string(),
  kind: z.enum(reportKinds),
  personaId: z.string().nullable().describe('null: agency-wide'),
  personaName: z.string().nullable(),
  periodStart: z.string(),
  periodEnd: z.string().describe('exclusive'),
  currency: z.string(),
  title: z.string(),
  revenueNetMinor: z.number().nullable(),
  hasHtml: z.boolean(),
  hasPdf: z.boolean(),
  pdfError: z.string().nullable(),
  createdAt: z.string(),
});

const reportDataSchema = z
  .object({
    kind: z.enum(reportKinds),
    title: z.string(),
    subject: z.object({ personaId: z.string(), name: z.string(), timezone: z.string() }).nullable(),
    period: z.object({ from: z.string(), to: z.string(), end: z.string() }),
    reportingCurrency: z.string(),
    generatedAt: z.string(),
    kpis: kpisSchema,
    previous: kpisSchema,
    revenue: z.object({ byCurrency: z.array(money.extend({ currency: z.string(), count: z.number() })), converted: money.nullable(), error: z.string().nullable() }),
    statement: z.object({ costsMinor: z.number(), costsByKind: z.array(z.object({ kind: z.string(), convertedMinor: z.number() })), revenueShareMinor: z.number(), balanceMinor: z.number() }).nullable(),
    personas: z.array(z.object({ personaId: z.string(), name: z.string(), published: z.number(), impressions: z.number(), engagementRate: z.number().nullable(), followerChange: z.number(), revenueNetMinor: z.number().nullable() })),
    series: z.array(z.object({ day: z.string(), revenueNetMinor: z.number().nullable(), impressions: z.number(), engagements: z.number(), followers: z.number().nullable() })),
    alerts: z.array(z.object({ rule: z.string(), title: z.string(), severity: z.string(), openedAt: z.string(), resolvedAt: z.string().nullable() })),
    bestHours: z.array(z.number()).nullable(),
    warnings: z.array(z.string()),
  })
  .describe('The frozen figures the report shows');

const destinationSchema = z.object({
  id: z.string(),
  kind: z.enum(destinationKinds),
  name: z.string(),
  config: z.record(z.string(), z.unknown()),
  reports: z.array(z.enum(reportKinds)),
  alerts: z.boolean(),
  enabled: z.boolean(),
  credentialNames: z.array(z.string()).describe('which secrets are set; values are never returned'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export function reportsRoutes(app: App, s: AnalyticsServices) {
  app.get(
    '/api/v1/reports',
    {
      config: { access: 'ledger:read' },
      schema: {
        tags,
        summary: 'Generated reports, newest period first',
        security,
        querystring: z.strictObject({ kind: z.enum(reportKinds).optional(), personaId: z.string().uuid().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ items: z.array(reportSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => s.reports.list(principalOf(request), request.query),
  );
  app.post(
    '/api/v1/reports',
    {
      config: { access: 'analytics:manage' },
      schema: {
        tags,
        summary: 'Make (or make again) a report now: HTML and PDF stored; optionally sent to the destinations that take its kind',
        security,
        body: z.strictObject({
          kind: z.enum(reportKinds),
          period: z.string().describe('daily: YYYY-MM-DD; weekly: its first day YYYY-MM-DD (7 days); monthly: YYYY-MM'),
          personaId: z.string().uuid().nullable().optional().describe('absent/null: agency-wide'),
          deliver: z.boolean().default(false),
        }),
        response: { 201: reportSchema.extend({ data: reportDataSchema, deliveries: z.array(deliverySchema) }), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => reply.status(201).send(await s.reports.create(principalOf(request), request.body, originOf(request))),
  );
  app.get(
    '/api/v1/reports/:id',
    {
      config: { access: 'ledger:read' },
      schema: { tags, summary: 'A report with its figures and deliveries', security, params: uuidParam, response: { 200: reportSchema.extend({ data: reportDataSchema, deliveries: z.array(deliverySchema) }), ...problemResponses(400, 401, 403, 404) } },
    },
    async (request) => s.reports.get(principalOf(request), request.params.id),
  );
  for (const kind of ['html', 'pdf'] as const) {
    app.get(
      `/api/v1/reports/:id/${kind}`,
      {
        config: { access: 'ledger:read' },
        schema: { tags, summary: `The stored ${kind.toUpperCase()} of a report`, security, params: uuidParam, response: { 200: z.any().describe(kind === 'html' ? 'text/html' : 'application/pdf'), ...problemResponses(400, 401, 403, 404) } },
      },
      async (request, reply) => {
        const doc = await s.reports.document(principalOf(request), request.params.id, kind);
        reply.header('content-disposition', `${kind === 'pdf' ? 'attachment' : 'inline'}; filename="${doc.filename}"`);
        reply.header('x-content-type-options', 'nosniff');
        // The stored page has no script and needs nothing from outside: forbid both.
        if (kind === 'html') reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'");
        return reply.type(kind === 'html' ? 'text/html; charset=utf-8' : 'application/pdf').send(doc.stream);
      },
    );
  }
  app.post(
    '/api/v1/reports/:id/deliver',
    {
      config: { access: 'analytics:manage' },
      schema: {
        tags,
        summary: 'Send the report to every enabled destination that takes its kind (once per destination)',
        security,
        params: uuidParam,
        response: { 202: z.object({ queued: z.number().int().describe('new deliveries; destinations already sent to are skipped') }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.status(202).send(await s.reports.deliver(principalOf(request), request.params.id, originOf(request))),
  );

  const dtags = ['analytics'];
  app.get(
    '/api/v1/analytics/destinations',
    { config: { access: 'analytics:manage' }, schema: { tags: dtags, summary: 'Where reports and alert notifications go', security, response: { 200: z.object({ items: z.array(destinationSchema) }), ...problemResponses(401, 403) } } },
    async (request) => s.destinations.list(principalOf(request)),
  );
  app.post(
    '/api/v1/analytics/destinations',
    {
      config: { access: 'analytics:manage' },
      schema: {
        tags: dtags,
        summary: 'Add a destination: Telegram chat, Discord webhook, e-mail (SMTP) or HTTP webhook',
        security,
        body: destinationInput,
        response: { 201: destinationSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => reply.status(201).send(await s.destinations.create(principalOf(request), request.body, originOf(request))),
  );
  app.get(
    '/api/v1/analytics/destinations/:id',
    { config: { access: 'analytics:manage' }, schema: { tags: dtags, security, params: uuidParam, response: { 200: destinationSchema, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => s.destinations.get(principalOf(request), request.params.id),
  );
  app.patch(
    '/api/v1/analytics/destinations/:id',
    {
      config: { access: 'analytics:manage' },
      schema: { tags: dtags, summary: 'Change a destination (credentials given are replaced, others kept)', security, params: uuidParam, body: destinationPatch, response: { 200: destinationSchema, ...problemResponses(400, 401, 403, 404) } },
    },
    async (request) => s.destinations.update(principalOf(request), request.params.id, request.body, originOf(request)),
  );
  app.delete(
    '/api/v1/analytics/destinations/:id',
    { config: { access: 'analytics:manage' }, schema: { tags: dtags, security, params: uuidParam, response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      await s.destinations.remove(principalOf(request), request.params.id, originOf(request));
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/api/v1/analytics/destinations/:id/test',
    {
      config: { access: 'analytics:manage' },
      schema: { tags: dtags, summary: 'Send a test message (in a job; its outcome shows in the delivery)', security, params: uuidParam, response: { 202: z.object({ deliveryId: z.string().nullable() }), ...problemResponses(400, 401, 403, 404) } },
    },
    async (request, reply) => reply.status(202).send(await s.delivery.test(principalOf(request), request.params.id, originOf(request))),
  );
  app.get(
    '/api/v1/analytics/deliveries/:id',
    { config: { access: 'analytics:manage' }, schema: { tags: dtags, summary: 'One delivery and its outcome', security, params: uuidParam, response: { 200: deliverySchema, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => s.delivery.get(principalOf(request), request.params.id),
  );
}
