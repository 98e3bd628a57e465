import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { navigate } from '../../app/router';
import type { Persona } from '../../personas/queries';
import { AlertsPanel } from './AlertsPanel';
import { ConversationList } from './ConversationList';
import { ConversationView } from './ConversationView';
import { useChatEvents, useChatLive } from './live';
import type { ConversationStatus } from './queries';

export const CONVERSATION_PATH = '/inbox/chat/';
export const conversationPath = (id: string) => `${CONVERSATION_PATH}${id}`;

/** The persona's chats with fans, live: the list on one side, the open conversation (at /inbox/chat/<id>) beside it. */
export function ConversationsTab({ persona, path }: { persona: Persona; path: string }) {
  const { t } = useTranslation();
  useChatEvents();
  const live = useChatLive();
  const [status, setStatus] = useState<ConversationStatus | ''>('');
  const openId = path.startsWith(CONVERSATION_PATH) ? path.slice(CONVERSATION_PATH.length) || null : null;

  return (
    <div className="chat-inbox">
      <AlertsPanel persona={persona} />
      <div className="chat-layout">
        <ConversationList persona={persona} status={status} onStatus={setStatus} openId={openId} onOpen={(id) => navigate(conversationPath(id))} />
        {openId ? (
          <ConversationView key={openId} id={openId} onClose={() => navigate('/inbox')} />
        ) : (
          <section className="panel chat-empty">
            <p className="muted">{t('chat.inbox.select')}</p>
          </section>
        )}
      </div>
      <p className="muted small" role="status">
        {live ? t('chat.inbox.live') : t('chat.inbox.polling')}
      </p>
    </div>
  );
}
