import { useTranslation } from 'react-i18next';
import { useRequiredSession } from '../api/session';
import { onLinkClick } from '../app/router';
import { useCan } from '../app/me';
import { useReconnectAlerts } from './cache';
import { ConnectButton, isOAuthPlatform } from './connect';
import { useChannels } from './queries';
import { isReconnectNeeded } from './types';

/** Channels whose credentials stopped working: flagged by the server, and announced live when it happens. */
export function ReconnectBanner({ personaId, withLink = true }: { personaId: string; withLink?: boolean }) {
  const { t } = useTranslation();
  const { orgId } = useRequiredSession();
  const channels = useChannels(personaId);
  const alerts = useReconnectAlerts(orgId);
  const can = useCan();
  const broken = (channels.data ?? []).filter(isReconnectNeeded);
  if (broken.length === 0) return null;
  return (
    <div className="notice warning reconnect" role="alert">
      <strong>{t('calendar.reconnect.title')}</strong>
      <ul>
        {broken.map((channel) => {
          const alert = alerts.find((a) => a.channelId === channel.id);
          return (
            <li key={channel.id}>
              {t('calendar.reconnect.text', { platform: t(`calendar.platforms.${channel.platform}`), handle: channel.handle })}
              {alert && <span className="muted"> — {alert.message}</span>}
              {can('channels:manage') && isOAuthPlatform(channel.platform) && (
                <>
                  {' '}
                  <ConnectButton personaId={channel.personaId} platform={channel.platform} channel={channel} />
                </>
              )}
            </li>
          );
        })}
      </ul>
      {withLink && (
        <a href="/calendar/channels" onClick={onLinkClick}>
          {t('calendar.reconnect.open')}
        </a>
      )}
    </div>
  );
}
