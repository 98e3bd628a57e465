import type { Database } from '../platform/db/database.ts';
import type { Origin, Principal } from '../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../platform/audit/audit.ts';
import { HttpError } from '../platform/http/problem.ts';
import { checkPrompt } from '../safety/prompt-gate.ts';

/**
 * The prompt gate as the studio applies it: every text that will reach a model, checked before any
 * job exists. A refusal is audited in its own transaction (it must survive the refused request) and
 * answered 422 with the reason.
 */
export class PromptGate {
  readonly #db: Database;
  readonly #denyNames: string[];
  constructor(db: Database, denyNames: string[]) {
    this.#db = db;
    this.#denyNames = denyNames;
  }

  async assert(p: Principal, origin: Origin, texts: { field: string; text: string }[], context: { personaId: string; purpose: string }) {
    for (const { field, text } of texts) {
      if (!text) continue;
      const verdict = checkPrompt(text, { denyNames: this.#denyNames });
      if (verdict.ok) continue;
      await this.#db.withOrg(p.orgId, (tx) =>
        recordAudit(tx, auditBy(p), origin, {
          action: 'safety.prompt_refused',
          targetType: 'persona',
          targetId: context.personaId,
          details: { reason: verdict.reason, field, purpose: context.purpose, matched: verdict.matched },
        }),
      );
      throw new HttpError(422, verdict.reason === 'real_person' ? 'prompt_real_person' : 'prompt_refused', verdict.message, {
        reason: verdict.reason,
        field,
      });
    }
  }
}

/** The configured deny-list: names separated by commas or new lines (env, or a file it points to). */
export function parseDenyNames(...sources: (string | undefined)[]): string[] {
  return sources
    .flatMap((s) => (s ?? '').split(/[,\n]/))
    .map((n) => n.trim())
    .filter((n) => n && !n.startsWith('#'));
}
