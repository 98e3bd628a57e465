import { z } from 'zod';
import type { App } from '../platform/http/app.ts';
import { originOf, principalOf } from '../platform/auth/guard.ts';
import { problemResponses, uuidParam } from '../platform/http/schemas.ts';
import { cardDataSchema, lorebookSchema } from './cards/card.ts';
import { chatParamsInputSchema, chatParamsSchema, sellingInputSchema, sellingSchema } from './profile.ts';
import type { ChatProfileService } from './profile.service.ts';
import type { ConversationsService } from './conversations.service.ts';

const security = [{ bearerAuth: [] }];
const CARD_BODY_LIMIT_BYTES = 12 * 1024 * 1024;

const profileSchema = z.object({
  personaId: z.string(),
  card: cardDataSchema,
  lorebook: lorebookSchema,
  providerId: z.string().nullable(),
  model: z.string().nullable(),
  params: chatParamsSchema,
  selling: sellingSchema,
  firstContactNotice: z.string().nullable(),
  rateLimitPerMinute: z.number().int(),
  updatedAt: z.string().nullable(),
});

const profileBody = z.strictObject({
  card: cardDataSchema,
  lorebook: lorebookSchema.default({ extensions: {}, entries: [] }),
  providerId: z.string().uuid().nullable().default(null),
  model: z.string().trim().min(1).max(200).nullable().default(null),
  // Strict, unlike the card (whose unknown fields belong to other tools): a mistyped setting is refused by name.
  params: chatParamsInputSchema.default(chatParamsInputSchema.parse({})),
  selling: sellingInputSchema.default(sellingInputSchema.parse({})),
  firstContactNotice: z.string().trim().min(1).max(1000).nullable().default(null),
  rateLimitPerMinute: z.number().int().min(1).max(600).default(12),
});

const messageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  seq: z.number().int(),
  direction: z.enum(['in', 'out']),
  author: z.enum(['bot', 'operator', 'fan', 'system']),
  authorUserId: z.string().nullable(),
  text: z.string(),
  state: z.enum(['pending', 'handled', 'skipped', 'sent', 'failed', 'suppressed']),
  remoteId: z.string().nullable(),
  replyTo: z.string().nullable(),
  safety: z.record(z.string(), z.unknown()).nullable().describe('What the safety layer saw and did (screen of the fan message; guard verdict of a reply)'),
  createdAt: z.string(),
});

const conversationSchema = z.object({
  id: z.string(),
  personaId: z.string(),
  channelId: z.string(),
  platform: z.string(),
  channelHandle: z.string(),
  status: z.enum(['bot', 'operator', 'ended']),
  operatorUserId: z.string().nullable(),
  language: z.string().nullable(),
  summary: z.string(),
  lastActivityAt: z.string(),
  counters: z.object({ messages: z.number().int(), fanMessages: z.number().int(), botMessages: z.number().int(), offersMade: z.number().int() }),
  lastMessage: z
    .object({ author: z.enum(['bot', 'operator', 'fan', 'system']), text: z.string().describe('At most 280 characters'), state: z.string(), createdAt: z.string() })
    .nullable(),
  alerts: z.object({
    statedUnder18: z.boolean().describe('The fan said or implied being under 18 (flagged by the safety layer)'),
    selfHarm: z.boolean().describe('Self-harm signals were seen in the fan’s messages (each raised an operator alert) and no operator has cleared them since'),
    blocked: z.boolean(),
  }),
  fan: z.object({
    id: z.string(),
    platform: z.string(),
    handle: z.string().nullable(),
    displayName: z.string().nullable(),
    language: z.string().nullable(),
    subscription: z.string(),
    subscriptionEndsAt: z.string().nullable(),
    tags: z.array(z.string()),
    notes: z.string(),
    flags: z.array(z.string()),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    erased: z.boolean(),
    spend: z
      .object({ totalMinor: z.number().int(), currency: z.string(), lastPurchaseAt: z.string().nullable() })
      .optional()
      .describe('Lifetime net spend (reporting currency); only for callers with ledger:read'),
  }),
  createdAt: z.string(),
});

export function chatRoutes(app: App, profiles: ChatProfileService, conversations: ConversationsService) {
  // ── Persona chat profile and character card ────────────────────────────────────────────────────────
  app.get(
    '/api/v1/personas/:id/chat-profile',
    { config: { access: 'personas:read' }, schema: { tags: ['chat'], summary: 'The persona’s chat profile: card, lorebook, model, selling limits', security, params: uuidParam, response: { 200: profileSchema, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => profiles.get(principalOf(request), request.params.id),
  );
  app.put(
    '/api/v1/personas/:id/chat-profile',
    {
      config: { access: 'personas:write' },
      schema: { tags: ['chat'], summary: 'Replace the persona’s chat profile', security, params: uuidParam, body: profileBody, response: { 200: profileSchema, ...problemResponses(400, 401, 403, 404) } },
    },
    async (request) => profiles.put(principalOf(request), request.params.id, request.body, originOf(request)),
  );
  app.post(
    '/api/v1/personas/:id/card/import',
    {
      config: { access: 'personas:write' },
      // A card PNG of up to 8 MiB travels as base64 (4/3 larger) inside JSON: above the default body limit.
      bodyLimit: CARD_BODY_LIMIT_BYTES,
      schema: {
        tags: ['chat'],
        summary: 'Import a Character Card V1/V2/V3: JSON in `card`, or a PNG with a chara/ccv3 text chunk in `png` (base64)',
        security,
        params: uuidParam,
        body: z.union([z.strictObject({ card: z.record(z.string(), z.unknown()) }), z.strictObject({ png: z.string().min(8).max(12_000_000).regex(/^[A-Za-z0-9+/=\s]+$/) })]),
        response: { 200: profileSchema.extend({ importedSpec: z.string() }), ...problemResponses(400, 401, 403, 404, 413) },
      },
    },
    async (request) => profiles.importCard(principalOf(request), request.params.id, request.body as { card?: unknown; png?: string }, originOf(request)),
  );
  app.get(
    '/api/v1/personas/:id/card',
    {
      config: { access: 'personas:read' },
      schema: {
        tags: ['chat'],
        summary: 'Export the persona’s character card: V2/V3 JSON, or a PNG carrying both (chara + ccv3 chunks)',
        security,
        params: uuidParam,
        querystring: z.strictObject({ format: z.enum(['json', 'png']).default('json'), spec: z.enum(['v2', 'v3']).default('v3') }),
        response: { 200: z.any().describe('Card JSON, or image/png bytes'), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const out = await profiles.exportCard(principalOf(request), request.params.id, request.query.format, request.query.spec);
      if ('json' in out) return out.json;
      reply.header('content-disposition', `attachment; filename="${out.filename}"`);
      return reply.type('image/png').send(out.png);
    },
  );

  // ── Operator inbox ─────────────────────────────────────────────────────────────────────────────────
  app.get(
    '/api/v1/conversations',
    {
      config: { access: 'inbox:read' },
      schema: {
        tags: ['chat'],
        summary: 'Conversations, most recently active first',
        security,
        querystring: z.strictObject({
          personaId: z.string().uuid().optional(),
          status: z.enum(['bot', 'operator', 'ended']).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          before: z.coerce.date().optional().describe('lastActivityAt of the last item of the previous page'),
        }),
        response: { 200: z.object({ items: z.array(conversationSchema) }), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => conversations.list(principalOf(request), request.query),
  );
  app.get(
    '/api/v1/conversations/:id',
    {
      config: { access: 'inbox:read' },
      schema: {
        tags: ['chat'],
        summary: 'One conversation with the fan’s profile and a page of messages (oldest first; page back with beforeSeq)',
        security,
        params: uuidParam,
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50), beforeSeq: z.coerce.number().int().min(1).optional() }),
        response: {
          200: conversationSchema.extend({
            messages: z.array(messageSchema),
            memories: z.array(z.object({ fact: z.string(), createdAt: z.string() })).describe('Facts the bot remembers about the fan'),
          }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => conversations.get(principalOf(request), request.params.id, request.query),
  );
  app.post(
    '/api/v1/conversations/:id/takeover',
    { config: { access: 'inbox:write' }, schema: { tags: ['chat'], summary: 'An operator takes the conversation: the bot sends nothing until hand-back', security, params: uuidParam, response: { 200: conversationSchema, ...problemResponses(400, 401, 403, 404) } } },
    async (request) => conversations.takeover(principalOf(request), request.params.id, originOf(request)),
  );
  app.post(
    '/api/v1/conversations/:id/handback',
    { config: { access: 'inbox:write' }, schema: { tags: ['chat'], summary: 'Hand the conversation back to the bot (answers new fan messages)', security, params: uuidParam, response: { 200: conversationSchema, ...problemResponses(400, 401, 403, 404, 409) } } },
    async (request) => conversations.handback(principalOf(request), request.params.id, originOf(request)),
  );
  app.post(
    '/api/v1/conversations/:id/end',
    {
      config: { access: 'inbox:write' },
      schema: { tags: ['chat'], summary: 'End the conversation: nothing more is sent (fan messages are still stored); hand-back reopens it', security, params: uuidParam, response: { 200: conversationSchema, ...problemResponses(400, 401, 403, 404) } },
    },
    async (request) => conversations.end(principalOf(request), request.params.id, originOf(request)),
  );
  app.post(
    '/api/v1/conversations/:id/messages',
    {
      config: { access: 'inbox:write' },
      schema: {
        tags: ['chat'],
        summary: 'Send an operator message (takes the conversation over if the bot held it)',
        security,
        params: uuidParam,
        body: z.strictObject({ text: z.string().trim().min(1).max(4000) }),
        response: { 201: messageSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(await conversations.send(principalOf(request), request.params.id, request.body.text, originOf(request))),
  );
  app.get(
    '/api/v1/conversations/:id/suggestion',
    {
      config: { access: 'inbox:read' },
      schema: {
        tags: ['chat'],
        summary: 'A suggested reply to the fan’s last message (same context and safety checks as the bot; nothing is sent)',
        security,
        params: uuidParam,
        response: { 200: z.object({ text: z.string(), safety: z.record(z.string(), z.unknown()) }), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => conversations.suggestion(principalOf(request), request.params.id),
  );
  app.post(
    '/api/v1/conversations/:id/self-harm/clear',
    {
      config: { access: 'inbox:write' },
      schema: {
        tags: ['chat'],
        summary: 'Clear the fan’s self-harm alert (after a person checked in); the next signal sets it again',
        security,
        params: uuidParam,
        response: { 200: conversationSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => conversations.clearSelfHarm(principalOf(request), request.params.id, originOf(request)),
  );
  app.post(
    '/api/v1/conversations/:id/block',
    {
      config: { access: 'inbox:write' },
      schema: {
        tags: ['chat'],
        summary: 'Put the fan on (or take them off) the block list: their messages are stored, never answered',
        security,
        params: uuidParam,
        body: z.strictObject({ blocked: z.boolean() }),
        response: { 200: conversationSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => conversations.block(principalOf(request), request.params.id, request.body.blocked, originOf(request)),
  );
}
