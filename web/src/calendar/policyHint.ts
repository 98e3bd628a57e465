import { useTranslation } from 'react-i18next';
import { acceptsLabel, policyOf, takesMedia } from './policy';
import type { Channel } from './types';

/** "Instagram: SFW only · up to 2,200 characters" (and "· images only" where videos are refused). */
export function usePolicyHint() {
  const { t, i18n } = useTranslation();
  const number = new Intl.NumberFormat(i18n.language);
  return (channel: Pick<Channel, 'platform' | 'settings'>) => {
    const policy = policyOf(channel);
    const limit = number.format(policy.limit);
    const hint = t('calendar.policy.hint', {
      platform: t(`calendar.platforms.${channel.platform}`),
      accepts: t(`calendar.policy.${acceptsLabel(policy.accepts)}`),
      limit: policy.counts === 'title' ? t('calendar.policy.titleLimit', { limit }) : t('calendar.policy.limit', { limit }),
    });
    return takesMedia(policy, 'video') ? hint : `${hint} · ${t('planning.policy.imagesOnly')}`;
  };
}
