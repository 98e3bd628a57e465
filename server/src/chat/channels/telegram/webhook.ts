/**
 * `POST /api/v1/chat/telegram/{channelId}/webhook`: Telegram's updates for one channel's bot. Public (Telegram
 * signs nothing), so the secret token is the whole authentication: it is compared in constant time with the
 * channel's stored `webhook_secret` before the body is even validated, and anything else gets 401 with nothing
 * stored. A redelivered update (same update_id) is acknowledged and dropped by the engine.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Update } from 'grammy/types';
import type { App } from '../../../platform/http/app.ts';
import type { Platform } from '../../../platform/platform.ts';
import { channels } from '../../../platform/db/schema/index.ts';
import { problemResponses } from '../../../platform/http/schemas.ts';
import { unauthorized } from '../../../platform/http/problem.ts';
import type { ChannelsService } from '../../../channels/index.ts';
import type { ChatEngine } from '../../engine/engine.ts';
import { inboundFromUpdate } from './adapter.ts';

export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

const digest = (v: string) => createHash('sha256').update(v, 'utf8').digest();
export function secretMatches(given: unknown, stored: string | undefined): boolean {
  if (typeof given !== 'string' || !given || !stored) return false;
  // Hashing first gives equal lengths, so the comparison leaks neither content nor length.
  return timingSafeEqual(digest(given), digest(stored));
}

export function telegramWebhookRoutes(app: App, platform: Platform, deps: { channels: ChannelsService; engine: ChatEngine }) {
  app.post(
    '/api/v1/chat/telegram/:channelId/webhook',
    {
      config: { access: 'public' },
      preValidation: async (request) => {
        const channelId = (request.params as { channelId?: string }).channelId ?? '';
        const found = z.string().uuid().safeParse(channelId).success
          ? await platform.db.withSystem(async (tx) => (await tx.select({ orgId: channels.orgId, platform: channels.platform }).from(channels).where(eq(channels.id, channelId)))[0])
          : undefined;
        const stored = found?.platform === 'telegram' ? (await deps.channels.credentials(found.orgId, channelId)).webhook_secret : undefined;
        if (!found || !secretMatches(request.headers[SECRET_HEADER], stored)) throw unauthorized('Missing or wrong Telegram secret token', 'bad_webhook_secret');
        (request as { chatOrgId?: string }).chatOrgId = found.orgId;
      },
      schema: {
        tags: ['chat'],
        summary: 'Telegram Bot API webhook of one channel (authenticated by X-Telegram-Bot-Api-Secret-Token)',
        params: z.strictObject({ channelId: z.string().uuid() }),
        body: z.object({ update_id: z.number().int() }).passthrough(),
        response: { 200: z.object({ ok: z.boolean() }), ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const orgId = (request as { chatOrgId?: string }).chatOrgId!;
      const inbound = inboundFromUpdate(request.params.channelId, request.body as unknown as Update);
      if (inbound) await deps.engine.receive(orgId, inbound);
      return { ok: true };
    },
  );
}
