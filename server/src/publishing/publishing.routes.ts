import { z } from 'zod';
import type { App } from '../platform/http/app.ts';
import { originOf, principalOf } from '../platform/auth/guard.ts';
import { HttpError } from '../platform/http/problem.ts';
import { problemResponses, uuidParam } from '../platform/http/schemas.ts';
import { targetStatuses } from '../platform/db/schema/index.ts';
import type { ChannelsService } from '../channels/index.ts';
import type { CalendarService } from './calendar.service.ts';
import type { OnlyFansExportConnector } from './connectors/onlyfans/index.ts';
import type { Connectors } from './connectors/registry.ts';

const security = [{ bearerAuth: [] }];
const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour');
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const targetSchema = z.object({
  id: z.string(),
  channelId: z.string(),
  variant: z.string(),
  text: z.string(),
  options: z.record(z.string(), z.unknown()),
  status: z.enum(targetStatuses),
  scheduledAt: z.string().nullable(),
  attempts: z.number().int(),
  publishedAt: z.string().nullable(),
  remoteId: z.string().nullable(),
  remoteUrl: z.string().nullable(),
  error: z.object({ message: z.string(), kind: z.string().optional() }).passthrough().nullable(),
  /** What the platform billed for this target (X), whole US cents rounded up. */
  costCents: z.number().int(),
});
export const postSchema = z.object({
  id: z.string(),
  personaId: z.string(),
  status: z.string(),
  caption: z.string(),
  priority: z.number().int(),
  assetId: z.string().nullable(),
  scheduledAt: z.string().nullable(),
  createdAt: z.string(),
  targets: z.array(targetSchema),
});
export const slotSchema = z.strictObject({
  name: z.string().trim().min(1).max(80),
  weekdays: z.array(z.number().int().min(1).max(7)).max(7).default([]),
  localTime,
  channelIds: z.array(z.string().uuid()).max(20).default([]),
  priority: z.number().int().min(-100).max(100).default(0),
  enabled: z.boolean().default(true),
});

const targetInput = z.strictObject({
  channelId: z.string().uuid(),
  variant: z.enum(['original', 'portrait', 'story', 'landscape', 'square']).optional(),
  text: z.string().max(5000).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});

export function publishingRoutes(app: App, calendar: CalendarService, channels: ChannelsService, onlyfans: OnlyFansExportConnector, connectors: Connectors) {
  app.post(
    '/api/v1/posts',
    {
      config: { access: 'posts:write' },
      schema: {
        tags: ['calendar'],
        summary: 'Create a draft post with its targets; each target is checked by the channel policy router',
        security,
        body: z.strictObject({
          personaId: z.string().uuid(),
          caption: z.string().max(5000),
          priority: z.number().int().min(-100).max(100).optional(),
          assetId: z.string().uuid().nullable().optional(),
          targets: z.array(targetInput).min(1).max(20),
        }),
        response: { 201: postSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => reply.status(201).send(await calendar.create(principalOf(request), request.body, originOf(request))),
  );
  app.get(
    '/api/v1/posts/:id',
    { config: { access: 'posts:read' }, schema: { tags: ['calendar'], security, params: uuidParam, response: { 200: postSchema, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => calendar.get(principalOf(request), request.params.id),
  );
  app.put(
    '/api/v1/posts/:id',
    {
      config: { access: 'posts:write' },
      schema: {
        tags: ['calendar'],
        summary: 'Edit a post, its media and its channels. Sent targets are never touched or republished unless `republish` is true.',
        description:
          '`targets` is the wanted set: an entry keeps the target with its `id` (else the one on the same channel), new channels get new targets, unsent targets left out are removed; published ones stay.',
        security,
        params: uuidParam,
        body: z.strictObject({
          caption: z.string().max(5000).optional(),
          priority: z.number().int().min(-100).max(100).optional(),
          scheduledAt: z.iso.datetime({ offset: true }).optional(),
          republish: z.boolean().optional(),
          assetId: z.string().uuid().nullable().optional(),
          targets: z
            .array(targetInput.extend({ id: z.string().uuid().optional() }))
            .min(1)
            .max(20)
            .optional(),
        }),
        response: { 200: postSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const { scheduledAt, ...rest } = request.body;
      return calendar.update(principalOf(request), request.params.id, { ...rest, ...(scheduledAt ? { scheduledAt: new Date(scheduledAt) } : {}) }, originOf(request));
    },
  );
  app.post(
    '/api/v1/posts/:id/approve',
    { config: { access: 'posts:write' }, schema: { tags: ['calendar'], security, params: uuidParam, response: { 200: postSchema, ...problemResponses(400, 401, 403, 404, 409) } } },
    async (request) => calendar.approve(principalOf(request), request.params.id, originOf(request)),
  );
  app.post(
    '/api/v1/posts/:id/schedule',
    {
      config: { access: 'posts:write' },
      schema: {
        tags: ['calendar'],
        summary: 'Schedule (or drag to a new time): `at` in UTC, or a local date and time in the persona’s timezone',
        security,
        params: uuidParam,
        body: z.union([z.strictObject({ at: z.iso.datetime({ offset: true }) }), z.strictObject({ localDate, localTime })]),
        response: { 200: postSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const at = 'at' in request.body ? new Date(request.body.at) : await calendar.localInstant(p, request.params.id, request.body.localDate, request.body.localTime);
      if (at.getTime() < Date.now() - 60_000) throw new HttpError(422, 'in_the_past', 'That time has already passed');
      return calendar.schedule(p, request.params.id, at, originOf(request));
    },
  );
  app.post(
    '/api/v1/posts/:id/cancel',
    { config: { access: 'posts:write' }, schema: { tags: ['calendar'], security, params: uuidParam, response: { 200: postSchema, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => calendar.cancel(principalOf(request), request.params.id, originOf(request)),
  );
  app.get(
    '/api/v1/calendar',
    {
      config: { access: 'posts:read' },
      schema: {
        tags: ['calendar'],
        summary: '7, 30 or 90 days of a persona’s posts and free slots, by local day in her timezone',
        security,
        querystring: z.strictObject({ personaId: z.string().uuid(), from: localDate.optional(), days: z.coerce.number().int().refine((d) => [1, 7, 30, 90].includes(d), '1, 7, 30 or 90').default(7) }),
        response: {
          200: z.object({
            personaId: z.string(),
            timezone: z.string(),
            days: z.array(
              z.object({
                date: z.string(),
                weekday: z.number().int(),
                posts: z.array(postSchema),
                freeSlots: z.array(z.object({ slotId: z.string(), name: z.string(), localTime: z.string(), at: z.string() })),
              }),
            ),
          }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => calendar.calendar(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/personas/:id/slots',
    { config: { access: 'posts:read' }, schema: { tags: ['calendar'], security, params: uuidParam, response: { 200: z.object({ items: z.array(slotSchema.extend({ id: z.string() })) }), ...problemResponses(400, 401, 403, 404) } } },
    async (request) => ({ items: (await calendar.slots(principalOf(request), request.params.id)).map(slotView) }),
  );
  app.put(
    '/api/v1/personas/:id/slots',
    {
      config: { access: 'posts:write' },
      schema: {
        tags: ['calendar'],
        summary: 'Replace the persona’s slot templates (e.g. 10:00, 15:00, 20:00 local; weekday rhythms)',
        security,
        params: uuidParam,
        body: z.strictObject({ items: z.array(slotSchema.extend({ id: z.string().uuid().optional().describe('Keeps this slot’s id') })).max(100) }),
        response: { 200: z.object({ items: z.array(slotSchema.extend({ id: z.string() })) }), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => ({ items: (await calendar.saveSlots(principalOf(request), request.params.id, request.body.items, originOf(request))).map(slotView) }),
  );
  app.post(
    '/api/v1/personas/:id/slots/autofill',
    {
      config: { access: 'posts:write' },
      schema: {
        tags: ['calendar'],
        summary: 'Fill empty slots with approved, unused media (newest first, higher-priority slots first)',
        security,
        params: uuidParam,
        body: z.strictObject({ from: localDate.optional(), days: z.number().int().min(1).max(90).default(7) }),
        response: { 200: z.object({ items: z.array(postSchema) }), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => ({ items: await calendar.autofill(principalOf(request), request.params.id, request.body, originOf(request)) }),
  );
  app.get(
    '/api/v1/channels/:id/onlyfans-export.csv',
    {
      config: { access: 'channels:read' },
      schema: { tags: ['calendar'], summary: 'The OnlyFans export bundle’s schedule (upload by hand: OnlyFans has no API)', security, params: uuidParam, response: { 200: z.string(), ...problemResponses(400, 401, 403, 404, 409) } },
    },
    async (request, reply) => {
      const channel = await channels.get(principalOf(request), request.params.id);
      if (channel.platform !== 'onlyfans_export') throw new HttpError(409, 'not_an_export_channel', 'Only OnlyFans export channels have a bundle');
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="onlyfans-schedule.csv"').send(await onlyfans.schedule(channel));
    },
  );
  channelChecks(app, channels, connectors);
}

function channelChecks(app: App, channels: ChannelsService, connectors: Connectors) {
  app.get(
    '/api/v1/channels/:id/checks',
    {
      config: { access: 'channels:read' },
      schema: {
        tags: ['calendar'],
        summary: 'Setup checks of a connected account (e.g. X: the bio says it is automated and who runs it)',
        security,
        params: uuidParam,
        response: { 200: z.object({ ok: z.boolean(), problems: z.array(z.string()) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const channel = await channels.get(p, request.params.id);
      const connector = connectors.has(channel.platform) ? connectors.get(channel.platform) : null;
      if (!connector?.verify) return { ok: true, problems: [] };
      const account = await channels.account(p.orgId, channel.id);
      try {
        // A token refreshed on the way must be kept: Fanvue's and X's refresh tokens are single-use.
        return await connector.verify(account, { signal: AbortSignal.timeout(15_000), onCredentials: (next) => channels.storeCredentials(p.orgId, channel.id, next) });
      } catch (error) {
        return { ok: false, problems: [`Could not check the account: ${(error as Error).message}`] };
      }
    },
  );
}

export function slotView(s: { id: string; name: string; weekdays: number[]; localTime: string; channelIds: string[]; priority: number; enabled: boolean }) {
  return { id: s.id, name: s.name, weekdays: s.weekdays, localTime: s.localTime, channelIds: s.channelIds, priority: s.priority, enabled: s.enabled };
}
