/**
 * A report as one self-contained HTML page: inline style, inline SVG charts, no script, nothing fetched.
 * The same page is stored, downloadable, e-mailed, and printed to PDF by headless Chromium.
 */
import { escapeHtml } from '../../sales/ledger/statement-template.ts';
import { formatMinor } from '../../sales/ledger/money.ts';
import type { Kpis } from '../kpis.ts';
import { barChart, lineChart } from './charts.ts';
import type { ReportData } from './report-data.ts';

const STYLE = `
  * { box-sizing: border-box; }
  body { font-family: 'DejaVu Sans', Arial, sans-serif; color: #1d1d1f; font-size: 10pt; margin: 0; }
  h1 { font-size: 17pt; margin: 0 0 3pt; }
  h2 { font-size: 12pt; margin: 16pt 0 6pt; border-bottom: 1px solid #ccc; padding-bottom: 3pt; page-break-after: avoid; }
  .muted { color: #666; }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: 3pt 6pt; border-bottom: 1px solid #eee; vertical-align: top; }
  th { font-weight: 600; background: #f6f6f6; }
  td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
  tr.total td { font-weight: 700; border-top: 2px solid #999; }
  .cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 6pt; }
  .card { border: 1px solid #e5e7eb; border-radius: 4pt; padding: 6pt 8pt; page-break-inside: avoid; }
  .card .label { color: #666; font-size: 8.5pt; }
  .card .value { font-size: 13pt; font-weight: 700; margin-top: 2pt; }
  .card .delta { font-size: 8.5pt; color: #666; }
  .up { color: #047857; } .down { color: #b91c1c; }
  .chart { margin: 8pt 0; page-break-inside: avoid; }
  .warn { background: #fff7ed; border: 1px solid #fdba74; padding: 6pt; margin: 8pt 0; }
`;

export const money = (minor: number | null, currency: string) => (minor === null ? '—' : `${formatMinor(minor, currency)} ${currency}`);
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
const int = (v: number | null) => (v === null ? '—' : new Intl.NumberFormat('en-US').format(v));
const secs = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)} s`);
const h = escapeHtml;

function delta(current: number | null, previous: number | null, higherIsBetter = true) {
  if (current === null || previous === null) return '';
  if (previous === 0) return current === 0 ? '<span class="delta">= previous</span>' : '<span class="delta">new</span>';
  const change = (current - previous) / Math.abs(previous);
  const good = change === 0 ? '' : (change > 0) === higherIsBetter ? 'up' : 'down';
  return `<span class="delta ${good}">${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} % vs previous</span>`;
}

function cards(k: Kpis, prev: Kpis, currency: string) {
  const items: [string, string, string][] = [
    ['Net revenue', money(k.revenueNetMinor, currency), delta(k.revenueNetMinor, prev.revenueNetMinor)],
    ['Costs', money(k.costMinor, currency), delta(k.costMinor, prev.costMinor, false)],
    ['ROI', pct(k.roi), delta(k.roi, prev.roi)],
    ['Reach (impressions)', int(k.reach), delta(k.reach, prev.reach)],
    ['Engagement rate', pct(k.engagementRate), delta(k.engagementRate, prev.engagementRate)],
    ['Follower growth', int(k.followerChange), delta(k.followerChange, prev.followerChange)],
    ['Posts published', `${int(k.published)} (${pct(k.publishSuccessRate)} ok)`, delta(k.published, prev.published)],
    ['Conversion (click → sub)', pct(k.conversionRate), delta(k.conversionRate, prev.conversionRate)],
    ['Generation time', secs(k.generationSeconds), delta(k.generationSeconds, prev.generationSeconds, false)],
    ['Chat latency', secs(k.chatLatencySeconds), delta(k.chatLatencySeconds, prev.chatLatencySeconds, false)],
    ['Error rate', pct(k.errorRate), delta(k.errorRate, prev.errorRate, false)],
    ['Availability', pct(k.availability), ''],
  ];
  return `<div class="cards">${items.map(([label, value, d]) => `<div class="card"><div class="label">${h(label)}</div><div class="value">${h(value)}</div>${d}</div>`).join('')}</div>`;
}

function periodLabel(d: ReportData) {
  if (d.kind === 'monthly') return new Date(`${d.period.from}T00:00:00Z`).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
  return d.period.from === d.period.to ? d.period.from : `${d.period.from} – ${d.period.to}`;
}

export function renderReportHtml(d: ReportData): string {
  const r = d.reportingCurrency;
  const subject = d.subject ? h(d.subject.name) : 'All personas (agency)';
  const labels = d.series.map((s) => s.day.slice(5));
  const moneyFormat = (v: number) => formatMinor(Math.round(v), r);
  const revenueRows = d.revenue.byCurrency
    .map((c) => `<tr><td>${h(c.currency)}</td><td class="num">${c.count}</td><td class="num">${h(money(c.grossMinor, c.currency))}</td><td class="num">${h(money(c.feeMinor, c.currency))}</td><td class="num">${h(money(c.netMinor, c.currency))}</td></tr>`)
    .join('');
  const converted = d.revenue.converted;
  const statement = d.statement
    ? `<h2>Costs and balance</h2><table><tbody>
        ${d.statement.costsByKind.map((c) => `<tr><td>Costs: ${h(c.kind)}</td><td class="num">${h(money(c.convertedMinor, r))}</td></tr>`).join('')}
        <tr><td>Total costs</td><td class="num">${h(money(d.statement.costsMinor, r))}</td></tr>
        <tr><td>Agency revenue share</td><td class="num">${h(money(d.statement.revenueShareMinor, r))}</td></tr>
        <tr class="total"><td>Balance (net revenue − share − costs)</td><td class="num">${h(money(d.statement.balanceMinor, r))}</td></tr>
      </tbody></table>`
    : '';
  const personas = d.personas.length
    ? `<h2>Per persona</h2><table><thead><tr><th>Persona</th><th class="num">Published</th><th class="num">Impressions</th><th class="num">Engagement</th><th class="num">Followers ±</th><th class="num">Net revenue</th></tr></thead><tbody>
        ${d.personas.map((p) => `<tr><td>${h(p.name)}</td><td class="num">${int(p.published)}</td><td class="num">${int(p.impressions)}</td><td class="num">${pct(p.engagementRate)}</td><td class="num">${int(p.followerChange)}</td><td class="num">${h(money(p.revenueNetMinor, r))}</td></tr>`).join('')}
      </tbody></table>`
    : '';
  const alerts = d.alerts.length
    ? `<h2>Alerts</h2><table><thead><tr><th>Severity</th><th>Alert</th><th>Opened</th><th>Resolved</th></tr></thead><tbody>
        ${d.alerts.map((a) => `<tr><td>${h(a.severity)}</td><td>${h(a.title)}</td><td>${h(a.openedAt.slice(0, 16).replace('T', ' '))}</td><td>${h(a.resolvedAt ? a.resolvedAt.slice(0, 16).replace('T', ' ') : 'open')}</td></tr>`).join('')}
      </tbody></table>`
    : '';
  const hours = d.bestHours ? `<h2>Best posting hours</h2><p>Learned from the last 90 days, local time (${h(d.subject?.timezone ?? '')}): ${d.bestHours.length ? h(d.bestHours.map((x) => `${String(x).padStart(2, '0')}:00`).join(', ')) : 'not enough posts yet'}.</p>` : '';
  const warnings = d.warnings.length ? `<div class="warn">${d.warnings.map((w) => h(w)).join('<br>')}</div>` : '';

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${h(d.title)} · ${subject} · ${h(periodLabel(d))}</title><style>${STYLE}</style></head>
<body>
  <h1>${h(d.title)} · ${h(periodLabel(d))}</h1>
  <div>${subject}</div>
  <div class="muted">${h(d.period.from)} – ${h(d.period.to)} (UTC days) · amounts in ${h(r)} unless shown otherwise · changes compare with the same number of days just before</div>
  ${warnings}
  <h2>Key figures</h2>
  ${cards(d.kpis, d.previous, r)}

  <h2>Revenue (Sales ledger)</h2>
  <table><thead><tr><th>Currency</th><th class="num">Transactions</th><th class="num">Gross</th><th class="num">Platform fees</th><th class="num">Net</th></tr></thead>
  <tbody>${revenueRows || '<tr><td colspan="5" class="muted">No transactions in this period</td></tr>'}
  <tr class="total"><td>Total in ${h(r)}</td><td></td><td class="num">${h(money(converted?.grossMinor ?? null, r))}</td><td class="num">${h(money(converted?.feeMinor ?? null, r))}</td><td class="num">${h(money(converted?.netMinor ?? null, r))}</td></tr></tbody></table>
  ${statement}

  <h2>Trends</h2>
  <div class="chart">${barChart(labels, d.series.map((s) => s.revenueNetMinor), { title: `Net revenue per day (${r})`, format: moneyFormat })}</div>
  <div class="chart">${lineChart(labels, [{ name: 'Impressions', values: d.series.map((s) => s.impressions) }, { name: 'Engagements', values: d.series.map((s) => s.engagements) }], { title: 'Reach and engagement per day', minStep: 1 })}</div>
  <div class="chart">${lineChart(labels, [{ name: 'Followers', values: d.series.map((s) => s.followers) }], { title: 'Followers (all channels)', minStep: 1 })}</div>
  ${personas}
  ${hours}
  ${alerts}
  <p class="muted">Generated ${h(d.generatedAt)} by Atelier. Revenue and costs come from the Sales ledger; other currencies are converted at each day's rate. Personas are fictional and AI-generated.</p>
</body></html>`;
}

/** A few lines for chat destinations and e-mail bodies. */
export function reportSummary(d: ReportData): string {
  const r = d.reportingCurrency;
  const k = d.kpis;
  return [
    `${d.title} · ${d.subject?.name ?? 'agency'} · ${periodLabel(d)}`,
    `Net revenue: ${money(d.revenue.converted?.netMinor ?? null, r)}`,
    `Reach: ${int(k.reach)} · engagement ${pct(k.engagementRate)} · followers ${k.followerChange >= 0 ? '+' : ''}${int(k.followerChange)}`,
    `Posts: ${int(k.published)} published, ${int(k.failed)} failed`,
    ...(d.statement ? [`Balance: ${money(d.statement.balanceMinor, r)}`] : []),
    ...(d.alerts.filter((a) => !a.resolvedAt).length ? [`Open alerts: ${d.alerts.filter((a) => !a.resolvedAt).length}`] : []),
  ].join('\n');
}
