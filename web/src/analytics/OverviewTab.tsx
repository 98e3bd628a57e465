import { useTranslation } from 'react-i18next';
import { onLinkClick } from '../app/router';
import { useCan } from '../app/me';
import { ErrorNote } from '../ui/ErrorNote';
import { ChannelsTable } from './ChannelsTable';
import { useFigures } from './format';
import { KpiTiles } from './KpiTiles';
import { MonthlyRevenue } from './MonthlyRevenue';
import { PersonasTable } from './PersonasTable';
import { useKpiCatalogue, useOverview, type Overview } from './queries';
import type { RangeChoice } from './range';
import { TrendCharts } from './TrendCharts';

/** Nothing was published, counted or sold in the range: say what fills these pages. */
const isEmpty = (o: Overview) => o.kpis.published === 0 && o.kpis.failed === 0 && o.kpis.reach === 0 && o.kpis.followers === null && o.kpis.linkClicks === 0 && !o.kpis.revenueNetMinor && o.revenueByCurrency.length === 0;

/** KPIs, trends and tables for one persona, or for the agency when `personaId` is null. */
export function OverviewTab({ personaId, range, personaName, onOpenPersona }: { personaId: string | null; range: RangeChoice; personaName: (id: string) => string | null; onOpenPersona: (id: string) => void }) {
  const { t } = useTranslation();
  const can = useCan();
  const f = useFigures();
  const overview = useOverview(personaId, range);
  const catalogue = useKpiCatalogue();
  const data = overview.data;

  return (
    <div className="stack-lg" aria-busy={overview.isFetching}>
      <ErrorNote error={overview.error ?? catalogue.error} />
      {!data && !overview.error && (
        <p className="muted" role="status">
          {t('common.loading')}
        </p>
      )}
      {data && (
        <>
          <p className="muted small an-period">
            {t('analytics.period', { from: f.day(data.range.from), to: f.day(data.range.to), count: data.range.days, currency: data.reportingCurrency })}
          </p>
          {data.moneyHidden && <p className="muted">{t('analytics.moneyHidden')}</p>}
          {data.warnings.length > 0 && (
            <ul className="an-warnings" aria-label={t('analytics.warnings')}>
              {data.warnings.map((w, i) => (
                <li key={`${w.code}-${i}`}>{w.message}</li>
              ))}
            </ul>
          )}
          {isEmpty(data) && (
            <div className="panel an-empty" data-empty="overview">
              <h2>{t('analytics.empty.title')}</h2>
              <p>{t('analytics.empty.intro')}</p>
              <ul>
                {can('posts:read') && (
                  <li>
                    <a href="/calendar" onClick={onLinkClick}>
                      {t('analytics.empty.publish')}
                    </a>{' '}
                    <span className="muted">{t('analytics.empty.publishHint')}</span>
                  </li>
                )}
                {can('sales:read') && (
                  <li>
                    <a href="/sales/ledger" onClick={onLinkClick}>
                      {t('analytics.empty.sell')}
                    </a>{' '}
                    <span className="muted">{t('analytics.empty.sellHint')}</span>
                  </li>
                )}
              </ul>
              <p className="muted small">{t('analytics.empty.hourly')}</p>
            </div>
          )}
          <KpiTiles overview={data} catalogue={catalogue.data?.items ?? []} f={f} />
          {!data.moneyHidden && data.revenueByCurrency.length > 1 && (
            <p className="muted small" data-testid="by-currency">
              {t('analytics.byCurrency', { list: data.revenueByCurrency.map((c) => f.money(c.netMinor, c.currency)).join(' · ') })}
            </p>
          )}
          {!isEmpty(data) && <TrendCharts overview={data} f={f} />}
        </>
      )}
      {personaId === null && <PersonasTable range={range} f={f} onOpen={onOpenPersona} />}
      <ChannelsTable personaId={personaId} range={range} f={f} personaName={personaName} />
      {can('ledger:read') && <MonthlyRevenue personaId={personaId} f={f} />}
    </div>
  );
}
