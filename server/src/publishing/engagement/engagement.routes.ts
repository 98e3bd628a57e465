import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { originOf, principalOf } from '../../platform/auth/guard.ts';
import { problemResponses, uuidParam } from '../../platform/http/schemas.ts';
import { engagementKinds, engagementStatuses } from '../../platform/db/schema/index.ts';
import type { EngagementService } from './engagement.service.ts';

const security = [{ bearerAuth: [] }];
const tags = ['engagement'];

const engagementSchema = z.object({
  id: z.string(),
  personaId: z.string(),
  channelId: z.string(),
  platform: z.string(),
  channelHandle: z.string(),
  kind: z.enum(engagementKinds),
  remoteId: z.string(),
  parentRemoteId: z.string().nullable(),
  url: z.string().nullable(),
  authorHandle: z.string(),
  text: z.string(),
  receivedAt: z.string(),
  status: z.enum(engagementStatuses),
  draft: z.string().nullable(),
  replyRemoteId: z.string().nullable(),
  repliedAt: z.string().nullable(),
  repliedBy: z.string().nullable(),
  automatic: z.boolean(),
  error: z.object({ kind: z.string(), message: z.string() }).nullable(),
  post: z.object({ targetId: z.string(), postId: z.string(), url: z.string().nullable(), text: z.string() }).nullable(),
});

const autoReplySchema = z.object({
  supported: z.boolean(),
  enabled: z.boolean(),
  enabledAt: z.string().nullable(),
  approval: z.object({ recordedAt: z.string(), recordedBy: z.string(), reference: z.string() }).nullable(),
});

export function engagementRoutes(app: App, service: EngagementService) {
  app.get(
    '/api/v1/engagements',
    {
      config: { access: 'inbox:read' },
      schema: {
        tags,
        summary: 'Comments, mentions and replies addressed to the personas’ accounts, newest first',
        security,
        querystring: z.strictObject({
          personaId: z.string().uuid().optional(),
          status: z.enum(engagementStatuses).optional(),
          channelId: z.string().uuid().optional(),
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
        }),
        response: { 200: z.object({ items: z.array(engagementSchema), nextCursor: z.string().nullable() }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => service.list(principalOf(request), request.query),
  );
  app.post(
    '/api/v1/engagements/pull',
    {
      config: { access: 'inbox:write' },
      schema: {
        tags,
        summary: 'Pull a channel’s new comments, mentions and replies now',
        security,
        body: z.strictObject({ channelId: z.string().uuid() }),
        response: { 200: z.object({ added: z.number().int() }), ...problemResponses(400, 401, 403, 404, 409, 422, 429, 503) },
      },
    },
    async (request) => service.pullNow(principalOf(request), request.body.channelId),
  );
  app.get(
    '/api/v1/engagements/:id',
    { config: { access: 'inbox:read' }, schema: { tags, security, params: uuidParam, response: { 200: engagementSchema, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => service.get(principalOf(request), request.params.id),
  );
  app.put(
    '/api/v1/engagements/:id',
    {
      config: { access: 'inbox:write' },
      schema: {
        tags,
        summary: 'Edit the reply draft (checked like every reply: no human claims, no links, within the platform’s length)',
        security,
        params: uuidParam,
        body: z.strictObject({ draft: z.string().trim().min(1).max(10_000) }),
        response: { 200: engagementSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => service.edit(principalOf(request), request.params.id, request.body.draft),
  );
  app.post(
    '/api/v1/engagements/:id/draft',
    {
      config: { access: 'inbox:write' },
      schema: {
        tags,
        summary: 'Draft a reply in the persona’s voice with her text model',
        security,
        params: uuidParam,
        response: { 200: engagementSchema, ...problemResponses(400, 401, 403, 404, 409, 422, 502) },
      },
    },
    async (request) => service.draft(principalOf(request), request.params.id, originOf(request)),
  );
  app.post(
    '/api/v1/engagements/:id/send',
    {
      config: { access: 'inbox:write' },
      schema: {
        tags,
        summary: 'Send the draft as a reply, once (an unclear outcome is never resent)',
        security,
        params: uuidParam,
        response: { 200: engagementSchema, ...problemResponses(400, 401, 403, 404, 409, 422, 429, 502, 503) },
      },
    },
    async (request) => service.send(principalOf(request), request.params.id, originOf(request)),
  );
  app.post(
    '/api/v1/engagements/:id/dismiss',
    { config: { access: 'inbox:write' }, schema: { tags, security, params: uuidParam, response: { 200: engagementSchema, ...problemResponses(400, 401, 403, 404, 409) } } },
    async (request) => service.dismiss(principalOf(request), request.params.id, originOf(request)),
  );
  app.get(
    '/api/v1/channels/:id/auto-reply',
    { config: { access: 'channels:read' }, schema: { tags, summary: 'Automatic replies on an X channel', security, params: uuidParam, response: { 200: autoReplySchema, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => service.autoReplySettings(principalOf(request), request.params.id),
  );
  app.put(
    '/api/v1/channels/:id/auto-reply',
    {
      config: { access: 'channels:manage' },
      schema: {
        tags,
        summary: 'X only. The owner records X’s approval of AI replies (its reference) and turns automatic replies on; anyone managing channels may turn them off',
        security,
        params: uuidParam,
        body: z.strictObject({ enabled: z.boolean(), approvalReference: z.string().trim().min(3).max(300).optional() }),
        response: { 200: autoReplySchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => service.setAutoReply(principalOf(request), request.params.id, request.body, originOf(request)),
  );
}
