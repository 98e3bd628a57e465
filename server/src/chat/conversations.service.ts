/**
 * The operator side of chat (for the web inbox): conversations with the fan's profile and spend, message pages,
 * takeover / hand-back / end, operator messages, a suggested reply, and the block list. Members limited to some
 * personas (chatters, restricted managers) see only those personas' conversations; others get 404. Money (the
 * fan's spend) only reaches callers with ledger:read, as in the fan CRM: a chatter sees no money.
 */
import type { Platform } from '../platform/platform.ts';
import type { Origin, Principal } from '../platform/auth/principal.ts';
import { canSeePersona } from '../platform/auth/principal.ts';
import { can } from '../platform/auth/permissions.ts';
import { auditBy, recordAudit } from '../platform/audit/audit.ts';
import { HttpError, notFound } from '../platform/http/problem.ts';
import type { Tx } from '../platform/db/database.ts';
import type { ChannelsService } from '../channels/index.ts';
import { UNDER_18_FLAG } from '../sales/crm/index.ts';
import type { ChatChannels } from './channels/types.ts';
import { BLOCKED_FLAG, SELF_HARM_FLAG, messageView, type ChatEngine } from './engine/engine.ts';
import * as repo from './repository.ts';
import * as inbox from './inbox.repository.ts';

export interface ConversationQuery {
  personaId?: string | undefined;
  status?: repo.ConversationStatus | undefined;
  limit: number;
  before?: Date | undefined;
}

/** The reporting currency when the caller may see money, null otherwise (then no spend is shown at all). */
async function moneyCurrency(tx: Tx, p: Principal): Promise<string | null> {
  return can(p.role, 'ledger:read') ? repo.reportingCurrency(tx) : null;
}

function fanView(f: repo.FanRow, spendCurrency: string | null) {
  const erased = !!f.erasedAt;
  return {
    id: f.id,
    platform: f.platform,
    handle: erased ? null : f.handle,
    displayName: erased ? null : f.displayName,
    language: f.language,
    subscription: f.subscription,
    subscriptionEndsAt: f.subscriptionEndsAt?.toISOString() ?? null,
    tags: f.tags,
    notes: erased ? '' : f.notes,
    flags: f.flags,
    firstSeenAt: f.firstSeenAt.toISOString(),
    lastSeenAt: f.lastSeenAt.toISOString(),
    erased,
    ...(spendCurrency !== null
      ? { spend: { totalMinor: f.totalSpendMinor, currency: spendCurrency, lastPurchaseAt: f.lastPurchaseAt?.toISOString() ?? null } }
      : {}),
  };
}

interface Extras {
  lastMessage?: inbox.LastMessage | undefined;
}

function conversationView(c: repo.ConversationRow, f: repo.FanRow, channel: { platform: string; handle: string }, spendCurrency: string | null, extras: Extras = {}) {
  const last = extras.lastMessage;
  return {
    id: c.id,
    personaId: c.personaId,
    channelId: c.channelId,
    platform: channel.platform,
    channelHandle: channel.handle,
    status: c.status,
    operatorUserId: c.operatorUserId,
    language: c.language,
    summary: c.summary,
    lastActivityAt: c.lastActivityAt.toISOString(),
    counters: { messages: c.lastSeq, fanMessages: c.fanMessages, botMessages: c.botMessages, offersMade: c.offersMade },
    lastMessage: last ? { author: last.author, text: last.text.slice(0, 280), state: last.state, createdAt: last.createdAt.toISOString() } : null,
    alerts: { statedUnder18: f.flags.includes(UNDER_18_FLAG), selfHarm: f.flags.includes(SELF_HARM_FLAG), blocked: f.flags.includes(BLOCKED_FLAG) },
    fan: fanView(f, spendCurrency),
    createdAt: c.createdAt.toISOString(),
  };
}

export type ConversationView = ReturnType<typeof conversationView>;

export class ConversationsService {
  readonly #platform: Platform;
  readonly #engine: ChatEngine;
  readonly #channels: ChannelsService;
  readonly #adapters: ChatChannels;
  constructor(platform: Platform, deps: { engine: ChatEngine; channels: ChannelsService; adapters: ChatChannels }) {
    this.#platform = platform;
    this.#engine = deps.engine;
    this.#channels = deps.channels;
    this.#adapters = deps.adapters;
  }

  list(p: Principal, q: ConversationQuery) {
    if (q.personaId && !canSeePersona(p, q.personaId)) return Promise.resolve({ items: [] as ConversationView[] });
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const currency = await moneyCurrency(tx, p);
      const rows = await repo.list(tx, { personaIds: p.personaScope, personaId: q.personaId, status: q.status, limit: q.limit, before: q.before });
      const last = await inbox.lastMessages(tx, rows.map((r) => ({ id: r.c.id, lastSeq: r.c.lastSeq })));
      return { items: rows.map((r) => conversationView(r.c, r.f, r.ch, currency, { lastMessage: last.get(r.c.id) })) };
    });
  }

  async get(p: Principal, id: string, page: { limit: number; beforeSeq?: number | undefined }) {
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const { c, f, channel } = await this.#visible(tx, p, id);
      const messages = await repo.page(tx, id, page);
      // Facts the bot remembers about the fan (any of the persona's conversations with them); none once erased.
      const memories = f.erasedAt ? [] : await repo.memories(tx, f.id);
      return {
        ...(await this.#view(tx, p, c, f, channel)),
        messages: messages.map(messageView),
        memories: memories.map((m) => ({ fact: m.fact, createdAt: m.createdAt.toISOString() })),
      };
    });
  }

  async takeover(p: Principal, id: string, origin: Origin) {
    return this.#setStatus(p, id, 'operator', origin);
  }

  async handback(p: Principal, id: string, origin: Origin) {
    return this.#setStatus(p, id, 'bot', origin);
  }

  /** Ends the conversation: nothing more goes out (fan messages are still stored); hand-back reopens it. */
  async end(p: Principal, id: string, origin: Origin) {
    return this.#setStatus(p, id, 'ended', origin);
  }

  /** An operator's message. Sending takes the conversation over first: the bot never answers beside a person. */
  async send(p: Principal, id: string, text: string, origin: Origin) {
    const { row, conversation } = await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const { c } = await this.#visible(tx, p, id);
      if (c.status === 'ended') throw new HttpError(409, 'conversation_ended', 'This conversation was ended; hand it back to reopen it first');
      const seq = await repo.nextSeq(tx, id);
      if (c.status !== 'operator' || c.operatorUserId !== p.userId) await repo.updateConversation(tx, id, { status: 'operator', operatorUserId: p.userId });
      const row = await repo.insertMessage(tx, { orgId: p.orgId, conversationId: id, channelId: c.channelId, seq, direction: 'out', author: 'operator', authorUserId: p.userId, text, state: 'sent' });
      await recordAudit(tx, auditBy(p), origin, { action: 'chat.operator_message', targetType: 'chat_conversation', targetId: id, details: { messageId: row!.id } });
      return { row: row!, conversation: c };
    });
    const account = await this.#channels.account(p.orgId, conversation.channelId);
    const adapter = this.#adapters.get(account.platform);
    let final = row;
    try {
      if (!adapter) throw new Error(`No chat adapter for ${account.platform}`);
      const { remoteId } = await adapter.send(account, { remoteChatId: conversation.remoteChatId }, text, AbortSignal.timeout(30_000));
      await this.#platform.db.withOrg(p.orgId, (tx) => repo.setOutcome(tx, row.id, 'sent', remoteId));
      final = { ...row, remoteId };
    } catch (error) {
      await this.#platform.db.withOrg(p.orgId, (tx) => repo.setOutcome(tx, row.id, 'failed', null, (error as Error).message));
      final = { ...row, state: 'failed' };
    }
    await this.#platform.events.publish({ type: 'chat.message', orgId: p.orgId, personaId: conversation.personaId, data: messageView(final) });
    await this.#platform.events.publish({ type: 'chat.conversation', orgId: p.orgId, personaId: conversation.personaId, data: { conversationId: id } });
    return messageView(final);
  }

  async suggestion(p: Principal, id: string) {
    await this.#platform.db.withOrg(p.orgId, (tx) => this.#visible(tx, p, id));
    const s = await this.#engine.suggest(p.orgId, id);
    if (!s) throw new HttpError(409, 'nothing_to_answer', 'The fan has not written anything yet');
    return { text: s.text, safety: { ...s.verdict } as Record<string, unknown> };
  }

  /** Adds or removes the fan from the block list: a blocked fan's messages are stored, never answered. */
  async block(p: Principal, id: string, blocked: boolean, origin: Origin) {
    const view = await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const { c } = await this.#visible(tx, p, id);
      if (blocked) await repo.flagFan(tx, c.fanId, BLOCKED_FLAG);
      else await repo.unflagFan(tx, c.fanId, BLOCKED_FLAG);
      await recordAudit(tx, auditBy(p), origin, { action: blocked ? 'chat.fan_blocked' : 'chat.fan_unblocked', targetType: 'fan', targetId: c.fanId, details: { conversationId: id } });
      const again = await this.#visible(tx, p, id);
      return this.#view(tx, p, again.c, again.f, again.channel);
    });
    await this.#platform.events.publish({ type: 'chat.conversation', orgId: p.orgId, personaId: view.personaId, data: { conversationId: id, blocked } });
    return view;
  }

  /**
   * Clears the fan's self-harm alert once a person has looked after it. The engine sets it again at the next signal.
   * Audited when there was one to clear.
   */
  async clearSelfHarm(p: Principal, id: string, origin: Origin) {
    const view = await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const { c } = await this.#visible(tx, p, id);
      if (await repo.unflagFan(tx, c.fanId, SELF_HARM_FLAG)) {
        await recordAudit(tx, auditBy(p), origin, { action: 'chat.fan_unflagged', targetType: 'fan', targetId: c.fanId, details: { flag: SELF_HARM_FLAG, conversationId: id } });
      }
      const again = await this.#visible(tx, p, id);
      return this.#view(tx, p, again.c, again.f, again.channel);
    });
    await this.#platform.events.publish({ type: 'chat.conversation', orgId: p.orgId, personaId: view.personaId, data: { conversationId: id, selfHarm: false } });
    return view;
  }

  async #setStatus(p: Principal, id: string, status: 'bot' | 'operator' | 'ended', origin: Origin) {
    const view = await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const { c, f } = await this.#visible(tx, p, id);
      if (status === 'bot' && f.flags.includes(UNDER_18_FLAG) && c.status === 'ended') {
        throw new HttpError(409, 'fan_flagged_minor', 'This fan said they are under 18: the bot does not take this conversation back');
      }
      await repo.updateConversation(tx, id, { status, operatorUserId: status === 'operator' ? p.userId : null });
      const action = status === 'operator' ? 'chat.takeover' : status === 'bot' ? 'chat.handback' : 'chat.conversation_ended';
      await recordAudit(tx, auditBy(p), origin, { action, targetType: 'chat_conversation', targetId: id, details: { from: c.status } });
      const again = await this.#visible(tx, p, id);
      return this.#view(tx, p, again.c, again.f, again.channel);
    });
    await this.#platform.events.publish({ type: 'chat.conversation', orgId: p.orgId, personaId: view.personaId, data: { conversationId: id, status } });
    return view;
  }

  async #view(tx: Tx, p: Principal, c: repo.ConversationRow, f: repo.FanRow, channel: { platform: string; handle: string }) {
    const last = await inbox.lastMessages(tx, [{ id: c.id, lastSeq: c.lastSeq }]);
    return conversationView(c, f, channel, await moneyCurrency(tx, p), { lastMessage: last.get(c.id) });
  }

  async #visible(tx: Tx, p: Principal, id: string) {
    const c = await repo.conversation(tx, id);
    if (!c || !canSeePersona(p, c.personaId)) throw notFound('conversation');
    const [f, channel] = [await repo.fan(tx, c.fanId), await repo.channel(tx, c.channelId)];
    if (!f || !channel) throw notFound('conversation');
    return { c, f, channel: { platform: channel.platform, handle: channel.handle } };
  }
}
