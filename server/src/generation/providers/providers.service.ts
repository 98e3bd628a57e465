import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../platform/db/database.ts';
import { providers } from '../../platform/db/schema/index.ts';
import type { Origin, Principal } from '../../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../../platform/audit/audit.ts';
import { HttpError, notFound } from '../../platform/http/problem.ts';
import type { SecretStore } from '../../platform/secrets/secret-store.ts';
import { credentialNames, kindOf, parseProviderConfig, type ProviderType } from './configs.ts';
import { buildImageProvider, buildTextModel, buildVoiceProvider, type ProviderRecord } from './factory.ts';
import type { ImageProvider, TextModel, VoiceProvider } from './types.ts';
import type { Metrics } from '../../platform/observability/metrics.ts';
import { timedProvider } from '../../platform/observability/provider-timing.ts';

type Row = typeof providers.$inferSelect;
const owner = (id: string) => ({ type: 'provider', id });

export interface ProviderInput {
  type: ProviderType;
  name: string;
  config: unknown;
  enabled?: boolean | undefined;
  credentials?: Record<string, string> | undefined;
}

/** An organization's generation back-ends: settings, sealed credentials, and ready clients for jobs. */
export class ProvidersService {
  readonly #db: Database;
  readonly #secrets: SecretStore;
  /** Provider calls are timed into atelier_provider_latency_seconds when given. */
  readonly #metrics: Pick<Metrics, 'providerLatency'> | undefined;
  constructor(db: Database, secrets: SecretStore, metrics?: Pick<Metrics, 'providerLatency'>) {
    this.#db = db;
    this.#secrets = secrets;
    this.#metrics = metrics;
  }

  list(p: Principal) {
    return this.#db.withOrg(p.orgId, async (tx) => {
      const rows = await tx.select().from(providers).orderBy(asc(providers.createdAt));
      // One query for every row's credential names: a transaction's client runs one query at a time.
      const names = await this.#secrets.namesOf(tx, owner('').type, rows.map((r) => r.id));
      return rows.map((r) => view(r, names.get(r.id)!));
    });
  }

  async create(p: Principal, input: ProviderInput, origin: Origin) {
    const config = validConfig(input.type, input.config);
    checkCredentials(input.type, input.credentials);
    return this.#db.withOrg(p.orgId, async (tx) => {
      const [row] = await tx
        .insert(providers)
        .values({ orgId: p.orgId, kind: kindOf[input.type], type: input.type, name: input.name, config, enabled: input.enabled ?? true })
        .returning();
      if (input.credentials) await this.#secrets.put(tx, p.orgId, owner(row!.id), input.credentials);
      await recordAudit(tx, auditBy(p), origin, { action: 'provider.created', targetType: 'provider', targetId: row!.id, details: { type: input.type } });
      return view(row!, Object.keys(input.credentials ?? {}));
    });
  }

  async update(p: Principal, id: string, patch: Partial<Omit<ProviderInput, 'type'>>, origin: Origin) {
    return this.#db.withOrg(p.orgId, async (tx) => {
      const current = (await tx.select().from(providers).where(eq(providers.id, id)))[0];
      if (!current) throw notFound('provider');
      const type = current.type as ProviderType;
      const config = patch.config === undefined ? current.config : validConfig(type, patch.config);
      checkCredentials(type, patch.credentials);
      const [row] = await tx
        .update(providers)
        .set({ name: patch.name ?? current.name, enabled: patch.enabled ?? current.enabled, config, updatedAt: new Date() })
        .where(eq(providers.id, id))
        .returning();
      if (patch.credentials) await this.#secrets.put(tx, p.orgId, owner(id), patch.credentials);
      await recordAudit(tx, auditBy(p), origin, {
        action: 'provider.updated',
        targetType: 'provider',
        targetId: id,
        details: { fields: Object.keys(patch).filter((k) => k !== 'credentials'), credentials: Object.keys(patch.credentials ?? {}) },
      });
      return view(row!, await this.#secrets.names(tx, owner(id)));
    });
  }

  async remove(p: Principal, id: string, origin: Origin) {
    await this.#db.withOrg(p.orgId, async (tx) => {
      const deleted = await tx.delete(providers).where(eq(providers.id, id)).returning({ id: providers.id });
      if (!deleted.length) throw notFound('provider');
      await this.#secrets.remove(tx, owner(id));
      await recordAudit(tx, auditBy(p), origin, { action: 'provider.deleted', targetType: 'provider', targetId: id });
    });
  }

  /** Checks a configured back-end answers, for the settings page. */
  async check(p: Principal, id: string) {
    const record = await this.record(p.orgId, id);
    const client = timedProvider(record.kind === 'image' ? buildImageProvider(record) : record.kind === 'text' ? buildTextModel(record) : buildVoiceProvider(record), this.#metrics);
    return client.health(AbortSignal.timeout(5_000)).catch((error: Error) => ({ ok: false, detail: error.message }));
  }

  /** The configuration with its credentials opened, for building a client inside a job. */
  async record(orgId: string, id: string): Promise<ProviderRecord> {
    return this.#db.withOrg(orgId, async (tx) => {
      const row = (await tx.select().from(providers).where(and(eq(providers.id, id))))[0];
      if (!row) throw new HttpError(404, 'provider_not_found', 'The configured provider no longer exists');
      if (!row.enabled) throw new HttpError(409, 'provider_disabled', `Provider "${row.name}" is disabled`);
      return { id: row.id, kind: row.kind, type: row.type as ProviderType, name: row.name, config: row.config as Record<string, unknown>, credentials: await this.#secrets.get(tx, owner(row.id)) };
    });
  }

  async imageProvider(orgId: string, id: string): Promise<ImageProvider> {
    return timedProvider(buildImageProvider(await this.record(orgId, id)), this.#metrics);
  }

  /** The provider's client (timed into the provider-latency metric), its default model and embedding model. */
  async textModel(orgId: string, id: string): Promise<{ model: TextModel; modelName: string; embeddingModel: string | null }> {
    const record = await this.record(orgId, id);
    const embeddingModel = typeof record.config.embeddingModel === 'string' && record.config.embeddingModel ? record.config.embeddingModel : null;
    return { model: timedProvider(buildTextModel(record), this.#metrics), modelName: String(record.config.model ?? ''), embeddingModel };
  }

  /** null id → espeak-ng, which needs no configuration. */
  async voiceProvider(orgId: string, id: string | null): Promise<VoiceProvider> {
    if (!id) return timedProvider(buildVoiceProvider({ id: 'local-espeak', kind: 'voice', type: 'espeak', name: 'espeak-ng', config: {}, credentials: {} }), this.#metrics);
    return timedProvider(buildVoiceProvider(await this.record(orgId, id)), this.#metrics);
  }
}

function validConfig(type: ProviderType, config: unknown) {
  try {
    return parseProviderConfig(type, config) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof z.ZodError) {
      throw new HttpError(400, 'invalid_provider_config', `Invalid ${type} configuration`, {
        errors: error.issues.map((i) => ({ path: ['body', 'config', ...i.path.map(String)].join('.'), message: i.message })),
      });
    }
    throw error;
  }
}

function checkCredentials(type: ProviderType, credentials: Record<string, string> | undefined) {
  const unknown = Object.keys(credentials ?? {}).filter((k) => !credentialNames[type].includes(k));
  if (unknown.length) throw new HttpError(400, 'unknown_credentials', `${type} takes no credential named ${unknown.join(', ')}`);
}

function view(row: Row, credentialNamesSet: string[]) {
  return {
    id: row.id,
    kind: row.kind,
    type: row.type as ProviderType,
    name: row.name,
    config: row.config as Record<string, unknown>,
    enabled: row.enabled,
    credentialNames: credentialNamesSet,
    createdAt: row.createdAt.toISOString(),
  };
}
