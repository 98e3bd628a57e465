/**
 * The figures a report shows, computed once and frozen in analytics_reports.data. KPIs come from the
 * rollups (refreshed for the period first); the revenue table comes straight from the Sales ledger's
 * reporting service and, for monthly reports, costs, agency share and balance from the ledger's monthly
 * statement computation — so a report's totals are the ledger's totals, to the cent.
 */
import { and, eq, gt, isNull, lt, or } from 'drizzle-orm';
import type { Platform } from '../../platform/platform.ts';
import { analyticsAlerts, type ReportKind } from '../../platform/db/schema/index.ts';
import { MissingRateError } from '../../sales/ledger/index.ts';
import type { ReportingService } from '../../sales/ledger/reporting.service.ts';
import { computeStatement } from '../../sales/ledger/statements.ts';
import type { CurrencyTotal } from '../../sales/ledger/transactions.repository.ts';
import type { PersonasService } from '../../personas/index.ts';
import { computeKpis, emptyFigures, type Kpis } from '../kpis.ts';
import { addDays, daysBetween, rangeOf, type Range } from '../range.ts';
import { readFigures } from '../rollups/read.ts';
import { availability } from '../alerts/availability.ts';
import { bestHours, loadHourFigures } from '../best-hours.ts';
import { systemPrincipal } from '../system.ts';

export interface ReportData {
  kind: ReportKind;
  title: string;
  subject: { personaId: string; name: string; timezone: string } | null;
  period: { from: string; to: string; end: string };
  reportingCurrency: string;
  generatedAt: string;
  kpis: Kpis;
  previous: Kpis;
  revenue: { byCurrency: CurrencyTotal[]; converted: { grossMinor: number; feeMinor: number; netMinor: number } | null; error: string | null };
  statement: { costsMinor: number; costsByKind: { kind: string; convertedMinor: number }[]; revenueShareMinor: number; balanceMinor: number } | null;
  personas: { personaId: string; name: string; published: number; impressions: number; engagementRate: number | null; followerChange: number; revenueNetMinor: number | null }[];
  series: { day: string; revenueNetMinor: number | null; impressions: number; engagements: number; followers: number | null }[];
  alerts: { rule: string; title: string; severity: string; openedAt: string; resolvedAt: string | null }[];
  bestHours: number[] | null;
  warnings: string[];
}

/** Shortest window a chart shows, so a daily report still shows a trend. */
const CHART_MIN_DAYS = 14;

const TITLES: Record<ReportKind, string> = { daily: 'Daily report', weekly: 'Weekly performance review', monthly: 'Monthly report' };

export function periodOf(kind: ReportKind, periodStart: string): Range {
  if (kind === 'daily') return rangeOf(periodStart, periodStart);
  if (kind === 'weekly') return rangeOf(periodStart, addDays(periodStart, 6));
  const [y, m] = periodStart.split('-').map(Number) as [number, number];
  return rangeOf(`${periodStart.slice(0, 7)}-01`, addDays(new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10), -1));
}

export async function computeReport(
  platform: Platform,
  deps: { reporting: ReportingService; personas: PersonasService },
  orgId: string,
  kind: ReportKind,
  period: Range,
  persona: { id: string; name: string; timezone: string } | null,
  now = new Date(),
): Promise<ReportData> {
  const p = systemPrincipal(orgId);
  const scope = { personaIds: persona ? [persona.id] : null };
  const chart = period.days.length >= CHART_MIN_DAYS ? period : rangeOf(addDays(period.end, -CHART_MIN_DAYS), period.to);
  const personas = persona ? [] : await deps.personas.list(p);
  const warnings: string[] = [];

  const ledger = await deps.reporting.revenue(p, { personaId: persona?.id, from: new Date(`${period.from}T00:00:00Z`), to: new Date(`${period.end}T00:00:00Z`) });
  const converted = 'error' in ledger.totals.converted ? null : ledger.totals.converted;
  if (!converted && 'error' in ledger.totals.converted) warnings.push(ledger.totals.converted.error.message);

  const figures = await platform.db.withOrg(orgId, async (tx) => {
    const current = await readFigures(tx, orgId, period, scope, 'total');
    const previous = await readFigures(tx, orgId, { from: period.previous.from, end: period.previous.end }, scope, 'total');
    const days = await readFigures(tx, orgId, chart, scope, 'day');
    const perPersona = persona ? null : await readFigures(tx, orgId, period, scope, 'persona');
    const up = persona ? null : await availability(tx, new Date(`${period.from}T00:00:00Z`), new Date(`${period.end}T00:00:00Z`), now);
    const upBefore = persona ? null : await availability(tx, new Date(`${period.previous.from}T00:00:00Z`), new Date(`${period.previous.end}T00:00:00Z`), now);
    const alerts = await tx
      .select()
      .from(analyticsAlerts)
      .where(
        and(
          lt(analyticsAlerts.openedAt, new Date(`${period.end}T00:00:00Z`)),
          or(isNull(analyticsAlerts.resolvedAt), gt(analyticsAlerts.resolvedAt, new Date(`${period.from}T00:00:00Z`))),
          persona ? or(eq(analyticsAlerts.personaId, persona.id), isNull(analyticsAlerts.personaId)) : undefined,
        ),
      )
      .orderBy(analyticsAlerts.openedAt)
      .limit(50);
    let statement: ReportData['statement'] = null;
    if (kind === 'monthly') {
      try {
        const s = await computeStatement(tx, orgId, period.from.slice(0, 7), persona ? { id: persona.id, name: persona.name } : null, now);
        statement = { costsMinor: s.costs.convertedMinor, costsByKind: s.costs.byKind, revenueShareMinor: s.revenueShare.minor, balanceMinor: s.balanceMinor };
      } catch (error) {
        if (!(error instanceof MissingRateError)) throw error;
        warnings.push(error.message);
      }
    }
    const hours = kind === 'weekly' && persona ? bestHours(await loadHourFigures(tx, persona.id, persona.timezone, new Date(`${addDays(period.end, -90)}T00:00:00Z`))).best : null;
    return { current, previous, days, perPersona, up, upBefore, alerts, statement, hours };
  });
  for (const w of figures.current.warnings) warnings.push(w.message);

  // The key figures show the ledger's own totals where the report has them (revenue, and a monthly statement's
  // costs), so no figure in the document differs from its section by a rounding of another conversion path.
  const ledgerFigures = {
    ...(converted ? { revenueNetMinor: converted.netMinor, revenueGrossMinor: converted.grossMinor } : {}),
    ...(figures.statement ? { costMinor: figures.statement.costsMinor } : {}),
  };
  const kpis = computeKpis({ ...(figures.current.figures.get('all') ?? emptyFigures()), availability: figures.up, ...ledgerFigures }, period.days.length);
  const previous = computeKpis({ ...(figures.previous.figures.get('all') ?? emptyFigures()), availability: figures.upBefore }, daysBetween(period.previous.from, period.previous.end));
  return {
    kind,
    title: TITLES[kind],
    subject: persona ? { personaId: persona.id, name: persona.name, timezone: persona.timezone } : null,
    period: { from: period.from, to: period.to, end: period.end },
    reportingCurrency: ledger.reportingCurrency,
    generatedAt: now.toISOString(),
    kpis,
    previous,
    revenue: { byCurrency: ledger.totals.byCurrency, converted: converted ? { grossMinor: converted.grossMinor, feeMinor: converted.feeMinor, netMinor: converted.netMinor } : null, error: converted ? null : (warnings[0] ?? null) },
    statement: figures.statement,
    personas: personas.map((x) => {
      const k = computeKpis(figures.perPersona?.figures.get(x.id) ?? emptyFigures(), period.days.length);
      return { personaId: x.id, name: x.name, published: k.published, impressions: k.impressions, engagementRate: k.engagementRate, followerChange: k.followerChange, revenueNetMinor: k.revenueNetMinor };
    }),
    series: chart.days.map((day) => {
      const f = figures.days.figures.get(day) ?? emptyFigures();
      return { day, revenueNetMinor: f.revenueNetMinor, impressions: f.impressions, engagements: f.engagements, followers: f.followers };
    }),
    alerts: figures.alerts.map((a) => ({ rule: a.rule, title: a.title, severity: a.severity, openedAt: a.openedAt.toISOString(), resolvedAt: a.resolvedAt?.toISOString() ?? null })),
    bestHours: figures.hours,
    warnings: [...new Set(warnings)],
  };
}
