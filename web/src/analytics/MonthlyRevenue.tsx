import { useTranslation } from 'react-i18next';
import { Chart } from '../ui/Chart';
import { ErrorNote } from '../ui/ErrorNote';
import type { Figures } from './format';
import { useMonthly } from './queries';

/** The last twelve calendar months: net revenue as bars, with costs and ROI in the table below. */
export function MonthlyRevenue({ personaId, f }: { personaId: string | null; f: Figures }) {
  const { t } = useTranslation();
  const monthly = useMonthly(personaId);
  const data = monthly.data;
  if (data?.moneyHidden) return null;
  const currency = data?.reportingCurrency ?? 'EUR';
  const months = data?.months ?? [];
  return (
    <section className="panel" aria-labelledby="an-monthly-title">
      <h2 id="an-monthly-title">{t('analytics.monthly.title', { currency })}</h2>
      <ErrorNote error={monthly.error} />
      {data && !months.some((m) => m.revenueNetMinor || m.costMinor) && <p className="muted">{t('analytics.monthly.empty', { count: months.length })}</p>}
      {months.some((m) => m.revenueNetMinor || m.costMinor) && (
        <>
          <Chart
            title={t('analytics.monthly.title', { currency })}
            description={t('analytics.monthly.desc', { count: months.length, currency })}
            points={months.map((m) => ({ key: m.month, label: f.month(m.month), value: m.revenueNetMinor }))}
            format={(v) => f.money(Math.round(v), currency)}
            missing={t('analytics.charts.noRate')}
          />
          <details className="chart-table">
            <summary>{t('analytics.monthly.withCosts')}</summary>
            <div className="table-wrap">
            <table className="an-table" data-table="monthly">
              <thead>
                <tr>
                  <th scope="col">{t('analytics.monthly.month')}</th>
                  <th scope="col" className="num">
                    {t('analytics.columns.revenue')}
                  </th>
                  <th scope="col" className="num">
                    {t('analytics.monthly.costs')}
                  </th>
                  <th scope="col" className="num">
                    {t('analytics.columns.roi')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {[...months].reverse().map((m) => (
                  <tr key={m.month}>
                    <th scope="row">{f.month(m.month)}</th>
                    <td className="num">{f.money(m.revenueNetMinor, currency)}</td>
                    <td className="num">{f.money(m.costMinor, currency)}</td>
                    <td className="num">{f.percent(m.roi)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}
