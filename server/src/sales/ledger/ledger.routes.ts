import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { originOf, principalOf } from '../../platform/auth/guard.ts';
import { HttpError } from '../../platform/http/problem.ts';
import { problemResponses, uuidParam } from '../../platform/http/schemas.ts';
import { transactionKinds } from '../../platform/db/schema/index.ts';
import type { LedgerService } from './ledger.service.ts';
import type { CsvImportService } from './csv-import.service.ts';
import type { FanvueEarningsSync } from './fanvue-sync.ts';
import type { ReportingService } from './reporting.service.ts';
import type { RatesService } from './rates.service.ts';

const security = [{ bearerAuth: [] }];
const tags = ['ledger'];
const CSV_LIMIT_BYTES = 10 * 1024 * 1024;

const currencyCode = z.string().regex(/^[A-Za-z]{3}$/, 'a 3-letter ISO 4217 code');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'a real date');
const minorInt = z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

const transactionSchema = z.object({
  id: z.string(),
  personaId: z.string(),
  fanId: z.string().nullable(),
  channelId: z.string().nullable(),
  platform: z.string(),
  kind: z.enum(transactionKinds),
  grossMinor: z.number(),
  feeMinor: z.number(),
  netMinor: z.number(),
  currency: z.string(),
  occurredAt: z.string(),
  source: z.string(),
  sourceId: z.string(),
  importId: z.string().nullable(),
  description: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const currencyTotal = z.object({ currency: z.string(), grossMinor: z.number(), feeMinor: z.number(), netMinor: z.number(), count: z.number() });
const convertedSchema = z
  .union([
    z.object({ currency: z.string(), grossMinor: z.number(), feeMinor: z.number(), netMinor: z.number() }),
    z.object({ currency: z.string(), error: z.object({ code: z.string(), message: z.string(), currency: z.string(), day: z.string() }) }),
  ])
  .describe('Totals in the reporting currency, or why they cannot be given (a missing exchange rate)');
const totalsSchema = z.object({ byCurrency: z.array(currencyTotal).describe('Never summed across currencies'), converted: convertedSchema });
const importSchema = z.object({
  id: z.string(),
  personaId: z.string().nullable(),
  source: z.string(),
  filename: z.string().nullable(),
  status: z.enum(['imported', 'rejected', 'running', 'failed']),
  rows: z.number(),
  added: z.number(),
  updated: z.number(),
  errors: z.array(z.string()).describe('`line N: message` for a rejected file; warnings or the failure otherwise'),
  createdAt: z.string(),
});
const importResult = importSchema.extend({ warnings: z.array(z.string()) });
const csvBody = z.strictObject({
  personaId: z.string().uuid(),
  platform: z.string().regex(/^[a-z0-9_]{1,32}$/, 'lowercase letters, digits, _').describe('Where the statement comes from (onlyfans, fansly, other…)'),
  filename: z.string().max(255).optional(),
  csv: z.string().min(1).max(CSV_LIMIT_BYTES),
});

export function ledgerRoutes(app: App, s: { ledger: LedgerService; csv: CsvImportService; sync: FanvueEarningsSync; reporting: ReportingService; rates: RatesService }) {
  app.get(
    '/api/v1/transactions',
    {
      config: { access: 'ledger:read' },
      schema: {
        tags,
        summary: 'Ledger rows, newest first, with totals per currency (and converted) over the whole filter',
        security,
        querystring: z.strictObject({
          personaId: z.string().uuid().optional(),
          from: z.coerce.date().optional(),
          to: z.coerce.date().optional().describe('exclusive'),
          kind: z.enum(transactionKinds).optional(),
          fanId: z.string().uuid().optional(),
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ items: z.array(transactionSchema), nextCursor: z.string().nullable(), totals: totalsSchema }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => s.ledger.list(principalOf(request), request.query),
  );

  app.post(
    '/api/v1/transactions',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Enter a transaction by hand (minor units; refunds and chargebacks negative)',
        security,
        body: z.strictObject({
          personaId: z.string().uuid(),
          kind: z.enum(transactionKinds),
          grossMinor: minorInt,
          feeMinor: minorInt.optional(),
          netMinor: minorInt.optional().describe('default gross − fee'),
          currency: currencyCode,
          occurredAt: z.coerce.date(),
          platform: z.string().regex(/^[a-z0-9_]{1,32}$/).optional(),
          fanId: z.string().uuid().optional(),
          description: z.string().max(500).optional(),
        }),
        response: { 201: transactionSchema, ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => reply.status(201).send(await s.ledger.create(principalOf(request), request.body, originOf(request))),
  );

  app.delete(
    '/api/v1/transactions/:id',
    { config: { access: 'sales:write' }, schema: { tags, summary: 'Delete a hand-entered row (imported rows follow their source)', security, params: uuidParam, response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409) } } },
    async (request, reply) => {
      await s.ledger.remove(principalOf(request), request.params.id, originOf(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/ledger/sync',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: "Pull a Fanvue channel's earnings now (also runs hourly); the same order is never counted twice",
        security,
        body: z.strictObject({ channelId: z.string().uuid() }),
        response: { 200: importResult, ...problemResponses(400, 401, 403, 404, 502) },
      },
    },
    async (request) => s.sync.syncNow(principalOf(request), request.body.channelId, originOf(request)),
  );

  app.get(
    '/api/v1/ledger/imports',
    {
      config: { access: 'ledger:read' },
      schema: {
        tags,
        summary: 'CSV imports and API syncs, newest first',
        security,
        querystring: z.strictObject({ personaId: z.string().uuid().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ items: z.array(importSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => s.ledger.imports(principalOf(request), request.query),
  );

  app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: CSV_LIMIT_BYTES, files: 1, fields: 10 } });
    scope.post(
      '/api/v1/ledger/imports',
      {
        config: { access: 'sales:write' },
        bodyLimit: CSV_LIMIT_BYTES + 64 * 1024,
        schema: {
          tags,
          summary:
            'Import a CSV statement: JSON {csv, platform, personaId, filename} or multipart (fields personaId, platform; one file). Columns: date, type, gross, fee, net, currency, fan_id, fan_handle, transaction_id, description. Every line is checked first; any error rejects the whole file (422, `line N: message`)',
          security,
          body: csvBody.nullish(),
          response: { 201: importResult, ...problemResponses(400, 401, 403, 404, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        const input = request.isMultipart() ? await readMultipart(request) : (request.body as z.infer<typeof csvBody> | null | undefined);
        if (!input) throw new HttpError(400, 'validation_failed', 'Send JSON {csv, platform, personaId} or a multipart form with one file');
        return reply.status(201).send(await s.csv.import(principalOf(request), { ...input, filename: input.filename ?? null }, originOf(request)));
      },
    );
  });

  app.get(
    '/api/v1/ledger/revenue',
    {
      config: { access: 'ledger:read' },
      schema: {
        tags,
        summary: 'Revenue per persona per UTC day: per currency, and converted to the reporting currency',
        security,
        querystring: z.strictObject({ personaId: z.string().uuid().optional(), from: z.coerce.date().optional(), to: z.coerce.date().optional().describe('exclusive') }),
        response: {
          200: z.object({
            reportingCurrency: z.string(),
            days: z.array(z.object({ personaId: z.string(), day: z.string(), byCurrency: z.array(currencyTotal), converted: z.object({ currency: z.string(), grossMinor: z.number(), feeMinor: z.number(), netMinor: z.number() }).nullable() })),
            totals: totalsSchema,
          }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => s.reporting.revenue(principalOf(request), request.query),
  );

  app.get(
    '/api/v1/ledger/ltv',
    {
      config: { access: 'ledger:read' },
      schema: {
        tags,
        summary: 'Lifetime value (net, reporting currency) per fan, or per first-seen-month cohort',
        security,
        querystring: z.strictObject({ personaId: z.string().uuid().optional(), by: z.enum(['fan', 'cohort']).default('fan'), limit: z.coerce.number().int().min(1).max(1000).default(200) }),
        response: {
          200: z.object({
            reportingCurrency: z.string(),
            by: z.enum(['fan', 'cohort']),
            fans: z.array(
              z.object({
                fanId: z.string(),
                personaId: z.string(),
                platform: z.string(),
                handle: z.string().nullable(),
                displayName: z.string().nullable(),
                firstSeenAt: z.string(),
                lastPurchaseAt: z.string().nullable(),
                transactions: z.number(),
                byCurrency: z.array(z.object({ currency: z.string(), netMinor: z.number() })),
                ltvMinor: z.number().nullable().describe('null when a rate is missing'),
              }),
            ),
            cohorts: z.array(
              z.object({
                cohort: z.string(),
                fans: z.number(),
                payingFans: z.number(),
                byCurrency: z.array(z.object({ currency: z.string(), netMinor: z.number() })),
                totalMinor: z.number().nullable(),
                averageMinor: z.number().nullable(),
              }),
            ),
          }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => s.reporting.ltv(principalOf(request), request.query),
  );

  const rateSchema = z.object({ day: z.string(), currency: z.string(), rate: z.string().describe('units of `currency` per 1 reporting-currency unit') });
  app.get(
    '/api/v1/exchange-rates',
    {
      config: { access: 'ledger:read' },
      schema: {
        tags,
        security,
        querystring: z.strictObject({ currency: currencyCode.optional(), from: day.optional(), to: day.optional() }),
        response: { 200: z.object({ reportingCurrency: z.string(), items: z.array(rateSchema) }), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => s.rates.list(principalOf(request), request.query),
  );
  app.put(
    '/api/v1/exchange-rates',
    {
      config: { access: 'sales:write' },
      schema: {
        tags,
        summary: 'Upsert day rates: units of `currency` per 1 unit of the reporting currency (e.g. USD 1.08 when reporting in EUR)',
        security,
        body: z.strictObject({
          rates: z
            .array(
              z.strictObject({
                day,
                currency: currencyCode,
                rate: z.union([z.string(), z.number()]).transform((v) => String(v)).pipe(z.string().regex(/^\d{1,10}(\.\d{1,8})?$/, 'a positive decimal, at most 8 decimals').refine((v) => Number(v) > 0, 'greater than 0')),
              }),
            )
            .min(1)
            .max(5000),
        }),
        response: { 200: z.object({ count: z.number() }), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => s.rates.put(principalOf(request), request.body.rates, originOf(request)),
  );

  app.get(
    '/api/v1/sales/settings',
    { config: { access: 'sales:read' }, schema: { tags, security, response: { 200: z.object({ reportingCurrency: z.string() }), ...problemResponses(401, 403) } } },
    async (request) => s.rates.settings(principalOf(request)),
  );
  app.put(
    '/api/v1/sales/settings',
    {
      config: { access: 'sales:write' },
      schema: { tags, summary: 'The reporting currency every total is converted to', security, body: z.strictObject({ reportingCurrency: currencyCode }), response: { 200: z.object({ reportingCurrency: z.string() }), ...problemResponses(400, 401, 403) } },
    },
    async (request) => s.rates.setSettings(principalOf(request), request.body, originOf(request)),
  );
}

/** The multipart form of a CSV import: fields personaId, platform (and filename), one file. */
async function readMultipart(request: FastifyRequest) {
  let file;
  let text: string;
  try {
    file = await request.file();
    if (!file) throw new HttpError(400, 'file_missing', 'No file in the upload');
    text = (await file.toBuffer()).toString('utf8');
  } catch (error) {
    if (error instanceof HttpError) throw error;
    if ((error as { statusCode?: number }).statusCode === 413) throw new HttpError(413, 'body_too_large', 'The file is larger than the import limit');
    throw new HttpError(400, 'malformed_multipart', `The upload could not be read: ${(error as Error).message}`);
  }
  const field = (name: string) => {
    const f = file.fields[name];
    const one = Array.isArray(f) ? f[0] : f;
    return one && 'value' in one ? String(one.value) : undefined;
  };
  const parsed = csvBody.safeParse({ personaId: field('personaId'), platform: field('platform'), filename: field('filename') ?? file.filename?.slice(0, 255), csv: text });
  if (!parsed.success) {
    throw new HttpError(400, 'validation_failed', 'Invalid import fields', { errors: parsed.error.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message })) });
  }
  return parsed.data;
}
