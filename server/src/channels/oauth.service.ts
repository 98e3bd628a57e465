/**
 * Connecting a channel by OAuth redirect.
 *
 * start: a random 256-bit state (stored hashed) bound to the org, the user, the persona and, for a
 * reconnect, the channel; the PKCE verifier sealed beside it; ten minutes to come back.
 *
 * callback (public: the browser arrives from the platform without our bearer): the state is consumed
 * atomically (a replay finds nothing), everything else comes from the row, never from the query. The
 * starter must still be allowed to manage channels of that persona. Code → tokens through the
 * connector's flow; a new channel is created or the reconnected one gets the new credentials (a missing
 * refresh token never blanks the stored one); the connector's setup checks run and are kept for the UI.
 * Every outcome is a redirect to the web: `connected=<id>` or `oauth_error=<code>`, nothing else.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../platform/db/database.ts';
import { channelCache, memberships, oauthStates, personaAssignments } from '../platform/db/schema/index.ts';
import type { Origin, Principal } from '../platform/auth/principal.ts';
import { canSeePersona } from '../platform/auth/principal.ts';
import { can, scopableRoles } from '../platform/auth/permissions.ts';
import { auditBy, recordAudit } from '../platform/audit/audit.ts';
import { badRequest, conflict } from '../platform/http/problem.ts';
import type { Keyring } from '../platform/secrets/keyring.ts';
import { openInline, sealInline } from '../platform/secrets/secret-store.ts';
import type { PersonasService } from '../personas/index.ts';
import type { Connectors } from '../publishing/connectors/registry.ts';
import { isConnectorError } from '../publishing/connectors/http.ts';
import { pkceChallenge, pkceVerifier } from '../publishing/connectors/oauth.ts';
import type { ChannelsService } from './channels.service.ts';
import { callbackPath, isOAuthPlatform, type OAuthPlatform, type PlatformAppsService } from './platform-apps.service.ts';

const STATE_TTL_MS = 10 * 60_000;
const EXCHANGE_TIMEOUT_MS = 30_000;
const VERIFY_TIMEOUT_MS = 20_000;
export const DEFAULT_RETURN_TO = '/calendar/channels';
const SETUP_CHECK_KEY = 'setup_check';

/** Stable reasons the web turns into words (i18n area `connect`). */
export type OAuthErrorCode = 'invalid_state' | 'expired' | 'denied' | 'missing_code' | 'not_configured' | 'not_allowed' | 'exchange_failed' | 'failed';

export interface StartInput {
  personaId: string;
  platform: OAuthPlatform;
  channelId?: string | undefined;
  returnTo?: string | undefined;
}

export interface SetupCheck {
  ok: boolean;
  problems: string[];
  checkedAt: string;
}

class FlowError extends Error {
  readonly code: OAuthErrorCode;
  readonly returnTo: string;
  constructor(code: OAuthErrorCode, returnTo: string, reason: string) {
    super(reason);
    this.code = code;
    this.returnTo = returnTo;
  }
}

/** Same-site relative paths only: `/x…`, never `//host`, `/\host`, a scheme, or control characters. */
export function safeReturnTo(value: string | undefined): string {
  if (value === undefined) return DEFAULT_RETURN_TO;
  if (value.length > 500 || !/^\/(?![/\\])/.test(value) || /[\u0000-\u001f\u007f\\]/.test(value)) {
    throw badRequest('invalid_return_to', 'returnTo must be a path on this site, starting with a single /');
  }
  return value;
}

/** returnTo with one query parameter added, still relative. */
export function withParam(returnTo: string, name: string, value: string): string {
  const url = new URL(returnTo, 'http://same-site.invalid');
  url.searchParams.set(name, value);
  return `${url.pathname}${url.search}${url.hash}`;
}

const stateKey = (state: string) => createHash('sha256').update(state).digest('hex');
const verifierAad = (key: string) => `oauth_state:${key}`;

export class OAuthConnectService {
  readonly #db: Database;
  readonly #keyring: Keyring;
  readonly #channels: ChannelsService;
  readonly #personas: PersonasService;
  readonly #apps: PlatformAppsService;
  readonly #connectors: () => Connectors;
  readonly #log: Logger;

  constructor(deps: { db: Database; keyring: Keyring; channels: ChannelsService; personas: PersonasService; apps: PlatformAppsService; connectors: () => Connectors; log: Logger }) {
    this.#db = deps.db;
    this.#keyring = deps.keyring;
    this.#channels = deps.channels;
    this.#personas = deps.personas;
    this.#apps = deps.apps;
    this.#connectors = deps.connectors;
    this.#log = deps.log;
  }

  async start(p: Principal, input: StartInput, publicBase: string): Promise<{ authorizeUrl: string; expiresAt: string }> {
    const returnTo = safeReturnTo(input.returnTo);
    await this.#personas.get(p, input.personaId);
    if (input.channelId) {
      const channel = await this.#channels.get(p, input.channelId);
      if (channel.platform !== input.platform || channel.personaId !== input.personaId) {
        throw badRequest('channel_mismatch', 'That channel belongs to another persona or platform');
      }
    }
    const flow = this.#connectors().get(input.platform).oauth;
    const app = await this.#apps.open(p.orgId, input.platform);
    if (!flow || !app) throw conflict('platform_app_missing', `Set up your ${input.platform} app in Settings first`);

    const state = randomBytes(32).toString('base64url');
    const key = stateKey(state);
    const verifier = pkceVerifier();
    const redirectUri = publicBase + callbackPath(input.platform);
    const expiresAt = new Date(Date.now() + STATE_TTL_MS);
    await this.#db.withOrg(p.orgId, async (tx) => {
      await tx.delete(oauthStates).where(lt(oauthStates.expiresAt, new Date()));
      await tx.insert(oauthStates).values({
        state: key,
        orgId: p.orgId,
        personaId: input.personaId,
        channelId: input.channelId ?? null,
        platform: input.platform,
        verifierSealed: sealInline(this.#keyring, verifier, verifierAad(key)),
        redirectUri,
        returnTo,
        createdBy: p.userId,
        expiresAt,
      });
    });
    const authorizeUrl = flow.authorizeUrl({ settings: appSettings(app), clientId: app.clientId, redirectUri, state, codeChallenge: pkceChallenge(verifier) });
    return { authorizeUrl, expiresAt: expiresAt.toISOString() };
  }

  /** Where to send the browser back to; never throws. */
  async callback(platform: string, query: { code?: string | undefined; state?: string | undefined; error?: string | undefined }, origin: Origin): Promise<string> {
    try {
      const done = await this.#complete(platform, query, origin);
      return withParam(done.returnTo, 'connected', done.id);
    } catch (error) {
      if (error instanceof FlowError) {
        this.#log.info({ platform, code: error.code, reason: error.message }, 'oauth connect refused');
        return withParam(error.returnTo, 'oauth_error', error.code);
      }
      // Messages only: connector errors never carry tokens, but their details may hold platform bodies.
      this.#log.warn({ platform, reason: error instanceof Error ? error.message : String(error) }, 'oauth connect failed');
      return withParam(DEFAULT_RETURN_TO, 'oauth_error', 'failed');
    }
  }

  async #complete(platform: string, query: { code?: string | undefined; state?: string | undefined; error?: string | undefined }, origin: Origin) {
    if (!query.state || query.state.length > 200) throw new FlowError('invalid_state', DEFAULT_RETURN_TO, 'no state');
    const key = stateKey(query.state);
    // The only pre-tenant step: the state is the secret that names the org. Deleting it is the consume.
    const row = (await this.#db.withSystem((tx) => tx.delete(oauthStates).where(eq(oauthStates.state, key)).returning()))[0];
    if (!row || row.platform !== platform || !isOAuthPlatform(platform)) throw new FlowError('invalid_state', DEFAULT_RETURN_TO, 'unknown or used state');
    const returnTo = row.returnTo;
    if (row.expiresAt.getTime() < Date.now()) throw new FlowError('expired', returnTo, 'state expired');
    if (query.error) throw new FlowError('denied', returnTo, `platform answered error=${query.error.slice(0, 100)}`);
    if (!query.code) throw new FlowError('missing_code', returnTo, 'no code');

    const p = await this.#principalOf(row.orgId, row.createdBy);
    if (!p || !can(p.role, 'channels:manage') || !canSeePersona(p, row.personaId)) throw new FlowError('not_allowed', returnTo, 'the starter may no longer manage this persona');
    const app = await this.#apps.open(row.orgId, platform);
    const connector = this.#connectors().get(platform);
    if (!app || !connector.oauth) throw new FlowError('not_configured', returnTo, 'platform app removed');

    let result: Awaited<ReturnType<NonNullable<typeof connector.oauth>['exchange']>>;
    try {
      result = await connector.oauth.exchange(
        {
          settings: appSettings(app),
          clientId: app.clientId,
          ...(app.clientSecret ? { clientSecret: app.clientSecret } : {}),
          code: query.code,
          codeVerifier: openInline(this.#keyring, row.verifierSealed, verifierAad(key)),
          redirectUri: row.redirectUri,
        },
        { signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS) },
      );
    } catch (error) {
      throw new FlowError('exchange_failed', returnTo, isConnectorError(error) ? error.message : 'exchange failed');
    }

    const handle = result.handle ?? platform;
    let id: string;
    if (row.channelId) {
      // Reconnect: the channel keeps its id, posts and settings; the platform's facts win where it gave some.
      const existing = await this.#channels.get(p, row.channelId).catch(() => null);
      if (!existing) throw new FlowError('not_allowed', returnTo, 'channel gone');
      id = existing.id;
      await this.#channels.update(p, id, { handle: result.handle, settings: { ...existing.settings, ...result.settings } }, origin);
      await this.#channels.storeCredentials(row.orgId, id, result.credentials);
      await this.#channels.setStatus(row.orgId, id, 'active');
    } else {
      const created = await this.#channels.create(p, { personaId: row.personaId, platform, handle, settings: result.settings ?? {}, credentials: result.credentials }, origin);
      id = created.id;
    }
    const check = await this.runSetupCheck(row.orgId, id);
    await this.#db.withOrg(row.orgId, (tx) =>
      recordAudit(tx, auditBy(p), origin, {
        action: row.channelId ? 'channel.reconnected' : 'channel.connected',
        targetType: 'channel',
        targetId: id,
        details: { platform, via: 'oauth', credentials: Object.keys(result.credentials), setupOk: check.ok },
      }),
    );
    return { id, returnTo };
  }

  /** Runs the connector's setup checks (X: bio disclosure, Automated label) and keeps the answer for the UI. */
  async runSetupCheck(orgId: string, channelId: string): Promise<SetupCheck> {
    const account = await this.#channels.account(orgId, channelId);
    const connector = this.#connectors().has(account.platform) ? this.#connectors().get(account.platform) : null;
    let check: SetupCheck;
    try {
      const verdict = connector?.verify
        ? await connector.verify(account, {
            signal: AbortSignal.timeout(VERIFY_TIMEOUT_MS),
            onCredentials: (next) => this.#channels.storeCredentials(orgId, channelId, next),
          })
        : { ok: true, problems: [] };
      check = { ...verdict, checkedAt: new Date().toISOString() };
    } catch (error) {
      check = { ok: false, problems: [`The checks could not run: ${isConnectorError(error) ? error.message : 'unexpected error'}`], checkedAt: new Date().toISOString() };
    }
    await this.#db.withOrg(orgId, (tx) =>
      tx
        .insert(channelCache)
        .values({ orgId, channelId, key: SETUP_CHECK_KEY, value: check })
        .onConflictDoUpdate({ target: [channelCache.channelId, channelCache.key], set: { value: check, fetchedAt: new Date() } }),
    );
    return check;
  }

  /** The last setup check of a channel the caller can see (null: never checked). */
  async setupCheck(p: Principal, channelId: string): Promise<SetupCheck | null> {
    await this.#channels.get(p, channelId);
    return this.#db.withOrg(p.orgId, async (tx) => {
      const row = (await tx.select().from(channelCache).where(and(eq(channelCache.channelId, channelId), eq(channelCache.key, SETUP_CHECK_KEY))))[0];
      return row ? (row.value as SetupCheck) : null;
    });
  }

  /** Checks again now, for a channel the caller manages. */
  async recheck(p: Principal, channelId: string): Promise<SetupCheck> {
    await this.#channels.get(p, channelId);
    return this.runSetupCheck(p.orgId, channelId);
  }

  /** The starter as the guard would see them now (role and persona scope may have changed since start). */
  async #principalOf(orgId: string, userId: string | null): Promise<Principal | null> {
    // Started with an API key: the key was checked at start and the state lives ten minutes.
    if (!userId) return { orgId, role: 'admin', userId: null, apiKeyId: null, personaScope: null, sessionId: null };
    return this.#db.withOrg(orgId, async (tx) => {
      const member = (await tx.select().from(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId))))[0];
      if (!member) return null;
      const scoped = member.restrictedToAssigned && scopableRoles.has(member.role);
      const assigned = scoped ? await tx.select({ personaId: personaAssignments.personaId }).from(personaAssignments).where(eq(personaAssignments.userId, userId)) : [];
      return { orgId, role: member.role, userId, apiKeyId: null, personaScope: scoped ? assigned.map((a) => a.personaId) : null, sessionId: null };
    });
  }
}

function appSettings(app: { baseUrl?: string; authBaseUrl?: string }): Record<string, unknown> {
  return { ...(app.baseUrl ? { baseUrl: app.baseUrl } : {}), ...(app.authBaseUrl ? { authBaseUrl: app.authBaseUrl } : {}) };
}
