import { useTranslation } from 'react-i18next';
import { dayItems, type ViewProps } from './items';
import { PostChip } from './PostChip';
import { SlotCell } from './SlotCell';
import { canReschedule } from './types';

/** The list view for longer ranges: only days with something in them, each post with a Move to… button. */
export function AgendaView({ days, today, format, channels, drag, onOpen, onNew, onMoveTo }: ViewProps) {
  const { t } = useTranslation();
  const filled = days.map((day) => ({ day, items: dayItems(day) })).filter((d) => d.items.length > 0);
  if (filled.length === 0) return <p className="muted panel">{t('calendar.empty')}</p>;
  return (
    <ol className="agenda">
      {filled.map(({ day, items }) => (
        <li key={day.date} className={day.date === today ? 'agenda-day is-today' : 'agenda-day'} aria-labelledby={`agenda-${day.date}`} {...drag.target(day.date)}>
          <h3 id={`agenda-${day.date}`}>{format.longDay(day.date)}</h3>
          <ul className="agenda-items">
            {items.map((item) =>
              item.kind === 'post' ? (
                <li key={item.post.id} className="agenda-row">
                  <PostChip post={item.post} channels={channels} format={format} drag={drag} onOpen={onOpen} />
                  {onMoveTo && canReschedule(item.post) && (
                    <button type="button" className="small-button" onClick={() => onMoveTo(item.post)}>
                      {t('calendar.detail.moveTo')}
                    </button>
                  )}
                </li>
              ) : (
                <li key={`slot-${item.slot.slotId}`} className="agenda-row">
                  <SlotCell date={day.date} slot={item.slot} format={format} drag={drag} onNew={onNew} />
                </li>
              ),
            )}
          </ul>
        </li>
      ))}
    </ol>
  );
}
