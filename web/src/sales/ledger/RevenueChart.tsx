import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Chart } from '../../ui/Chart';
import { ErrorNote } from '../../ui/ErrorNote';
import { useMoney } from '../catalogue/money';
import { useRevenue } from './queries';

const DAY_MS = 86_400_000;

/** Net revenue per UTC day in the reporting currency, as bars (the shared chart); a day missing a rate is marked. */
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
      <Chart
        title={t('billing.chart.label', { days, currency })}
        description={t('billing.chart.title', { currency })}
        points={series.map((s) => ({ key: s.day, label: s.day, value: s.missing ? null : s.net }))}
        format={(v) => money(Math.round(v), currency)}
        missing={t('billing.chart.noRate')}
      />
    </section>
  );
}
