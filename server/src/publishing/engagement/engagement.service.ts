import { and, eq, inArray } from 'drizzle-orm';
import type { Platform } from '../../platform/platform.ts';
import type { Tx } from '../../platform/db/database.ts';
import { channels as channelsTable, engagements } from '../../platform/db/schema/index.ts';
import type { Origin, Principal } from '../../platform/auth/principal.ts';
import { canSeePersona } from '../../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../../platform/audit/audit.ts';
import { HttpError, notFound } from '../../platform/http/problem.ts';
import type { PersonasService } from '../../personas/index.ts';
import type { ChannelsService } from '../../channels/index.ts';
import type { StudioService } from '../../generation/index.ts';
import type { ProvidersService } from '../../generation/providers/providers.service.ts';
import { ProviderError } from '../../generation/providers/types.ts';
import type { PromptGate } from '../../generation/safety-gate.ts';
import type { Connectors } from '../connectors/registry.ts';
import { ConnectorError, type ChannelAccount, type RemoteInteraction } from '../connectors/types.ts';
import { assertSafeReply, draftReply, isReplyPlatform, type ReplyPlatform } from './drafting.ts';
import { autoReplyAllowed, type AutoReplySettings } from './auto-reply.ts';
import * as repo from './engagement.repository.ts';
import { lockChannels } from '../../channels/lock.ts';
import { erasedAuthorTest } from './erased-authors.ts';

export const PULL_SWEEP_JOB = 'engagement.pull_sweep';
export const PULL_CHANNEL_JOB = 'engagement.pull_channel';
/** channel_cache keys: the pull cursor and backoff; the auto-reply switch (never writable through channel settings). */
const PULL_STATE = 'engagement.pull';
const AUTO_REPLY = 'engagement.auto_reply';
/** Each pull re-reads this much before the last one: late-indexed items are caught, duplicates are ignored. */
const OVERLAP_MS = 10 * 60_000;
/** A send claimed longer ago than this without an answer is treated as an unknown outcome. */
const IN_FLIGHT_MS = 5 * 60_000;
const SYSTEM_ORIGIN: Origin = { ip: null, userAgent: 'engagement', requestId: null };

interface PullState {
  since?: string;
  lastPulledAt?: string;
  backoffUntil?: string;
  backoffReason?: 'rate_limited' | 'failing';
  failures?: number;
  lastError?: string | null;
}

export interface ListQuery {
  personaId?: string | undefined;
  status?: repo.EngagementStatus | undefined;
  channelId?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

const systemPrincipal = (orgId: string): Principal => ({ orgId, role: 'admin', userId: null, apiKeyId: null, personaScope: null, sessionId: null });
const norm = (handle: string) => handle.replace(/^@/, '').trim().toLowerCase();

/**
 * The engagement inbox: pulls what people say to the persona on each channel, drafts replies in her
 * voice, and sends what an operator approves (or, on X with the owner's recorded approval, what the
 * auto-reply rules allow). Nothing here ever likes, follows, reposts or writes first.
 */
export class EngagementService {
  readonly #platform: Platform;
  readonly #channels: ChannelsService;
  readonly #personas: PersonasService;
  readonly #connectors: Connectors;
  readonly #studio: StudioService;
  readonly #providers: ProvidersService;
  readonly #gate: PromptGate;
  readonly #denyNames: readonly string[];

  constructor(
    platform: Platform,
    deps: { channels: ChannelsService; personas: PersonasService; connectors: Connectors; studio: StudioService; providers: ProvidersService; gate: PromptGate; denyNames: readonly string[] },
  ) {
    this.#platform = platform;
    this.#channels = deps.channels;
    this.#personas = deps.personas;
    this.#connectors = deps.connectors;
    this.#studio = deps.studio;
    this.#providers = deps.providers;
    this.#gate = deps.gate;
    this.#denyNames = deps.denyNames;
  }

  register() {
    const { jobs } = this.#platform;
    jobs.register({ name: PULL_SWEEP_JOB, schedule: '*/5 * * * *', options: { retryLimit: 0, expireInSeconds: 300 }, handler: () => this.sweep() });
    jobs.register<{ orgId: string; channelId: string }>({
      name: PULL_CHANNEL_JOB,
      concurrency: 2,
      // Failures back off through the channel's pull state, not through queue retries.
      options: { retryLimit: 0, expireInSeconds: 600 },
      handler: async (job) => {
        try {
          await this.pullChannel(job.data.orgId, job.data.channelId);
        } catch (error) {
          this.#platform.log.warn({ err: error, channelId: job.data.channelId }, 'engagement pull failed');
        }
      },
    });
  }

  /** Queues one pull per active channel whose platform can list interactions; each runs (and fails) alone. */
  async sweep() {
    const pullable = ['x', 'bluesky', 'reddit', 'instagram'].filter((name) => this.#connectors.has(name as ReplyPlatform) && this.#connectors.get(name as ReplyPlatform).interactions);
    if (!pullable.length) return 0;
    const rows = await this.#platform.db.withSystem((tx) =>
      tx
        .select({ id: channelsTable.id, orgId: channelsTable.orgId })
        .from(channelsTable)
        .where(and(eq(channelsTable.status, 'active'), inArray(channelsTable.platform, pullable))),
    );
    for (const r of rows) await this.#platform.jobs.send(PULL_CHANNEL_JOB, { orgId: r.orgId, channelId: r.id }, { singletonKey: `engagement:${r.id}` });
    return rows.length;
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  async list(p: Principal, q: ListQuery) {
    if (q.personaId) await this.#personas.get(p, q.personaId);
    if (q.channelId) await this.#channels.get(p, q.channelId);
    const limit = Math.min(100, Math.max(1, q.limit ?? 50));
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const rows = await repo.list(tx, { personaIds: p.personaScope, personaId: q.personaId, status: q.status, channelId: q.channelId, before: decodeCursor(q.cursor), limit: limit + 1 });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { items: await this.#views(tx, page), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
    });
  }

  async get(p: Principal, id: string) {
    return this.#platform.db.withOrg(p.orgId, async (tx) => (await this.#views(tx, [await this.#own(tx, p, id)]))[0]!);
  }

  // ---------------------------------------------------------------------------------------------
  // Operator actions

  /** Writes a draft in her voice with the persona's text model. */
  async draft(p: Principal, id: string, origin: Origin) {
    const row = await this.#platform.db.withOrg(p.orgId, (tx) => this.#own(tx, p, id));
    assertOpen(row);
    const text = await this.#write(p, row, origin);
    return this.#update(p, id, { draft: text, status: 'drafted', error: null }, (r) => assertOpen(r));
  }

  /** A draft is not a publication: the request itself is audited (api.*), nothing more. */
  async edit(p: Principal, id: string, draft: string) {
    const row = await this.#platform.db.withOrg(p.orgId, (tx) => this.#own(tx, p, id));
    assertOpen(row);
    assertSafeReply(draft, await this.#platformOf(p.orgId, row.channelId), this.#denyNames);
    return this.#update(p, id, { draft, status: 'drafted' }, (r) => assertOpen(r));
  }

  async dismiss(p: Principal, id: string, origin: Origin) {
    const view = await this.#update(p, id, { status: 'dismissed' }, (r) => {
      if (r.status === 'sent') throw new HttpError(409, 'already_sent', 'This one was already answered');
    });
    await this.#platform.db.withOrg(p.orgId, (tx) => recordAudit(tx, auditBy(p), origin, { action: 'engagement.dismissed', targetType: 'engagement', targetId: id }));
    return view;
  }

  /** Sends the draft as a reply, exactly once: an unclear outcome is never sent again by itself. */
  async send(p: Principal, id: string, origin: Origin) {
    const row = await this.#platform.db.withOrg(p.orgId, (tx) => this.#own(tx, p, id));
    const text = row.draft ?? '';
    assertSafeReply(text, await this.#platformOf(p.orgId, row.channelId), this.#denyNames);
    await this.#reply(p.orgId, row, text, { userId: p.userId, apiKeyId: p.apiKeyId, automatic: false }, origin);
    return this.get(p, id);
  }

  /** Pulls one channel now (the operator's "refresh"). */
  async pullNow(p: Principal, channelId: string) {
    await this.#channels.get(p, channelId);
    try {
      const added = await this.pullChannel(p.orgId, channelId, { manual: true });
      return { added: added.length };
    } catch (error) {
      throw httpErrorOf(error, 'pull');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Pulling

  /**
   * Reads the channel's new interactions and stores them once each. A rate limit or a failing
   * platform backs this channel off (scheduled pulls skip it until then); other channels go on.
   */
  async pullChannel(orgId: string, channelId: string, opts: { manual?: boolean } = {}): Promise<repo.EngagementRow[]> {
    const { db } = this.#platform;
    const account = await this.#channels.account(orgId, channelId);
    if (!isReplyPlatform(account.platform) || !this.#connectors.has(account.platform)) return [];
    const connector = this.#connectors.get(account.platform);
    if (!connector.interactions) return [];
    if (account.status === 'reconnect_needed') throw new ConnectorError(account.platform, 'auth', `Reconnect ${account.handle} first`);
    const state = (await db.withOrg(orgId, (tx) => repo.cacheGet<PullState>(tx, channelId, PULL_STATE))) ?? {};
    const now = new Date();
    const backoff = state.backoffUntil ? new Date(state.backoffUntil) : null;
    if (backoff && backoff > now && (!opts.manual || state.backoffReason === 'rate_limited')) {
      if (!opts.manual) return [];
      throw new ConnectorError(account.platform, 'rate_limited', `${account.handle} is rate limited until ${backoff.toISOString()}`, { retryAfterSeconds: Math.ceil((backoff.getTime() - now.getTime()) / 1000) });
    }
    let items: RemoteInteraction[];
    try {
      const since = state.since ? new Date(new Date(state.since).getTime() - OVERLAP_MS) : null;
      items = await connector.interactions(account, since, this.#ctx(orgId, account, 60_000));
    } catch (error) {
      const failures = (state.failures ?? 0) + 1;
      const limited = error instanceof ConnectorError && error.kind === 'rate_limited';
      const waitMs = limited ? ((error as ConnectorError).retryAfterSeconds ?? 900) * 1000 : Math.min(6 * 3600_000, 5 * 60_000 * 2 ** (failures - 1));
      const next: PullState = { ...state, failures, backoffUntil: new Date(now.getTime() + waitMs).toISOString(), backoffReason: limited ? 'rate_limited' : 'failing', lastError: (error as Error).message };
      await db.withOrg(orgId, (tx) => repo.cachePut(tx, orgId, channelId, PULL_STATE, next));
      throw error;
    }
    const own = norm(account.handle);
    const theirs = items.filter((i) => norm(i.authorHandle) !== own && i.text.trim());
    const added = await db.withOrg(orgId, async (tx) => {
      // Not what a fan erased since wrote: the overlap (or the platform) can list it again.
      await lockChannels(tx, [channelId]);
      const erased = await erasedAuthorTest(tx, channelId);
      const kept = theirs.filter((i) => !erased(i));
      const targets = await repo.targetsByRemote(tx, channelId, [...new Set(kept.flatMap((i) => [i.postRemoteId, i.parentRemoteId]).filter((x): x is string => !!x))]);
      const rows = await repo.insertNew(
        tx,
        kept.map((i) => ({
          orgId,
          personaId: account.personaId,
          channelId,
          targetId: (i.parentRemoteId && targets.get(i.parentRemoteId)) || (i.postRemoteId && targets.get(i.postRemoteId)) || null,
          kind: i.kind,
          remoteId: i.remoteId,
          parentRemoteId: i.parentRemoteId ?? null,
          authorRemoteId: i.authorRemoteId ?? null,
          authorHandle: i.authorHandle,
          text: i.text,
          receivedAt: i.createdAt,
        })),
      );
      await repo.cachePut(tx, orgId, channelId, PULL_STATE, { since: now.toISOString(), lastPulledAt: now.toISOString(), failures: 0, lastError: null } satisfies PullState);
      return rows;
    });
    if (added.length) {
      await this.#platform.events.publish({ type: 'engagement.new', orgId, personaId: account.personaId, data: { channelId, count: added.length, ids: added.map((r) => r.id) } });
      await this.#autoReply(orgId, account, added);
    }
    return added;
  }

  // ---------------------------------------------------------------------------------------------
  // Auto-reply (X only)

  async autoReplySettings(p: Principal, channelId: string) {
    const channel = await this.#channels.get(p, channelId);
    const settings = await this.#platform.db.withOrg(p.orgId, (tx) => repo.cacheGet<AutoReplySettings>(tx, channelId, AUTO_REPLY));
    return autoReplyView(channel.platform, settings);
  }

  /**
   * Turning it on needs the owner, and X's approval of AI replies recorded first (by the owner, with
   * the reference X gave). Anyone who manages channels may turn it off.
   */
  async setAutoReply(p: Principal, channelId: string, input: { enabled: boolean; approvalReference?: string | undefined }, origin: Origin) {
    const channel = await this.#channels.get(p, channelId);
    if (channel.platform !== 'x') throw new HttpError(409, 'auto_reply_unsupported', 'Automatic replies exist only for X channels, where the rules allow them');
    const ownerOnly = input.enabled || input.approvalReference !== undefined;
    if (ownerOnly && p.role !== 'owner') throw new HttpError(403, 'owner_only', 'Only the organization owner may record X’s approval and turn automatic replies on');
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const current = (await repo.cacheGet<AutoReplySettings>(tx, channelId, AUTO_REPLY)) ?? { enabled: false };
      const next: AutoReplySettings = { ...current };
      if (input.approvalReference !== undefined) {
        next.approval = { recordedAt: new Date().toISOString(), recordedBy: p.userId ?? '', reference: input.approvalReference };
        await recordAudit(tx, auditBy(p), origin, { action: 'engagement.auto_reply_approval_recorded', targetType: 'channel', targetId: channelId, details: { reference: input.approvalReference } });
      }
      if (input.enabled && !next.approval) throw new HttpError(409, 'approval_required', 'Record X’s approval of AI-generated replies (its reference) before turning automatic replies on');
      if (input.enabled !== current.enabled) {
        next.enabled = input.enabled;
        if (input.enabled) next.enabledAt = new Date().toISOString();
        await recordAudit(tx, auditBy(p), origin, { action: input.enabled ? 'engagement.auto_reply_enabled' : 'engagement.auto_reply_disabled', targetType: 'channel', targetId: channelId });
      }
      await repo.cachePut(tx, p.orgId, channelId, AUTO_REPLY, next);
      return autoReplyView(channel.platform, next);
    });
  }

  /** After a pull: answers what the rules allow, one at a time (each answer counts for the next). */
  async #autoReply(orgId: string, account: ChannelAccount & { personaId: string }, added: repo.EngagementRow[]) {
    if (account.platform !== 'x') return;
    const settings = await this.#platform.db.withOrg(orgId, (tx) => repo.cacheGet<AutoReplySettings>(tx, account.id, AUTO_REPLY));
    if (!settings?.enabled || !settings.approval) return;
    const p = systemPrincipal(orgId);
    // Oldest first (ids break ties: platforms' ids grow with time), so a person's first words get the answer.
    const ordered = [...added].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.remoteId.length - b.remoteId.length || a.remoteId.localeCompare(b.remoteId));
    for (const row of ordered) {
      const verdict = await this.#platform.db.withOrg(orgId, (tx) => autoReplyAllowed(tx, row, account.handle, settings, new Date()));
      if (!verdict.ok) continue;
      try {
        const text = await this.#write(p, row, SYSTEM_ORIGIN);
        assertSafeReply(text, 'x', this.#denyNames);
        await this.#platform.db.withOrg(orgId, (tx) => tx.update(engagements).set({ draft: text, status: 'drafted', updatedAt: new Date() }).where(eq(engagements.id, row.id)));
        await this.#reply(orgId, { ...row, draft: text, status: 'drafted' }, text, { userId: null, apiKeyId: null, automatic: true }, SYSTEM_ORIGIN);
      } catch (error) {
        // Left for a person: the draft (if any) stays, nothing is retried automatically.
        this.#platform.log.info({ err: error, engagementId: row.id }, 'automatic reply skipped');
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  async #write(p: Principal, row: repo.EngagementRow, origin: Origin): Promise<string> {
    const platform = await this.#platformOf(p.orgId, row.channelId);
    const persona = await this.#personas.get(p, row.personaId);
    const { settings } = await this.#studio.settings(p, row.personaId);
    if (!settings.textProviderId) throw new HttpError(409, 'no_text_provider', 'Choose a text model in the persona’s studio settings first');
    // What reaches the model passes the same gate as every studio prompt.
    await this.#gate.assert(p, origin, [{ field: 'comment', text: row.text }], { personaId: row.personaId, purpose: 'engagement_reply' });
    const { model, modelName } = await this.#providers.textModel(p.orgId, settings.textProviderId);
    const postText = row.targetId ? await this.#platform.db.withOrg(p.orgId, async (tx) => (await repo.context(tx, [row])).targets.get(row.targetId!)?.text ?? null) : null;
    try {
      return await draftReply(
        model,
        settings.caption.model ?? modelName,
        { persona: { name: persona.name, bio: persona.bio, tone: settings.caption.tone }, platform, kind: row.kind, authorHandle: row.authorHandle, text: row.text, postText },
        this.#denyNames,
        { signal: AbortSignal.timeout(this.#platform.env.STUDIO_TEXT_TIMEOUT_SECONDS * 1000), onProgress() {} },
      );
    } catch (error) {
      if (error instanceof ProviderError) throw new HttpError(502, 'text_model_failed', `The text model failed: ${error.message}`);
      throw error;
    }
  }

  async #reply(orgId: string, row: repo.EngagementRow, text: string, by: { userId: string | null; apiKeyId: string | null; automatic: boolean }, origin: Origin) {
    const { db } = this.#platform;
    // Claim: `repliedAt` marks an attempt in flight; a second send of the same item is refused.
    await db.withOrg(orgId, async (tx) => {
      const [current] = await tx.select().from(engagements).where(eq(engagements.id, row.id)).for('update');
      if (!current) throw notFound('engagement');
      if (current.status === 'sent') throw new HttpError(409, 'already_sent', 'This one was already answered');
      if (current.status === 'dismissed') throw new HttpError(409, 'dismissed', 'This one was dismissed');
      if ((current.error as { kind?: string } | null)?.kind === 'unknown_outcome') throw new HttpError(409, 'outcome_unknown', unknownOutcomeMessage());
      if (current.repliedAt) {
        if (Date.now() - current.repliedAt.getTime() < IN_FLIGHT_MS) throw new HttpError(409, 'send_in_progress', 'This reply is being sent');
        await tx.update(engagements).set({ status: 'failed', error: { kind: 'unknown_outcome', message: unknownOutcomeMessage() }, updatedAt: new Date() }).where(eq(engagements.id, row.id));
        throw new HttpError(409, 'outcome_unknown', unknownOutcomeMessage());
      }
      await tx.update(engagements).set({ repliedAt: new Date(), draft: text, updatedAt: new Date() }).where(eq(engagements.id, row.id));
    });
    const account = await this.#channels.account(orgId, row.channelId);
    const connector = this.#connectors.get(account.platform);
    const release = (status: 'failed' | 'drafted', error: Record<string, unknown> | null, keepClaim = false) =>
      db.withOrg(orgId, (tx) => tx.update(engagements).set({ status, error, ...(keepClaim ? {} : { repliedAt: null }), updatedAt: new Date() }).where(eq(engagements.id, row.id)));
    if (!connector.reply) {
      await release('drafted', null);
      throw new HttpError(409, 'reply_unsupported', `Replies to ${account.platform} cannot be sent from here`);
    }
    if (account.status === 'reconnect_needed') {
      await release('drafted', null);
      throw new HttpError(409, 'reconnect_needed', `Reconnect ${account.handle} first`);
    }
    let result;
    try {
      result = await connector.reply(account, row.remoteId, text, this.#ctx(orgId, account, 60_000));
    } catch (error) {
      const e = error instanceof ConnectorError ? error : null;
      if (!e || e.kind === 'unknown_outcome') {
        await release('failed', { kind: 'unknown_outcome', message: `${unknownOutcomeMessage()} (${(error as Error).message})` }, true);
      } else {
        await release('failed', { kind: e.kind, message: e.message });
      }
      await this.#event(orgId, row, 'failed');
      throw httpErrorOf(error, 'reply');
    }
    await db.withOrg(orgId, async (tx) => {
      await tx
        .update(engagements)
        .set({ status: 'sent', replyRemoteId: result.remoteId, repliedAt: new Date(), repliedBy: by.userId, automatic: by.automatic, error: null, updatedAt: new Date() })
        .where(eq(engagements.id, row.id));
      await recordAudit(tx, { orgId, userId: by.userId, apiKeyId: by.apiKeyId }, origin, {
        action: 'engagement.reply_sent',
        targetType: 'engagement',
        targetId: row.id,
        details: { channelId: row.channelId, replyRemoteId: result.remoteId, automatic: by.automatic },
      });
    });
    await this.#event(orgId, row, 'sent');
  }

  async #update(p: Principal, id: string, patch: Partial<typeof engagements.$inferInsert>, check: (row: repo.EngagementRow) => void) {
    const view = await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const row = await this.#own(tx, p, id, true);
      check(row);
      const [updated] = await tx.update(engagements).set({ ...patch, updatedAt: new Date() }).where(eq(engagements.id, id)).returning();
      return (await this.#views(tx, [updated!]))[0]!;
    });
    await this.#platform.events.publish({ type: 'engagement.updated', orgId: p.orgId, personaId: view.personaId, data: { id, status: view.status } });
    return view;
  }

  async #event(orgId: string, row: repo.EngagementRow, status: string) {
    await this.#platform.events.publish({ type: 'engagement.updated', orgId, personaId: row.personaId, data: { id: row.id, status } });
  }

  async #platformOf(orgId: string, channelId: string): Promise<ReplyPlatform> {
    const platform = await this.#platform.db.withOrg(orgId, async (tx) => (await tx.select({ platform: channelsTable.platform }).from(channelsTable).where(eq(channelsTable.id, channelId)))[0]?.platform);
    if (!platform || !isReplyPlatform(platform)) throw new HttpError(409, 'reply_unsupported', `Replies to ${platform ?? 'this channel'} cannot be sent from here`);
    return platform;
  }

  async #own(tx: Tx, p: Principal, id: string, lock = false) {
    const row = lock ? (await tx.select().from(engagements).where(eq(engagements.id, id)).for('update'))[0] : await repo.byId(tx, id);
    if (!row || !canSeePersona(p, row.personaId)) throw notFound('engagement');
    return row;
  }

  #ctx(orgId: string, account: ChannelAccount, timeoutMs: number) {
    return { signal: AbortSignal.timeout(timeoutMs), onCredentials: (next: Record<string, string>) => this.#channels.storeCredentials(orgId, account.id, next) };
  }

  async #views(tx: Tx, rows: repo.EngagementRow[]) {
    const { channels, targets } = await repo.context(tx, rows);
    return rows.map((r) => {
      const channel = channels.get(r.channelId);
      const target = r.targetId ? targets.get(r.targetId) : undefined;
      const error = r.error as { kind?: string; message?: string } | null;
      return {
        id: r.id,
        personaId: r.personaId,
        channelId: r.channelId,
        platform: channel?.platform ?? '',
        channelHandle: channel?.handle ?? '',
        kind: r.kind,
        remoteId: r.remoteId,
        parentRemoteId: r.parentRemoteId,
        url: originalUrl(channel?.platform ?? '', r),
        authorHandle: r.authorHandle,
        text: r.text,
        receivedAt: r.receivedAt.toISOString(),
        status: r.status,
        draft: r.draft,
        replyRemoteId: r.replyRemoteId,
        repliedAt: r.status === 'sent' && r.repliedAt ? r.repliedAt.toISOString() : null,
        repliedBy: r.repliedBy,
        automatic: r.automatic,
        error: error ? { kind: error.kind ?? 'error', message: error.message ?? '' } : null,
        post: target ? { targetId: r.targetId!, postId: target.postId, url: target.remoteUrl, text: target.text } : null,
      };
    });
  }
}

export type EngagementView = Awaited<ReturnType<EngagementService['get']>>;

/** Still to answer; an unclear send stays as it is (a new draft must not clear the way to a second send). */
function assertOpen(row: repo.EngagementRow) {
  if (row.status === 'sent') throw new HttpError(409, 'already_sent', 'This one was already answered');
  if (row.status === 'dismissed') throw new HttpError(409, 'dismissed', 'This one was dismissed');
  if ((row.error as { kind?: string } | null)?.kind === 'unknown_outcome') throw new HttpError(409, 'outcome_unknown', unknownOutcomeMessage());
}

function unknownOutcomeMessage() {
  return 'The platform may or may not have published this reply: check the conversation there before answering again. It is never sent again by itself.';
}

function autoReplyView(platform: string, s: AutoReplySettings | undefined) {
  return {
    supported: platform === 'x',
    enabled: s?.enabled === true,
    enabledAt: s?.enabledAt ?? null,
    approval: s?.approval ?? null,
  };
}

/** A link to the original on the platform, where its id is enough to build one. */
function originalUrl(platform: string, r: repo.EngagementRow): string | null {
  if (platform === 'x') return `https://x.com/${encodeURIComponent(r.authorHandle || 'i')}/status/${r.remoteId}`;
  const at = /^at:\/\/([^/]+)\/app\.bsky\.feed\.post\/([^/]+)$/.exec(r.remoteId);
  if (platform === 'bluesky' && at) return `https://bsky.app/profile/${at[1]}/post/${at[2]}`;
  return null;
}

function encodeCursor(row: repo.EngagementRow) {
  return Buffer.from(`${row.receivedAt.toISOString()}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string | undefined) {
  if (!cursor) return undefined;
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = at ? new Date(at) : null;
  if (!date || Number.isNaN(date.getTime()) || !id || !/^[0-9a-f-]{36}$/i.test(id)) throw new HttpError(400, 'invalid_cursor', 'The cursor is not valid');
  return { at: date, id };
}

/** A connector failure, said to the operator. */
function httpErrorOf(error: unknown, what: 'pull' | 'reply'): Error {
  if (error instanceof HttpError) return error;
  if (!(error instanceof ConnectorError)) return error instanceof Error ? error : new Error(String(error));
  switch (error.kind) {
    case 'rate_limited':
      return new HttpError(429, 'platform_rate_limited', error.message, error.retryAfterSeconds ? { retryAfterSeconds: error.retryAfterSeconds } : {});
    case 'auth':
      return new HttpError(409, 'reconnect_needed', error.message);
    case 'rejected':
      return new HttpError(422, what === 'reply' ? 'reply_rejected' : 'pull_rejected', error.message);
    case 'unavailable':
      return new HttpError(503, 'platform_unavailable', error.message);
    case 'unknown_outcome':
      return new HttpError(502, 'outcome_unknown', `${unknownOutcomeMessage()} (${error.message})`);
  }
}
