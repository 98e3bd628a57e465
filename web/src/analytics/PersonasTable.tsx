import { useTranslation } from 'react-i18next';
import { ErrorNote } from '../ui/ErrorNote';
import type { Figures } from './format';
import { usePersonasTable } from './queries';
import type { RangeChoice } from './range';

/** The agency table: each persona's figures over the range, with the agency's totals; a name opens her view. */
export function PersonasTable({ range, f, onOpen }: { range: RangeChoice; f: Figures; onOpen: (personaId: string) => void }) {
  const { t } = useTranslation();
  const table = usePersonasTable(range);
  const data = table.data;
  const currency = data?.reportingCurrency ?? 'EUR';
  const money = (v: number | null) => (data?.moneyHidden ? t('analytics.kpi.hidden') : f.money(v, currency));
  const cols = (k: NonNullable<typeof data>['totals']) => [
    money(k.revenueNetMinor),
    data?.moneyHidden ? t('analytics.kpi.hidden') : f.percent(k.roi),
    f.count(k.published),
    f.count(k.reach),
    f.percent(k.engagementRate),
    k.followers === null ? f.dash : `${f.count(k.followers)} (${f.signed(k.followerChange)})`,
    f.percent(k.conversionRate),
  ];
  const heads = ['revenue', 'roi', 'published', 'reach', 'engagement', 'followers', 'conversion'] as const;

  return (
    <section className="panel" aria-labelledby="an-personas-title">
      <h2 id="an-personas-title">{t('analytics.personas.title')}</h2>
      <ErrorNote error={table.error} />
      {data && data.items.length === 0 && <p className="muted">{t('analytics.personas.empty')}</p>}
      {data && data.items.length > 0 && (
        <div className="table-wrap">
          <table className="an-table" data-table="personas">
            <thead>
              <tr>
                <th scope="col">{t('analytics.personas.persona')}</th>
                {heads.map((h) => (
                  <th key={h} scope="col" className="num">
                    {t(`analytics.columns.${h}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.items.map((row) => (
                <tr key={row.personaId}>
                  <th scope="row">
                    <button type="button" className="link" onClick={() => onOpen(row.personaId)}>
                      {row.name}
                    </button>
                  </th>
                  {cols(row.kpis).map((c, i) => (
                    <td key={heads[i]} className="num">
                      {c}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t('analytics.personas.total')}</th>
                {cols(data.totals).map((c, i) => (
                  <td key={heads[i]} className="num">
                    {c}
                  </td>
                ))}
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </section>
  );
}
