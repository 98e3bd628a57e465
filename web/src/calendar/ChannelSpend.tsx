import { useTranslation } from 'react-i18next';
import { useChannelSpend } from './planningQueries';
import type { Channel } from './types';

/** X bills every post: this month's spend against the channel's budget (booked, then still scheduled). */
export function ChannelSpend({ channel }: { channel: Channel }) {
  const { t, i18n } = useTranslation();
  const spend = useChannelSpend(channel.id, channel.platform === 'x');
  if (channel.platform !== 'x' || !spend.data) return null;
  const s = spend.data;
  const money = new Intl.NumberFormat(i18n.language, { style: 'currency', currency: s.currency });
  const usd = (cents: number) => money.format(cents / 100);
  const over = s.remainingCents !== null && s.remainingCents <= 0;
  return (
    <p className={over ? 'small channel-spend is-over' : 'small channel-spend'}>
      {s.budgetCents === null
        ? t('planning.spend.noBudget', { month: s.month, spent: usd(s.publishedCents), scheduled: usd(s.scheduledCents) })
        : t('planning.spend.budget', { month: s.month, spent: usd(s.publishedCents), scheduled: usd(s.scheduledCents), budget: usd(s.budgetCents), remaining: usd(Math.max(0, s.remainingCents ?? 0)) })}
      {s.budgetCents !== null && <meter min={0} max={Math.max(1, s.budgetCents)} value={s.publishedCents + s.scheduledCents} aria-label={t('planning.spend.meter')} />}
    </p>
  );
}
