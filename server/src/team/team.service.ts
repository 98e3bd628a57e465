import type { Database } from '../platform/db/database.ts';
import type { Role } from '../platform/db/schema/index.ts';
import { users } from '../platform/db/schema/index.ts';
import type { Origin, Principal } from '../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../platform/audit/audit.ts';
import { HttpError, forbidden, notFound } from '../platform/http/problem.ts';
import { hashPassword } from '../platform/auth/passwords.ts';
import { findUserByEmail } from '../platform/auth/auth.repository.ts';
import type { AuthService } from '../platform/auth/auth.service.ts';
import { scopableRoles } from '../platform/auth/permissions.ts';
import { PersonasService } from '../personas/index.ts';
import * as repo from './team.repository.ts';

export interface MemberInput {
  email: string;
  displayName?: string | undefined;
  /** Needed only when the email has no account yet: the new member's initial password. */
  password?: string | undefined;
  role: Role;
  restrictedToAssigned?: boolean | undefined;
  personaIds?: string[] | undefined;
}

export class TeamService {
  readonly #db: Database;
  readonly #auth: AuthService;
  readonly #personas: PersonasService;
  constructor(db: Database, auth: AuthService, personas: PersonasService = new PersonasService(db)) {
    this.#db = db;
    this.#auth = auth;
    this.#personas = personas;
  }

  list(p: Principal) {
    return this.#db.withOrg(p.orgId, (tx) => repo.members(tx));
  }

  async add(p: Principal, input: MemberInput, origin: Origin) {
    guardOwnerRole(p, input.role);
    if (input.personaIds?.length) await this.#personas.assertVisible(p, input.personaIds);
    const restricted = (input.restrictedToAssigned ?? false) && scopableRoles.has(input.role);
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    // Finding or creating the identity spans organizations, so it runs outside the tenant scope;
    // the membership itself is written under RLS.
    const userId = await this.#db.withSystem(async (tx) => {
      const existing = await findUserByEmail(tx, input.email);
      if (existing) return existing.id;
      if (!passwordHash) throw new HttpError(422, 'password_required', 'This email has no account yet: give an initial password');
      const [row] = await tx
        .insert(users)
        .values({ email: input.email, displayName: input.displayName ?? input.email.split('@')[0]!, passwordHash })
        .returning({ id: users.id });
      return row!.id;
    });
    await this.#db.withOrg(p.orgId, async (tx) => {
      if (await repo.membership(tx, userId)) throw new HttpError(409, 'already_member', 'This person is already a member');
      await repo.addMembership(tx, p.orgId, userId, input.role, restricted);
      if (input.personaIds?.length) await repo.setAssignments(tx, p.orgId, userId, input.personaIds);
      await recordAudit(tx, auditBy(p), origin, { action: 'team.member_added', targetType: 'user', targetId: userId, details: { role: input.role } });
    });
    return { userId };
  }

  async update(p: Principal, userId: string, patch: { role?: Role | undefined; restrictedToAssigned?: boolean | undefined; personaIds?: string[] | undefined }, origin: Origin) {
    if (patch.personaIds?.length) await this.#personas.assertVisible(p, patch.personaIds);
    await this.#db.withOrg(p.orgId, async (tx) => {
      const current = await repo.membership(tx, userId);
      if (!current) throw notFound('member');
      if (current.role === 'owner' || patch.role === 'owner') guardOwnerRole(p, 'owner');
      if (current.role === 'owner' && patch.role && patch.role !== 'owner' && (await repo.countOwners(tx)) <= 1) {
        throw new HttpError(409, 'last_owner', 'An organization keeps at least one owner');
      }
      const role = patch.role ?? current.role;
      const restricted = (patch.restrictedToAssigned ?? current.restrictedToAssigned) && scopableRoles.has(role);
      await repo.updateMembership(tx, userId, { role, restrictedToAssigned: restricted });
      if (patch.personaIds) await repo.setAssignments(tx, p.orgId, userId, patch.personaIds);
      await recordAudit(tx, auditBy(p), origin, {
        action: 'team.member_updated',
        targetType: 'user',
        targetId: userId,
        details: { from: current.role, to: role, restricted, personaIds: patch.personaIds },
      });
    });
  }

  async remove(p: Principal, userId: string, origin: Origin) {
    await this.#db.withOrg(p.orgId, async (tx) => {
      const current = await repo.membership(tx, userId);
      if (!current) throw notFound('member');
      if (current.role === 'owner') {
        guardOwnerRole(p, 'owner');
        if ((await repo.countOwners(tx)) <= 1) throw new HttpError(409, 'last_owner', 'An organization keeps at least one owner');
      }
      await repo.setAssignments(tx, p.orgId, userId, []);
      await repo.removeMembership(tx, userId);
      await recordAudit(tx, auditBy(p), origin, { action: 'team.member_removed', targetType: 'user', targetId: userId });
    });
  }

  listApiKeys(p: Principal) {
    return this.#db.withOrg(p.orgId, (tx) => repo.listApiKeys(tx));
  }

  /** The key is shown once; only its hash is stored. */
  async createApiKey(p: Principal, input: { name: string; role: Role }, origin: Origin) {
    guardOwnerRole(p, input.role);
    const { key, prefix, hash } = this.#auth.newApiKey();
    const row = await this.#db.withOrg(p.orgId, async (tx) => {
      const created = await repo.insertApiKey(tx, { orgId: p.orgId, name: input.name, prefix, keyHash: hash, role: input.role, createdBy: p.userId });
      await recordAudit(tx, auditBy(p), origin, { action: 'apikey.created', targetType: 'api_key', targetId: created.id, details: { role: input.role } });
      return created;
    });
    return { ...row, key };
  }

  async revokeApiKey(p: Principal, id: string, origin: Origin) {
    await this.#db.withOrg(p.orgId, async (tx) => {
      if (!(await repo.revokeApiKey(tx, id))) throw notFound('API key');
      await recordAudit(tx, auditBy(p), origin, { action: 'apikey.revoked', targetType: 'api_key', targetId: id });
    });
  }
}

/** Only an owner can hand out or take away the owner role. */
function guardOwnerRole(p: Principal, role: Role) {
  if (role === 'owner' && p.role !== 'owner') throw forbidden('Only an owner can grant or change the owner role');
}
