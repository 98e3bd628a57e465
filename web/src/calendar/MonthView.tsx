import { useTranslation } from 'react-i18next';
import { dayItems, type ViewProps } from './items';
import { PostChip } from './PostChip';
import { SlotCell } from './SlotCell';

const SHOWN = 4;

/** Whole weeks around a month; days of the neighbouring months are dimmed. */
export function MonthView({ days, today, format, channels, drag, onOpen, onNew, month, onPickDay }: ViewProps & { month: string; onPickDay: (date: string) => void }) {
  const { t } = useTranslation();
  const weekdays = days.slice(0, 7);
  return (
    <div className="month">
      <div className="month-head" aria-hidden="true">
        {weekdays.map((day) => (
          <span key={day.date}>{format.weekday(day.date)}</span>
        ))}
      </div>
      <ol className="month-grid">
        {days.map((day) => {
          const items = dayItems(day);
          const shown = items.slice(0, SHOWN);
          const hidden = items.length - shown.length;
          const classes = ['month-day', day.date.slice(0, 7) === month.slice(0, 7) ? '' : 'other-month', day.date === today ? 'is-today' : ''].filter(Boolean).join(' ');
          return (
            <li key={day.date} className={classes} aria-label={format.longDay(day.date)} {...drag.target(day.date)}>
              <button type="button" className="month-date" onClick={() => onPickDay(day.date)} aria-label={t('calendar.openDay', { date: format.longDay(day.date) })}>
                {format.dayNumber(day.date)}
              </button>
              <ul className="day-items">
                {shown.map((item) => (
                  <li key={item.kind === 'post' ? item.post.id : `slot-${item.slot.slotId}`}>
                    {item.kind === 'post' ? (
                      <PostChip post={item.post} channels={channels} format={format} drag={drag} onOpen={onOpen} size="compact" />
                    ) : (
                      <SlotCell date={day.date} slot={item.slot} format={format} drag={drag} onNew={onNew} compact />
                    )}
                  </li>
                ))}
              </ul>
              {hidden > 0 && (
                <button type="button" className="link small" onClick={() => onPickDay(day.date)}>
                  {t('calendar.more', { count: hidden })}
                </button>
              )}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
