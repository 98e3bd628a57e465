import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/me';
import { onLinkClick } from '../../app/router';
import { addDays, localToUtc, zoned } from '../../calendar/dates';
import type { CalendarFormat } from '../../calendar/format';
import { useCampaigns } from './queries';

/** PPV campaigns planned in the calendar's period, listed under it (they are messages, not posts). */
export function PpvOnCalendar({ personaId, from, days, timezone, format }: { personaId: string; from: string; days: number; timezone: string; format: CalendarFormat }) {
  const can = useCan();
  if (!can('sales:read')) return null;
  return <Campaigns personaId={personaId} from={from} days={days} timezone={timezone} format={format} />;
}

function Campaigns({ personaId, from, days, timezone, format }: { personaId: string; from: string; days: number; timezone: string; format: CalendarFormat }) {
  const { t } = useTranslation();
  const range = { from: localToUtc(from, '00:00', timezone).toISOString(), to: localToUtc(addDays(from, days), '00:00', timezone).toISOString() };
  const campaigns = useCampaigns(personaId, range);
  const items = (campaigns.data ?? []).filter((c) => c.scheduledAt && c.status !== 'cancelled' && zoned(c.scheduledAt, timezone).date >= from);
  if (!items.length) return null;
  return (
    <section className="panel crm-ppv-calendar" aria-labelledby="crm-ppv-calendar">
      <h2 id="crm-ppv-calendar">{t('crm.ppv.calendarTitle')}</h2>
      <ul>
        {items.map((c) => (
          <li key={c.id}>
            <a href="/sales/ppv" onClick={onLinkClick}>
              {format.when(c.scheduledAt!)}
            </a>{' '}
            <span className="badge">{t(`crm.ppv.status.${c.status}`)}</span> {c.message.slice(0, 80)}
          </li>
        ))}
      </ul>
    </section>
  );
}
