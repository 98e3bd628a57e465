import { randomUUID } from 'node:crypto';
import { generate as totpGenerate, generateSecret, generateURI, verify as totpVerify } from 'otplib';
import type { Env } from '../config/env.ts';
import type { Database, Tx } from '../db/database.ts';
import { memberships, organizations, users } from '../db/schema/index.ts';
import type { Role } from '../db/schema/index.ts';
import type { Keyring } from '../secrets/keyring.ts';
import { openInline, sealInline, totpAad } from '../secrets/secret-store.ts';
import { HttpError, unauthorized } from '../http/problem.ts';
import { recordAudit } from '../audit/audit.ts';
import * as repo from './auth.repository.ts';
import { dummyHash, hashPassword, verifyPassword } from './passwords.ts';
import type { Origin, Principal } from './principal.ts';
import { scopableRoles } from './permissions.ts';
import { AccessTokens, hashToken, randomToken, safeEqual } from './tokens.ts';

export interface Session {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: Date;
  userId: string;
  orgId: string;
  role: Role;
}

export const API_KEY_PREFIX = 'atk_';

const invalidCredentials = () => unauthorized('Email or password is incorrect', 'invalid_credentials');

export class AuthService {
  readonly tokens: AccessTokens;
  readonly #db: Database;
  readonly #env: Env;
  readonly #keyring: Keyring;
  readonly #hash = hashToken;

  constructor(db: Database, env: Env, keyring: Keyring) {
    this.#db = db;
    this.#env = env;
    this.#keyring = keyring;
    this.tokens = new AccessTokens(keyring.derive('jwt'), env.ACCESS_TOKEN_TTL_SECONDS);
  }

  async login(input: { email: string; password: string; totp?: string | undefined; orgId?: string | undefined }, origin: Origin): Promise<Session> {
    // Outcomes (failure counts, lockout, audit) must persist even when the login is refused, so the
    // transaction returns a verdict instead of throwing inside it.
    const verdict = await this.#db.withSystem(async (tx) => {
      const user = await repo.findUserByEmail(tx, input.email);
      if (!user) {
        await verifyPassword(dummyHash, input.password);
        await recordAudit(tx, { orgId: null }, origin, { action: 'auth.login_failed', details: { reason: 'unknown_email' } });
        return { error: invalidCredentials() };
      }
      const orgs = await repo.membershipsOf(tx, user.id);
      const auditOrg = orgs[0]?.orgId ?? null;
      const actor = { orgId: auditOrg, userId: user.id };
      if (user.lockedUntil && user.lockedUntil > new Date()) {
        await recordAudit(tx, actor, origin, { action: 'auth.login_locked', targetType: 'user', targetId: user.id });
        return { error: locked(user.lockedUntil) };
      }
      const fail = async (reason: string, error: HttpError) => {
        const nowLocked = await repo.recordFailure(tx, user.id, this.#env.LOGIN_MAX_FAILURES, this.#env.LOGIN_LOCKOUT_MINUTES);
        await recordAudit(tx, actor, origin, { action: 'auth.login_failed', targetType: 'user', targetId: user.id, details: { reason } });
        if (nowLocked) await recordAudit(tx, actor, origin, { action: 'auth.lockout', targetType: 'user', targetId: user.id });
        return { error };
      };
      if (!(await verifyPassword(user.passwordHash, input.password))) return fail('bad_password', invalidCredentials());
      if (user.totpEnabled) {
        if (!input.totp) return { error: new HttpError(401, 'totp_required', 'Enter the code from your authenticator app') };
        if (!(await this.#checkTotp(user.id, user.totpSecret, input.totp))) {
          return fail('bad_totp', new HttpError(401, 'totp_invalid', 'That code is not valid'));
        }
      }
      const membership = input.orgId ? orgs.find((o) => o.orgId === input.orgId) : orgs[0];
      if (!membership) {
        return { error: new HttpError(403, 'no_organization', 'This account belongs to no organization') };
      }
      await repo.clearFailures(tx, user.id);
      const session = await this.#startSession(tx, user.id, membership.orgId, membership.role, randomUUID());
      await recordAudit(tx, { orgId: membership.orgId, userId: user.id }, origin, { action: 'auth.login' });
      return { session };
    });
    if ('error' in verdict) throw verdict.error;
    return verdict.session;
  }

  async refresh(refreshToken: string, origin: Origin): Promise<Session> {
    const verdict = await this.#db.withSystem(async (tx) => {
      const row = await repo.findRefresh(tx, this.#hash(refreshToken));
      if (!row) return { error: unauthorized('Session expired, sign in again', 'invalid_refresh') };
      const actor = { orgId: row.orgId, userId: row.userId };
      if (row.usedAt || row.revokedAt || !(await repo.consumeRefresh(tx, row.id))) {
        // A used token coming back means it was copied: end every session of that family.
        await repo.revokeFamily(tx, row.familyId);
        await recordAudit(tx, actor, origin, { action: 'auth.refresh_reuse', targetType: 'session', targetId: row.familyId });
        return { error: unauthorized('Session was revoked, sign in again', 'refresh_reused') };
      }
      if (row.expiresAt < new Date()) return { error: unauthorized('Session expired, sign in again', 'invalid_refresh') };
      const facts = await repo.sessionFacts(tx, row.userId, row.orgId, row.familyId);
      if (!facts) return { error: unauthorized('No longer a member of this organization', 'invalid_refresh') };
      return { session: await this.#startSession(tx, row.userId, row.orgId, facts.role, row.familyId) };
    });
    if ('error' in verdict) throw verdict.error;
    return verdict.session;
  }

  async logout(refreshToken: string | undefined, principal: Principal | null, origin: Origin): Promise<void> {
    await this.#db.withSystem(async (tx) => {
      const row = refreshToken ? await repo.findRefresh(tx, this.#hash(refreshToken)) : undefined;
      const family = row?.familyId ?? principal?.sessionId;
      if (!family) return;
      await repo.revokeFamily(tx, family);
      await recordAudit(tx, { orgId: row?.orgId ?? principal?.orgId ?? null, userId: row?.userId ?? principal?.userId ?? null }, origin, {
        action: 'auth.logout',
      });
    });
  }

  /** A new session for the same user in another of their organizations. */
  async switchOrg(principal: Principal, orgId: string, origin: Origin): Promise<Session> {
    if (!principal.userId) throw new HttpError(400, 'not_a_user', 'API keys belong to one organization');
    const userId = principal.userId;
    return this.#db.withSystem(async (tx) => {
      const target = (await repo.membershipsOf(tx, userId)).find((m) => m.orgId === orgId);
      if (!target) throw new HttpError(404, 'not_found', 'No such organization');
      if (principal.sessionId) await repo.revokeFamily(tx, principal.sessionId);
      const session = await this.#startSession(tx, userId, orgId, target.role, randomUUID());
      await recordAudit(tx, { orgId, userId }, origin, { action: 'auth.switch_org' });
      return session;
    });
  }

  /** Resolves a bearer credential (access token or API key) to a principal, or null. */
  async authenticate(bearer: string): Promise<Principal | null> {
    if (bearer.startsWith(API_KEY_PREFIX)) return this.#authenticateApiKey(bearer);
    const claims = await this.tokens.verify(bearer);
    if (!claims) return null;
    const facts = await this.#db.withSystem((tx) => repo.sessionFacts(tx, claims.sub, claims.org, claims.sid));
    if (!facts || facts.revoked) return null;
    return {
      orgId: claims.org,
      role: facts.role,
      userId: claims.sub,
      apiKeyId: null,
      sessionId: claims.sid,
      personaScope: facts.restricted && scopableRoles.has(facts.role) ? facts.personaIds : null,
    };
  }

  async #authenticateApiKey(key: string): Promise<Principal | null> {
    const prefix = key.slice(0, API_KEY_PREFIX.length + 8);
    return this.#db.withSystem(async (tx) => {
      const row = await repo.findApiKeyByPrefix(tx, prefix);
      if (!row || row.revokedAt || !safeEqual(row.keyHash, this.#hash(key))) return null;
      await repo.touchApiKey(tx, row.id);
      return { orgId: row.orgId, role: row.role, userId: null, apiKeyId: row.id, sessionId: null, personaScope: null };
    });
  }

  newApiKey(): { key: string; prefix: string; hash: string } {
    const key = API_KEY_PREFIX + randomToken(30);
    return { key, prefix: key.slice(0, API_KEY_PREFIX.length + 8), hash: this.#hash(key) };
  }

  async totpSetup(principal: Principal, origin: Origin) {
    const userId = requireUser(principal);
    return this.#db.withSystem(async (tx) => {
      const user = await repo.findUser(tx, userId);
      if (!user) throw unauthorized();
      if (user.totpEnabled) throw new HttpError(409, 'totp_already_enabled', 'Two-factor authentication is already on');
      const secret = generateSecret();
      await repo.setTotp(tx, userId, sealInline(this.#keyring, secret, totpAad(userId)), false);
      await recordAudit(tx, { orgId: principal.orgId, userId }, origin, { action: 'auth.totp_setup' });
      return { secret, otpauthUrl: generateURI({ secret, issuer: 'Atelier', label: user.email }) };
    });
  }

  async totpEnable(principal: Principal, code: string, origin: Origin) {
    await this.#totpChange(principal, code, true, origin);
  }

  async totpDisable(principal: Principal, code: string, origin: Origin) {
    await this.#totpChange(principal, code, false, origin);
  }

  async #totpChange(principal: Principal, code: string, enable: boolean, origin: Origin) {
    const userId = requireUser(principal);
    const verdict = await this.#db.withSystem(async (tx) => {
      const user = await repo.findUser(tx, userId);
      if (!user?.totpSecret) return { error: new HttpError(409, 'totp_not_set_up', 'Start two-factor setup first') };
      if (user.totpEnabled === enable) return { ok: true };
      if (!(await this.#checkTotp(userId, user.totpSecret, code))) {
        await recordAudit(tx, { orgId: principal.orgId, userId }, origin, { action: 'auth.totp_failed' });
        return { error: new HttpError(400, 'totp_invalid', 'That code is not valid') };
      }
      await repo.setTotp(tx, userId, enable ? user.totpSecret : null, enable);
      await recordAudit(tx, { orgId: principal.orgId, userId }, origin, { action: enable ? 'auth.totp_enabled' : 'auth.totp_disabled' });
      return { ok: true };
    });
    if ('error' in verdict && verdict.error) throw verdict.error;
  }

  async #checkTotp(userId: string, sealedSecret: string | null, code: string): Promise<boolean> {
    if (!sealedSecret || !/^\d{6}$/.test(code)) return false;
    const secret = openInline(this.#keyring, sealedSecret, totpAad(userId));
    // One step of clock drift either way: phones are rarely exact.
    return (await totpVerify({ secret, token: code, epochTolerance: 30 })).valid;
  }

  /** Test and CLI helper: the current code for a user's secret. */
  static currentTotp(secret: string) {
    return totpGenerate({ secret });
  }

  async #startSession(tx: Tx, userId: string, orgId: string, role: Role, familyId: string): Promise<Session> {
    const refreshToken = randomToken();
    const refreshExpiresAt = new Date(Date.now() + this.#env.REFRESH_TOKEN_TTL_DAYS * 86_400_000);
    await repo.insertRefresh(tx, { userId, orgId, familyId, tokenHash: this.#hash(refreshToken), expiresAt: refreshExpiresAt });
    const accessToken = await this.tokens.sign({ sub: userId, org: orgId, role, sid: familyId });
    return { accessToken, expiresIn: this.tokens.ttlSeconds, refreshToken, refreshExpiresAt, userId, orgId, role };
  }

  /** Own profile: name and interface language. Users are global rows, so this runs outside any tenant. */
  async updateProfile(principal: Principal, patch: { displayName?: string | undefined; locale?: string | undefined }, origin: Origin) {
    const userId = requireUser(principal);
    await this.#db.withSystem(async (tx) => {
      await repo.updateProfile(tx, userId, patch);
      await recordAudit(tx, { orgId: principal.orgId, userId }, origin, { action: 'user.profile_updated', details: { fields: Object.keys(patch) } });
    });
  }

  async needsSetup(): Promise<boolean> {
    return (await this.#db.withSystem((tx) => repo.countUsers(tx))) === 0;
  }

  /**
   * Creates an organization with its first owner. Used by the CLI (`create-admin`) at any time and by
   * the first-run setup page only while no user exists.
   */
  async createOrgWithOwner(
    input: { orgName: string; email: string; password: string; displayName?: string | undefined; locale?: string | undefined },
    origin: Origin,
    opts: { onlyIfEmpty?: boolean } = {},
  ) {
    const passwordHash = await hashPassword(input.password);
    return this.#db.withSystem(async (tx) => {
      if (opts.onlyIfEmpty && (await repo.countUsers(tx)) > 0) {
        throw new HttpError(409, 'already_set_up', 'Atelier is already set up: sign in instead');
      }
      if (await repo.findUserByEmail(tx, input.email)) throw new HttpError(409, 'email_taken', 'A user with this email exists');
      const [org] = await tx.insert(organizations).values({ name: input.orgName }).returning();
      const [user] = await tx
        .insert(users)
        .values({ email: input.email, displayName: input.displayName ?? input.email.split('@')[0]!, passwordHash, locale: input.locale ?? 'en' })
        .returning();
      await tx.insert(memberships).values({ orgId: org!.id, userId: user!.id, role: 'owner' });
      await recordAudit(tx, { orgId: org!.id, userId: user!.id }, origin, { action: 'org.created', targetType: 'organization', targetId: org!.id });
      return { orgId: org!.id, userId: user!.id };
    });
  }
}

function requireUser(p: Principal): string {
  if (!p.userId) throw new HttpError(400, 'not_a_user', 'This needs a signed-in user, not an API key');
  return p.userId;
}

function locked(until: Date) {
  const retryAfterSeconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  return new HttpError(423, 'account_locked', 'Too many failed sign-ins: try again later', { retryAfterSeconds });
}
