import { asc, eq } from 'drizzle-orm';
import type { Database } from '../platform/db/database.ts';
import { channels } from '../platform/db/schema/index.ts';
import type { Origin, Principal } from '../platform/auth/principal.ts';
import { canSeePersona } from '../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../platform/audit/audit.ts';
import { notFound } from '../platform/http/problem.ts';
import type { SecretStore } from '../platform/secrets/secret-store.ts';
import type { PersonasService } from '../personas/index.ts';

export const platforms = ['x', 'instagram', 'reddit', 'telegram', 'discord', 'bluesky', 'fanvue', 'onlyfans_export', 'sandbox'] as const;
export type PlatformName = (typeof platforms)[number];

export interface ChannelInput {
  personaId: string;
  platform: PlatformName;
  handle: string;
  settings?: Record<string, unknown> | undefined;
  /** Write-only: sealed at rest, never returned. */
  credentials?: Record<string, string> | undefined;
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

  list(p: Principal) {
    return this.#db.withOrg(p.orgId, async (tx) => {
      const rows = await tx.select().from(channels).orderBy(asc(channels.createdAt));
      const visible = rows.filter((r) => canSeePersona(p, r.personaId));
      return Promise.all(visible.map(async (r) => view(r, await this.#secrets.names(tx, owner(r.id)))));
    });
  }

  async create(p: Principal, input: ChannelInput, origin: Origin) {
    // Foreign-key checks ignore RLS, so another org's persona id must be refused here: get() 404s.
    await this.#personas.get(p, input.personaId);
    return this.#db.withOrg(p.orgId, async (tx) => {
      const [row] = await tx
        .insert(channels)
        .values({ orgId: p.orgId, personaId: input.personaId, platform: input.platform, handle: input.handle, settings: input.settings ?? {} })
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
