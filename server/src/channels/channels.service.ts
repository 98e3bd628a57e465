import { and, asc, eq, ne } from 'drizzle-orm';
import type { Database } from '../platform/db/database.ts';
import { channels } from '../platform/db/schema/index.ts';
import type { Origin, Principal } from '../platform/auth/principal.ts';
import { canSeePersona } from '../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../platform/audit/audit.ts';
import { notFound } from '../platform/http/problem.ts';
import type { SecretStore } from '../platform/secrets/secret-store.ts';
import type { EventBus } from '../platform/events/index.ts';
import type { PersonasService } from '../personas/index.ts';

import { platforms, type ChannelAccount, type PlatformName } from '../publishing/connectors/types.ts';
import { validateChannelSettings } from './settings.ts';
import { lockChannels } from './lock.ts';

export { platforms, type PlatformName };

export interface ChannelInput {
  personaId: string;
  platform: PlatformName;
  handle: string;
  settings?: Record<string, unknown> | undefined;
  /** Write-only: sealed at rest, never returned. */
  credentials?: Record<string, string> | undefined;
}

export interface ChannelPatch {
  handle?: string | undefined;
  /** Replaces the settings as a whole (checked like at creation). */
  settings?: Record<string, unknown> | undefined;
}

type Row = typeof channels.$inferSelect;
const owner = (id: string) => ({ type: 'channel', id });

/** What `authRefused` made of an auth error. */
export type AuthRefusalOutcome =
  /** The stored credentials are the refused ones: the channel is (now, or already) "reconnect needed". */
  | { flagged: true; alerted: boolean }
  /** Someone stored other credentials meanwhile (a refresh elsewhere): try again with these; nothing flagged. */
  | { flagged: false; credentials: Record<string, string> };

/** True when `stored` holds a value `held` does not: another process stored credentials after `held` was read. */
function storedSince(stored: Record<string, string>, held: Record<string, string>): boolean {
  return Object.entries(stored).some(([key, value]) => held[key] !== value);
}

/** A persona's account on a platform. Connectors (publishing, chat) build on these rows. */
export class ChannelsService {
  readonly #db: Database;
  readonly #secrets: SecretStore;
  readonly #personas: PersonasService;
  readonly #events: Pick<EventBus, 'publish'> | null;
  constructor(db: Database, secrets: SecretStore, personas: PersonasService, events?: Pick<EventBus, 'publish'>) {
    this.#db = db;
    this.#secrets = secrets;
    this.#personas = personas;
    this.#events = events ?? null;
  }

  list(p: Principal, filter: { personaId?: string | undefined } = {}) {
    return this.#db.withOrg(p.orgId, async (tx) => {
      const rows = await tx
        .select()
        .from(channels)
        .where(filter.personaId ? eq(channels.personaId, filter.personaId) : undefined)
        .orderBy(asc(channels.createdAt));
      const visible = rows.filter((r) => canSeePersona(p, r.personaId));
      // One query for every row's credential names: a transaction's client runs one query at a time.
      const names = await this.#secrets.namesOf(tx, owner('').type, visible.map((r) => r.id));
      return visible.map((r) => view(r, names.get(r.id)!));
    });
  }

  async create(p: Principal, input: ChannelInput, origin: Origin) {
    // Foreign-key checks ignore RLS, so another org's persona id must be refused here: get() 404s.
    await this.#personas.get(p, input.personaId);
    const settings = validateChannelSettings(input.platform, input.settings ?? {});
    return this.#db.withOrg(p.orgId, async (tx) => {
      const [row] = await tx
        .insert(channels)
        .values({ orgId: p.orgId, personaId: input.personaId, platform: input.platform, handle: input.handle, settings })
        .returning();
      if (input.credentials) await this.#secrets.put(tx, p.orgId, owner(row!.id), input.credentials);
      await recordAudit(tx, auditBy(p), origin, {
        action: 'channel.created',
        targetType: 'channel',
        targetId: row!.id,
        details: { platform: input.platform, credentials: Object.keys(input.credentials ?? {}) },
      });
      return view(row!, Object.keys(input.credentials ?? {}));
    });
  }

  async get(p: Principal, id: string) {
    return this.#db.withOrg(p.orgId, async (tx) => {
      const row = (await tx.select().from(channels).where(eq(channels.id, id)))[0];
      if (!row || !canSeePersona(p, row.personaId)) throw notFound('channel');
      return view(row, await this.#secrets.names(tx, owner(row.id)));
    });
  }

  /** Handle and settings; credentials change only through a (re)connect. */
  async update(p: Principal, id: string, patch: ChannelPatch, origin: Origin) {
    return this.#db.withOrg(p.orgId, async (tx) => {
      const row = (await tx.select().from(channels).where(eq(channels.id, id)))[0];
      if (!row || !canSeePersona(p, row.personaId)) throw notFound('channel');
      const set: Partial<Row> = { updatedAt: new Date() };
      if (patch.handle !== undefined) set.handle = patch.handle;
      if (patch.settings !== undefined) set.settings = validateChannelSettings(row.platform as PlatformName, patch.settings);
      const [updated] = await tx.update(channels).set(set).where(eq(channels.id, id)).returning();
      await recordAudit(tx, auditBy(p), origin, {
        action: 'channel.updated',
        targetType: 'channel',
        targetId: id,
        details: { fields: Object.keys(patch).filter((k) => patch[k as keyof ChannelPatch] !== undefined) },
      });
      return view(updated!, await this.#secrets.names(tx, owner(id)));
    });
  }

  async remove(p: Principal, id: string, origin: Origin) {
    await this.#db.withOrg(p.orgId, async (tx) => {
      const row = (await tx.select().from(channels).where(eq(channels.id, id)))[0];
      if (!row || !canSeePersona(p, row.personaId)) throw notFound('channel');
      await this.#secrets.remove(tx, owner(id));
      await tx.delete(channels).where(eq(channels.id, id));
      await recordAudit(tx, auditBy(p), origin, { action: 'channel.deleted', targetType: 'channel', targetId: id });
    });
  }

  /** For connectors running in jobs: the decrypted credentials of one channel. */
  credentials(orgId: string, channelId: string) {
    return this.#db.withOrg(orgId, (tx) => this.#secrets.get(tx, owner(channelId)));
  }

  /** The channel as a connector needs it, credentials opened. Jobs only. */
  async account(orgId: string, channelId: string): Promise<ChannelAccount & { status: string; personaId: string }> {
    return this.#db.withOrg(orgId, async (tx) => {
      const row = (await tx.select().from(channels).where(eq(channels.id, channelId)))[0];
      if (!row) throw notFound('channel');
      return {
        id: row.id,
        orgId: row.orgId,
        personaId: row.personaId,
        platform: row.platform as PlatformName,
        handle: row.handle,
        status: row.status,
        settings: row.settings as Record<string, unknown>,
        credentials: await this.#secrets.get(tx, owner(row.id)),
      };
    });
  }

  /**
   * Stores refreshed credentials. A value the platform did not send back is kept: a refresh must never
   * overwrite a stored refresh token with an empty one.
   */
  async storeCredentials(orgId: string, channelId: string, next: Record<string, string>) {
    const kept = Object.fromEntries(Object.entries(next).filter(([, v]) => typeof v === 'string' && v.length > 0));
    await this.#db.withOrg(orgId, async (tx) => {
      // Serialised with authRefused: a flag is never decided on credentials being replaced at that moment.
      await lockChannels(tx, [channelId]);
      await this.#secrets.put(tx, orgId, owner(channelId), kept);
    });
  }

  /** The stored credentials when someone stored others since `held` was read (null when they are the same). */
  async storedSince(orgId: string, channelId: string, held: Record<string, string>): Promise<Record<string, string> | null> {
    const stored = await this.credentials(orgId, channelId).catch(() => null);
    return stored && storedSince(stored, held) ? stored : null;
  }

  /**
   * The one place a channel is flagged "reconnect needed" after the platform refused its authorisation.
   *
   * `refused` are the credentials the caller last used (after any refresh of its own). Several processes
   * use one channel, and X's and Fanvue's refresh tokens are single-use: when another process refreshed
   * and stored new tokens, this caller's own refresh fails although the channel is healthy. So the stored
   * credentials are read again, under the channel's row lock (storeCredentials takes it too): if they differ
   * from the refused ones nothing is flagged and the caller gets them to try again; if they are the same
   * ones, the channel is flagged — and only the change to "reconnect needed" records the audit event and
   * raises the alert, so an incident alerts once however many jobs hit it.
   */
  async authRefused(orgId: string, channelId: string, refused: Record<string, string>, incident: { message: string; by: string }): Promise<AuthRefusalOutcome> {
    const outcome = await this.#db.withOrg(orgId, async (tx): Promise<AuthRefusalOutcome & { handle?: string }> => {
      const [row] = await lockChannels(tx, [channelId]);
      if (!row) return { flagged: true, alerted: false };
      const stored = await this.#secrets.get(tx, owner(channelId));
      if (storedSince(stored, refused)) return { flagged: false, credentials: stored };
      if (row.status === 'reconnect_needed') return { flagged: true, alerted: false };
      await tx.update(channels).set({ status: 'reconnect_needed', updatedAt: new Date() }).where(eq(channels.id, channelId));
      await recordAudit(tx, { orgId }, { ip: null, userAgent: incident.by, requestId: null }, { action: 'channel.reconnect_needed', targetType: 'channel', targetId: channelId, details: { message: incident.message } });
      return { flagged: true, alerted: true, handle: row.handle };
    });
    if (outcome.flagged && outcome.alerted) {
      await this.#events?.publish({ type: 'alert.channel_reconnect', orgId, data: { channelId, handle: outcome.handle, message: incident.message } });
    }
    if (!outcome.flagged) return { flagged: false, credentials: outcome.credentials };
    return { flagged: true, alerted: outcome.alerted };
  }

  /**
   * Sets the status as such; true when it changed. Clears "reconnect needed" after a (re)connect. Jobs that
   * met an auth error flag through authRefused instead, which checks the credentials and raises the alert.
   */
  async setStatus(orgId: string, channelId: string, status: 'active' | 'reconnect_needed'): Promise<boolean> {
    return this.#db.withOrg(orgId, async (tx) => {
      const changed = await tx
        .update(channels)
        .set({ status, updatedAt: new Date() })
        .where(and(eq(channels.id, channelId), ne(channels.status, status)))
        .returning({ id: channels.id });
      return changed.length > 0;
    });
  }
}

function view(row: Row, credentialNames: string[]) {
  return {
    id: row.id,
    personaId: row.personaId,
    platform: row.platform as PlatformName,
    handle: row.handle,
    settings: row.settings as Record<string, unknown>,
    status: row.status,
    credentialNames,
    createdAt: row.createdAt.toISOString(),
  };
}
