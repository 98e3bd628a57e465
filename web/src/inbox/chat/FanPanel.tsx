import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/me';
import { onLinkClick } from '../../app/router';
import { useMoney } from '../../sales/catalogue/money';
import { useDateTime } from '../../ui/format';
import { fanName } from './ConversationList';
import type { ConversationDetail } from './queries';

/** Who the fan is: profile, what the bot remembers, and spend — money only reaches members allowed to see it. */
export function FanPanel({ c }: { c: ConversationDetail }) {
  const { t } = useTranslation();
  const can = useCan();
  const when = useDateTime();
  const money = useMoney();
  const fan = c.fan;
  return (
    <aside className="panel chat-fan" aria-labelledby="chat-fan-title">
      <h2 id="chat-fan-title">{fan.erased ? t('chat.fan.erased') : fanName(fan, t('chat.fan.unknown'))}</h2>
      <dl className="facts">
        {fan.handle && (
          <>
            <dt>{t('chat.fan.handle')}</dt>
            <dd>@{fan.handle.replace(/^@/, '')}</dd>
          </>
        )}
        <dt>{t('chat.fan.platform')}</dt>
        <dd>{fan.platform}</dd>
        <dt>{t('chat.fan.language')}</dt>
        <dd>{c.language ?? fan.language ?? '—'}</dd>
        <dt>{t('chat.fan.subscription')}</dt>
        <dd>
          {t(`chat.fan.subscriptions.${fan.subscription}` as 'chat.fan.subscriptions.none')}
          {fan.subscriptionEndsAt && <span className="muted small"> · {when(fan.subscriptionEndsAt)}</span>}
        </dd>
        <dt>{t('chat.fan.firstSeen')}</dt>
        <dd>{when(fan.firstSeenAt)}</dd>
        {fan.spend && (
          <>
            <dt>{t('chat.fan.spend')}</dt>
            <dd>{money(fan.spend.totalMinor, fan.spend.currency)}</dd>
            <dt>{t('chat.fan.lastPurchase')}</dt>
            <dd>{fan.spend.lastPurchaseAt ? when(fan.spend.lastPurchaseAt) : '—'}</dd>
          </>
        )}
        <dt>{t('chat.fan.messages')}</dt>
        <dd>{t('chat.fan.counters', { fan: c.counters.fanMessages, bot: c.counters.botMessages, offers: c.counters.offersMade })}</dd>
        {fan.tags.length > 0 && (
          <>
            <dt>{t('chat.fan.tags')}</dt>
            <dd>{fan.tags.join(', ')}</dd>
          </>
        )}
        {fan.flags.length > 0 && (
          <>
            <dt>{t('chat.fan.flags')}</dt>
            <dd>{fan.flags.join(', ')}</dd>
          </>
        )}
      </dl>
      {fan.notes && <p className="prewrap small">{fan.notes}</p>}
      {c.summary && (
        <>
          <h3>{t('chat.fan.summary')}</h3>
          <p className="prewrap small">{c.summary}</p>
        </>
      )}
      <h3>{t('chat.fan.memories')}</h3>
      {c.memories.length ? (
        <ul className="chat-memories small">
          {c.memories.map((m, i) => (
            <li key={i}>{m.fact}</li>
          ))}
        </ul>
      ) : (
        <p className="muted small">{t('chat.fan.noMemories')}</p>
      )}
      {can('sales:read') && !fan.erased && (
        <a href={`/sales/fans/${fan.id}`} onClick={onLinkClick}>
          {t('chat.fan.openCrm')}
        </a>
      )}
    </aside>
  );
}
