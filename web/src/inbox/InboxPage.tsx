import { useTranslation } from 'react-i18next';
import { onLinkClick } from '../app/router';
import { TabNav, usePermittedTab, type TabDef } from '../ui/TabNav';
import { useSelectedPersona } from '../personas/selection';
import { EngagementTab } from './engagement/EngagementTab';

type Tab = 'engagement';
const tabs: TabDef<Tab>[] = [{ id: 'engagement', path: '/inbox', needs: 'inbox:read' }];

/** Everything fans say to the persona chosen in the header, answered by an operator. */
export function InboxPage({ path }: { path: string }) {
  const { t } = useTranslation();
  const { persona, personas } = useSelectedPersona();
  const { visible, current } = usePermittedTab(tabs, path === '/inbox' || !tabs.some((tab) => tab.path === path) ? '/inbox' : path);

  return (
    <section className="page page-wide">
      <h1>
        {t('nav.inbox')}
        {persona && <span className="title-persona"> · {persona.name}</span>}
      </h1>
      {persona ? (
        <>
          <TabNav label={t('nav.inbox')} tabs={visible} current={current} title={(id) => t(`inboxTabs.${id}`)} />
          {current?.id === 'engagement' && <EngagementTab key={persona.id} persona={persona} />}
        </>
      ) : (
        <div className="panel">
          <p className="muted">{personas.length === 0 ? t('studio.noPersona') : t('common.loading')}</p>
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
