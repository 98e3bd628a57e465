import { useTranslation } from 'react-i18next';
import type { Channel, ChannelPlatform, PostStatus, TargetStatus } from './types';

export function PostStatusBadge({ status }: { status: PostStatus | TargetStatus }) {
  const { t } = useTranslation();
  return <span className={`badge post-status post-${status}`}>{t(`calendar.status.${status}`)}</span>;
}

/** A platform's short mark; its full name for screen readers and on hover. */
export function PlatformMark({ platform }: { platform: ChannelPlatform }) {
  const { t } = useTranslation();
  const name = t(`calendar.platforms.${platform}`);
  return (
    <span className={`platform platform-${platform}`} title={name}>
      <span aria-hidden="true">{t(`calendar.platformShort.${platform}`)}</span>
      <span className="visually-hidden">{name}</span>
    </span>
  );
}

/** The marks of the channels a post goes to, each once. */
export function PlatformMarks({ channels }: { channels: (Channel | undefined)[] }) {
  const platforms = [...new Set(channels.filter((c): c is Channel => !!c).map((c) => c.platform))];
  return (
    <span className="platforms">
      {platforms.map((p) => (
        <PlatformMark key={p} platform={p} />
      ))}
    </span>
  );
}

/** "Instagram @lina" — a channel named for people. */
export function useChannelName() {
  const { t } = useTranslation();
  return (channel: Channel | undefined) => (channel ? `${t(`calendar.platforms.${channel.platform}`)} ${channel.handle}` : t('calendar.noChannel'));
}
