import { useTranslation } from 'react-i18next';
import { PlatformMarks, useChannelName } from './badges';
import type { DragMove } from './drag';
import type { CalendarFormat } from './format';
import { firstError, needsAttention, postStatus, type Channel, type Post } from './types';

/** A post in the calendar: its time in her timezone, where it goes, its status; click for the detail. */
export function PostChip({
  post,
  channels,
  format,
  drag,
  onOpen,
  size = 'normal',
}: {
  post: Post;
  channels: Map<string, Channel>;
  format: CalendarFormat;
  drag: DragMove;
  onOpen: (id: string) => void;
  size?: 'compact' | 'normal' | 'large';
}) {
  const { t } = useTranslation();
  const channelName = useChannelName();
  const status = postStatus(post);
  const targets = post.targets.map((target) => channels.get(target.channelId));
  const time = post.scheduledAt ? format.time(post.scheduledAt) : '';
  const error = needsAttention(post) ? firstError(post) : null;
  const caption = post.caption.trim().split('\n')[0] ?? '';
  const source = drag.source(post);
  const label = t('calendar.chipLabel', { status: t(`calendar.status.${status}`), time, channels: targets.map(channelName).join(', ') });
  return (
    <button
      type="button"
      className={`post-chip post-chip-${size} chip-${status}`}
      data-post={post.id}
      onClick={() => onOpen(post.id)}
      aria-label={caption ? `${label} — ${caption}` : label}
      title={error?.message ?? (source.draggable ? t('calendar.dragHint') : undefined)}
      {...source}
    >
      <span className="chip-line">
        <span className="chip-time">{time}</span>
        <PlatformMarks channels={targets} />
      </span>
      <span className="chip-status">
        {needsAttention(post) && <span aria-hidden="true">⚠ </span>}
        {t(`calendar.status.${status}`)}
      </span>
      {size !== 'compact' && caption && <span className="chip-caption">{caption}</span>}
      {size !== 'compact' && error && <span className="chip-error">{error.message}</span>}
    </button>
  );
}
