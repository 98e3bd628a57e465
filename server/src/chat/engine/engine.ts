/**
 * The conversation engine: a fan message in → (in order, one at a time per conversation) safety screening →
 * context → streamed model reply → reply guard → send → stored, operator inbox updated live.
 *
 * - `receive` stores the fan message (deduplicated by the platform's id, sequenced under the conversation's row
 *   lock) and enqueues `chat.process` in the same transaction; in this process it also starts draining at once,
 *   so a reply does not wait for the queue's poll. Either path may run: the lease (lease.ts) lets one through.
 * - `drain` takes the conversation's lease and answers its pending messages oldest first; many conversations
 *   drain in parallel. Nothing holds a transaction across a model call.
 * - The bot never sends while an operator holds the conversation: the status is re-read under the row lock in
 *   the transaction that records the outgoing message, right before the platform call.
 * - Where the platform sells through chat (an adapter with `sendPaid`: Fanvue), a reply that offers a catalogue
 *   pack is followed by the pack as a pay-to-view message at its catalogue price.
 */
import type { Platform } from '../../platform/platform.ts';
import type { JobContext, JobPayload } from '../../platform/jobs/jobs.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { rowsOf } from '../../platform/db/database.ts';
import { sql } from 'drizzle-orm';
import type { ChannelsService } from '../../channels/index.ts';
import { upsertFan, UNDER_18_FLAG } from '../../sales/crm/index.ts';
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
 * Set on the fan when the safety screen sees self-harm signals in their message, kept until an operator clears it
 * (after checking in): the inbox shows it at a glance without reading message histories.
 */
export const SELF_HARM_FLAG = 'self_harm_signal';

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

/** Everything one reply needs, read in one short transaction. */
interface Turn {
  orgId: string;
  conversation: repo.ConversationRow;
  message: repo.MessageRow;
  fan: repo.FanRow;
  persona: { id: string; name: string; bio: string; languages: string[] };
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
      const channel = await repo.channel(tx, inbound.channelId);
      if (!channel) throw new Error(`chat: unknown channel ${inbound.channelId}`);
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
      if (await repo.inboundByRemoteId(tx, channel.id, inbound.remoteMessageId)) {
        return { conversationId: conversation.id, messageId: null, duplicate: true, state: 'duplicate' as const, personaId: channel.personaId, row: null };
      }
      const profile = await repo.profile(tx, channel.personaId);
      const limit = profile?.rateLimitPerMinute ?? 12;
      const recentCount = await repo.inboundSince(tx, conversation.id, new Date(Date.now() - 60_000));
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

  async #drainOnce(orgId: string, conversationId: string) {
    const db = this.#platform.db;
    for (;;) {
      const token = await db.withOrg(orgId, (tx) => lease.claim(tx, conversationId));
      if (!token) return; // another worker holds it and will see what is pending before letting go
      try {
        for (;;) {
          if (this.#abort.signal.aborted) return;
          const next = await db.withOrg(orgId, async (tx) => ((await lease.renew(tx, conversationId, token)) ? repo.nextPending(tx, conversationId) : null));
          if (!next) break;
          await this.#answer(orgId, next);
        }
      } finally {
        await db.withOrg(orgId, (tx) => lease.release(tx, conversationId, token));
      }
      // A message stored after our last look but before the release found the lease taken: look once more.
      const more = await db.withOrg(orgId, (tx) => repo.nextPending(tx, conversationId));
      if (!more) return;
    }
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

  async #load(orgId: string, message: repo.MessageRow): Promise<Turn | null> {
    return this.#platform.db.withOrg(orgId, async (tx) => {
      const conversation = await repo.conversation(tx, message.conversationId);
      if (!conversation) return null;
      const [fan, persona, profile, spendCurrency] = [await repo.fan(tx, conversation.fanId), await repo.persona(tx, conversation.personaId), await repo.profile(tx, conversation.personaId), await repo.reportingCurrency(tx)];
      if (!fan || !persona) return null;
      const { card, lorebook } = profileCard(profile, persona.name);
      return {
        orgId,
        conversation,
        message,
        fan,
        persona: { id: persona.id, name: persona.name, bio: persona.bio, languages: persona.languages },
        card,
        lorebook,
        profile,
        params: parseParams(profile?.params),
        selling: parseSelling(profile?.selling),
        spendCurrency,
      };
    });
  }

  async #answer(orgId: string, message: repo.MessageRow) {
    const turn = await this.#load(orgId, message);
    if (!turn) return this.#settle(orgId, null, message, 'skipped', { skipped: 'gone' });
    const { conversation } = turn;
    if (conversation.status !== 'bot') return this.#settle(orgId, conversation.personaId, message, 'skipped', { skipped: conversation.status === 'operator' ? 'operator_holds' : 'ended' });
    const adapter = this.#adapters.get((await this.#platform.db.withOrg(orgId, (tx) => repo.channel(tx, conversation.channelId)))?.platform ?? '');
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
      await this.#deliver(turn, adapter, account, to, SELF_HARM_REPLY[lang], 'bot', { screen: screenSummary(screen), fixed: 'self_harm' });
      return this.#settle(orgId, conversation.personaId, message, 'handled', { screen: screenSummary(screen) });
    }
    if (adapter.firstContactNotice(account) && !conversation.noticeSentAt) {
      const notice = turn.profile?.firstContactNotice?.trim() || FIRST_CONTACT_NOTICE[lang];
      const sent = await this.#deliver(turn, adapter, account, to, notice, 'system', { fixed: 'first_contact_notice' });
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
    const sent = await this.#deliver(turn, adapter, account, to, text, 'bot', { screen: screenSummary(screen), reply: verdict, context: { tokens: context.tokens, ...context.included } }, verdict.offered.length > 0);
    const paid = sent && adapter.sendPaid ? paidOffer(verdict.offered, offers) : null;
    if (paid) await this.#deliver(turn, adapter, account, to, paid.text, 'bot', { fixed: 'paid_offer', paid: { packId: paid.packId, title: paid.text, priceMinor: paid.priceMinor, currency: paid.currency, media: paid.assetIds.length } }, false, paid);
    await this.#settle(orgId, conversation.personaId, message, 'handled', { screen: screenSummary(screen), replied: sent });
    if (sent) await this.#afterReply(turn, llm, signal).catch((err) => this.#platform.log.warn({ err, conversationId: conversation.id }, 'chat memory update failed'));
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
    let offers: OfferItem[] = [];
    if (turn.selling.enabled && !fanMinor) {
      const entries = await this.#platform.db.withOrg(orgId, (tx) =>
        this.#catalogue(tx, turn.persona.id, { platform: platformName, channelId: conversation.channelId, fanId: turn.fan.id, at: new Date(), ...(ageVerified ? {} : { accepts: ['sfw'] as const }) }),
      );
      offers = offerItems(entries);
    }
    const offersToday = offers.length ? await this.#platform.db.withOrg(orgId, (tx) => repo.offersSince(tx, conversation.id, new Date(Date.now() - DAY_MS))) : 0;
    const offersAllowed = !fanMinor && offers.length > 0 && offersAllowedNow(turn.selling, conversation, offersToday);

    const [history, memoryRows] = await this.#platform.db.withOrg(orgId, async (tx) => [await repo.recent(tx, conversation.id, turn.params.recentWindow, message.seq), await repo.memories(tx, turn.fan.id)] as const);
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
    const last = await this.#platform.db.withOrg(orgId, async (tx) => (await repo.recent(tx, conversationId, 50)).filter((m) => m.author === 'fan').pop());
    if (!last) return null;
    const turn = await this.#load(orgId, last);
    if (!turn) return null;
    const channel = await this.#platform.db.withOrg(orgId, (tx) => repo.channel(tx, turn.conversation.channelId));
    const adapter = this.#adapters.get(channel?.platform ?? '');
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
   * check and the insert share one transaction under the conversation's row lock (nextSeq), so a takeover either
   * happened before (nothing is sent) or after the bot committed to this message.
   */
  async #deliver(turn: Turn, adapter: ChatChannelAdapter, account: ChannelAccount, to: { remoteChatId: string }, text: string, author: 'bot' | 'system', safety: Record<string, unknown>, isOffer = false, paid?: PaidMessage): Promise<boolean> {
    const { orgId, conversation } = turn;
    const row = await this.#platform.db.withOrg(orgId, async (tx) => {
      const seq = await repo.nextSeq(tx, conversation.id, { bot: author === 'bot' });
      const current = await repo.conversation(tx, conversation.id);
      const held = current?.status !== 'bot';
      const inserted = await repo.insertMessage(tx, {
        orgId,
        conversationId: conversation.id,
        channelId: conversation.channelId,
        seq,
        direction: 'out',
        author,
        text,
        state: held ? 'suppressed' : 'sent',
        replyTo: turn.message.id,
        safety: held ? { ...safety, suppressed: current?.status ?? 'gone' } : safety,
      });
      if (!held && isOffer) await repo.recordOffer(tx, conversation.id, seq);
      return held ? null : inserted!;
    });
    if (!row) return false;
    try {
      // A paid message may first put its media on the platform: it gets longer than a text.
      const { remoteId } =
        paid && adapter.sendPaid
          ? await adapter.sendPaid(account, to, paid, AbortSignal.any([this.#abort.signal, AbortSignal.timeout(180_000)]))
          : await adapter.send(account, to, text, AbortSignal.any([this.#abort.signal, AbortSignal.timeout(30_000)]));
      await this.#platform.db.withOrg(orgId, (tx) => repo.setOutcome(tx, row.id, 'sent', remoteId));
      await this.#publishMessage(orgId, conversation.personaId, { ...row, remoteId });
      return true;
    } catch (error) {
      this.#platform.log.warn({ err: error, conversationId: conversation.id }, 'chat send failed');
      await this.#platform.db.withOrg(orgId, (tx) => repo.setOutcome(tx, row.id, 'failed', null, (error as Error).message));
      await this.#publishMessage(orgId, conversation.personaId, { ...row, state: 'failed' });
      await this.#alert(turn, 'send_failed', { message: (error as Error).message });
      return false;
    }
  }

  async #afterReply(turn: Turn, llm: ChatLlm, signal: AbortSignal) {
    const { orgId, conversation, params } = turn;
    const names = { fan: turn.fan.displayName || turn.fan.handle || 'Fan', persona: turn.card.name || turn.persona.name };
    const current = await this.#platform.db.withOrg(orgId, (tx) => repo.conversation(tx, conversation.id));
    if (!current) return;
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

export function profileCard(profile: repo.ProfileRow | undefined, personaName: string): { card: CardData; lorebook: Lorebook } {
  const parsed = parseCard({ spec: 'chara_card_v3', data: { name: personaName, ...((profile?.card as object) ?? {}), character_book: profile?.lorebook ?? undefined } });
  return { card: parsed.card, lorebook: parsed.lorebook };
}

