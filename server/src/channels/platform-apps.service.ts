/**
 * The organization's own developer app on each OAuth platform (self-hosters register their own: client
 * id, secret, and for tests or proxies the base URLs). Kept as sealed secrets of a 'platform_app'
 * owner whose id is derived from (org, platform); nothing of it leaves the server except the client id
 * and the base URLs.
 */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Database } from '../platform/db/database.ts';
import type { Origin, Principal } from '../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../platform/audit/audit.ts';
import type { Env } from '../platform/config/env.ts';
import type { SecretStore } from '../platform/secrets/secret-store.ts';

export const oauthPlatforms = ['x', 'reddit', 'instagram', 'fanvue'] as const;
export type OAuthPlatform = (typeof oauthPlatforms)[number];

export const isOAuthPlatform = (value: string): value is OAuthPlatform => (oauthPlatforms as readonly string[]).includes(value);

export interface PlatformApp {
  clientId: string;
  clientSecret?: string;
  baseUrl?: string;
  authBaseUrl?: string;
}

export interface PlatformAppInput {
  clientId: string;
  /** Absent: the stored secret is kept. */
  clientSecret?: string | undefined;
  baseUrl?: string | undefined;
  authBaseUrl?: string | undefined;
}

const names = { clientId: 'client_id', clientSecret: 'client_secret', baseUrl: 'base_url', authBaseUrl: 'auth_base_url' } as const;

/** A stable uuid per (org, platform): the secrets table keys owners by uuid. */
function ownerOf(orgId: string, platform: OAuthPlatform) {
  const hex = createHash('sha256').update(`platform_app:${orgId}:${platform}`).digest('hex');
  return { type: 'platform_app', id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}` };
}

export const callbackPath = (platform: OAuthPlatform) => `/api/v1/oauth/callback/${platform}`;

/** Where this server is reached from browsers: PUBLIC_BASE_URL, else the address the request came to. */
export function publicBaseOf(env: Pick<Env, 'PUBLIC_BASE_URL'>, request: FastifyRequest): string {
  return (env.PUBLIC_BASE_URL ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
}

export class PlatformAppsService {
  readonly #db: Database;
  readonly #secrets: SecretStore;
  constructor(db: Database, secrets: SecretStore) {
    this.#db = db;
    this.#secrets = secrets;
  }

  /** Every OAuth platform, configured or not, with the redirect URI to register; secrets never. */
  list(p: Principal, publicBase: string) {
    return this.#db.withOrg(p.orgId, async (tx) => {
      // One platform after another: a transaction's client runs one query at a time.
      const items = [];
      for (const platform of oauthPlatforms) {
        const app = fromValues(await this.#secrets.get(tx, ownerOf(p.orgId, platform)));
        items.push({
          platform,
          configured: app !== null,
          clientId: app?.clientId ?? null,
          hasClientSecret: !!app?.clientSecret,
          baseUrl: app?.baseUrl ?? null,
          authBaseUrl: app?.authBaseUrl ?? null,
          redirectUri: publicBase + callbackPath(platform),
        });
      }
      return items;
    });
  }

  async put(p: Principal, platform: OAuthPlatform, input: PlatformAppInput, origin: Origin) {
    await this.#db.withOrg(p.orgId, async (tx) => {
      const owner = ownerOf(p.orgId, platform);
      const previous = fromValues(await this.#secrets.get(tx, owner));
      const next: PlatformApp = { clientId: input.clientId };
      const secret = input.clientSecret ?? previous?.clientSecret;
      if (secret) next.clientSecret = secret;
      if (input.baseUrl) next.baseUrl = input.baseUrl;
      if (input.authBaseUrl) next.authBaseUrl = input.authBaseUrl;
      // Replace as a whole: a base URL left out of the form is a base URL removed.
      await this.#secrets.remove(tx, owner);
      await this.#secrets.put(tx, p.orgId, owner, toValues(next));
      await recordAudit(tx, auditBy(p), origin, {
        action: previous ? 'platform_app.updated' : 'platform_app.created',
        targetType: 'platform_app',
        targetId: owner.id,
        details: { platform, secretChanged: input.clientSecret !== undefined, baseUrl: next.baseUrl ?? null, authBaseUrl: next.authBaseUrl ?? null },
      });
    });
  }

  /** False when there was nothing to remove. */
  async remove(p: Principal, platform: OAuthPlatform, origin: Origin): Promise<boolean> {
    return this.#db.withOrg(p.orgId, async (tx) => {
      const owner = ownerOf(p.orgId, platform);
      if ((await this.#secrets.names(tx, owner)).length === 0) return false;
      await this.#secrets.remove(tx, owner);
      await recordAudit(tx, auditBy(p), origin, { action: 'platform_app.deleted', targetType: 'platform_app', targetId: owner.id, details: { platform } });
      return true;
    });
  }

  /** The opened app, for the connect flow (org-scoped, no principal: the callback carries none). */
  open(orgId: string, platform: OAuthPlatform): Promise<PlatformApp | null> {
    return this.#db.withOrg(orgId, async (tx) => fromValues(await this.#secrets.get(tx, ownerOf(orgId, platform))));
  }
}

function toValues(app: PlatformApp): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, name] of Object.entries(names) as [keyof PlatformApp, string][]) {
    const value = app[field];
    if (value) out[name] = value;
  }
  return out;
}

function fromValues(values: Record<string, string>): PlatformApp | null {
  const clientId = values[names.clientId];
  if (!clientId) return null;
  const app: PlatformApp = { clientId };
  if (values[names.clientSecret]) app.clientSecret = values[names.clientSecret];
  if (values[names.baseUrl]) app.baseUrl = values[names.baseUrl];
  if (values[names.authBaseUrl]) app.authBaseUrl = values[names.authBaseUrl];
  return app;
}
