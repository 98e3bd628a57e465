import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan, type Permission } from '../app/me';
import { navigate, onLinkClick } from '../app/router';
import { useSelectedPersona } from '../personas/selection';
import { ChannelsSection } from './ChannelsSection';
import { PlannerView } from './PlannerView';
import { SlotsSection } from './SlotsEditor';

type Tab = 'planner' | 'slots' | 'channels';
const tabs: { id: Tab; path: string; needs: Permission }[] = [
  { id: 'planner', path: '/calendar', needs: 'posts:read' },
  { id: 'slots', path: '/calendar/slots', needs: 'posts:read' },
  { id: 'channels', path: '/calendar/channels', needs: 'channels:read' },
];

/** Planning for the persona chosen in the header: her calendar, her posting rhythm, her channels. */
export function CalendarPage({ path }: { path: string }) {
  const { t } = useTranslation();
  const can = useCan();
  const { persona, personas } = useSelectedPersona();
  const visible = tabs.filter((tab) => can(tab.needs));
  const current = visible.find((tab) => tab.path === path);
  useEffect(() => {
    if (!current && visible[0]) navigate(visible[0].path, { replace: true });
  }, [current, visible]);

  return (
    <section className="page page-wide">
      <h1>
        {t('nav.calendar')}
        {persona && <span className="title-persona"> · {persona.name}</span>}
      </h1>
      {persona ? (
        <>
          <nav className="tabs" aria-label={t('calendar.tabsLabel')}>
            {visible.map((tab) => (
              <a key={tab.id} href={tab.path} onClick={onLinkClick} aria-current={current?.id === tab.id ? 'page' : undefined}>
                {t(`calendar.tabs.${tab.id}`)}
              </a>
            ))}
          </nav>
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
