import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan, useMe } from '../../app/me';
import { ChatError } from './ChatError';
import { Composer } from './Composer';
import { AlertBadges, StatusBadge, fanName } from './ConversationList';
import { FanPanel } from './FanPanel';
import { MessageItem } from './MessageItem';
import { mergeMessages, olderMessages, useBlockFan, useClearSelfHarm, useConversation, useConversationAction, type ChatMessage, type ConversationDetail } from './queries';

/** One conversation, live: who holds it, the messages with what the safety layer did, the operator's tools. */
export function ConversationView({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useTranslation();
  const conversation = useConversation(id);
  if (conversation.isPending) return <section className="panel muted">{t('common.loading')}</section>;
  if (!conversation.data) {
    return (
      <section className="panel">
        <ChatError error={conversation.error} />
        <button type="button" onClick={onClose}>
          {t('chat.view.back')}
        </button>
      </section>
    );
  }
  return <Loaded c={conversation.data} onClose={onClose} />;
}

function Loaded({ c, onClose }: { c: ConversationDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const can = useCan();
  const me = useMe();
  const takeover = useConversationAction('takeover');
  const handback = useConversationAction('handback');
  const end = useConversationAction('end');
  const block = useBlockFan();
  const clearSelfHarm = useClearSelfHarm();
  const [older, setOlder] = useState<ChatMessage[]>([]);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<unknown>(null);
  const write = can('inbox:write');
  const busy = takeover.isPending || handback.isPending || end.isPending || block.isPending || clearSelfHarm.isPending;
  const messages = mergeMessages(older, c.messages);
  const first = messages[0]?.seq ?? 1;
  const name = fanName(c.fan, t('chat.fan.unknown'));
  const mine = c.status === 'operator' && c.operatorUserId === me.user?.id;
  const lastFan = [...messages].reverse().find((m) => m.author === 'fan');
  const botReplying = c.status === 'bot' && lastFan?.state === 'pending';
  const reopenRefused = c.status === 'ended' && c.alerts.statedUnder18;

  // New messages scroll into view when the reader is already at the bottom.
  const log = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  useEffect(() => {
    const el = log.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages.length, botReplying]);

  const loadOlder = async () => {
    setLoadingOlder(true);
    setOlderError(null);
    try {
      const page = await olderMessages(c.id, first);
      setOlder((o) => mergeMessages(o, page));
    } catch (error) {
      setOlderError(error);
    } finally {
      setLoadingOlder(false);
    }
  };

  return (
    <div className="chat-view">
      <section className="panel chat-thread" aria-labelledby="chat-view-title">
        <div className="panel-head">
          <h2 id="chat-view-title">
            {name} <StatusBadge status={c.status} /> <AlertBadges alerts={c.alerts} />
          </h2>
          <button type="button" className="small-button" onClick={onClose}>
            {t('chat.view.back')}
          </button>
        </div>
        <p className="muted small">
          {c.platform} · {c.channelHandle}
          {c.language && ` · ${t('chat.view.language', { lang: c.language })}`}
          {c.status === 'operator' && ` · ${mine ? t('chat.view.heldByYou') : t('chat.view.heldByOther')}`}
        </p>
        {c.alerts.statedUnder18 && (
          <p className="error-note" role="alert">
            {t(c.status === 'ended' ? 'chat.view.under18Ended' : 'chat.view.under18')}
          </p>
        )}
        {c.alerts.selfHarm && (
          <p className="error-note" role="alert">
            {t('chat.view.selfHarm')}{' '}
            {write && (
              <button type="button" className="small-button" disabled={busy} onClick={() => window.confirm(t('chat.view.confirmClearSelfHarm', { name })) && clearSelfHarm.mutate(c.id)}>
                {t('chat.view.clearSelfHarm')}
              </button>
            )}
          </p>
        )}
        {c.alerts.blocked && <p className="notice">{t('chat.view.blocked')}</p>}
        {write && (
          <div className="actions chat-actions">
            {c.status === 'bot' && (
              <button type="button" className="primary" disabled={busy} onClick={() => takeover.mutate(c.id)}>
                {t('chat.view.takeover')}
              </button>
            )}
            {c.status === 'operator' && !mine && (
              <button type="button" disabled={busy} onClick={() => takeover.mutate(c.id)}>
                {t('chat.view.takeoverFromOther')}
              </button>
            )}
            {c.status !== 'bot' && !reopenRefused && (
              <button type="button" disabled={busy} onClick={() => handback.mutate(c.id)}>
                {c.status === 'ended' ? t('chat.view.reopen') : t('chat.view.handback')}
              </button>
            )}
            {c.status !== 'ended' && (
              <button type="button" disabled={busy} onClick={() => window.confirm(t('chat.view.confirmEnd', { name })) && end.mutate(c.id)}>
                {t('chat.view.end')}
              </button>
            )}
            <button
              type="button"
              className={c.alerts.blocked ? undefined : 'danger'}
              disabled={busy}
              onClick={() => (c.alerts.blocked ? block.mutate({ id: c.id, blocked: false }) : window.confirm(t('chat.view.confirmBlock', { name })) && block.mutate({ id: c.id, blocked: true }))}
            >
              {c.alerts.blocked ? t('chat.view.unblock') : t('chat.view.block')}
            </button>
          </div>
        )}
        <ChatError error={takeover.error ?? handback.error ?? end.error ?? block.error ?? clearSelfHarm.error} />
        {first > 1 && (
          <button type="button" className="small-button" disabled={loadingOlder} onClick={() => void loadOlder()}>
            {t('chat.view.loadOlder')}
          </button>
        )}
        <ChatError error={olderError} />
        <ol
          className="chat-messages"
          ref={log}
          role="log"
          aria-live="polite"
          aria-label={t('chat.view.messages')}
          onScroll={(e) => {
            const el = e.currentTarget;
            atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
          }}
        >
          {messages.map((m) => (
            <MessageItem key={m.id} message={m} />
          ))}
          {botReplying && (
            <li className="chat-typing muted small" aria-live="polite">
              {t('chat.view.botReplying')}
            </li>
          )}
        </ol>
        {write && <Composer conversation={c} mine={mine} />}
      </section>
      <FanPanel c={c} />
    </div>
  );
}
