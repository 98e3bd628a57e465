import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../ui/Field';
import { isPast, todayIn } from './dates';
import { Drawer } from './Drawer';
import { ProblemNote } from './ProblemNote';
import { useCalendarFormat } from './format';
import { useCalendarRange, useSchedulePost } from './queries';
import type { Post } from './types';

const SLOTS_SHOWN = 12;

/**
 * The keyboard and screen-reader way to do what dragging does: a new local date and time, or one of
 * her free slots of the coming weeks. Also schedules an approved post that has no time yet.
 */
export function MoveDialog({ post, personaId, timezone, initial, onClose, onMoved }: { post: Post; personaId: string; timezone: string; initial: { date: string; time: string }; onClose: () => void; onMoved: (post: Post) => void }) {
  const { t } = useTranslation();
  const format = useCalendarFormat(timezone);
  const [date, setDate] = useState(initial.date);
  const [time, setTime] = useState(initial.time);
  const [past, setPast] = useState(false);
  const upcoming = useCalendarRange(personaId, todayIn(timezone), 30);
  const schedule = useSchedulePost();
  const now = new Date().toISOString();
  const free = (upcoming.data?.days ?? []).flatMap((day) => day.freeSlots.filter((s) => s.at > now).map((slot) => ({ date: day.date, slot }))).slice(0, SLOTS_SHOWN);
  const moving = !!post.scheduledAt;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (isPast(date, time, timezone)) {
      setPast(true);
      return;
    }
    setPast(false);
    schedule.mutate(
      { id: post.id, when: { localDate: date, localTime: time } },
      {
        onSuccess: (moved) => {
          onMoved(moved);
          onClose();
        },
      },
    );
  };

  return (
    <Drawer kind="modal" titleId="move-title" title={moving ? t('calendar.move.title') : t('calendar.move.titleSchedule')} onClose={onClose}>
      <form className="stack" onSubmit={submit}>
        {post.scheduledAt && <p className="muted">{t('calendar.move.current', { when: format.when(post.scheduledAt) })}</p>}
        <div className="grid-2">
          <Field label={t('calendar.move.date')} error={past ? t('calendar.composer.inPast', { zone: timezone }) : undefined}>
            {(c) => <input {...c} type="date" value={date} onChange={(e) => setDate(e.target.value)} required />}
          </Field>
          <Field label={t('calendar.move.time')} hint={t('calendar.timezone', { zone: timezone })}>
            {(c) => <input {...c} type="time" value={time} onChange={(e) => setTime(e.target.value)} required />}
          </Field>
        </div>
        <fieldset>
          <legend>{t('calendar.move.slots')}</legend>
          {upcoming.isPending && <p className="small muted">{t('common.loading')}</p>}
          {upcoming.data && free.length === 0 && <p className="small muted">{t('calendar.move.noSlots')}</p>}
          <div className="slot-options">
            {free.map(({ date: d, slot }) => (
              <label key={`${d}-${slot.slotId}`} className="check">
                <input
                  type="radio"
                  name="move-slot"
                  checked={d === date && slot.localTime === time}
                  onChange={() => {
                    setDate(d);
                    setTime(slot.localTime);
                  }}
                />
                {t('calendar.move.slotOption', { date: format.day(d), name: slot.name, time: format.time(slot.at) })}
              </label>
            ))}
          </div>
        </fieldset>
        <ProblemNote error={schedule.error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={schedule.isPending}>
            {schedule.isPending ? t('calendar.composer.scheduling') : moving ? t('calendar.move.submit') : t('calendar.move.submitSchedule')}
          </button>
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Drawer>
  );
}
