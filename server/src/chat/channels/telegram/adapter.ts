/**
 * Telegram private chats through the Bot API (grammY's `Api`; `settings.apiRoot` points it at a local Bot API
 * server or a test fake). The bot token is the channel's `bot_token` credential, the same one publishing uses;
 * `webhook_secret` is the secret token Telegram echoes in `X-Telegram-Bot-Api-Secret-Token`.
 *
 * Updates arrive by webhook (telegram/webhook.ts) or, when `settings.chatMode` is `polling`, by long polling
 * (telegram/polling.ts). Only text messages of private chats reach the engine.
 */
import { Api } from 'grammy';
import type { Update } from 'grammy/types';
import type { ChannelAccount, ChatAddress, ChatChannelAdapter, InboundMessage } from '../types.ts';

/** grammY types its signal with the abort-controller polyfill; Node's AbortSignal works the same at runtime. */
type GrammySignal = NonNullable<Parameters<Api['getMe']>[0]>;
const gs = (s: AbortSignal) => s as unknown as GrammySignal;

export function telegramApi(account: Pick<ChannelAccount, 'settings' | 'credentials'>): Api {
  const token = account.credentials.bot_token;
  if (!token) throw new Error('No bot token stored for this Telegram channel');
  const apiRoot = typeof account.settings.apiRoot === 'string' && account.settings.apiRoot.trim() ? account.settings.apiRoot.trim().replace(/\/+$/, '') : undefined;
  return new Api(token, { timeoutSeconds: 60, ...(apiRoot ? { apiRoot } : {}) });
}

/** The engine's view of one Telegram update; null for anything that is not a private text message. */
export function inboundFromUpdate(channelId: string, update: Update): InboundMessage | null {
  const message = update.message;
  if (!message || message.chat.type !== 'private' || typeof message.text !== 'string' || !message.from || message.from.is_bot) return null;
  const from = message.from;
  const name = [from.first_name, from.last_name].filter(Boolean).join(' ');
  return {
    channelId,
    remoteChatId: String(message.chat.id),
    // The update id: Telegram redelivers an update with the same id until it is acknowledged.
    remoteMessageId: String(update.update_id),
    fan: { platformFanId: String(from.id), handle: from.username ? `@${from.username}` : null, displayName: name || null, language: from.language_code ?? null },
    text: message.text,
    sentAt: new Date(message.date * 1000),
  };
}

export class TelegramChatAdapter implements ChatChannelAdapter {
  readonly platform = 'telegram' as const;

  ageVerified() {
    // Telegram does not verify ages: the chat stays safe for work whatever the channel's settings say.
    return false;
  }
  firstContactNotice() {
    return true;
  }
  async typing(account: ChannelAccount, to: ChatAddress, signal: AbortSignal) {
    await telegramApi(account).sendChatAction(to.remoteChatId, 'typing', {}, gs(signal));
  }
  async send(account: ChannelAccount, to: ChatAddress, text: string, signal: AbortSignal) {
    // Plain text (no parse_mode): nothing in a model reply can be read as markup. 4096 is the Bot API's limit.
    const message = await telegramApi(account).sendMessage(to.remoteChatId, text.slice(0, 4096), {}, gs(signal));
    // Message ids are numbered per chat: with the chat they name one message of the bot.
    return { remoteId: `${message.chat.id}:${message.message_id}` };
  }
  /** Points the bot's webhook at Atelier with the channel's secret token (what an operator's "connect" does). */
  async setWebhook(account: ChannelAccount, url: string, signal: AbortSignal) {
    const secret = account.credentials.webhook_secret;
    if (!secret) throw new Error('Store a webhook_secret credential on the channel first');
    await telegramApi(account).setWebhook(url, { secret_token: secret, allowed_updates: ['message'] }, gs(signal));
  }
}
