import { and, asc, eq, ne } from 'drizzle-orm';
import type { Database } from '../platform/db/database.ts';
import { channels } from '../platform/db/schema/index.ts';
import type { Origin, Principal } from '../platform/auth/principal.ts';
import { canSeePersona } from '../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../platform/audit/audit.ts';
import { notFound } from '../platform/http/problem.ts';
import type { SecretStore } from '../platform/secrets/secret-store.ts';
import type { PersonasService } from '../personas/index.ts';

import { platforms, type ChannelAccount, type PlatformName } from '../publishing/connectors/types.ts';
import { validateChannelSettings } from './settings.ts';

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

/** A persona's account on a platform. Connectors (publishing, chat) build on these rows. */
export class ChannelsService {
  readonly #db: Database;
  readonly #secrets: SecretStore;
  readonly #personas: PersonasService;
  constructor(db: Database, secrets: SecretStore, personas: PersonasService) {
    this.#db = db;
    this.#secrets = secrets;
    this.#personas = personas;
  }

  list(p: Principal, filter: { personaId?: string | undefined } = {}) {
    return this.#db.withOrg(p.orgId, async (tx) => {
      const rows = await tx
        .select()
        .from(channels)
        .where(filter.personaId ? eq(channels.personaId, filter.personaId) : undefined)
        .orderBy(asc(channels.createdAt));
      const visible = rows.filter((r) => canSeePersona(p, r.personaId));
      return Promise.all(visible.map(async (r) => view(r, await this.#secrets.names(tx, owner(r.id)))));
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
    await this.#db.withOrg(orgId, (tx) => this.#secrets.put(tx, orgId, owner(channelId), kept));
  }

  /** Flags (or clears) "reconnect needed"; returns true when the status changed (one alert per incident). */
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
