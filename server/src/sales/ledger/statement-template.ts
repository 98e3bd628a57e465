import { formatMinor } from './money.ts';
import type { StatementTotals } from './statements.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Every value that reaches the page goes through here: names and descriptions are user text. */
export const escapeHtml = (value: unknown) => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const money = (minor: number, currency: string) => `${escapeHtml(formatMinor(minor, currency))}&nbsp;${escapeHtml(currency)}`;

const STYLE = `
  * { box-sizing: border-box; }
  body { font-family: 'DejaVu Sans', Arial, sans-serif; color: #1d1d1f; font-size: 11pt; margin: 0; }
  h1 { font-size: 18pt; margin: 0 0 4pt; }
  h2 { font-size: 12pt; margin: 18pt 0 6pt; border-bottom: 1px solid #ccc; padding-bottom: 3pt; }
  .muted { color: #666; }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: 4pt 6pt; border-bottom: 1px solid #eee; vertical-align: top; }
  th { font-weight: 600; background: #f6f6f6; }
  td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
  tr.total td { font-weight: 700; border-top: 2px solid #999; }
  .head { display: flex; justify-content: space-between; gap: 24pt; }
  .balance { margin-top: 16pt; font-size: 13pt; }
`;

/** The statement as a self-contained page (inline style, no script, no external resource). */
export function renderStatementHtml(t: StatementTotals): string {
  const r = t.reportingCurrency;
  const revenueRows = t.revenue.byCurrency
    .map((c) => `<tr><td>${escapeHtml(c.currency)}</td><td class="num">${c.count}</td><td class="num">${money(c.grossMinor, c.currency)}</td><td class="num">${money(c.feeMinor, c.currency)}</td><td class="num">${money(c.netMinor, c.currency)}</td></tr>`)
    .join('');
  const costRows = t.costs.lines
    .map(
      (l) =>
        `<tr><td>${escapeHtml(l.occurredOn)}</td><td>${escapeHtml(l.kind)}</td><td>${escapeHtml(l.description)}</td><td class="num">${money(l.amountMinor, l.currency)}</td><td class="num">${money(l.convertedMinor, r)}</td></tr>`,
    )
    .join('');
  const kindRows = t.costs.byKind.map((k) => `<tr><td>${escapeHtml(k.kind)}</td><td class="num">${money(k.convertedMinor, r)}</td></tr>`).join('');
  const subject = t.persona ? escapeHtml(t.persona.name) : 'All personas';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Statement ${escapeHtml(t.month)} · ${subject}</title><style>${STYLE}</style></head>
<body>
  <div class="head">
    <div><h1>Statement ${escapeHtml(t.month)}</h1><div>${subject}</div><div class="muted">${escapeHtml(t.from)} – ${escapeHtml(t.toInclusive)} (UTC) · amounts in ${escapeHtml(r)} unless shown otherwise</div></div>
    <div>${t.client ? `<strong>${escapeHtml(t.client.name)}</strong>${t.client.email ? `<div class="muted">${escapeHtml(t.client.email)}</div>` : ''}` : '<span class="muted">No billing profile</span>'}</div>
  </div>

  <h2>Revenue</h2>
  <table><thead><tr><th>Currency</th><th class="num">Transactions</th><th class="num">Gross</th><th class="num">Platform fees</th><th class="num">Net</th></tr></thead>
  <tbody>${revenueRows || '<tr><td colspan="5" class="muted">No transactions this month</td></tr>'}
  <tr class="total"><td>Total in ${escapeHtml(r)}</td><td></td><td class="num">${money(t.revenue.converted.grossMinor, r)}</td><td class="num">${money(t.revenue.converted.feeMinor, r)}</td><td class="num">${money(t.revenue.converted.netMinor, r)}</td></tr></tbody></table>

  <h2>Costs</h2>
  <table><thead><tr><th>Day</th><th>Kind</th><th>Description</th><th class="num">Amount</th><th class="num">In ${escapeHtml(r)}</th></tr></thead>
  <tbody>${costRows || '<tr><td colspan="5" class="muted">No costs this month</td></tr>'}</tbody></table>
  <table style="margin-top:8pt"><tbody>${kindRows}<tr class="total"><td>Total costs</td><td class="num">${money(t.costs.convertedMinor, r)}</td></tr></tbody></table>

  <h2>Summary</h2>
  <table><tbody>
    <tr><td>Net revenue</td><td class="num">${money(t.revenue.converted.netMinor, r)}</td></tr>
    <tr><td>Agency revenue share${t.revenueShare.bps !== null ? ` (${escapeHtml((t.revenueShare.bps / 100).toFixed(2))} %)` : ''}</td><td class="num">${money(-t.revenueShare.minor, r)}</td></tr>
    <tr><td>Costs</td><td class="num">${money(-t.costs.convertedMinor, r)}</td></tr>
    <tr class="total"><td>Balance due to the client</td><td class="num">${money(t.balanceMinor, r)}</td></tr>
  </tbody></table>
  <p class="muted">Figures are frozen as of ${escapeHtml(t.generatedAt)}. Amounts in other currencies are converted at the day's rate (nearest earlier day). Personas are fictional and AI-generated.</p>
</body></html>`;
}
