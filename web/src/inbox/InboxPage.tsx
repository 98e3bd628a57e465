import { useTranslation } from 'react-i18next';
import { onLinkClick } from '../app/router';
import { TabNav, usePermittedTab, type TabDef } from '../ui/TabNav';
import { useSelectedPersona } from '../personas/selection';
import { ConversationsTab, CONVERSATION_PATH } from './chat/ConversationsTab';
import { ChatProfileTab } from './chat/profile/ChatProfileTab';
import { EngagementTab } from './engagement/EngagementTab';

type Tab = 'conversations' | 'engagement' | 'chatbot';
const tabs: TabDef<Tab>[] = [
  { id: 'conversations', path: '/inbox', needs: 'inbox:read' },
  { id: 'engagement', path: '/inbox/engagement', needs: 'inbox:read' },
  { id: 'chatbot', path: '/inbox/chatbot', needs: 'personas:read' },
];

/** Everything fans say to the persona chosen in the header — her chats and her comments — and how her chatbot answers. */
export function InboxPage({ path }: { path: string }) {
  const { t } = useTranslation();
  const { persona, personas } = useSelectedPersona();
  // An open conversation (/inbox/chat/<id>) belongs to the conversations tab; unknown paths fall back to it.
  const tabPath = path.startsWith(CONVERSATION_PATH) || !tabs.some((tab) => tab.path === path) ? '/inbox' : path;
  const { visible, current } = usePermittedTab(tabs, tabPath);

  return (
    <section className="page page-wide">
      <h1>
        {t('nav.inbox')}
        {persona && <span className="title-persona"> · {persona.name}</span>}
      </h1>
      {persona ? (
        <>
          <TabNav label={t('nav.inbox')} tabs={visible} current={current} title={(id) => (id === 'engagement' ? t('inboxTabs.engagement') : t(`chat.tabs.${id}`))} />
          {current?.id === 'conversations' && <ConversationsTab key={persona.id} persona={persona} path={path} />}
          {current?.id === 'engagement' && <EngagementTab key={persona.id} persona={persona} />}
          {current?.id === 'chatbot' && <ChatProfileTab key={persona.id} persona={persona} />}
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
