/**
 * Report and alert destinations of an organization: a Telegram chat (bot token), a Discord webhook, an
 * e-mail address list (SMTP) or an HTTP webhook. Tokens, webhook URLs and the SMTP password are sealed
 * in `secrets` (owner type `analytics_destination`) and never returned; views list their names only.
 */
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Platform } from '../../platform/platform.ts';
import type { Tx } from '../../platform/db/database.ts';
import { analyticsDestinations, reportKinds, type DestinationKind, type ReportKind } from '../../platform/db/schema/index.ts';
import type { Origin, Principal } from '../../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../../platform/audit/audit.ts';
import { badRequest, forbidden, notFound } from '../../platform/http/problem.ts';
import { SecretStore } from '../../platform/secrets/secret-store.ts';

export const telegramConfig = z.strictObject({
  chatId: z.union([z.string().trim().min(1).max(64), z.number().int()]).describe('@channel or numeric chat id'),
  apiRoot: z.string().url().optional().describe('Bot API root (default https://api.telegram.org)'),
});
export const discordConfig = z.strictObject({});
export const emailConfig = z.strictObject({
  host: z.string().trim().min(1).max(253),
  port: z.number().int().min(1).max(65535).default(587),
  /** true: TLS from the first byte (465); false: STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  from: z.string().email().max(320),
  to: z.array(z.string().email().max(320)).min(1).max(20),
  username: z.string().max(320).optional(),
});
export const webhookConfig = z.strictObject({});

const CONFIGS = { telegram: telegramConfig, discord: discordConfig, email: emailConfig, webhook: webhookConfig } as const;
/** Secret values per kind: required ones must be given at creation. */
const SECRET_NAMES: Record<DestinationKind, { required: string[]; optional: string[] }> = {
  telegram: { required: ['bot_token'], optional: [] },
  discord: { required: ['webhook_url'], optional: [] },
  email: { required: [], optional: ['password'] },
  webhook: { required: ['url'], optional: ['signing_secret'] },
};

const common = {
  name: z.string().trim().min(1).max(120),
  reports: z.array(z.enum(reportKinds)).max(3).default([]).describe('report kinds sent here'),
  alerts: z.boolean().default(true).describe('alert notifications (fired and resolved) sent here'),
  enabled: z.boolean().default(true),
};
const secret = z.string().min(1).max(2048);

export const destinationInput = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('telegram'), config: telegramConfig, credentials: z.strictObject({ bot_token: secret }), ...common }),
  z.strictObject({ kind: z.literal('discord'), config: discordConfig.default({}), credentials: z.strictObject({ webhook_url: z.string().url().max(2048) }), ...common }),
  z.strictObject({ kind: z.literal('email'), config: emailConfig, credentials: z.strictObject({ password: secret.optional() }).default({}), ...common }),
  z.strictObject({ kind: z.literal('webhook'), config: webhookConfig.default({}), credentials: z.strictObject({ url: z.string().url().max(2048), signing_secret: secret.optional() }), ...common }),
]);
export type DestinationInput = z.output<typeof destinationInput>;

export const destinationPatch = z.strictObject({
  name: common.name.optional(),
  config: z.record(z.string(), z.unknown()).optional().describe('replaces the config; checked against the kind'),
  credentials: z.record(z.string(), secret).optional().describe('values to set; others are kept'),
  reports: z.array(z.enum(reportKinds)).max(3).optional(),
  alerts: z.boolean().optional(),
  enabled: z.boolean().optional(),
});
export type DestinationPatch = z.output<typeof destinationPatch>;

type Row = typeof analyticsDestinations.$inferSelect;
const owner = (id: string) => ({ type: 'analytics_destination', id });

export function destinationView(row: Row, credentialNames: string[]) {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    config: row.config as Record<string, unknown>,
    reports: row.reports as ReportKind[],
    alerts: row.alerts,
    enabled: row.enabled,
    credentialNames: credentialNames.sort(),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface OpenedDestination {
  id: string;
  kind: DestinationKind;
  name: string;
  config: Record<string, unknown>;
  credentials: Record<string, string>;
}

function checkCredentials(kind: DestinationKind, values: Record<string, string>) {
  const allowed = new Set([...SECRET_NAMES[kind].required, ...SECRET_NAMES[kind].optional]);
  for (const name of Object.keys(values)) if (!allowed.has(name)) throw badRequest('invalid_credentials', `A ${kind} destination has no credential "${name}"`);
  for (const name of ['url', 'webhook_url']) {
    if (values[name] === undefined) continue;
    let url: URL;
    try {
      url = new URL(values[name]);
    } catch {
      throw badRequest('invalid_credentials', `${name} must be an http(s) URL`);
    }
    if (!/^https?:$/.test(url.protocol)) throw badRequest('invalid_credentials', `${name} must be an http(s) URL`);
    if (name === 'webhook_url' && !/\/webhooks\/\d+\/[^/]+\/?$/.test(url.pathname)) {
      throw badRequest('invalid_credentials', 'The Discord webhook URL should look like https://discord.com/api/webhooks/<id>/<token>');
    }
  }
}

export class DestinationsService {
  readonly #platform: Platform;
  readonly #secrets: SecretStore;
  constructor(platform: Platform) {
    this.#platform = platform;
    this.#secrets = new SecretStore(platform.keyring);
  }

  #manage(p: Principal) {
    // Destinations receive agency-wide reports and every alert: not for persona-restricted members.
    if (p.personaScope) throw forbidden('Report and alert destinations need access to every persona');
  }

  async list(p: Principal) {
    this.#manage(p);
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const rows = await tx.select().from(analyticsDestinations).orderBy(asc(analyticsDestinations.createdAt));
      const items = [];
      for (const r of rows) items.push(destinationView(r, await this.#secrets.names(tx, owner(r.id))));
      return { items };
    });
  }

  async get(p: Principal, id: string) {
    this.#manage(p);
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const row = await this.#row(tx, id);
      return destinationView(row, await this.#secrets.names(tx, owner(row.id)));
    });
  }

  async create(p: Principal, input: DestinationInput, origin: Origin) {
    this.#manage(p);
    const credentials = Object.fromEntries(Object.entries(input.credentials).filter(([, v]) => typeof v === 'string' && v.length > 0)) as Record<string, string>;
    checkCredentials(input.kind, credentials);
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const [row] = await tx
        .insert(analyticsDestinations)
        .values({ orgId: p.orgId, kind: input.kind, name: input.name, config: input.config, reports: input.reports, alerts: input.alerts, enabled: input.enabled, createdBy: p.userId })
        .returning();
      await this.#secrets.put(tx, p.orgId, owner(row!.id), credentials);
      await recordAudit(tx, auditBy(p), origin, { action: 'analytics.destination_created', targetType: 'analytics_destination', targetId: row!.id, details: { kind: input.kind, reports: input.reports, alerts: input.alerts } });
      return destinationView(row!, Object.keys(credentials));
    });
  }

  async update(p: Principal, id: string, patch: DestinationPatch, origin: Origin) {
    this.#manage(p);
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const row = await this.#row(tx, id);
      const kind = row.kind as DestinationKind;
      let config = row.config as Record<string, unknown>;
      if (patch.config) {
        const parsed = CONFIGS[kind].safeParse(patch.config);
        if (!parsed.success) throw badRequest('invalid_destination_config', `Invalid ${kind} configuration`, { errors: parsed.error.issues.map((i) => ({ path: ['body', 'config', ...i.path.map(String)].join('.'), message: i.message })) });
        config = parsed.data as Record<string, unknown>;
      }
      if (patch.credentials) {
        checkCredentials(kind, patch.credentials);
        await this.#secrets.put(tx, p.orgId, owner(id), patch.credentials);
      }
      const [updated] = await tx
        .update(analyticsDestinations)
        .set({
          config,
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.reports !== undefined ? { reports: patch.reports } : {}),
          ...(patch.alerts !== undefined ? { alerts: patch.alerts } : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
          updatedAt: new Date(),
        })
        .where(eq(analyticsDestinations.id, id))
        .returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'analytics.destination_updated', targetType: 'analytics_destination', targetId: id, details: { fields: Object.keys(patch), credentials: Object.keys(patch.credentials ?? {}) } });
      return destinationView(updated!, await this.#secrets.names(tx, owner(id)));
    });
  }

  async remove(p: Principal, id: string, origin: Origin) {
    this.#manage(p);
    await this.#platform.db.withOrg(p.orgId, async (tx) => {
      await this.#row(tx, id);
      await this.#secrets.remove(tx, owner(id));
      await tx.delete(analyticsDestinations).where(eq(analyticsDestinations.id, id));
      await recordAudit(tx, auditBy(p), origin, { action: 'analytics.destination_deleted', targetType: 'analytics_destination', targetId: id });
    });
  }

  /** The destination with its credentials opened, for the delivery job. */
  async open(tx: Tx, id: string): Promise<OpenedDestination | null> {
    const row = (await tx.select().from(analyticsDestinations).where(eq(analyticsDestinations.id, id)))[0];
    if (!row) return null;
    return { id: row.id, kind: row.kind as DestinationKind, name: row.name, config: row.config as Record<string, unknown>, credentials: await this.#secrets.get(tx, owner(row.id)) };
  }

  async #row(tx: Tx, id: string) {
    const row = (await tx.select().from(analyticsDestinations).where(eq(analyticsDestinations.id, id)))[0];
    if (!row) throw notFound('destination');
    return row;
  }
}
