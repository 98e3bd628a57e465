import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { originOf, principalOf } from '../../platform/auth/guard.ts';
import { problemResponses, uuidParam } from '../../platform/http/schemas.ts';
import type { BillingService } from './billing.service.ts';

const security = [{ bearerAuth: [] }];
const tags = ['billing'];
const month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM')
  .describe('calendar month, UTC');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'a real date');
const costKinds = ['gpu', 'api', 'infrastructure', 'platform', 'manual'] as const;

const profileSchema = z.object({
  personaId: z.string(),
  configured: z.boolean(),
  clientName: z.string(),
  clientEmail: z.string().nullable(),
  revenueShareBps: z.number(),
  infrastructureMinor: z.number(),
  currency: z.string().describe('the reporting currency infrastructureMinor is in'),
});
const costSchema = z.object({
  id: z.string(),
  personaId: z.string().nullable(),
  kind: z.enum(costKinds),
  description: z.string(),
  amountMinor: z.number(),
  currency: z.string(),
  occurredOn: z.string(),
  source: z.string(),
  sourceId: z.string().nullable(),
  createdAt: z.string(),
});
const money = z.object({ grossMinor: z.number(), feeMinor: z.number(), netMinor: z.number() });
const totalsSchema = z
  .object({
    month: z.string(),
    from: z.string(),
    toInclusive: z.string(),
    reportingCurrency: z.string(),
    persona: z.object({ id: z.string(), name: z.string() }).nullable(),
    client: z.object({ name: z.string(), email: z.string().nullable() }).nullable(),
    revenue: z.object({ byCurrency: z.array(money.extend({ currency: z.string(), count: z.number() })), converted: money }),
    costs: z.object({
      lines: z.array(z.object({ kind: z.string(), description: z.string(), amountMinor: z.number(), currency: z.string(), occurredOn: z.string(), convertedMinor: z.number() })),
      byKind: z.array(z.object({ kind: z.string(), convertedMinor: z.number() })),
      convertedMinor: z.number(),
    }),
    revenueShare: z.object({ bps: z.number().nullable(), minor: z.number() }),
    balanceMinor: z.number().describe('net revenue − agency share − costs: owed to the client'),
    generatedAt: z.string(),
  })
  .describe('Frozen figures, reporting currency unless a currency is named');
const statementSchema = z.object({
  id: z.string(),
  personaId: z.string().nullable(),
  month: z.string(),
  currency: z.string(),
  totals: totalsSchema,
  hasHtml: z.boolean(),
  hasPdf: z.boolean(),
  createdAt: z.string(),
});

export function billingRoutes(app: App, billing: BillingService) {
  app.get(
    '/api/v1/personas/:id/billing',
    { config: { access: 'ledger:read' }, schema: { tags, summary: "The persona's billing profile (client, revenue share, infrastructure share)", security, params: uuidParam, response: { 200: profileSchema, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => billing.profile(principalOf(request), request.params.id),
  );
  app.put(
    '/api/v1/personas/:id/billing',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        security,
        params: uuidParam,
        body: z.strictObject({
          clientName: z.string().trim().min(1).max(200),
          clientEmail: z.string().email().max(320).nullable().optional(),
          revenueShareBps: z.number().int().min(0).max(10_000).describe('agency share of net revenue, basis points (3000 = 30 %)'),
          infrastructureMinor: z.number().int().min(0).max(1_000_000_000).describe('fixed monthly share, reporting currency minor units'),
        }),
        response: { 200: profileSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => billing.setProfile(principalOf(request), request.params.id, request.body, originOf(request)),
  );

  app.get(
    '/api/v1/cost-lines',
    {
      config: { access: 'ledger:read' },
      schema: {
        tags,
        summary: 'Cost lines: studio GPU/API spend, infrastructure, platform and manual lines',
        security,
        querystring: z.strictObject({ personaId: z.string().uuid().optional(), month: month.optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) }),
        response: { 200: z.object({ items: z.array(costSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => billing.costs(principalOf(request), request.query),
  );
  app.post(
    '/api/v1/cost-lines',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Add a cost line by hand (no persona: org-wide)',
        security,
        body: z.strictObject({
          personaId: z.string().uuid().nullable().optional(),
          kind: z.enum(costKinds).default('manual'),
          description: z.string().trim().min(1).max(500),
          amountMinor: z.number().int().min(-1_000_000_000_000).max(1_000_000_000_000),
          currency: z.string().regex(/^[A-Za-z]{3}$/),
          occurredOn: day,
        }),
        response: { 201: costSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.status(201).send(await billing.addCost(principalOf(request), request.body, originOf(request))),
  );

  app.post(
    '/api/v1/statements',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Compute and freeze a monthly statement (one persona, or the organization); HTML and PDF stored',
        security,
        body: z.strictObject({ month, personaId: z.string().uuid().nullable().optional() }),
        response: { 201: statementSchema.extend({ pdfError: z.string().nullable() }), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => reply.status(201).send(await billing.createStatement(principalOf(request), request.body, originOf(request))),
  );
  app.get(
    '/api/v1/statements',
    {
      config: { access: 'ledger:read' },
      schema: {
        tags,
        security,
        querystring: z.strictObject({ personaId: z.string().uuid().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ items: z.array(statementSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => billing.statements(principalOf(request), request.query),
  );
  for (const kind of ['html', 'pdf'] as const) {
    app.get(
      `/api/v1/statements/:id/${kind}`,
      {
        config: { access: 'ledger:read' },
        schema: { tags, summary: `The stored ${kind.toUpperCase()} of a statement`, security, params: uuidParam, response: { 200: z.any().describe(kind === 'html' ? 'text/html' : 'application/pdf'), ...problemResponses(400, 401, 403, 404) } },
      },
      async (request, reply) => {
        const doc = await billing.document(principalOf(request), request.params.id, kind);
        reply.header('content-disposition', `${kind === 'pdf' ? 'attachment' : 'inline'}; filename="${doc.filename}"`);
        reply.header('x-content-type-options', 'nosniff');
        // The stored page has no script and needs nothing from outside: forbid both.
        if (kind === 'html') reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'");
        return reply.type(kind === 'html' ? 'text/html; charset=utf-8' : 'application/pdf').send(doc.stream);
      },
    );
  }
}
