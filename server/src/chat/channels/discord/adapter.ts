/**
 * Discord bots with discord.js: fans write to the bot in DMs, or in a guild channel when they address it (a
 * mention, or a reply to one of its messages). Messages arrive through the gateway (discord/gateway.ts); replies
 * and the typing indicator go through discord.js's REST client. The bot token is the channel's `bot_token`
 * credential; `settings.apiBase` points REST (and so the gateway URL it announces) at another server (tests).
 *
 * Where replies go (`remoteChatId`): a DM channel id, or `<channelId>:<userId>` in a guild channel, where the reply
 * mentions the fan (and only the fan). Discord does not verify ages and its users did not sign up to an AI persona:
 * safe for work only, whatever the channel's nsfw flag, and the first-contact AI notice is sent.
 */
import { createHash } from 'node:crypto';
import { REST, Routes, type APIMessage, type GatewayMessageCreateDispatchData } from 'discord.js';
import type { ChannelAccount, ChatAddress, ChatChannelAdapter, InboundMessage } from '../types.ts';

export const DISCORD_API = 'https://discord.com/api';
const LIMIT = 2000;
const MAX_PARTS = 3;

/** The API base of a channel (no version: discord.js adds it). */
export function discordApiBase(account: Pick<ChannelAccount, 'settings'>): string {
  const base = typeof account.settings.apiBase === 'string' && account.settings.apiBase.trim() ? account.settings.apiBase.trim() : DISCORD_API;
  return base.replace(/\/+$/, '').replace(/\/v\d+$/, '');
}

export function botToken(account: Pick<ChannelAccount, 'credentials'>): string {
  const token = account.credentials.bot_token;
  if (!token) throw new Error('No bot token stored for this Discord channel');
  return token;
}

/** Identifies a token and API base without keeping the token itself as a key. */
export const fingerprint = (token: string, api: string) => createHash('sha256').update(`${api}\n${token}`).digest('hex');

/** The guild form of an address: replies there mention the fan they answer. */
export function parseAddress(remoteChatId: string): { channelId: string; userId: string | null } {
  const [channelId, userId] = remoteChatId.split(':');
  return { channelId: channelId!, userId: userId ?? null };
}

/**
 * The engine's view of a MESSAGE_CREATE: DMs from people, and guild messages that mention the bot or reply to
 * it (the mention stripped). Anything else (bots, webhooks, system messages, other people's talk) is null.
 */
export function inboundFromMessage(channelId: string, botUserId: string, m: GatewayMessageCreateDispatchData): InboundMessage | null {
  if (m.author.bot || m.webhook_id || m.author.id === botUserId) return null;
  if (m.type !== 0 && m.type !== 19) return null; // default and reply; joins, pins, calls… are not talk
  const mentioned = m.mentions.some((u) => u.id === botUserId) || m.referenced_message?.author.id === botUserId;
  if (m.guild_id && !mentioned) return null;
  const text = m.content.replace(new RegExp(`<@!?${botUserId}>`, 'g'), ' ').replace(/\s+/g, ' ').trim();
  if (!text) return null;
  const author = m.author;
  return {
    channelId,
    remoteChatId: m.guild_id ? `${m.channel_id}:${author.id}` : m.channel_id,
    remoteMessageId: m.id,
    fan: { platformFanId: author.id, handle: `@${author.username}`, displayName: author.global_name ?? author.username, language: null },
    text,
    sentAt: new Date(m.timestamp),
  };
}

/** Splits a reply into Discord-sized messages, at a line or word break where there is one. */
export function splitMessage(text: string, limit = LIMIT): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > limit && parts.length < MAX_PARTS - 1) {
    const window = rest.slice(0, limit);
    const cut = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
    const at = cut > limit / 2 ? cut : limit;
    parts.push(rest.slice(0, at).trim());
    rest = rest.slice(at).trim();
  }
  parts.push(rest.slice(0, limit));
  return parts.filter(Boolean);
}

export class DiscordChatAdapter implements ChatChannelAdapter {
  readonly platform = 'discord' as const;
  /** REST clients by token and API base: each keeps Discord's rate-limit buckets for its bot. */
  readonly #rest = new Map<string, REST>();

  ageVerified() {
    return false;
  }
  firstContactNotice() {
    return true;
  }

  rest(account: Pick<ChannelAccount, 'settings' | 'credentials'>): REST {
    const token = botToken(account);
    const api = discordApiBase(account);
    const key = fingerprint(token, api);
    let rest = this.#rest.get(key);
    if (!rest) {
      rest = new REST({ api, timeout: 30_000, retries: 1 }).setToken(token);
      this.#rest.set(key, rest);
    }
    return rest;
  }

  async typing(account: ChannelAccount, to: ChatAddress, signal: AbortSignal) {
    await this.rest(account).post(Routes.channelTyping(parseAddress(to.remoteChatId).channelId), { signal });
  }

  async send(account: ChannelAccount, to: ChatAddress, text: string, signal: AbortSignal) {
    const { channelId, userId } = parseAddress(to.remoteChatId);
    const mention = userId ? `<@${userId}> ` : '';
    let last: APIMessage | null = null;
    for (const [i, part] of splitMessage(text, LIMIT - mention.length).entries()) {
      last = (await this.rest(account).post(Routes.channelMessages(channelId), {
        signal,
        // Only the fan may be pinged: nothing in a model reply can mention @everyone, roles or other people.
        body: { content: i === 0 ? `${mention}${part}` : part, allowed_mentions: { parse: [], users: userId && i === 0 ? [userId] : [] } },
      })) as APIMessage;
    }
    return { remoteId: last?.id ?? null };
  }
}
