import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { originOf, principalOf } from '../../platform/auth/guard.ts';
import { problemResponses } from '../../platform/http/schemas.ts';
import { KPI_DEFINITIONS } from '../kpis.ts';
import { dayString, rangeQuery } from '../range.ts';
import { settingsSchema } from '../settings.ts';
import type { AnalyticsServices } from '../services.ts';
import { abTestsSchema, bestHoursSchema, channelsTableSchema, kpiCatalogueSchema, monthlySchema, overviewSchema, personasTableSchema, security } from './schemas.ts';

const tags = ['analytics'];
const personaFilter = { personaId: z.string().uuid().optional().describe('one persona; absent: agency-wide (the caller’s visible personas)') };
const settingsResponse = z.object({ settings: settingsSchema, updatedAt: z.string().nullable() });

export function analyticsRoutes(app: App, s: AnalyticsServices) {
  app.get(
    '/api/v1/analytics/kpis',
    { config: { access: 'analytics:read' }, schema: { tags, summary: 'What each KPI means and how it is computed', security, response: { 200: kpiCatalogueSchema, ...problemResponses(401, 403) } } },
    async () => ({ items: KPI_DEFINITIONS }),
  );
  app.get(
    '/api/v1/analytics/overview',
    {
      config: { access: 'analytics:read' },
      schema: {
        tags,
        summary: 'KPIs for a range (and the range before), daily series and revenue per currency, for one persona or agency-wide',
        security,
        querystring: rangeQuery.extend(personaFilter),
        response: { 200: overviewSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => s.dashboard.overview(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/analytics/personas',
    {
      config: { access: 'analytics:read' },
      schema: { tags, summary: 'Per-persona performance over a range (the agency table), with totals', security, querystring: rangeQuery, response: { 200: personasTableSchema, ...problemResponses(400, 401, 403) } },
    },
    async (request) => s.dashboard.personas(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/analytics/channels',
    {
      config: { access: 'analytics:read' },
      schema: { tags, summary: 'Per-channel publishing, engagement and audience over a range', security, querystring: rangeQuery.extend(personaFilter), response: { 200: channelsTableSchema, ...problemResponses(400, 401, 403, 404) } },
    },
    async (request) => s.dashboard.channels(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/analytics/revenue/monthly',
    {
      config: { access: 'analytics:read' },
      schema: {
        tags,
        summary: 'Net revenue, costs and ROI per calendar month (reporting currency, converted per day)',
        security,
        querystring: z.strictObject({ months: z.coerce.number().int().min(1).max(36).default(12), ...personaFilter }),
        response: { 200: monthlySchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => s.dashboard.monthlyRevenue(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/analytics/ab-tests',
    {
      config: { access: 'analytics:read' },
      schema: {
        tags,
        summary: 'Posts with A/B variants scheduled in the range, with figures per variant and the decision',
        security,
        querystring: rangeQuery.extend({ ...personaFilter, limit: z.coerce.number().int().min(1).max(100).default(50) }),
        response: { 200: abTestsSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => s.dashboard.abTests(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/analytics/best-hours',
    {
      config: { access: 'analytics:read' },
      schema: {
        tags,
        summary: "A persona's best posting hours in her timezone, learned from her published posts",
        security,
        querystring: z.strictObject({ personaId: z.string().uuid(), days: z.coerce.number().int().min(7).max(365).default(90) }),
        response: { 200: bestHoursSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => s.dashboard.bestHours(principalOf(request), request.query),
  );

  app.get(
    '/api/v1/analytics/settings',
    { config: { access: 'analytics:read' }, schema: { tags, summary: 'Report schedule and alert rules with their thresholds', security, response: { 200: settingsResponse, ...problemResponses(401, 403) } } },
    async (request) => s.settings.get(principalOf(request)),
  );
  app.put(
    '/api/v1/analytics/settings',
    {
      config: { access: 'analytics:manage' },
      schema: { tags, summary: 'Replace the report schedule and alert rules (omitted fields take their defaults)', security, body: settingsSchema, response: { 200: settingsResponse, ...problemResponses(400, 401, 403) } },
    },
    async (request) => s.settings.put(principalOf(request), request.body, originOf(request)),
  );
  app.post(
    '/api/v1/analytics/rebuild',
    {
      config: { access: 'analytics:manage' },
      schema: {
        tags,
        summary: 'Recompute the rollups of a day range from their sources (publications, tech, revenue, costs) in a job',
        security,
        body: z.strictObject({ from: dayString, to: dayString }),
        response: { 202: z.object({ queued: z.boolean(), from: z.string(), to: z.string() }), ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => reply.status(202).send(await s.settings.rebuild(principalOf(request), request.body, originOf(request))),
  );
}
