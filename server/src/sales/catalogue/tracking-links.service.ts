import { eq } from 'drizzle-orm';
import type { Database, Tx } from '../../platform/db/database.ts';
import { trackingLinks } from '../../platform/db/schema/index.ts';
import type { Origin, Principal } from '../../platform/auth/principal.ts';
import { canSeePersona } from '../../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../../platform/audit/audit.ts';
import { HttpError, notFound } from '../../platform/http/problem.ts';
import type { PersonasService } from '../../personas/index.ts';
import type { ChannelsService } from '../../channels/index.ts';
import type { Connectors } from '../../publishing/connectors/registry.ts';
import { ConnectorError, type ChannelAccount } from '../../publishing/connectors/types.ts';
import type { FanvueConnector } from '../../publishing/connectors/fanvue/index.ts';
import { createFanvueTrackingLink, fetchFanvueTrackingLink, type FanvueLinkPlatform } from '../../publishing/connectors/fanvue/tracking-links.ts';
import type * as repo from './catalogue.repository.ts';
import { trackingLink, trackingLinksOf } from './catalogue.repository.ts';

export interface TrackingLinkInput {
  personaId: string;
  name: string;
  /** A Fanvue channel: the link is created there and its counters are read from Fanvue. */
  channelId?: string | undefined;
  /** Where the link is shown (Fanvue groups its statistics by it). */
  externalSocialPlatform?: FanvueLinkPlatform | undefined;
  /** A link made elsewhere by hand; its counters are entered by hand. */
  url?: string | undefined;
}

const CALL_TIMEOUT_MS = 30_000;

function view(row: repo.TrackingLinkRow) {
  return {
    id: row.id,
    personaId: row.personaId,
    channelId: row.channelId,
    name: row.name,
    url: row.url,
    /** Fanvue's id when the platform keeps the link; null for a link entered by hand. */
    remoteId: row.remoteId,
    clicks: row.clicks,
    subscribers: row.subscribers,
    fetchedAt: row.fetchedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Tracking links: Fanvue's own (created and read through its API) or entered by hand. */
export class TrackingLinksService {
  readonly #db: Database;
  readonly #personas: PersonasService;
  readonly #channels: ChannelsService;
  readonly #connectors: Connectors;
  constructor(db: Database, deps: { personas: PersonasService; channels: ChannelsService; connectors: Connectors }) {
    this.#db = db;
    this.#personas = deps.personas;
    this.#channels = deps.channels;
    this.#connectors = deps.connectors;
  }

  async list(p: Principal, personaId: string | undefined) {
    if (personaId) await this.#personas.get(p, personaId);
    return this.#db.withOrg(p.orgId, async (tx) => (await trackingLinksOf(tx, personaId ? [personaId] : p.personaScope)).map(view));
  }

  async create(p: Principal, input: TrackingLinkInput, origin: Origin) {
    await this.#personas.get(p, input.personaId);
    let values: { url: string; remoteId: string | null; clicks: number; subscribers: number; fetchedAt: Date | null };
    if (input.channelId) {
      const channel = await this.#channels.get(p, input.channelId);
      if (channel.personaId !== input.personaId) throw new HttpError(422, 'channel_not_own', `Channel ${channel.handle} belongs to another persona`);
      if (channel.platform !== 'fanvue') {
        if (!input.url) throw new HttpError(422, 'url_required', `${channel.platform} keeps no tracking links: paste the link’s address`);
        values = { url: input.url, remoteId: null, clicks: 0, subscribers: 0, fetchedAt: null };
      } else {
        if (input.url) throw new HttpError(422, 'url_not_allowed', 'Fanvue makes the address of its links: leave the address empty');
        const account = await this.#channels.account(p.orgId, channel.id);
        const made = await this.#call(account, (fanvue, ctx) => createFanvueTrackingLink(fanvue, account, { name: input.name, externalSocialPlatform: input.externalSocialPlatform ?? 'other' }, ctx));
        values = { url: made.url, remoteId: made.remoteId, clicks: made.clicks, subscribers: made.subscribers, fetchedAt: new Date() };
      }
    } else {
      if (!input.url) throw new HttpError(422, 'url_required', 'Paste the link’s address, or choose a Fanvue channel to create one there');
      values = { url: input.url, remoteId: null, clicks: 0, subscribers: 0, fetchedAt: null };
    }
    return this.#db.withOrg(p.orgId, async (tx) => {
      const [row] = await tx
        .insert(trackingLinks)
        .values({ orgId: p.orgId, personaId: input.personaId, channelId: input.channelId ?? null, name: input.name, ...values })
        .returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'tracking_link.created', targetType: 'tracking_link', targetId: row!.id, details: { remote: values.remoteId !== null } });
      return view(row!);
    });
  }

  /**
   * Fanvue links: reads the counters from Fanvue. Links entered by hand: records the counters given (a
   * platform statement imported later), since nothing can be read for them.
   */
  async refresh(p: Principal, id: string, manual: { clicks?: number | undefined; subscribers?: number | undefined } | undefined, origin: Origin) {
    const row = await this.#db.withOrg(p.orgId, (tx) => this.#own(tx, p, id));
    let next: { clicks: number; subscribers: number };
    if (row.remoteId && row.channelId) {
      const account = await this.#channels.account(p.orgId, row.channelId);
      const stats = await this.#call(account, (fanvue, ctx) => fetchFanvueTrackingLink(fanvue, account, row.remoteId!, ctx));
      if (!stats) throw new HttpError(404, 'remote_link_gone', 'Fanvue no longer lists this tracking link');
      next = { clicks: stats.clicks, subscribers: stats.subscribers };
    } else {
      if (manual?.clicks === undefined && manual?.subscribers === undefined) throw new HttpError(409, 'not_remote', 'This link is not kept by a platform: enter its clicks and subscribers');
      next = { clicks: manual.clicks ?? row.clicks, subscribers: manual.subscribers ?? row.subscribers };
    }
    return this.#db.withOrg(p.orgId, async (tx) => {
      const [updated] = await tx
        .update(trackingLinks)
        .set({ ...next, fetchedAt: new Date() })
        .where(eq(trackingLinks.id, id))
        .returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'tracking_link.refreshed', targetType: 'tracking_link', targetId: id, details: next });
      return view(updated!);
    });
  }

  async #own(tx: Tx, p: Principal, id: string) {
    const row = await trackingLink(tx, id);
    if (!row || !canSeePersona(p, row.personaId)) throw notFound('tracking link');
    return row;
  }

  /**
   * One Fanvue call with the channel's credentials; refreshed tokens are stored at once (they rotate). An auth
   * error flags the channel only when the refused credentials are still the stored ones (another process may
   * have refreshed meanwhile: then the call is made once more with the stored ones).
   */
  async #call<T>(account: ChannelAccount & { status: string }, fn: (fanvue: FanvueConnector, ctx: { signal: AbortSignal; onCredentials: (next: Record<string, string>) => Promise<void> }) => Promise<T>): Promise<T> {
    if (account.status === 'reconnect_needed') throw new HttpError(409, 'reconnect_needed', `Reconnect ${account.handle}: its authorisation was revoked`);
    const fanvue = this.#connectors.get('fanvue') as FanvueConnector;
    const onCredentials = async (next: Record<string, string>) => {
      await this.#channels.storeCredentials(account.orgId, account.id, next);
      // Each call of a paged read starts from `account`: it must carry the rotated (single-use) tokens.
      account.credentials = { ...account.credentials, ...Object.fromEntries(Object.entries(next).filter(([, v]) => v)) };
    };
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(fanvue, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS), onCredentials });
      } catch (error) {
        if (!(error instanceof ConnectorError)) throw error;
        if (error.kind === 'auth') {
          const verdict = await this.#channels.authRefused(account.orgId, account.id, account.credentials, { message: error.message, by: 'tracking-links' });
          if (!verdict.flagged && attempt === 0) {
            account.credentials = verdict.credentials;
            continue;
          }
          if (!verdict.flagged) throw new HttpError(503, 'platform_unavailable', 'Fanvue refused a token being replaced at that moment: try again in a minute');
          throw new HttpError(502, 'platform_auth', `Fanvue refused the account’s authorisation: ${error.message}`);
        }
        if (error.kind === 'rate_limited') throw new HttpError(503, 'platform_rate_limited', 'Fanvue asks to slow down: try again in a minute', { retryAfterSeconds: error.retryAfterSeconds ?? null });
        if (error.kind === 'unknown_outcome') throw new HttpError(502, 'platform_unknown_outcome', 'Fanvue did not answer in time: the link may exist there already, check before trying again');
        throw new HttpError(502, 'platform_error', `Fanvue: ${error.message}`);
      }
    }
  }
}
