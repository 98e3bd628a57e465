import { useTranslation } from 'react-i18next';
import { dayItems, type ViewProps } from './items';
import { PostChip } from './PostChip';
import { SlotCell } from './SlotCell';

/** One column per day (seven for a week, one for a day), posts and free slots in time order. */
export function WeekView({ days, today, format, channels, drag, onOpen, onNew, size = 'normal' }: ViewProps & { size?: 'normal' | 'large' }) {
  const { t } = useTranslation();
  return (
    <ol className={size === 'large' ? 'week-grid day-grid' : 'week-grid'} style={{ gridTemplateColumns: `repeat(${days.length}, minmax(0, 1fr))` }}>
      {days.map((day) => {
        const items = dayItems(day);
        const headingId = `day-${day.date}`;
        return (
          <li key={day.date} className={day.date === today ? 'week-day is-today' : 'week-day'} aria-labelledby={headingId}>
            <h3 className="day-head" id={headingId}>
              <span className="day-weekday">{format.weekday(day.date)}</span> <span className="day-number">{format.dayNumber(day.date)}</span>
              <span className="visually-hidden"> {format.longDay(day.date)}</span>
            </h3>
            <div className="day-body" {...drag.target(day.date)}>
              {items.length === 0 && <p className="muted small day-empty">{t('calendar.nothingThisDay')}</p>}
              <ul className="day-items">
                {items.map((item) => (
                  <li key={item.kind === 'post' ? item.post.id : `slot-${item.slot.slotId}`}>
                    {item.kind === 'post' ? (
                      <PostChip post={item.post} channels={channels} format={format} drag={drag} onOpen={onOpen} size={size} />
                    ) : (
                      <SlotCell date={day.date} slot={item.slot} format={format} drag={drag} onNew={onNew} />
                    )}
                  </li>
                ))}
              </ul>
            </div>
          </li>
        );
      })}
    </ol>
  );
}
