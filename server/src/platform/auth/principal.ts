import type { Role } from '../db/schema/index.ts';

/** Who is calling, for which organization. Every service call takes one. */
export interface Principal {
  orgId: string;
  role: Role;
  userId: string | null;
  apiKeyId: string | null;
  /** null: every persona of the org; otherwise only these (restricted managers/chatters). */
  personaScope: string[] | null;
  /** Refresh-token family of the session, when signed in interactively. */
  sessionId: string | null;
}

/** Where a call came from, for the audit log. */
export interface Origin {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export function canSeePersona(p: Principal, personaId: string): boolean {
  return p.personaScope === null || p.personaScope.includes(personaId);
}
