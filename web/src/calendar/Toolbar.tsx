import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useLiveStatus } from '../app/live';
import { addDays } from './dates';
import type { CalendarFormat } from './format';
import { listRanges, rangeOf, step, views, type ListRange, type Nav } from './navigation';

/** Period navigation, the view switch, the timezone the times are in, and the new-post button. */
export function Toolbar({ nav, onNav, today, timezone, format, onNewPost, announcement }: { nav: Nav; onNav: (next: Nav) => void; today: string; timezone: string; format: CalendarFormat; onNewPost: (() => void) | null; announcement: string }) {
  const { t } = useTranslation();
  const rangeId = useId();
  const live = useLiveStatus();
  const { from, days } = rangeOf(nav);
  const title =
    nav.view === 'day' ? format.longDay(nav.anchor) : nav.view === 'month' ? format.month(nav.anchor) : format.range(from, addDays(from, days - 1));
  return (
    <div className="cal-toolbar">
      <div className="cal-nav">
        <button type="button" onClick={() => onNav({ ...nav, anchor: today })}>
          {t('calendar.today')}
        </button>
        <button type="button" className="icon-button" onClick={() => onNav({ ...nav, anchor: step(nav, -1) })} aria-label={t(`calendar.previous.${nav.view}`)} title={t(`calendar.previous.${nav.view}`)}>
          ‹
        </button>
        <button type="button" className="icon-button" onClick={() => onNav({ ...nav, anchor: step(nav, 1) })} aria-label={t(`calendar.next.${nav.view}`)} title={t(`calendar.next.${nav.view}`)}>
          ›
        </button>
        <h2 className="cal-title" aria-live="polite">
          {title}
        </h2>
      </div>
      <div className="cal-controls">
        <fieldset className="segmented">
          <legend className="visually-hidden">{t('calendar.views.label')}</legend>
          {views.map((v) => (
            <label key={v} className={v === nav.view ? 'segment segment-on' : 'segment'}>
              <input type="radio" name="calendar-view" value={v} checked={v === nav.view} onChange={() => onNav({ ...nav, view: v })} />
              {t(`calendar.views.${v}`)}
            </label>
          ))}
        </fieldset>
        {nav.view === 'list' && (
          <div className="inline-field">
            <label htmlFor={rangeId}>{t('calendar.range')}</label>
            <select id={rangeId} value={nav.listDays} onChange={(e) => onNav({ ...nav, listDays: Number(e.target.value) as ListRange })}>
              {listRanges.map((d) => (
                <option key={d} value={d}>
                  {t('calendar.rangeDays', { count: d })}
                </option>
              ))}
            </select>
          </div>
        )}
        {onNewPost && (
          <button type="button" className="primary" onClick={onNewPost}>
            {t('calendar.newPost')}
          </button>
        )}
      </div>
      <div className="cal-zone muted small">
        {t('calendar.timezone', { zone: timezone })}
        <span className={live === 'live' ? 'live live-on' : 'live'} title={t(`calendar.liveHint.${live}`)}>
          {t(`calendar.live.${live}`)}
        </span>
        <span className="cal-announce" role="status">
          {announcement}
        </span>
      </div>
    </div>
  );
}
