import { randomUUID } from 'node:crypto';
import { and, desc, eq, gte, inArray, lt } from 'drizzle-orm';
import type { Readable } from 'node:stream';
import type { Platform } from '../../platform/platform.ts';
import { billingProfiles, costLines, statements } from '../../platform/db/schema/index.ts';
import { canSeePersona, type Origin, type Principal } from '../../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../../platform/audit/audit.ts';
import { badRequest, forbidden, HttpError, notFound } from '../../platform/http/problem.ts';
import { PdfUnavailableError, renderPdf } from '../../platform/pdf/render.ts';
import type { PersonasService } from '../../personas/index.ts';
import { recordCost, type CostRecord } from './cost-lines.repository.ts';
import { isCurrency } from './money.ts';
import { reportingCurrency } from './rates.ts';
import { computeStatement, monthBounds, type StatementTotals } from './statements.ts';
import { renderStatementHtml } from './statement-template.ts';

const NONE = '00000000-0000-0000-0000-000000000000';

export interface ProfileInput {
  clientName: string;
  clientEmail?: string | null | undefined;
  revenueShareBps: number;
  infrastructureMinor: number;
}

export interface CostInput {
  personaId?: string | null | undefined;
  kind: CostRecord['kind'];
  description: string;
  amountMinor: number;
  currency: string;
  occurredOn: string;
}

type CostRow = typeof costLines.$inferSelect;
type StatementRow = typeof statements.$inferSelect;

const costView = (c: CostRow) => ({
  id: c.id,
  personaId: c.personaId,
  kind: c.kind,
  description: c.description,
  amountMinor: c.amountMinor,
  currency: c.currency,
  occurredOn: c.occurredOn,
  source: c.source,
  sourceId: c.sourceId,
  createdAt: c.createdAt.toISOString(),
});

const statementView = (s: StatementRow) => ({
  id: s.id,
  personaId: s.personaId,
  month: s.month.slice(0, 7),
  currency: s.currency,
  totals: s.totals as StatementTotals,
  hasHtml: Boolean(s.htmlKey),
  hasPdf: Boolean(s.pdfKey),
  createdAt: s.createdAt.toISOString(),
});

/** Agency billing: who each persona is billed to, what it cost, and the monthly statements. */
export class BillingService {
  readonly #platform: Platform;
  readonly #personas: PersonasService;
  constructor(platform: Platform, personas: PersonasService) {
    this.#platform = platform;
    this.#personas = personas;
  }

  async profile(p: Principal, personaId: string) {
    await this.#personas.assertVisible(p, [personaId]);
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const row = (await tx.select().from(billingProfiles).where(eq(billingProfiles.personaId, personaId)))[0];
      const currency = await reportingCurrency(tx, p.orgId);
      return {
        personaId,
        configured: Boolean(row),
        clientName: row?.clientName ?? '',
        clientEmail: row?.clientEmail ?? null,
        revenueShareBps: row?.revenueShareBps ?? 0,
        infrastructureMinor: row?.infrastructureMinor ?? 0,
        currency,
      };
    });
  }

  async setProfile(p: Principal, personaId: string, input: ProfileInput, origin: Origin) {
    await this.#personas.assertVisible(p, [personaId]);
    await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const values = { clientName: input.clientName, clientEmail: input.clientEmail ?? null, revenueShareBps: input.revenueShareBps, infrastructureMinor: input.infrastructureMinor };
      await tx
        .insert(billingProfiles)
        .values({ orgId: p.orgId, personaId, ...values })
        .onConflictDoUpdate({ target: billingProfiles.personaId, set: { ...values, updatedAt: new Date() } });
      await recordAudit(tx, auditBy(p), origin, { action: 'billing.profile_set', targetType: 'persona', targetId: personaId, details: { revenueShareBps: input.revenueShareBps, infrastructureMinor: input.infrastructureMinor } });
    });
    return this.profile(p, personaId);
  }

  async costs(p: Principal, q: { personaId?: string | undefined; month?: string | undefined; limit: number }) {
    if (q.personaId && !canSeePersona(p, q.personaId)) throw notFound('persona');
    const bounds = q.month ? monthBounds(q.month) : null;
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const rows = await tx
        .select()
        .from(costLines)
        .where(
          and(
            q.personaId ? eq(costLines.personaId, q.personaId) : undefined,
            // Org-wide lines (no persona) are for those who see every persona.
            p.personaScope ? inArray(costLines.personaId, p.personaScope.length ? p.personaScope : [NONE]) : undefined,
            bounds ? and(gte(costLines.occurredOn, bounds.fromDay), lt(costLines.occurredOn, bounds.toDay)) : undefined,
          ),
        )
        .orderBy(desc(costLines.occurredOn), desc(costLines.createdAt))
        .limit(q.limit);
      return { items: rows.map(costView) };
    });
  }

  async addCost(p: Principal, input: CostInput, origin: Origin) {
    if (input.personaId) await this.#personas.assertVisible(p, [input.personaId]);
    else if (p.personaScope) throw forbidden('Org-wide cost lines need access to every persona');
    const currency = input.currency.toUpperCase();
    if (!isCurrency(currency)) throw badRequest('invalid_currency', `${input.currency} is not an ISO 4217 currency`);
    if (input.amountMinor === 0) throw badRequest('invalid_amount', 'A cost line needs a non-zero amount');
    const sourceId = randomUUID();
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      await recordCost(tx, p.orgId, { personaId: input.personaId ?? null, kind: input.kind, description: input.description, amountMinor: input.amountMinor, currency, occurredOn: input.occurredOn, source: 'manual', sourceId, createdBy: p.userId });
      const row = (await tx.select().from(costLines).where(and(eq(costLines.source, 'manual'), eq(costLines.sourceId, sourceId))))[0]!;
      await recordAudit(tx, auditBy(p), origin, { action: 'billing.cost_added', targetType: 'cost_line', targetId: row.id, details: { kind: row.kind, amountMinor: row.amountMinor, currency } });
      return costView(row);
    });
  }

  /** Computes and freezes a month's statement, renders it (HTML always, PDF when Chromium is there) and stores both. */
  async createStatement(p: Principal, input: { month: string; personaId?: string | null | undefined }, origin: Origin) {
    let persona: { id: string; name: string } | null = null;
    if (input.personaId) {
      const found = await this.#personas.get(p, input.personaId);
      persona = { id: found.id, name: found.name };
    } else if (p.personaScope) throw forbidden('An organization-wide statement needs access to every persona');
    if (monthBounds(input.month).from.getTime() > Date.now()) throw badRequest('future_month', 'That month has not started yet');
    const { storage, env, db } = this.#platform;
    const totals = await db.withOrg(p.orgId, (tx) => computeStatement(tx, p.orgId, input.month, persona));
    const html = renderStatementHtml(totals);
    const htmlObject = await storage.put(p.orgId, Buffer.from(html, 'utf8'), { contentType: 'text/html; charset=utf-8', extension: '.html' });
    let pdfKey: string | null = null;
    let pdfError: string | null = null;
    try {
      pdfKey = (await storage.put(p.orgId, await renderPdf(html, { executablePath: env.CHROMIUM_PATH }), { contentType: 'application/pdf', extension: '.pdf' })).key;
    } catch (error) {
      if (!(error instanceof PdfUnavailableError)) throw error;
      pdfError = error.message;
      this.#platform.log.warn({ err: error }, 'statement PDF not rendered');
    }
    const row = await db.withOrg(p.orgId, async (tx) => {
      const [created] = await tx
        .insert(statements)
        .values({ orgId: p.orgId, personaId: persona?.id ?? null, month: `${input.month}-01`, currency: totals.reportingCurrency, totals, htmlKey: htmlObject.key, pdfKey, createdBy: p.userId })
        .returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'billing.statement_created', targetType: 'statement', targetId: created!.id, details: { month: input.month, personaId: persona?.id ?? null, balanceMinor: totals.balanceMinor } });
      return created!;
    });
    return { ...statementView(row), pdfError };
  }

  async statements(p: Principal, q: { personaId?: string | undefined; limit: number }) {
    if (q.personaId && !canSeePersona(p, q.personaId)) throw notFound('persona');
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const rows = await tx
        .select()
        .from(statements)
        .where(
          and(
            q.personaId ? eq(statements.personaId, q.personaId) : undefined,
            p.personaScope ? inArray(statements.personaId, p.personaScope.length ? p.personaScope : [NONE]) : undefined,
          ),
        )
        .orderBy(desc(statements.month), desc(statements.createdAt))
        .limit(q.limit);
      return { items: rows.map(statementView) };
    });
  }

  async document(p: Principal, id: string, kind: 'html' | 'pdf'): Promise<{ stream: Readable; filename: string }> {
    const row = await this.#platform.db.withOrg(p.orgId, async (tx) => (await tx.select().from(statements).where(eq(statements.id, id)))[0]);
    if (!row) throw notFound('statement');
    if (row.personaId ? !canSeePersona(p, row.personaId) : p.personaScope !== null) throw notFound('statement');
    const key = kind === 'html' ? row.htmlKey : row.pdfKey;
    if (!key) throw new HttpError(404, 'document_missing', kind === 'pdf' ? 'This statement has no PDF (Chromium was not available when it was made)' : 'This statement has no HTML');
    return { stream: await this.#platform.storage.stream(key), filename: `statement-${row.month.slice(0, 7)}-${row.id.slice(0, 8)}.${kind}` };
  }
}
