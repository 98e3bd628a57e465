import { useTranslation } from 'react-i18next';
import { onLinkClick } from '../app/router';
import { TabNav, usePermittedTab, type TabDef } from '../ui/TabNav';
import { useSelectedPersona } from '../personas/selection';
import { ChannelsSection } from './ChannelsSection';
import { PlannerView } from './PlannerView';
import { SlotsSection } from './SlotsEditor';

type Tab = 'planner' | 'slots' | 'channels';
const tabs: TabDef<Tab>[] = [
  { id: 'planner', path: '/calendar', needs: 'posts:read' },
  { id: 'slots', path: '/calendar/slots', needs: 'posts:read' },
  { id: 'channels', path: '/calendar/channels', needs: 'channels:read' },
];

/** Planning for the persona chosen in the header: her calendar, her posting rhythm, her channels. */
export function CalendarPage({ path }: { path: string }) {
  const { t } = useTranslation();
  const { persona, personas } = useSelectedPersona();
  const { visible, current } = usePermittedTab(tabs, path);

  return (
    <section className="page page-wide">
      <h1>
        {t('nav.calendar')}
        {persona && <span className="title-persona"> · {persona.name}</span>}
      </h1>
      {persona ? (
        <>
          <TabNav
            label={t('calendar.tabsLabel')}
            tabs={visible}
            current={current}
            title={(id) => t(`calendar.tabs.${id}`)}
          />
          {/* Keyed by persona: nothing of one persona's period or drafts carries over to another. */}
          {current?.id === 'planner' && <PlannerView key={persona.id} persona={persona} />}
          {current?.id === 'slots' && <SlotsSection persona={persona} />}
          {current?.id === 'channels' && <ChannelsSection key={persona.id} persona={persona} />}
        </>
      ) : (
        <div className="panel">
          <p className="muted">{personas.length === 0 ? t('calendar.noPersona') : t('common.loading')}</p>
          {personas.length === 0 && (
            <a href="/personas" onClick={onLinkClick}>
              {t('studio.createPersona')}
            </a>
          )}
        </div>
      )}
    </section>
  );
}
