import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ChatError } from './ChatError';
import { useSendMessage, useSuggestion, type ConversationDetail } from './queries';
import { safetyNotes } from './safety';

const MAX = 4000;

/** The operator's reply box: a suggestion drafted in her voice on request, edited freely, sent as the operator. */
export function Composer({ conversation: c, mine }: { conversation: ConversationDetail; mine: boolean }) {
  const { t } = useTranslation();
  const id = useId();
  const [text, setText] = useState('');
  const send = useSendMessage(c.id);
  const suggest = useSuggestion(c.id);
  const hasFanMessage = c.counters.fanMessages > 0;

  if (c.status === 'ended') return <p className="muted small">{t('chat.composer.ended')}</p>;
  const notes = suggest.data ? safetyNotes({ direction: 'out', state: 'sent', safety: { reply: suggest.data.safety } }) : [];
  const submit = () => {
    const body = text.trim();
    if (!body || send.isPending) return;
    send.mutate(body, { onSuccess: () => (setText(''), suggest.reset()) });
  };

  return (
    <form
      className="chat-composer stack"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label htmlFor={id} className="label">
        {t('chat.composer.label')}
      </label>
      <textarea
        id={id}
        rows={3}
        maxLength={MAX}
        value={text}
        aria-describedby={`${id}-hint`}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <p className="field-hint" id={`${id}-hint`}>
        {mine ? t('chat.composer.hintHeld') : t('chat.composer.hintTakes')}
      </p>
      {notes.length > 0 && (
        <ul className="chat-notes" aria-label={t('chat.composer.suggestionNotes')}>
          {notes.map((n) => (
            <li key={n.key} className={n.alert ? 'chat-note is-alert' : 'chat-note'}>
              {t(`chat.notes.${n.key}` as 'chat.notes.asksIfAI', n.values ?? {})}
            </li>
          ))}
        </ul>
      )}
      <div className="actions">
        {hasFanMessage && (
          <button type="button" disabled={suggest.isPending} onClick={() => suggest.mutate(undefined, { onSuccess: (s) => setText(s.text) })}>
            {suggest.isPending ? t('chat.composer.suggesting') : t('chat.composer.suggest')}
          </button>
        )}
        <button type="submit" className="primary" disabled={send.isPending || !text.trim()}>
          {send.isPending ? t('chat.composer.sending') : t('chat.composer.send')}
        </button>
      </div>
      <ChatError error={send.error ?? suggest.error} />
    </form>
  );
}
