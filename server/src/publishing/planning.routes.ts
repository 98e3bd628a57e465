import { z } from 'zod';
import type { App } from '../platform/http/app.ts';
import type { Platform } from '../platform/platform.ts';
import { originOf, principalOf } from '../platform/auth/guard.ts';
import { problemResponses, uuidParam } from '../platform/http/schemas.ts';
import { PersonasService } from '../personas/index.ts';
import type { ChannelsService } from '../channels/index.ts';
import type { CalendarService } from './calendar.service.ts';
import { postSchema, slotSchema, slotView } from './publishing.routes.ts';
import { activities, rhythmDaysSchema } from './rhythm.ts';
import { RhythmService } from './rhythm.service.ts';
import { channelSpend, monthOf } from './budget.ts';

const security = [{ bearerAuth: [] }];
const postStatuses = ['draft', 'approved', 'scheduled', 'publishing', 'published', 'failed', 'needs_review', 'cancelled'] as const;
const rhythmDayView = z.object({ weekday: z.number().int(), activity: z.enum(activities), slots: z.array(z.string()), note: z.string().optional() });
const rhythmView = z.object({
  personaId: z.string(),
  timezone: z.string(),
  isDefault: z.boolean().describe('No rhythm saved yet: the default (Monday planning, Tuesday–Thursday publishing, Friday analysis, weekend specials)'),
  days: z.array(rhythmDayView),
  today: z.object({ date: z.string(), weekday: z.number().int(), activity: z.enum(activities), slots: z.array(z.string()), note: z.string().nullable() }).describe('The persona’s local today in the rhythm'),
});
/** Drafts tray, channel spend and the weekly rhythm (issue #4, planning part). */
export function planningRoutes(app: App, platform: Platform, deps: { calendar: CalendarService; channels: ChannelsService }) {
  const { calendar, channels } = deps;
  const rhythm = new RhythmService(platform, { personas: new PersonasService(platform.db), channels });

  app.get(
    '/api/v1/posts',
    {
      config: { access: 'posts:read' },
      schema: {
        tags: ['calendar'],
        summary: 'A persona’s posts, highest priority first; `unscheduled=true` lists those with no time yet (drafts tray)',
        security,
        querystring: z.strictObject({
          personaId: z.string().uuid(),
          status: z.enum(postStatuses).optional(),
          unscheduled: z.enum(['true', 'false']).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ items: z.array(postSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      return { items: await calendar.list(principalOf(request), { personaId: q.personaId, status: q.status, unscheduled: q.unscheduled === 'true', limit: q.limit }) };
    },
  );

  app.get(
    '/api/v1/channels/:id/spend',
    {
      config: { access: 'channels:read' },
      schema: {
        tags: ['calendar'],
        summary: 'What the channel’s posts cost in a calendar month (UTC) against its budget (X bills per post)',
        security,
        params: uuidParam,
        querystring: z.strictObject({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM').optional() }),
        response: {
          200: z.object({
            channelId: z.string(),
            month: z.string(),
            currency: z.string(),
            budgetCents: z.number().int().nullable(),
            publishedCents: z.number().int(),
            scheduledCents: z.number().int(),
            remainingCents: z.number().int().nullable(),
          }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const channel = await channels.get(p, request.params.id);
      const spend = await platform.db.withOrg(p.orgId, (tx) => channelSpend(tx, channel, request.query.month ?? monthOf(new Date())));
      return { channelId: channel.id, ...spend };
    },
  );

  app.get(
    '/api/v1/personas/:id/rhythm',
    { config: { access: 'posts:read' }, schema: { tags: ['calendar'], summary: 'The persona’s weekly rhythm and what today is in it', security, params: uuidParam, response: { 200: rhythmView, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => rhythm.get(principalOf(request), request.params.id),
  );
  app.put(
    '/api/v1/personas/:id/rhythm',
    {
      config: { access: 'posts:write' },
      schema: {
        tags: ['calendar'],
        summary: 'Replace the weekly rhythm: each ISO weekday’s activity, posting times (publishing and specials days) and note',
        security,
        params: uuidParam,
        body: z.strictObject({ days: rhythmDaysSchema }),
        response: { 200: rhythmView, ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => rhythm.put(principalOf(request), request.params.id, request.body.days, originOf(request)),
  );
  app.post(
    '/api/v1/personas/:id/rhythm/apply',
    {
      config: { access: 'posts:write' },
      schema: {
        tags: ['calendar'],
        summary: 'Turn the rhythm into weekday slot templates (replaces those it made before; hand-made slots stay)',
        security,
        params: uuidParam,
        body: z.strictObject({ channelIds: z.array(z.string().uuid()).max(20).optional().describe('Channels of new rhythm slots; default: those the persona’s slots use') }),
        response: { 200: z.object({ items: z.array(slotSchema.extend({ id: z.string() })) }), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const items = await rhythm.apply(principalOf(request), request.params.id, request.body, originOf(request));
      return { items: items.map(slotView) };
    },
  );
}
