import { useTranslation } from 'react-i18next';
import { PlatformMark } from '../calendar/badges';
import type { ChannelPlatform } from '../calendar/types';
import { ErrorNote } from '../ui/ErrorNote';
import type { Figures } from './format';
import { useChannelsTable } from './queries';
import type { RangeChoice } from './range';

/** Publishing, engagement and audience per channel over the range. */
export function ChannelsTable({ personaId, range, f, personaName }: { personaId: string | null; range: RangeChoice; f: Figures; personaName: (id: string) => string | null }) {
  const { t } = useTranslation();
  const table = useChannelsTable(personaId, range);
  const items = table.data?.items ?? [];
  return (
    <section className="panel" aria-labelledby="an-channels-title">
      <h2 id="an-channels-title">{t('analytics.channels.title')}</h2>
      <ErrorNote error={table.error} />
      {table.data && items.length === 0 && <p className="muted">{t('analytics.channels.empty')}</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="an-table" data-table="channels">
            <thead>
              <tr>
                <th scope="col">{t('analytics.channels.channel')}</th>
                {personaId === null && <th scope="col">{t('analytics.personas.persona')}</th>}
                <th scope="col" className="num">
                  {t('analytics.columns.published')}
                </th>
                <th scope="col" className="num">
                  {t('analytics.columns.failed')}
                </th>
                <th scope="col" className="num">
                  {t('analytics.columns.reach')}
                </th>
                <th scope="col" className="num">
                  {t('analytics.columns.engagement')}
                </th>
                <th scope="col" className="num">
                  {t('analytics.columns.followers')}
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.channelId}>
                  <th scope="row">
                    <PlatformMark platform={c.platform as ChannelPlatform} /> {c.handle}
                    {c.status === 'reconnect_needed' && <span className="badge an-badge-warn">{t('calendar.channels.status.reconnect_needed')}</span>}
                  </th>
                  {personaId === null && <td>{personaName(c.personaId) ?? f.dash}</td>}
                  <td className="num">{f.count(c.published)}</td>
                  <td className="num">{f.count(c.failed)}</td>
                  <td className="num">{f.count(c.impressions)}</td>
                  <td className="num">{f.percent(c.engagementRate)}</td>
                  <td className="num">{c.followers === null ? f.dash : `${f.count(c.followers)} (${f.signed(c.followerChange)})`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
