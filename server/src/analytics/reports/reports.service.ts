/**
 * Reports: daily (yesterday, UTC), monthly (last calendar month) and each persona's weekly performance
 * review on the analysis day of her rhythm (the seed's Friday), made by a scheduled job at the hours the
 * organization's settings name, or on demand. A report is computed once (report-data.ts), rendered to a
 * self-contained HTML page and to PDF by headless Chromium, both stored, and frozen in analytics_reports
 * — one row per kind, subject and period (making it again replaces it). Then it is queued for delivery to
 * the destinations that take its kind.
 */
import { and, desc, eq, inArray, isNull, type SQL } from 'drizzle-orm';
import type { Readable } from 'node:stream';
import type { Platform } from '../../platform/platform.ts';
import { analyticsReports, organizations, type ReportKind } from '../../platform/db/schema/index.ts';
import type { Origin, Principal } from '../../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../../platform/audit/audit.ts';
import { badRequest, forbidden, HttpError, notFound } from '../../platform/http/problem.ts';
import { PdfUnavailableError, renderPdf } from '../../platform/pdf/render.ts';
import type { PersonasService } from '../../personas/index.ts';
import type { RhythmService } from '../../publishing/rhythm.service.ts';
import { localDay } from '../../publishing/time.ts';
import type { ReportingService } from '../../sales/ledger/reporting.service.ts';
import { addDays, dayString, utcDay } from '../range.ts';
import { systemPrincipal } from '../system.ts';
import type { RollupService } from '../rollups/rollup.service.ts';
import type { SettingsService } from '../settings.service.ts';
import type { DeliveryService } from '../delivery/delivery.service.ts';
import { computeReport, periodOf, type ReportData } from './report-data.ts';
import { renderReportHtml } from './template.ts';

export const REPORTS_JOB = 'analytics.reports';
/** Hourly, after the rollup (:41) of the same hour. */
export const REPORTS_SCHEDULE = '50 * * * *';

type Row = typeof analyticsReports.$inferSelect;

export function reportView(row: Row) {
  const data = row.data as ReportData;
  return {
    id: row.id,
    kind: row.kind,
    personaId: row.personaId,
    personaName: data.subject?.name ?? null,
    periodStart: row.periodStart,
    periodEnd: row.periodEnd,
    currency: row.currency,
    title: data.title,
    revenueNetMinor: data.revenue.converted?.netMinor ?? null,
    hasHtml: Boolean(row.htmlKey),
    hasPdf: Boolean(row.pdfKey),
    pdfError: row.pdfError,
    createdAt: row.createdAt.toISOString(),
  };
}

export interface ReportRequest {
  kind: ReportKind;
  /** daily: the day; weekly: its first day; monthly: YYYY-MM (or any day of it). */
  period: string;
  personaId?: string | null | undefined;
  deliver?: boolean | undefined;
}

interface Deps {
  personas: PersonasService;
  reporting: ReportingService;
  rollups: RollupService;
  settings: SettingsService;
  delivery: DeliveryService;
  rhythm: RhythmService;
}

export class ReportsService {
  readonly #platform: Platform;
  readonly #deps: Deps;
  constructor(platform: Platform, deps: Deps) {
    this.#platform = platform;
    this.#deps = deps;
  }

  register() {
    this.#platform.jobs.register({ name: REPORTS_JOB, schedule: REPORTS_SCHEDULE, options: { retryLimit: 0, expireInSeconds: 3600 }, handler: () => this.runScheduled(new Date()) });
  }

  /** Computes, renders, stores and records one report (replacing an earlier one of the same period). */
  async generate(orgId: string, kind: ReportKind, periodStart: string, persona: { id: string; name: string; timezone: string } | null, createdBy: string | null, now = new Date()) {
    const period = periodOf(kind, periodStart);
    // The period's figures are recomputed from their sources first: a report never shows stale money.
    await this.#deps.rollups.rebuild(orgId, period.previous.from, period.to);
    const data = await computeReport(this.#platform, this.#deps, orgId, kind, period, persona, now);
    const html = renderReportHtml(data);
    const { storage, env } = this.#platform;
    const htmlKey = (await storage.put(orgId, Buffer.from(html, 'utf8'), { contentType: 'text/html; charset=utf-8', extension: '.html' })).key;
    let pdfKey: string | null = null;
    let pdfError: string | null = null;
    try {
      pdfKey = (await storage.put(orgId, await renderPdf(html, { executablePath: env.CHROMIUM_PATH }), { contentType: 'application/pdf', extension: '.pdf' })).key;
    } catch (error) {
      if (!(error instanceof PdfUnavailableError)) throw error;
      pdfError = error.message;
      this.#platform.log.warn({ err: error }, 'report PDF not rendered');
    }
    return this.#platform.db.withOrg(orgId, async (tx) => {
      const values = { kind, personaId: persona?.id ?? null, periodStart: period.from, periodEnd: period.end, currency: data.reportingCurrency, data, htmlKey, pdfKey, pdfError, createdBy, createdAt: new Date() };
      const [row] = await tx
        .insert(analyticsReports)
        .values({ orgId, ...values })
        .onConflictDoUpdate({ target: [analyticsReports.orgId, analyticsReports.kind, analyticsReports.personaId, analyticsReports.periodStart], set: values })
        .returning();
      return row!;
    });
  }

  async create(p: Principal, body: ReportRequest, origin: Origin, now = new Date()) {
    let persona: { id: string; name: string; timezone: string } | null = null;
    if (body.personaId) {
      const found = await this.#deps.personas.get(p, body.personaId);
      persona = { id: found.id, name: found.name, timezone: found.timezone };
    } else if (p.personaScope) throw forbidden('An agency-wide report needs access to every persona');
    const start = periodStartOf(body.kind, body.period);
    if (start > utcDay(now)) throw badRequest('future_period', 'That period has not started yet');
    const row = await this.generate(p.orgId, body.kind, start, persona, p.userId, now);
    await this.#platform.db.withOrg(p.orgId, async (tx) => {
      await recordAudit(tx, auditBy(p), origin, { action: 'analytics.report_created', targetType: 'analytics_report', targetId: row.id, details: { kind: row.kind, periodStart: row.periodStart, personaId: row.personaId } });
      if (body.deliver) await this.#deps.delivery.queue(tx, p.orgId, { type: 'report', id: row.id, kind: row.kind });
    });
    return this.get(p, row.id);
  }

  async list(p: Principal, q: { kind?: ReportKind | undefined; personaId?: string | undefined; limit: number }) {
    if (q.personaId) await this.#deps.personas.get(p, q.personaId);
    const rows = await this.#platform.db.withOrg(p.orgId, (tx) =>
      tx
        .select()
        .from(analyticsReports)
        .where(and(q.kind ? eq(analyticsReports.kind, q.kind) : undefined, q.personaId ? eq(analyticsReports.personaId, q.personaId) : undefined, visibleTo(p)))
        .orderBy(desc(analyticsReports.periodStart), desc(analyticsReports.createdAt))
        .limit(q.limit),
    );
    return { items: rows.map(reportView) };
  }

  async get(p: Principal, id: string) {
    const row = await this.#own(p, id);
    return { ...reportView(row), data: row.data as ReportData, deliveries: await this.#deps.delivery.forSubject(p.orgId, row.id) };
  }

  async document(p: Principal, id: string, kind: 'html' | 'pdf'): Promise<{ stream: Readable; filename: string }> {
    const row = await this.#own(p, id);
    const key = kind === 'html' ? row.htmlKey : row.pdfKey;
    if (!key) throw new HttpError(404, 'document_missing', kind === 'pdf' ? `This report has no PDF${row.pdfError ? `: ${row.pdfError}` : ''}` : 'This report has no HTML');
    return { stream: await this.#platform.storage.stream(key), filename: `report-${row.kind}-${row.periodStart}-${row.id.slice(0, 8)}.${kind}` };
  }

  async deliver(p: Principal, id: string, origin: Origin) {
    const row = await this.#own(p, id);
    const queued = await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const n = await this.#deps.delivery.queue(tx, p.orgId, { type: 'report', id: row.id, kind: row.kind });
      await recordAudit(tx, auditBy(p), origin, { action: 'analytics.report_delivery_queued', targetType: 'analytics_report', targetId: id, details: { queued: n } });
      return n;
    });
    return { queued };
  }

  /** The scheduled round: every organization's due reports, made and queued for delivery. */
  async runScheduled(now = new Date()) {
    const orgs = await this.#platform.db.withSystem((tx) => tx.select({ id: organizations.id }).from(organizations));
    const made: { orgId: string; id: string; kind: ReportKind }[] = [];
    for (const org of orgs) {
      try {
        for (const due of await this.due(org.id, now)) {
          const row = await this.generate(org.id, due.kind, due.periodStart, due.persona, null, now);
          await this.#platform.db.withOrg(org.id, (tx) => this.#deps.delivery.queue(tx, org.id, { type: 'report', id: row.id, kind: row.kind }));
          made.push({ orgId: org.id, id: row.id, kind: row.kind });
        }
      } catch (error) {
        this.#platform.log.warn({ err: error, orgId: org.id }, 'scheduled reports failed for an organization');
      }
    }
    return made;
  }

  /** Reports whose time has come and that do not exist yet. */
  async due(orgId: string, now = new Date()) {
    const settings = await this.#deps.settings.forOrg(orgId);
    const p = systemPrincipal(orgId);
    const hour = now.getUTCHours();
    const today = utcDay(now);
    const personas = await this.#deps.personas.list(p);
    const wanted: { kind: ReportKind; periodStart: string; persona: { id: string; name: string; timezone: string } | null }[] = [];
    const subjects = [null, ...(settings.reports.perPersona ? personas : [])];
    if (settings.reports.daily.enabled && hour >= settings.reports.daily.hour) {
      for (const s of subjects) wanted.push({ kind: 'daily', periodStart: addDays(today, -1), persona: s && { id: s.id, name: s.name, timezone: s.timezone } });
    }
    if (settings.reports.monthly.enabled && hour >= settings.reports.monthly.hour) {
      const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
      for (const s of subjects) wanted.push({ kind: 'monthly', periodStart: lastMonth, persona: s && { id: s.id, name: s.name, timezone: s.timezone } });
    }
    if (settings.reports.weekly.enabled) {
      for (const persona of personas) {
        const rhythm = await this.#deps.rhythm.get(p, persona.id, now);
        if (rhythm.today.activity !== 'analysis') continue;
        if (Number(localDay(now, persona.timezone).time.slice(0, 2)) < settings.reports.weekly.hour) continue;
        // The seven UTC days before today: Friday's review covers the previous Friday to Thursday.
        wanted.push({ kind: 'weekly', periodStart: addDays(today, -7), persona: { id: persona.id, name: persona.name, timezone: persona.timezone } });
      }
    }
    if (!wanted.length) return [];
    const existing = await this.#platform.db.withOrg(orgId, (tx) =>
      tx
        .select({ kind: analyticsReports.kind, personaId: analyticsReports.personaId, periodStart: analyticsReports.periodStart })
        .from(analyticsReports)
        .where(inArray(analyticsReports.periodStart, [...new Set(wanted.map((w) => w.periodStart))])),
    );
    const have = new Set(existing.map((e) => `${e.kind}|${e.personaId ?? ''}|${e.periodStart}`));
    return wanted.filter((w) => !have.has(`${w.kind}|${w.persona?.id ?? ''}|${w.periodStart}`));
  }

  async #own(p: Principal, id: string) {
    const row = await this.#platform.db.withOrg(p.orgId, async (tx) => (await tx.select().from(analyticsReports).where(eq(analyticsReports.id, id)))[0]);
    if (!row) throw notFound('report');
    if (row.personaId ? p.personaScope !== null && !p.personaScope.includes(row.personaId) : p.personaScope !== null) throw notFound('report');
    return row;
  }
}

function visibleTo(p: Principal): SQL | undefined {
  if (p.personaScope === null) return undefined;
  return p.personaScope.length ? inArray(analyticsReports.personaId, p.personaScope) : isNull(analyticsReports.id);
}

/** The first day of the report's period from what a person typed (a day, or YYYY-MM for monthly). */
export function periodStartOf(kind: ReportKind, period: string): string {
  if (kind === 'monthly') {
    if (!/^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$/.test(period)) throw badRequest('invalid_period', 'A monthly report takes YYYY-MM');
    return `${period.slice(0, 7)}-01`;
  }
  if (!dayString.safeParse(period).success) throw badRequest('invalid_period', `A ${kind} report takes a day, YYYY-MM-DD`);
  return period;
}
