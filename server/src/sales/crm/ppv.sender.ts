import { and, asc, count, eq, inArray, isNull, not, or, arrayOverlaps, sql } from 'drizzle-orm';
import type { Platform } from '../../platform/platform.ts';
import type { Tx } from '../../platform/db/database.ts';
import { fans, mediaAssets, ppvCampaigns, ppvRecipients } from '../../platform/db/schema/index.ts';
import type { JobPayload } from '../../platform/jobs/jobs.ts';
import type { ChannelsService } from '../../channels/index.ts';
import type { StudioService } from '../../generation/index.ts';
import type { Connectors } from '../../publishing/connectors/registry.ts';
import { ConnectorError, type ChannelAccount, type PublishMedia } from '../../publishing/connectors/types.ts';
import type { FanvueConnector } from '../../publishing/connectors/fanvue/index.ts';
import { FanvueMessenger } from '../../publishing/connectors/fanvue/messages.ts';
import { isConnectorError, sleep } from '../../publishing/connectors/http.ts';
import { route } from '../../publishing/router.ts';
import { fansInSegment } from './segments.ts';
import { NO_CONTACT_FLAGS } from './fans.service.ts';
import { PPV_SEND_JOB } from './ppv.service.ts';

export interface PpvPayload extends JobPayload {
  orgId: string;
  campaignId: string;
  /** The scheduled time this job was made for (stale when the campaign moved). */
  at: string;
  /** Consecutive "platform unavailable" pauses so far. */
  attempt?: number;
}

type Campaign = typeof ppvCampaigns.$inferSelect;
/** After an auth error: go on with credentials stored elsewhere, the channel flagged, or tokens still changing. */
type AuthOutcome = 'retry' | 'flagged' | 'changing';

/** Written on a recipient before its message is sent: if the worker dies mid-call, it is never resent. */
const IN_FLIGHT = 'Outcome unknown: the sender stopped while this message was being sent';
const MAX_UNAVAILABLE = 5;

/**
 * Sends a scheduled campaign, one message per fan, paced under Fanvue's limit (200 requests / 60 s per
 * app and user; publishing shares it). Each recipient is claimed by turning it `failed` with an
 * "outcome unknown" note before the call and `sent` after it: a crash or a timeout after sending leaves
 * it failed, and only `pending` recipients are ever sent to, so no fan gets the message twice. Large
 * campaigns go out in batches, each a job of its own, so no job outlives its lease.
 */
export class PpvSender {
  readonly #platform: Platform;
  readonly #channels: ChannelsService;
  readonly #studio: StudioService;
  readonly #connectors: Connectors;
  readonly intervalMs: number;
  readonly batchSize: number;

  constructor(platform: Platform, deps: { channels: ChannelsService; studio: StudioService; connectors: Connectors }, opts: { intervalMs?: number; batchSize?: number } = {}) {
    this.#platform = platform;
    this.#channels = deps.channels;
    this.#studio = deps.studio;
    this.#connectors = deps.connectors;
    this.intervalMs = opts.intervalMs ?? 500;
    this.batchSize = opts.batchSize ?? 200;
  }

  register() {
    this.#platform.jobs.register<PpvPayload>({
      name: PPV_SEND_JOB,
      options: { retryLimit: 3, retryDelay: 30, retryBackoff: true, expireInSeconds: 900 },
      handler: (job) => this.run(job),
    });
  }

  async run(job: { data: PpvPayload; signal?: AbortSignal }, opts: { intervalMs?: number } = {}) {
    const { orgId, campaignId } = job.data;
    const signal = job.signal ?? new AbortController().signal;
    const campaign = await this.#claim(job.data);
    if (!campaign) return;

    const account = await this.#channels.account(orgId, campaign.channelId);
    if (account.platform !== 'fanvue') return this.#finish(campaign, 'failed', { message: 'The channel is no longer a Fanvue channel', kind: 'rejected' });
    if (account.status === 'reconnect_needed') return this.#finish(campaign, 'failed', { message: `Reconnect ${account.handle}: its authorisation was revoked`, kind: 'auth' });
    let text: string;
    let media: PublishMedia[];
    try {
      ({ text, media } = await this.#content(campaign, account));
    } catch (error) {
      return this.#finish(campaign, 'failed', { message: (error as Error).message, kind: 'rejected' });
    }

    // The credentials this run holds (refreshed ones included): what an auth error was refused with.
    let held: Record<string, string> = {};
    const open = (credentials: Record<string, string>) => {
      held = { ...credentials };
      return new FanvueMessenger(this.#connectors.get('fanvue') as FanvueConnector, { ...account, credentials }, {
        signal,
        onCredentials: async (next) => {
          held = { ...held, ...Object.fromEntries(Object.entries(next).filter(([, v]) => v)) };
          await this.#channels.storeCredentials(orgId, account.id, next);
        },
      });
    };
    let messenger = open(account.credentials);
    let reopened = false;
    /** Flags the channel only when the refused credentials are still the stored ones; else goes on once with the stored ones. */
    const onAuth = async (error: ConnectorError): Promise<AuthOutcome> => {
      const verdict = await this.#channels.authRefused(orgId, account.id, held, { message: error.message, by: 'ppv-sender' });
      if (verdict.flagged) return 'flagged';
      if (reopened) return 'changing';
      reopened = true;
      messenger = open(verdict.credentials);
      return 'retry';
    };

    let mediaUuids: string[] | undefined;
    while (!mediaUuids) {
      try {
        mediaUuids = await messenger.upload(media);
      } catch (error) {
        const auth = isConnectorError(error, 'auth') ? await onAuth(error) : undefined;
        if (auth === 'retry') continue;
        return this.#onPlatformError(campaign, job.data, error, auth);
      }
    }

    const interval = opts.intervalMs ?? this.intervalMs;
    let attempted = 0;
    for (;;) {
      if (signal.aborted) throw new Error('PPV sending was interrupted');
      if (attempted >= this.batchSize) {
        await this.#platform.jobs.send(PPV_SEND_JOB, { ...job.data, attempt: 0 });
        return this.#counts(campaign);
      }
      const next = await this.#nextRecipient(orgId, campaignId);
      if (next === 'skipped') continue;
      if (next === 'stopped') return this.#counts(campaign);
      if (!next) return this.#complete(campaign);
      if (attempted++ > 0 && interval > 0) await sleep(interval, signal);
      try {
        const { messageUuid } = await messenger.send(next.platformFanId, { text, mediaUuids, priceCents: campaign.priceMinor });
        await this.#mark(orgId, campaignId, next.fanId, { status: 'sent', remoteMessageId: messageUuid, sentAt: new Date(), error: null });
      } catch (error) {
        const e = error instanceof ConnectorError ? error : null;
        if (e && (e.kind === 'rate_limited' || e.kind === 'unavailable' || e.kind === 'auth')) {
          // Refused before acceptance: this fan did not get it and stays in line.
          await this.#mark(orgId, campaignId, next.fanId, { status: 'pending', error: null });
          const auth = e.kind === 'auth' ? await onAuth(e) : undefined;
          if (auth === 'retry') continue;
          return this.#onPlatformError(campaign, job.data, error, auth);
        }
        if (e?.kind === 'rejected') await this.#mark(orgId, campaignId, next.fanId, { status: 'failed', error: e.message.slice(0, 500) });
        // Otherwise the outcome is unknown: the recipient keeps its "outcome unknown" failure, never resent.
        if (signal.aborted) throw error;
      }
    }
  }

  /** Takes the campaign from scheduled to sending (resolving its audience now), or resumes one sending. */
  async #claim(data: PpvPayload): Promise<Campaign | null> {
    return this.#platform.db.withOrg(data.orgId, async (tx) => {
      const [row] = await tx.select().from(ppvCampaigns).where(eq(ppvCampaigns.id, data.campaignId)).for('update');
      if (!row) return null;
      if (row.status === 'sending') return row;
      if (row.status !== 'scheduled' || row.scheduledAt?.toISOString() !== data.at) return null;
      if (row.scheduledAt.getTime() > Date.now() + 5_000) return null;
      const audience = row.segmentId ? await fansInSegment(tx, row.segmentId, row.personaId) : [];
      const reachable = audience.length
        ? await tx
            .select({ id: fans.id })
            .from(fans)
            .where(
              and(
                inArray(fans.id, audience),
                eq(fans.platform, 'fanvue'),
                or(isNull(fans.channelId), eq(fans.channelId, row.channelId)),
                // Never a message to someone who said they are a minor, or who is blocked.
                not(arrayOverlaps(fans.flags, [...NO_CONTACT_FLAGS])),
              ),
            )
        : [];
      if (reachable.length) {
        await tx
          .insert(ppvRecipients)
          .values(reachable.map((f) => ({ orgId: data.orgId, campaignId: row.id, fanId: f.id })))
          .onConflictDoNothing();
      }
      const [updated] = await tx.update(ppvCampaigns).set({ status: 'sending', recipients: reachable.length, updatedAt: new Date() }).where(eq(ppvCampaigns.id, row.id)).returning();
      return updated!;
    });
  }

  /** The final text (AI disclosure included, routed like a post) and the media bytes, checked again now. */
  async #content(campaign: Campaign, account: ChannelAccount) {
    const assets = campaign.assetIds.length ? await this.#platform.db.withOrg(campaign.orgId, (tx) => tx.select().from(mediaAssets).where(inArray(mediaAssets.id, campaign.assetIds))) : [];
    if (assets.length !== campaign.assetIds.length) throw new Error('Some media of this campaign was deleted');
    if (assets.some((a) => a.status !== 'approved')) throw new Error('Some media is no longer approved');
    const media: PublishMedia[] = [];
    for (const a of campaign.assetIds.map((id) => assets.find((x) => x.id === id)!)) {
      media.push({
        kind: a.kind === 'video' ? 'video' : 'image',
        mimeType: a.mimeType,
        bytes: await this.#platform.storage.get(a.storageKey),
        filename: a.storageKey.split('/').at(-1)!,
        width: a.width,
        height: a.height,
        rating: a.rating === 'unrated' ? 'explicit' : a.rating,
      });
    }
    const principal = { orgId: campaign.orgId, role: 'admin' as const, userId: null, apiKeyId: null, personaScope: null, sessionId: null };
    const { settings } = await this.#studio.settings(principal, campaign.personaId);
    const rating = media.some((m) => m.rating === 'explicit') ? 'explicit' : media.some((m) => m.rating === 'suggestive') ? 'suggestive' : 'sfw';
    const connector = this.#connectors.get('fanvue');
    const verdict = route({ platform: 'fanvue', handle: account.handle, policy: connector.policy(account), rating, mediaCount: media.length, text: campaign.message, disclosure: settings.disclosureText });
    if (!verdict.ok) throw new Error(verdict.message);
    return { text: verdict.text, media };
  }

  /** Claims the next pending recipient (still sending?), marking it "outcome unknown" until the call answers. */
  async #nextRecipient(orgId: string, campaignId: string): Promise<{ fanId: string; platformFanId: string } | null | 'stopped' | 'skipped'> {
    return this.#platform.db.withOrg(orgId, async (tx) => {
      const [c] = await tx.select({ status: ppvCampaigns.status }).from(ppvCampaigns).where(eq(ppvCampaigns.id, campaignId));
      if (c?.status !== 'sending') return 'stopped';
      const [r] = await tx
        .select({ fanId: ppvRecipients.fanId, platformFanId: fans.platformFanId, erasedAt: fans.erasedAt })
        .from(ppvRecipients)
        .innerJoin(fans, eq(fans.id, ppvRecipients.fanId))
        .where(and(eq(ppvRecipients.campaignId, campaignId), eq(ppvRecipients.status, 'pending')))
        .orderBy(asc(ppvRecipients.fanId))
        .limit(1)
        .for('update', { of: ppvRecipients, skipLocked: true });
      if (!r) return null;
      // Erased since the audience was resolved: the platform id is gone, and so is any reason to contact.
      await tx
        .update(ppvRecipients)
        .set({ status: 'failed', error: r.erasedAt ? 'Fan erased before sending' : IN_FLIGHT })
        .where(and(eq(ppvRecipients.campaignId, campaignId), eq(ppvRecipients.fanId, r.fanId)));
      return r.erasedAt ? 'skipped' : { fanId: r.fanId, platformFanId: r.platformFanId };
    });
  }

  async #mark(orgId: string, campaignId: string, fanId: string, set: Partial<typeof ppvRecipients.$inferInsert>) {
    await this.#platform.db.withOrg(orgId, (tx) => tx.update(ppvRecipients).set(set).where(and(eq(ppvRecipients.campaignId, campaignId), eq(ppvRecipients.fanId, fanId))));
  }

  /**
   * Rate limits and outages pause the campaign (a job later); an auth error has already been through
   * channels.authRefused: flagged (the campaign fails), or the tokens were being replaced elsewhere again
   * (paused like an outage).
   */
  async #onPlatformError(campaign: Campaign, data: PpvPayload, error: unknown, auth?: Exclude<AuthOutcome, 'retry'>) {
    const e = error instanceof ConnectorError ? error : null;
    if (e?.kind === 'rate_limited') {
      await this.#platform.jobs.send(PPV_SEND_JOB, data, { startAfter: new Date(Date.now() + (e.retryAfterSeconds ?? 60) * 1000) });
      return this.#counts(campaign);
    }
    if ((e?.kind === 'unavailable' || auth === 'changing') && (data.attempt ?? 0) < MAX_UNAVAILABLE) {
      const attempt = (data.attempt ?? 0) + 1;
      await this.#platform.jobs.send(PPV_SEND_JOB, { ...data, attempt }, { startAfter: new Date(Date.now() + Math.min(30 * 60_000, 15_000 * 2 ** attempt)) });
      return this.#counts(campaign);
    }
    return this.#finish(campaign, 'failed', { message: (error as Error).message, kind: e?.kind ?? 'unknown' });
  }

  /** Everyone reached (or failed): sent when at least one fan got it, or when there was nobody to send to. */
  async #complete(campaign: Campaign) {
    const { sent, recipients } = await this.#counts(campaign);
    const status = recipients > 0 && sent === 0 ? 'failed' : 'sent';
    await this.#finish(campaign, status, status === 'failed' ? { message: 'No message could be delivered', kind: 'rejected' } : null);
  }

  async #finish(campaign: Campaign, status: 'sent' | 'failed', error: Record<string, unknown> | null) {
    await this.#platform.db.withOrg(campaign.orgId, async (tx) => {
      await tx
        .update(ppvCampaigns)
        .set({ status, error, updatedAt: new Date() })
        .where(and(eq(ppvCampaigns.id, campaign.id), inArray(ppvCampaigns.status, ['scheduled', 'sending'])));
      await this.#writeCounts(tx, campaign.id);
    });
    await this.#platform.events.publish({ type: 'ppv.updated', orgId: campaign.orgId, data: { campaignId: campaign.id, status } });
  }

  async #counts(campaign: Campaign) {
    return this.#platform.db.withOrg(campaign.orgId, (tx) => this.#writeCounts(tx, campaign.id));
  }

  async #writeCounts(tx: Tx, campaignId: string) {
    const rows = await tx.select({ status: ppvRecipients.status, n: count() }).from(ppvRecipients).where(eq(ppvRecipients.campaignId, campaignId)).groupBy(ppvRecipients.status);
    const recipients = rows.reduce((a, r) => a + r.n, 0);
    const sent = rows.filter((r) => r.status === 'sent' || r.status === 'purchased').reduce((a, r) => a + r.n, 0);
    await tx.update(ppvCampaigns).set({ recipients, sent, updatedAt: sql`now()` }).where(eq(ppvCampaigns.id, campaignId));
    return { recipients, sent };
  }
}
