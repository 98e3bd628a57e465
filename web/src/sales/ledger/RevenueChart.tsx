import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote } from '../../ui/ErrorNote';
import { useMoney } from '../catalogue/money';
import { useRevenue } from './queries';

const W = 720;
const H = 180;
const PAD = 24;
const DAY_MS = 86_400_000;

/** Net revenue per UTC day in the reporting currency, as plain SVG bars; a day missing a rate is marked. */
export function RevenueChart({ personaId }: { personaId: string }) {
  const { t } = useTranslation();
  const money = useMoney();
  const [days, setDays] = useState(30);
  const { from, to } = useMemo(() => {
    const end = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) + DAY_MS;
    return { from: new Date(end - days * DAY_MS).toISOString(), to: new Date(end).toISOString() };
  }, [days]);
  const revenue = useRevenue(personaId, from, to);
  const currency = revenue.data?.reportingCurrency ?? 'EUR';
  const series = useMemo(() => {
    const byDay = new Map((revenue.data?.days ?? []).map((d) => [d.day, d]));
    return Array.from({ length: days }, (_, i) => {
      const day = new Date(Date.parse(from) + i * DAY_MS).toISOString().slice(0, 10);
      const entry = byDay.get(day);
      return { day, net: entry?.converted?.netMinor ?? 0, missing: Boolean(entry && !entry.converted) };
    });
  }, [revenue.data, days, from]);
  const max = Math.max(1, ...series.map((s) => Math.abs(s.net)));
  const barW = (W - PAD * 2) / days;
  const zeroY = H - PAD - (series.some((s) => s.net < 0) ? (H - PAD * 2) / 2 : 0);
  const scale = (zeroY - PAD) / max;
  const total = revenue.data?.totals.converted;

  return (
    <section className="panel" aria-labelledby="ledger-chart-title">
      <div className="panel-head">
        <h2 id="ledger-chart-title">{t('billing.chart.title', { currency })}</h2>
        <div className="actions">
          {[30, 90].map((n) => (
            <button key={n} type="button" className={n === days ? 'selected' : undefined} aria-pressed={n === days} onClick={() => setDays(n)}>
              {t('billing.chart.days', { count: n })}
            </button>
          ))}
        </div>
      </div>
      <ErrorNote error={revenue.error} />
      {total && <p className="muted">{'netMinor' in total ? t('billing.chart.total', { amount: money(total.netMinor, total.currency) }) : t('billing.ledger.missingRate', { currency: total.error.currency, day: total.error.day })}</p>}
      <svg className="ledger-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('billing.chart.label', { days, currency })}>
        <line x1={PAD} x2={W - PAD} y1={zeroY} y2={zeroY} className="ledger-chart-axis" />
        {series.map((s, i) => {
          const h = Math.abs(s.net) * scale;
          const x = PAD + i * barW + 1;
          return (
            <g key={s.day}>
              <title>{`${s.day}: ${s.missing ? t('billing.chart.noRate') : money(s.net, currency)}`}</title>
              {s.missing ? (
                <rect x={x} y={PAD} width={Math.max(1, barW - 2)} height={zeroY - PAD} className="ledger-chart-missing" />
              ) : (
                <rect x={x} y={s.net >= 0 ? zeroY - h : zeroY} width={Math.max(1, barW - 2)} height={h} className={s.net >= 0 ? 'ledger-chart-bar' : 'ledger-chart-bar negative'} />
              )}
            </g>
          );
        })}
        <text x={PAD} y={H - 6} className="ledger-chart-label">
          {series[0]?.day}
        </text>
        <text x={W - PAD} y={H - 6} textAnchor="end" className="ledger-chart-label">
          {series[series.length - 1]?.day}
        </text>
      </svg>
    </section>
  );
}
