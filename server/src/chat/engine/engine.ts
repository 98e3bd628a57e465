/**
 * The conversation engine: a fan message in → (in order, one at a time per conversation) safety screening →
 * context → streamed model reply → reply guard → send → stored, operator inbox updated live.
 *
 * - `receive` stores the fan message (deduplicated by the platform's id, sequenced under the conversation's row
 *   lock) and enqueues `chat.process` in the same transaction; in this process it also starts draining at once,
 *   so a reply does not wait for the queue's poll. Either path may run: the lease (lease.ts) lets one through,
 *   and is only taken while a message is pending, so the job behind an answered message costs one statement.
 * - `drain` takes the conversation's lease and answers its pending messages oldest first; many conversations
 *   drain in parallel. Nothing holds a transaction across a model call. Few transactions per reply: the lease
 *   step also reads the next message and what its reply needs; the context's reads share one; the fan message
 *   is settled with the outcome of the last send.
 * - The bot never sends while an operator holds the conversation: the status is re-read under the row lock in
 *   the transaction that records the outgoing message, right before the platform call.
 * - Where the platform sells through chat (an adapter with `sendPaid`: Fanvue), a reply that offers a catalogue
 *   pack is followed by the pack as a pay-to-view message at its catalogue price.
 */
import type { Platform } from '../../platform/platform.ts';
import type { JobContext, JobPayload } from '../../platform/jobs/jobs.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { rowsOf, type Tx } from '../../platform/db/database.ts';
import { sql } from 'drizzle-orm';
import type { ChannelsService } from '../../channels/index.ts';
import { SELF_HARM_FLAG, upsertFan, UNDER_18_FLAG } from '../../sales/crm/index.ts';
import { parseCard, type CardData, type Lorebook } from '../cards/card.ts';
import type { ChatChannels, ChannelAccount, ChatChannelAdapter, InboundMessage, PaidMessage } from '../channels/types.ts';
import type { ChatLlm, ChatModels } from '../llm.ts';
import { parseParams, parseSelling, type ChatParams, type Selling } from '../profile.ts';
import * as repo from '../repository.ts';
import { correction, finalize, review, type ReplyPolicy, type ReplyProblem, type ReplyVerdict } from '../safety/guard.ts';
import { HttpError } from '../../platform/http/problem.ts';
import { screenInbound, type InboundScreen } from '../safety/inbound.ts';
import { FIRST_CONTACT_NOTICE, MINOR_CONTINUE, MINOR_GOODBYE, SELF_HARM_REPLY } from '../safety/messages.ts';
import { langs, type Lang } from '../safety/text.ts';
import { buildContext, type BuiltContext, type OfferItem } from './context.ts';
import * as lease from './lease.ts';
import { extractFacts, rankMemories, summarize } from './memory.ts';
import type { CatalogueFn } from './selling.ts';
import { offerItems, offersAllowedNow } from './selling.ts';

export const PROCESS_JOB = 'chat.process';
export const SWEEP_JOB = 'chat.sweep';
export const BLOCKED_FLAG = 'blocked';
/**
 * SELF_HARM_FLAG (defined with the fan CRM's other flags) is set on the fan when the safety screen sees self-harm
 * signals in their message, kept until an operator clears it (after checking in): the inbox shows it at a glance
 * without reading message histories, and PPV campaigns leave that fan out.
 */
export { SELF_HARM_FLAG };

interface ProcessPayload extends JobPayload {
  orgId: string;
  conversationId: string;
}

export interface ReceiveResult {
  conversationId: string;
  messageId: string | null;
  duplicate: boolean;
  /** pending: will be answered; skipped: stored only (rate limit, block list, no adapter). */
  state: 'pending' | 'skipped' | 'duplicate';
}

export interface EngineOptions {
  /** Start draining in this process right after receive (default true). */
  drainInProcess?: boolean;
  /** Longest a model reply may take (default 120 s). */
  replyTimeoutMs?: number;
  /** For tests: no pacing sleeps at all. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const DAY_MS = 86_400_000;
const MEMORY_TOP_K = 6;
const sleepFor = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

interface Composed {
  text: string;
  verdict: ReplyVerdict;
  context: BuiltContext;
  /** The catalogue the reply was grounded on (what it may have offered). */
  offers: OfferItem[];
}

/** A pending fan message and what its reply reads, read in the lease step that picked it (#nextPending). */
interface Pending {
  conversation: repo.ConversationRow;
  message: repo.MessageRow;
  /** Undefined when the fan, persona or channel is gone. */
  parts: repo.TurnParts | undefined;
}

/** How the fan message ends up once a reply went out (or did not): stored with that reply's outcome. */
interface Settle {
  state: 'handled' | 'skipped';
  safety: Record<string, unknown>;
}

/** Everything one reply needs (see Pending), parsed outside the transaction. */
interface Turn {
  orgId: string;
  conversation: repo.ConversationRow;
  message: repo.MessageRow;
  fan: repo.FanRow;
  persona: { id: string; name: string; bio: string; languages: string[] };
  /** The channel's platform (which adapter answers). */
  platform: string;
  card: CardData;
  lorebook: Lorebook;
  profile: repo.ProfileRow | undefined;
  params: ChatParams;
  selling: Selling;
  spendCurrency: string;
}

export class ChatEngine {
  readonly #platform: Platform;
  readonly #channels: ChannelsService;
  readonly #adapters: ChatChannels;
  readonly #models: ChatModels;
  #catalogue: CatalogueFn;
  readonly #opts: Required<Omit<EngineOptions, 'sleep'>> & { sleep: EngineOptions['sleep'] };
  /** Conversations draining in this process: a second kick only asks the running drain to look again. */
  readonly #draining = new Map<string, { again: boolean; done: Promise<void> }>();
  readonly #abort = new AbortController();

  constructor(platform: Platform, deps: { channels: ChannelsService; adapters: ChatChannels; models: ChatModels; catalogue: CatalogueFn }, opts: EngineOptions = {}) {
    this.#platform = platform;
    this.#channels = deps.channels;
    this.#adapters = deps.adapters;
    this.#models = deps.models;
    this.#catalogue = deps.catalogue;
    this.#opts = { drainInProcess: opts.drainInProcess ?? true, replyTimeoutMs: opts.replyTimeoutMs ?? 120_000, sleep: opts.sleep };
  }

  get adapters() {
    return this.#adapters;
  }

  /** For tests and for the sales capability once it ships: where offers are grounded. */
  useCatalogue(fn: CatalogueFn) {
    this.#catalogue = fn;
  }

  register() {
    this.#platform.jobs.register<ProcessPayload>({
      name: PROCESS_JOB,
      concurrency: 16,
      options: { retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 600 },
      handler: (job: JobContext<ProcessPayload>) => this.drain(job.data.orgId, job.data.conversationId),
    });
    this.#platform.jobs.register({ name: SWEEP_JOB, schedule: '* * * * *', options: { retryLimit: 0, expireInSeconds: 120 }, handler: () => this.sweep() });
  }

  async close() {
    this.#abort.abort();
    await Promise.allSettled([...this.#draining.values()].map((d) => d.done));
  }

  // ── In ─────────────────────────────────────────────────────────────────────────────────────────────

  async receive(orgId: string, inbound: InboundMessage): Promise<ReceiveResult> {
    const text = inbound.text.slice(0, 8000);
    const result = await this.#platform.db.withOrg(orgId, async (tx) => {
      const found = await repo.channelWithProfile(tx, inbound.channelId);
      if (!found) throw new Error(`chat: unknown channel ${inbound.channelId}`);
      const { channel, profile } = found;
      const fan = await upsertFan(tx, orgId, {
        personaId: channel.personaId,
        platform: channel.platform,
        platformFanId: inbound.fan.platformFanId,
        channelId: channel.id,
        handle: inbound.fan.handle ?? null,
        displayName: inbound.fan.displayName ?? null,
        language: inbound.fan.language ?? null,
        ...(inbound.sentAt ? { seenAt: inbound.sentAt } : {}),
      });
      const conversation = await repo.openConversation(tx, { orgId, personaId: channel.personaId, channelId: channel.id, fanId: fan.id, remoteChatId: inbound.remoteChatId });
      // Under the conversation's row lock (openConversation): a redelivery racing this one waits, then sees it.
      const inbox = await repo.inboundState(tx, { channelId: channel.id, conversationId: conversation.id, remoteId: inbound.remoteMessageId, since: new Date(Date.now() - 60_000) });
      if (inbox.duplicate) {
        return { conversationId: conversation.id, messageId: null, duplicate: true, state: 'duplicate' as const, personaId: channel.personaId, row: null };
      }
      const limit = profile?.rateLimitPerMinute ?? 12;
      const recentCount = inbox.recent;
      const skip = fan.flags.includes(BLOCKED_FLAG) ? 'blocked' : recentCount >= limit ? 'rate_limited' : !this.#adapters.get(channel.platform) ? 'no_adapter' : null;
      const seq = await repo.nextSeq(tx, conversation.id, { fan: true });
      const row = await repo.insertMessage(tx, {
        orgId,
        conversationId: conversation.id,
        channelId: channel.id,
        seq,
        direction: 'in',
        author: 'fan',
        text,
        remoteId: inbound.remoteMessageId,
        state: skip ? 'skipped' : 'pending',
        ...(skip ? { safety: { skipped: skip }, handledAt: new Date() } : {}),
      });
      if (!row) return { conversationId: conversation.id, messageId: null, duplicate: true, state: 'duplicate' as const, personaId: channel.personaId, row: null };
      if (!skip) await this.#platform.jobs.enqueue(tx, PROCESS_JOB, { orgId, conversationId: conversation.id });
      return { conversationId: conversation.id, messageId: row.id, duplicate: false, state: skip ? ('skipped' as const) : ('pending' as const), personaId: channel.personaId, row };
    });
    if (result.row) await this.#publishMessage(orgId, result.personaId, result.row);
    if (result.state === 'pending' && this.#opts.drainInProcess) void this.drain(orgId, result.conversationId).catch((err) => this.#platform.log.warn({ err, conversationId: result.conversationId }, 'chat drain failed'));
    return { conversationId: result.conversationId, messageId: result.messageId, duplicate: result.duplicate, state: result.state };
  }

  // ── Ordering ───────────────────────────────────────────────────────────────────────────────────────

  /** Answers the conversation's pending messages in order; returns when none is left (or another worker has it). */
  drain(orgId: string, conversationId: string): Promise<void> {
    const running = this.#draining.get(conversationId);
    if (running) {
      running.again = true;
      return running.done;
    }
    const state = { again: false, done: Promise.resolve() };
    state.done = (async () => {
      try {
        do {
          state.again = false;
          await this.#drainOnce(orgId, conversationId);
        } while (state.again && !this.#abort.signal.aborted);
      } finally {
        this.#draining.delete(conversationId);
      }
    })();
    this.#draining.set(conversationId, state);
    return state.done;
  }

  /**
   * One pass: takes the lease (only when a message is pending) and answers oldest first until none is left. Each
   * step is one transaction under the conversation's row lock (the lease UPDATE takes it): the lease taken or
   * renewed, the next pending message and what its reply reads; with none left, the lease is released in that same
   * transaction. A fan message is stored under that row lock too (receive), so it either committed before the step
   * (which then sees it) or commits after the release, and its own drain or job then finds the lease free.
   */
  async #drainOnce(orgId: string, conversationId: string) {
    const db = this.#platform.db;
    const first = await db.withOrg(orgId, async (tx) => {
      const claimed = await lease.claim(tx, conversationId);
      // Nothing pending, or another worker holds the lease and will see what is pending before letting go.
      if (!claimed) return null;
      return { token: claimed.token, next: await this.#nextPending(tx, claimed.conversation, claimed.token) };
    });
    if (!first) return;
    const { token } = first;
    let next = first.next;
    let holding = next !== null;
    try {
      while (next && !this.#abort.signal.aborted) {
        await this.#answer(orgId, next);
        const step = await db.withOrg(orgId, async (tx) => {
          const conversation = await lease.renew(tx, conversationId, token);
          return conversation ? this.#nextPending(tx, conversation, token) : ('lost' as const);
        });
        next = step === 'lost' ? null : step;
        holding = next !== null;
      }
    } finally {
      if (holding) await db.withOrg(orgId, (tx) => lease.release(tx, conversationId, token));
    }
  }

  /**
   * The conversation's oldest pending message with what its reply reads (in the caller's lease transaction); none
   * left: the lease is released right here.
   */
  async #nextPending(tx: Tx, conversation: repo.ConversationRow, token: string): Promise<Pending | null> {
    const message = await repo.nextPending(tx, conversation.id);
    if (!message) {
      await lease.release(tx, conversation.id, token);
      return null;
    }
    return { conversation, message, parts: await repo.turnParts(tx, conversation) };
  }

  /** Conversations with a message pending for over 30 s and no live lease: a worker died or a job was lost. */
  async sweep() {
    const rows = await this.#platform.db.withSystem(async (tx) =>
      rowsOf<{ org_id: string; id: string }>(
        await tx.execute(sql`
          select distinct c.org_id, c.id from chat_messages m join chat_conversations c on c.id = m.conversation_id
          where m.state = 'pending' and m.created_at < now() - interval '30 seconds'
            and (c.lease_until is null or c.lease_until < now())
          limit 500`),
      ),
    );
    for (const r of rows) await this.#platform.jobs.send(PROCESS_JOB, { orgId: r.org_id, conversationId: r.id });
    return { requeued: rows.length };
  }

  // ── One reply ──────────────────────────────────────────────────────────────────────────────────────

  async #answer(orgId: string, pending: Pending) {
    const { message } = pending;
    const turn = toTurn(orgId, pending);
    if (!turn) return this.#settle(orgId, null, message, 'skipped', { skipped: 'gone' });
    const { conversation } = turn;
    if (conversation.status !== 'bot') return this.#settle(orgId, conversation.personaId, message, 'skipped', { skipped: conversation.status === 'operator' ? 'operator_holds' : 'ended' });
    const adapter = this.#adapters.get(turn.platform);
    if (!adapter) return this.#settle(orgId, conversation.personaId, message, 'skipped', { skipped: 'no_adapter' });
    const account = await this.#channels.account(orgId, conversation.channelId);

    const screen = screenInbound(message.text);
    const lang = pickLang(screen.lang, conversation.language, turn.fan.language, turn.persona.languages);
    if (lang !== conversation.language) await this.#platform.db.withOrg(orgId, (tx) => repo.updateConversation(tx, conversation.id, { language: lang }));
    const ageVerified = adapter.ageVerified(account);
    const to = { remoteChatId: conversation.remoteChatId };

    // Fixed answers first: they do not depend on a model and must not wait for one.
    // A fan flagged earlier (any conversation of this persona on the platform) gets the same answer outside age-verified platforms.
    if (screen.minor || (!ageVerified && turn.fan.flags.includes(UNDER_18_FLAG))) return this.#minor(turn, adapter, account, screen, lang, ageVerified);
    if (screen.selfHarm) {
      await this.#platform.db.withOrg(orgId, async (tx) => {
        if (await repo.flagFan(tx, turn.fan.id, SELF_HARM_FLAG)) {
          await recordAudit(tx, { orgId }, {}, { action: 'chat.fan_flagged', targetType: 'fan', targetId: turn.fan.id, details: { flag: SELF_HARM_FLAG, conversationId: conversation.id, messageId: message.id } });
        }
      });
      await this.#alert(turn, 'self_harm', { matched: screen.selfHarm.matched });
      await this.#deliver(turn, adapter, account, to, SELF_HARM_REPLY[lang], 'bot', { screen: screenSummary(screen), fixed: 'self_harm' }, { settle: () => ({ state: 'handled', safety: { screen: screenSummary(screen) } }) });
      return;
    }
    if (adapter.firstContactNotice(account) && !conversation.noticeSentAt) {
      const notice = turn.profile?.firstContactNotice?.trim() || FIRST_CONTACT_NOTICE[lang];
      const { sent } = await this.#deliver(turn, adapter, account, to, notice, 'system', { fixed: 'first_contact_notice' });
      if (sent) await this.#platform.db.withOrg(orgId, (tx) => repo.updateConversation(tx, conversation.id, { noticeSentAt: new Date() }));
    }

    const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.#opts.replyTimeoutMs)]);
    const llm = await this.#model(turn);
    if (!llm) {
      await this.#alert(turn, 'no_model', {});
      return this.#settle(orgId, conversation.personaId, message, 'skipped', { skipped: 'no_model', screen: screenSummary(screen) });
    }
    const stopTyping = keepTyping(adapter, account, to, signal);
    const started = Date.now();
    let composed: Composed;
    try {
      try {
        composed = await this.#compose(turn, llm, screen, lang, ageVerified, account.platform, signal);
      } catch (error) {
        if (this.#abort.signal.aborted) throw error;
        this.#platform.log.warn({ err: error, conversationId: conversation.id }, 'chat model failed');
        await this.#alert(turn, 'model_failed', { message: (error as Error).message });
        // Left pending: the job's retry (or the sweep) answers it later, still in order.
        throw error;
      }
      if (turn.params.pacing.enabled && adapter.typing) {
        const target = Math.min(turn.params.pacing.maxMs, composed.text.length * turn.params.pacing.msPerChar);
        await (this.#opts.sleep ?? sleepFor)(target - (Date.now() - started), signal);
      }
    } finally {
      stopTyping();
    }
    const { text, verdict, context, offers } = composed;
    // A pack the reply offered follows as a pay-to-view message where the platform sells in chat; the fan message
    // is settled in the transaction that records the last send's outcome.
    const paid = adapter.sendPaid ? paidOffer(verdict.offered, offers) : null;
    const settled = (replied: boolean): Settle => ({ state: 'handled', safety: { screen: screenSummary(screen), replied } });
    const reply = await this.#deliver(turn, adapter, account, to, text, 'bot', { screen: screenSummary(screen), reply: verdict, context: { tokens: context.tokens, ...context.included } }, {
      isOffer: verdict.offered.length > 0,
      settle: (sent) => (sent && paid ? null : settled(sent)),
    });
    if (reply.sent) this.#platform.metrics.chatLatency.observe({ channel: account.platform }, (Date.now() - message.createdAt.getTime()) / 1000);
    if (reply.sent && paid) {
      await this.#deliver(turn, adapter, account, to, paid.text, 'bot', { fixed: 'paid_offer', paid: { packId: paid.packId, title: paid.text, priceMinor: paid.priceMinor, currency: paid.currency, media: paid.assetIds.length } }, { paid, settle: () => settled(true) });
    }
    if (reply.sent && reply.conversation) await this.#afterReply(turn, reply.conversation, llm, signal).catch((err) => this.#platform.log.warn({ err, conversationId: conversation.id }, 'chat memory update failed'));
  }

  async #model(turn: Turn): Promise<ChatLlm | null> {
    return this.#models.for(turn.orgId, { providerId: turn.profile?.providerId ?? null, model: turn.profile?.model ?? null, params: turn.params }).catch((err: Error) => {
      this.#platform.log.warn({ err, personaId: turn.persona.id }, 'chat model unavailable');
      return null;
    });
  }

  /** Context → streamed draft → guard (one regeneration with the problems as a correction) → safe text. */
  async #compose(turn: Turn, llm: ChatLlm, screen: InboundScreen, lang: Lang, ageVerified: boolean, platformName: string, signal: AbortSignal): Promise<Composed> {
    const { orgId, conversation, message } = turn;
    const fanMinor = turn.fan.flags.includes(UNDER_18_FLAG);
    const sexualAllowed = ageVerified && !fanMinor;
    // Nothing is sold to a minor, nor to a fan who has shown self-harm signals (an operator clears that flag).
    const noSelling = fanMinor || turn.fan.flags.includes(SELF_HARM_FLAG);
    // What the context reads, in one transaction: the offers, today's offers so far, the recent window, memories.
    const { offers, offersToday, history, memoryRows } = await this.#platform.db.withOrg(orgId, async (tx) => {
      const offers =
        turn.selling.enabled && !noSelling
          ? offerItems(await this.#catalogue(tx, turn.persona.id, { platform: platformName, channelId: conversation.channelId, fanId: turn.fan.id, at: new Date(), ...(ageVerified ? {} : { accepts: ['sfw'] as const }) }))
          : [];
      const offersToday = offers.length ? await repo.offersSince(tx, conversation.id, new Date(Date.now() - DAY_MS)) : 0;
      return { offers, offersToday, history: await repo.recent(tx, conversation.id, turn.params.recentWindow, message.seq), memoryRows: await repo.memories(tx, turn.fan.id) };
    });
    const offersAllowed = !noSelling && offers.length > 0 && offersAllowedNow(turn.selling, conversation, offersToday);

    const queryEmbedding = memoryRows.length && llm.embeddingModel ? await llm.embed([message.text], signal).then((v) => v?.[0] ?? null).catch(() => null) : null;
    const memories = rankMemories(memoryRows, message.text, queryEmbedding, llm.embeddingModel, MEMORY_TOP_K).map((m) => m.fact);

    const context = buildContext({
      persona: turn.persona,
      card: turn.card,
      lorebook: turn.lorebook,
      platform: platformName,
      lang,
      sexualAllowed,
      fan: {
        name: turn.fan.displayName || turn.fan.handle || 'the fan',
        subscription: turn.fan.subscription,
        spend: `${(turn.fan.totalSpendMinor / 100).toFixed(2)} ${turn.spendCurrency}`,
        tags: turn.fan.tags,
        notes: turn.fan.notes,
      },
      offers: { allowed: offersAllowed, items: offers, pushiness: turn.selling.pushiness },
      memories,
      summary: conversation.summary,
      // The message being answered goes last, after the replies already sent.
      history: [...history.filter((m) => m.id !== message.id && m.state !== 'suppressed' && m.state !== 'failed'), message],
      askedIfAI: screen.asksIfAI,
      probesInstructions: screen.probesInstructions,
      params: turn.params,
    });
    const policy: ReplyPolicy = {
      lang,
      askedIfAI: screen.asksIfAI,
      sexualAllowed,
      offersAllowed,
      catalogue: offers.map((o) => ({ packId: o.packId, title: o.title, effectiveMinor: o.effectiveMinor, listMinor: o.listMinor, currency: o.currency })),
      instructions: context.instructions,
    };
    const drafts: ReplyProblem[][] = [];
    const greeting = message.text.trim() === '/start' && turn.card.first_mes.trim() ? turn.card.first_mes : null;
    let draft = greeting ?? (await llm.complete(context.messages, { signal }));
    for (let attempt = 0; attempt < 2; attempt++) {
      const problems = review(draft, policy);
      drafts.push(problems);
      if (!problems.length || attempt === 1) break;
      draft = await llm.complete([...context.messages, { role: 'assistant', content: draft }, { role: 'system', content: correction(problems, policy) }], { signal });
    }
    const { text, verdict } = finalize(draft, policy, drafts);
    return { text, verdict, context, offers };
  }

  /** A reply an operator may send (or edit): the same context and guards as the bot's, nothing sent. */
  async suggest(orgId: string, conversationId: string): Promise<{ text: string; verdict: ReplyVerdict } | null> {
    const pending = await this.#platform.db.withOrg(orgId, async (tx): Promise<Pending | null> => {
      const conversation = await repo.conversation(tx, conversationId);
      const last = conversation && (await repo.recent(tx, conversationId, 50)).filter((m) => m.author === 'fan').pop();
      return conversation && last ? { conversation, message: last, parts: await repo.turnParts(tx, conversation) } : null;
    });
    const turn = pending && toTurn(orgId, pending);
    if (!pending || !turn) return null;
    const last = pending.message;
    const adapter = this.#adapters.get(turn.platform);
    const account = await this.#channels.account(orgId, turn.conversation.channelId);
    const screen = screenInbound(last.text);
    const lang = pickLang(screen.lang, turn.conversation.language, turn.fan.language, turn.persona.languages);
    const llm = await this.#model(turn);
    if (!llm) throw new HttpError(409, 'no_chat_model', 'This persona has no text model configured for chat');
    const { text, verdict } = await this.#compose(turn, llm, screen, lang, adapter?.ageVerified(account) ?? false, account.platform, AbortSignal.timeout(this.#opts.replyTimeoutMs));
    return { text, verdict };
  }

  async #minor(turn: Turn, adapter: ChatChannelAdapter, account: ChannelAccount, screen: InboundScreen, lang: Lang, ageVerified: boolean) {
    const { orgId, conversation } = turn;
    const newlyFlagged = await this.#platform.db.withOrg(orgId, async (tx) => {
      const changed = await repo.flagFan(tx, turn.fan.id, UNDER_18_FLAG);
      await recordAudit(tx, { orgId }, {}, { action: 'chat.fan_flagged', targetType: 'fan', targetId: turn.fan.id, details: { flag: UNDER_18_FLAG, conversationId: conversation.id, messageId: turn.message.id } });
      return changed;
    });
    await this.#alert(turn, 'stated_under_18', { matched: screen.minor?.matched ?? null, newlyFlagged });
    const to = { remoteChatId: conversation.remoteChatId };
    if (!ageVerified) {
      await this.#deliver(turn, adapter, account, to, MINOR_GOODBYE[lang], 'bot', { screen: screenSummary(screen), fixed: 'minor_goodbye' });
      await this.#platform.db.withOrg(orgId, async (tx) => {
        await repo.updateConversation(tx, conversation.id, { status: 'ended' });
        await recordAudit(tx, { orgId }, {}, { action: 'chat.conversation_ended', targetType: 'chat_conversation', targetId: conversation.id, details: { reason: UNDER_18_FLAG } });
      });
      await this.#publishConversation(orgId, conversation.personaId, conversation.id);
    } else {
      await this.#deliver(turn, adapter, account, to, MINOR_CONTINUE[lang], 'bot', { screen: screenSummary(screen), fixed: 'minor_continue' });
    }
    return this.#settle(orgId, conversation.personaId, turn.message, 'handled', { screen: screenSummary(screen) });
  }

  /**
   * Records the outgoing message and sends it, unless the conversation left the bot's hands meanwhile. The status
   * check and the insert share one transaction under the conversation's row lock (repo.advance answers the row as
   * it stands under that lock), so a takeover either happened before (nothing is sent) or after the bot committed
   * to this message. `settle` says how the fan message ends up given this send's outcome: it is stored in the same
   * transaction as that outcome. Answers whether it was sent and the conversation as of the insert.
   */
  async #deliver(
    turn: Turn,
    adapter: ChatChannelAdapter,
    account: ChannelAccount,
    to: { remoteChatId: string },
    text: string,
    author: 'bot' | 'system',
    safety: Record<string, unknown>,
    opts: { isOffer?: boolean; paid?: PaidMessage | null; settle?: (sent: boolean) => Settle | null } = {},
  ): Promise<{ sent: boolean; conversation: repo.ConversationRow | null }> {
    const { orgId, conversation } = turn;
    const recorded = await this.#platform.db.withOrg(orgId, async (tx) => {
      const current = await repo.advance(tx, conversation.id, { bot: author === 'bot' });
      if (!current) return null;
      const held = current.status !== 'bot';
      const inserted = await repo.insertMessage(tx, {
        orgId,
        conversationId: conversation.id,
        channelId: conversation.channelId,
        seq: current.lastSeq,
        direction: 'out',
        author,
        text,
        state: held ? 'suppressed' : 'sent',
        replyTo: turn.message.id,
        safety: held ? { ...safety, suppressed: current.status } : safety,
      });
      if (!held && opts.isOffer) await repo.recordOffer(tx, conversation.id, current.lastSeq);
      const settle = held ? opts.settle?.(false) : null;
      return { current, row: held ? null : inserted!, settled: settle ? await repo.settleInbound(tx, turn.message.id, settle.state, settle.safety) : undefined };
    });
    if (!recorded) return { sent: false, conversation: null };
    const { row, current } = recorded;
    if (!row) {
      if (recorded.settled) await this.#publishMessage(orgId, conversation.personaId, recorded.settled);
      return { sent: false, conversation: current };
    }
    let outcome: { sent: true; remoteId: string | null } | { sent: false; error: Error };
    try {
      // A paid message may first put its media on the platform: it gets longer than a text.
      const { remoteId } =
        opts.paid && adapter.sendPaid
          ? await adapter.sendPaid(account, to, opts.paid, AbortSignal.any([this.#abort.signal, AbortSignal.timeout(180_000)]))
          : await adapter.send(account, to, text, AbortSignal.any([this.#abort.signal, AbortSignal.timeout(30_000)]));
      outcome = { sent: true, remoteId };
    } catch (error) {
      this.#platform.log.warn({ err: error, conversationId: conversation.id }, 'chat send failed');
      outcome = { sent: false, error: error as Error };
    }
    const settle = opts.settle?.(outcome.sent) ?? null;
    const settled = await this.#platform.db.withOrg(orgId, async (tx) => {
      if (outcome.sent) await repo.setOutcome(tx, row.id, 'sent', outcome.remoteId);
      else await repo.setOutcome(tx, row.id, 'failed', null, outcome.error.message);
      return settle ? repo.settleInbound(tx, turn.message.id, settle.state, settle.safety) : undefined;
    });
    await this.#publishMessage(orgId, conversation.personaId, outcome.sent ? { ...row, remoteId: outcome.remoteId } : { ...row, state: 'failed' });
    if (!outcome.sent) await this.#alert(turn, 'send_failed', { message: outcome.error.message });
    if (settled) await this.#publishMessage(orgId, conversation.personaId, settled);
    return { sent: outcome.sent, conversation: current };
  }

  /** Memory and summary upkeep after a reply; `current` is the conversation as the reply was recorded. */
  async #afterReply(turn: Turn, current: repo.ConversationRow, llm: ChatLlm, signal: AbortSignal) {
    const { orgId, conversation, params } = turn;
    const names = { fan: turn.fan.displayName || turn.fan.handle || 'Fan', persona: turn.card.name || turn.persona.name };
    if (params.memoryEvery > 0 && current.fanMessages - current.memorizedThrough >= params.memoryEvery) {
      const [messages, known] = await this.#platform.db.withOrg(orgId, async (tx) => [await repo.recent(tx, conversation.id, params.memoryEvery * 2), await repo.memories(tx, turn.fan.id)] as const);
      const facts = await extractFacts(llm, messages, known.map((k) => k.fact), names, signal);
      const vectors = facts.length ? await llm.embed(facts, signal).catch(() => null) : null;
      await this.#platform.db.withOrg(orgId, async (tx) => {
        await repo.addMemories(tx, facts.map((fact, i) => ({ orgId, fanId: turn.fan.id, conversationId: conversation.id, fact, embedding: vectors?.[i] ?? null, embeddingModel: vectors ? llm.embeddingModel : null })));
        await repo.updateConversation(tx, conversation.id, { memorizedThrough: current.fanMessages });
      });
    }
    const outside = current.lastSeq - params.recentWindow - current.summarizedThrough;
    if (params.summaryAfter > 0 && outside >= params.summaryAfter) {
      const through = current.lastSeq - params.recentWindow;
      const messages = await this.#platform.db.withOrg(orgId, (tx) => repo.range(tx, conversation.id, current.summarizedThrough, through));
      const summary = await summarize(llm, current.summary, messages, names, signal);
      await this.#platform.db.withOrg(orgId, (tx) => repo.updateConversation(tx, conversation.id, { summary, summarizedThrough: through }));
    }
  }

  /**
   * The fan message is done with (answered, or left unanswered and why): stored, and shown live like a new message,
   * so the inbox sees the bot stop "replying" without polling. A gone conversation has nobody to show it to.
   */
  async #settle(orgId: string, personaId: string | null, message: repo.MessageRow, state: 'handled' | 'skipped', safety: Record<string, unknown>) {
    const row = await this.#platform.db.withOrg(orgId, (tx) => repo.settleInbound(tx, message.id, state, safety));
    if (row && personaId) await this.#publishMessage(orgId, personaId, row);
  }

  async #alert(turn: Turn, kind: 'stated_under_18' | 'self_harm' | 'no_model' | 'model_failed' | 'send_failed', data: Record<string, unknown>) {
    const { orgId, conversation } = turn;
    if (kind === 'stated_under_18' || kind === 'self_harm') {
      await this.#platform.db.withOrg(orgId, (tx) =>
        recordAudit(tx, { orgId }, {}, { action: `chat.alert.${kind}`, targetType: 'chat_conversation', targetId: conversation.id, details: { fanId: turn.fan.id, messageId: turn.message.id } }),
      );
    }
    await this.#platform.events.publish({
      type: `alert.chat_${kind}`,
      orgId,
      personaId: conversation.personaId,
      data: { conversationId: conversation.id, fanId: turn.fan.id, messageId: turn.message.id, ...data },
    });
  }

  async #publishMessage(orgId: string, personaId: string, row: repo.MessageRow) {
    await this.#platform.events.publish({ type: 'chat.message', orgId, personaId, data: messageView(row) });
  }

  async #publishConversation(orgId: string, personaId: string, conversationId: string) {
    await this.#platform.events.publish({ type: 'chat.conversation', orgId, personaId, data: { conversationId } });
  }
}

export function messageView(m: repo.MessageRow) {
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    direction: m.direction,
    author: m.author,
    authorUserId: m.authorUserId,
    text: m.text,
    state: m.state,
    remoteId: m.remoteId,
    replyTo: m.replyTo,
    safety: (m.safety as Record<string, unknown> | null) ?? null,
    createdAt: m.createdAt.toISOString(),
  };
}

/** Platforms show typing for a few seconds (Telegram 5, Discord 10): shown again until the reply is ready. */
const TYPING_RENEW_MS = 4_500;
function keepTyping(adapter: ChatChannelAdapter, account: ChannelAccount, to: { remoteChatId: string }, signal: AbortSignal): () => void {
  if (!adapter.typing) return () => {};
  const show = () => void adapter.typing!(account, to, signal).catch(() => {});
  show();
  const timer = setInterval(show, TYPING_RENEW_MS);
  return () => clearInterval(timer);
}

/** The first pack a reply offered that has media to sell, as a pay-to-view message at its catalogue price. */
function paidOffer(offered: readonly string[], offers: readonly OfferItem[]): PaidMessage | null {
  for (const packId of offered) {
    const item = offers.find((o) => o.packId === packId);
    if (item && item.assetIds.length && item.effectiveMinor > 0) {
      return { packId, text: item.title, assetIds: item.assetIds, priceMinor: item.effectiveMinor, currency: item.currency };
    }
  }
  return null;
}

function pickLang(detected: Lang | null, conversation: string | null, fanHint: string | null, personaLanguages: string[]): Lang {
  const ok = (l: string | null | undefined): l is Lang => !!l && (langs as readonly string[]).includes(l);
  if (ok(detected)) return detected;
  if (ok(conversation)) return conversation;
  const hint = fanHint?.slice(0, 2).toLowerCase();
  if (ok(hint)) return hint;
  return personaLanguages.map((l) => l.slice(0, 2).toLowerCase()).find(ok) ?? 'en';
}

function screenSummary(s: InboundScreen) {
  return { lang: s.lang, asksIfAI: s.asksIfAI, minor: s.minor?.matched ?? null, selfHarm: !!s.selfHarm, probesInstructions: s.probesInstructions };
}

/** The Turn of a pending message (parsing the card and settings is kept out of the lease transaction). */
function toTurn(orgId: string, { conversation, message, parts }: Pending): Turn | null {
  if (!parts) return null;
  const { fan, persona, channel, profile, currency } = parts;
  const { card, lorebook } = profileCard(profile, persona.name);
  return {
    orgId,
    conversation,
    message,
    fan,
    persona: { id: persona.id, name: persona.name, bio: persona.bio, languages: persona.languages },
    platform: channel.platform,
    card,
    lorebook,
    profile,
    params: parseParams(profile?.params),
    selling: parseSelling(profile?.selling),
    spendCurrency: currency,
  };
}

export function profileCard(profile: repo.ProfileRow | undefined, personaName: string): { card: CardData; lorebook: Lorebook } {
  const parsed = parseCard({ spec: 'chara_card_v3', data: { name: personaName, ...((profile?.card as object) ?? {}), character_book: profile?.lorebook ?? undefined } });
  return { card: parsed.card, lorebook: parsed.lorebook };
}

