import type { Database } from '../platform/db/database.ts';
import type { Origin, Principal } from '../platform/auth/principal.ts';
import { canSeePersona } from '../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../platform/audit/audit.ts';
import { HttpError, notFound } from '../platform/http/problem.ts';
import * as repo from './personas.repository.ts';

export const ATTESTATION_TEXT =
  'I confirm this persona is fictional, an adult (18 or older), and not modelled on or resembling any real person.';

export interface PersonaInput {
  name: string;
  bio?: string | undefined;
  timezone: string;
  languages: string[];
  statedAge: number;
  attestation: { fictional: true; adult: true; notRealPerson: true };
}

export type PersonaPatch = Partial<Omit<PersonaInput, 'attestation'>>;

export interface Persona {
  id: string;
  name: string;
  bio: string;
  timezone: string;
  languages: string[];
  statedAge: number;
  attestation: { by: string; at: string; text: string };
  createdAt: string;
  updatedAt: string;
}

export class PersonasService {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  list(p: Principal): Promise<Persona[]> {
    return this.#db.withOrg(p.orgId, async (tx) => (await repo.list(tx, p.personaScope)).map(toPersona));
  }

  async get(p: Principal, id: string): Promise<Persona> {
    if (!canSeePersona(p, id)) throw notFound('persona');
    const row = await this.#db.withOrg(p.orgId, (tx) => repo.get(tx, id));
    if (!row) throw notFound('persona');
    return toPersona(row);
  }

  /**
   * Refuses (404) unless every id is a persona of the caller's organization that the caller may see.
   * Other capabilities call this before storing persona ids: foreign keys ignore RLS, so an id of
   * another organization would otherwise be accepted.
   */
  async assertVisible(p: Principal, ids: readonly string[]): Promise<void> {
    const unique = [...new Set(ids)];
    if (!unique.length) return;
    if (!unique.every((id) => canSeePersona(p, id))) throw notFound('persona');
    const found = await this.#db.withOrg(p.orgId, (tx) => repo.list(tx, unique));
    if (found.length !== unique.length) throw notFound('persona');
  }

  async create(p: Principal, input: PersonaInput, origin: Origin): Promise<Persona> {
    assertAdult(input.statedAge);
    const attestedBy = p.userId;
    // The attestation is a person's statement: an API key cannot make it.
    if (!attestedBy) throw new HttpError(403, 'attestation_needs_user', 'A signed-in user must attest a new persona');
    return this.#db.withOrg(p.orgId, async (tx) => {
      const row = await repo.insert(tx, {
        orgId: p.orgId,
        name: input.name,
        bio: input.bio ?? '',
        timezone: input.timezone,
        languages: input.languages,
        statedAge: input.statedAge,
        attestedBy,
        attestedAt: new Date(),
        attestationText: ATTESTATION_TEXT,
      });
      if (p.personaScope !== null && p.userId) await repo.assign(tx, p.orgId, p.userId, row.id);
      await recordAudit(tx, auditBy(p), origin, {
        action: 'persona.attested',
        targetType: 'persona',
        targetId: row.id,
        details: { name: row.name, statedAge: row.statedAge, text: ATTESTATION_TEXT },
      });
      return toPersona(row);
    });
  }

  async update(p: Principal, id: string, patch: PersonaPatch, origin: Origin): Promise<Persona> {
    if (!canSeePersona(p, id)) throw notFound('persona');
    if (patch.statedAge !== undefined) assertAdult(patch.statedAge);
    return this.#db.withOrg(p.orgId, async (tx) => {
      const row = await repo.update(tx, id, patch);
      if (!row) throw notFound('persona');
      await recordAudit(tx, auditBy(p), origin, { action: 'persona.updated', targetType: 'persona', targetId: id, details: { fields: Object.keys(patch) } });
      return toPersona(row);
    });
  }

  async remove(p: Principal, id: string, origin: Origin): Promise<void> {
    if (!canSeePersona(p, id)) throw notFound('persona');
    await this.#db.withOrg(p.orgId, async (tx) => {
      if (!(await repo.remove(tx, id))) throw notFound('persona');
      await recordAudit(tx, auditBy(p), origin, { action: 'persona.deleted', targetType: 'persona', targetId: id });
    });
  }
}

function assertAdult(age: number) {
  if (!Number.isInteger(age) || age < 18) {
    throw new HttpError(422, 'persona_not_adult', 'Personas are adults: the stated age must be 18 or more');
  }
}

function toPersona(row: repo.PersonaRow): Persona {
  return {
    id: row.id,
    name: row.name,
    bio: row.bio,
    timezone: row.timezone,
    languages: row.languages,
    statedAge: row.statedAge,
    attestation: { by: row.attestedBy, at: row.attestedAt.toISOString(), text: row.attestationText },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
