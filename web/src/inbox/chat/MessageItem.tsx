import { useTranslation } from 'react-i18next';
import { useMoney } from '../../sales/catalogue/money';
import type { ChatMessage } from './queries';
import { paidOffer, safetyNotes } from './safety';

/** Today's messages by their time alone; older ones with the date. */
function messageTime(language: string) {
  const time = new Intl.DateTimeFormat(language, { timeStyle: 'short' });
  const full = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
  const today = new Date().toDateString();
  return (iso: string) => {
    const d = new Date(iso);
    return d.toDateString() === today ? time.format(d) : full.format(d);
  };
}

/** One message: who wrote it, when, and — for the operator only — what the safety layer saw and did. */
export function MessageItem({ message: m }: { message: ChatMessage }) {
  const { t, i18n } = useTranslation();
  const when = messageTime(i18n.language);
  const money = useMoney();
  const notes = safetyNotes(m);
  const offer = paidOffer(m);
  return (
    <li className={`chat-message chat-from-${m.author} chat-state-${m.state}${offer ? ' chat-paid-offer' : ''}`} data-author={m.author} data-seq={m.seq}>
      <span className="chat-message-head small">
        <strong>{t(`chat.author.${m.author}`)}</strong> <span className="muted">{when(m.createdAt)}</span>
        {m.state === 'pending' && <span className="muted"> · {t('chat.view.pending')}</span>}
      </span>
      {offer ? (
        <p className="chat-offer">
          <span className="badge">{t('chat.offer.badge')}</span>
          <strong className="chat-offer-title">{offer.title}</strong>
          <span className="chat-offer-price">{money(offer.priceMinor, offer.currency)}</span>
          <span className="muted small">
            {offer.currency}
            {offer.media > 0 && ` · ${t('chat.offer.media', { count: offer.media })}`}
          </span>
        </p>
      ) : (
        <p className="prewrap chat-text">{m.text}</p>
      )}
      {notes.length > 0 && (
        <ul className="chat-notes" aria-label={t('chat.notes.label')}>
          {notes.map((n) => (
            <li key={n.key} className={n.alert ? 'chat-note is-alert' : 'chat-note'}>
              {/* Keys come from the message's recorded verdict; safetyNotes only yields known ones. */}
              {t(`chat.notes.${n.key}` as 'chat.notes.asksIfAI', n.values ?? {})}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
