import { useTranslation } from 'react-i18next';
import { Chart } from '../ui/Chart';
import type { Figures } from './format';
import type { Overview } from './queries';

/** Daily revenue, engagement and followers over the range, each readable as a table too. */
export function TrendCharts({ overview, f }: { overview: Overview; f: Figures }) {
  const { t } = useTranslation();
  const { series, reportingCurrency: currency, range } = overview;
  const points = (pick: (p: Overview['series'][number]) => number | null) => series.map((p) => ({ key: p.day, label: f.day(p.day), value: pick(p) }));
  const span = { from: f.day(range.from), to: f.day(range.to) };
  const table = (valueHeader: string) => ({ summary: t('analytics.charts.asTable'), labelHeader: t('analytics.charts.day'), valueHeader });

  const charts = [
    !overview.moneyHidden && {
      id: 'revenue',
      heading: t('analytics.charts.revenue', { currency }),
      node: (
        <Chart
          title={t('analytics.charts.revenue', { currency })}
          description={t('analytics.charts.revenueDesc', { ...span, currency })}
          points={points((p) => p.revenueNetMinor)}
          format={(v) => f.money(Math.round(v), currency)}
          missing={t('analytics.charts.noRate')}
          table={table(t('analytics.charts.revenueShort'))}
        />
      ),
    },
    {
      id: 'engagement',
      heading: t('analytics.charts.engagement'),
      node: (
        <Chart
          kind="line"
          title={t('analytics.charts.engagement')}
          description={t('analytics.charts.engagementDesc', span)}
          points={points((p) => p.engagementRate)}
          format={(v) => f.percent(v)}
          missing={t('analytics.charts.noImpressions')}
          table={table(t('analytics.charts.engagementShort'))}
        />
      ),
    },
    {
      id: 'followers',
      heading: t('analytics.charts.followers'),
      node: (
        <Chart
          kind="line"
          zeroBased={false}
          title={t('analytics.charts.followers')}
          description={t('analytics.charts.followersDesc', span)}
          points={points((p) => p.followers)}
          format={(v) => f.count(Math.round(v))}
          missing={t('analytics.charts.notCounted')}
          table={table(t('analytics.charts.followersShort'))}
        />
      ),
    },
    {
      id: 'reach',
      heading: t('analytics.charts.reach'),
      node: (
        <Chart
          title={t('analytics.charts.reach')}
          description={t('analytics.charts.reachDesc', span)}
          points={points((p) => p.impressions)}
          format={(v) => f.count(Math.round(v))}
          table={table(t('analytics.charts.reachShort'))}
        />
      ),
    },
  ].filter((c) => c !== false);

  return (
    <div className="an-charts">
      {charts.map((c) => (
        <section key={c.id} className="panel an-chart" aria-labelledby={`an-chart-${c.id}`} data-chart={c.id}>
          <h3 id={`an-chart-${c.id}`}>{c.heading}</h3>
          {c.node}
        </section>
      ))}
    </div>
  );
}
