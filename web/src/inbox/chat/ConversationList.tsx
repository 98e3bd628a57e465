import { useTranslation } from 'react-i18next';
import type { Persona } from '../../personas/queries';
import { useDateTime } from '../../ui/format';
import { ChatError } from './ChatError';
import { useConversations, type Conversation, type ConversationStatus } from './queries';

const STATUSES: ConversationStatus[] = ['bot', 'operator', 'ended'];

export const fanName = (fan: Conversation['fan'], fallback: string) => fan.displayName || (fan.handle ? `@${fan.handle.replace(/^@/, '')}` : fallback);

/** Conversations of the persona, most recently active first, with what needs a person's eyes marked. */
export function ConversationList(props: { persona: Persona; status: ConversationStatus | ''; onStatus: (s: ConversationStatus | '') => void; openId: string | null; onOpen: (id: string) => void }) {
  const { t } = useTranslation();
  const when = useDateTime();
  const list = useConversations(props.persona.id, props.status);
  const items = list.data ?? [];

  return (
    <section className="panel chat-list" aria-labelledby="chat-list-title">
      <div className="panel-head">
        <h2 id="chat-list-title">{t('chat.inbox.title')}</h2>
        <label className="inline-field">
          {t('chat.inbox.filter')}{' '}
          <select value={props.status} onChange={(e) => props.onStatus(e.target.value as ConversationStatus | '')}>
            <option value="">{t('chat.inbox.all')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`chat.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ChatError error={list.error} />
      {list.isPending ? (
        <p className="muted">{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <p className="muted">{t('chat.inbox.empty')}</p>
      ) : (
        <ul className="chat-conversations">
          {items.map((c) => (
            <li key={c.id}>
              <button type="button" className={c.id === props.openId ? 'chat-item chat-item-on' : 'chat-item'} aria-pressed={c.id === props.openId} data-conversation={c.id} onClick={() => props.onOpen(c.id)}>
                <span className="chat-item-head">
                  <strong>{fanName(c.fan, t('chat.fan.unknown'))}</strong>
                  <StatusBadge status={c.status} />
                  <AlertBadges alerts={c.alerts} />
                </span>
                <span className="muted small">
                  {c.platform} · {c.channelHandle} · {when(c.lastActivityAt)}
                </span>
                {c.lastMessage && (
                  <span className="chat-excerpt">
                    <span className="muted">{t(`chat.author.${c.lastMessage.author}`)}: </span>
                    {c.lastMessage.text}
                  </span>
                )}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function StatusBadge({ status }: { status: ConversationStatus }) {
  const { t } = useTranslation();
  return <span className={`badge chat-status-${status}`}>{t(`chat.status.${status}`)}</span>;
}

export function AlertBadges({ alerts }: { alerts: Conversation['alerts'] }) {
  const { t } = useTranslation();
  return (
    <>
      {alerts.statedUnder18 && <span className="badge chat-alert">{t('chat.alerts.under18Badge')}</span>}
      {alerts.selfHarm && <span className="badge chat-alert">{t('chat.alerts.selfHarmBadge')}</span>}
      {alerts.blocked && <span className="badge chat-muted">{t('chat.alerts.blockedBadge')}</span>}
    </>
  );
}
