import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorUnder, fieldErrors } from '../api/problem';
import type { Persona } from '../personas/queries';
import { ErrorNote } from '../ui/ErrorNote';
import { Field } from '../ui/Field';
import { noonUtc } from './dates';
import { ProblemNote } from './ProblemNote';
import { activities, hasSlots, useApplyRhythm, useRhythm, useSaveRhythm, type Activity, type Rhythm, type RhythmDay } from './planningQueries';

const weekdayDate = (n: number) => noonUtc(`2024-01-0${n}`);
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** "10:00, 15:00 20:00" → sorted HH:MM times; null when one is not a time. */
function parseTimes(text: string): string[] | null {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (!parts.every((p) => TIME.test(p))) return null;
  return [...new Set(parts)].sort();
}

/** Today's activity in her rhythm, as a badge (the web and the Friday review key on it). */
export function TodayBadge({ rhythm }: { rhythm: Rhythm }) {
  const { t } = useTranslation();
  return <span className={`badge rhythm-${rhythm.today.activity}`}>{t('planning.rhythm.today', { activity: t(`planning.activity.${rhythm.today.activity}`) })}</span>;
}

export function RhythmSection({ persona, readOnly, onApplied }: { persona: Persona; readOnly: boolean; onApplied: () => void }) {
  const { t } = useTranslation();
  const rhythm = useRhythm(persona.id);
  return (
    <>
      <ErrorNote error={rhythm.error} />
      {rhythm.isPending && <p role="status">{t('common.loading')}</p>}
      {rhythm.data && <RhythmEditor key={persona.id} persona={persona} saved={rhythm.data} readOnly={readOnly} onApplied={onApplied} />}
    </>
  );
}

type Row = RhythmDay & { times: string };
const rowOf = (d: RhythmDay): Row => ({ ...d, times: d.slots.join(', ') });

/** Her week: what each day is for and, on publishing and specials days, when posts go out. */
function RhythmEditor({ persona, saved, readOnly, onApplied }: { persona: Persona; saved: Rhythm; readOnly: boolean; onApplied: () => void }) {
  const { t, i18n } = useTranslation();
  const [rows, setRows] = useState<Row[]>(() => saved.days.map(rowOf));
  const [dirty, setDirty] = useState(false);
  const [badTimes, setBadTimes] = useState<number[]>([]);
  const save = useSaveRhythm(persona.id);
  const apply = useApplyRhythm(persona.id);
  const errors = fieldErrors(save.error);
  const weekdayLong = new Intl.DateTimeFormat(i18n.language, { weekday: 'long', timeZone: 'UTC' });

  const update = (i: number, patch: Partial<Row>) => {
    setRows((list) => list.map((r, j) => (j === i ? { ...r, ...patch } : r)));
    setDirty(true);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = rows.map((r) => (hasSlots(r.activity) ? parseTimes(r.times) : []));
    const bad = parsed.flatMap((p, i) => (p === null ? [i] : []));
    setBadTimes(bad);
    if (bad.length) return;
    const days = rows.map(({ times: _times, ...r }, i) => ({ weekday: r.weekday, activity: r.activity, slots: parsed[i]!, ...(r.note?.trim() ? { note: r.note.trim() } : {}) }));
    save.mutate(days, {
      onSuccess: (result) => {
        setRows(result.days.map(rowOf));
        setDirty(false);
      },
    });
  };

  return (
    <form className="panel stack rhythm-editor" onSubmit={submit} aria-labelledby="rhythm-title">
      <div className="rhythm-head">
        <h2 id="rhythm-title">{t('planning.rhythm.title', { name: persona.name })}</h2>
        <TodayBadge rhythm={saved} />
      </div>
      <p className="muted">{t('planning.rhythm.intro', { zone: saved.timezone })}</p>
      {saved.isDefault && <p className="small muted">{t('planning.rhythm.isDefault')}</p>}
      <ol className="rhythm-days">
        {rows.map((row, i) => {
          const day = weekdayLong.format(weekdayDate(row.weekday));
          const base = `days.${i}`;
          return (
            <li key={row.weekday} className={row.weekday === saved.today.weekday ? 'rhythm-day is-today' : 'rhythm-day'}>
              <fieldset disabled={readOnly}>
                <legend>{day}</legend>
                <div className="rhythm-fields">
                  <Field label={t('planning.rhythm.activity', { day })} error={errorUnder(errors, `${base}.activity`)}>
                    {(c) => (
                      <select {...c} value={row.activity} onChange={(e) => update(i, { activity: e.target.value as Activity })}>
                        {activities.map((a) => (
                          <option key={a} value={a}>
                            {t(`planning.activity.${a}`)}
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                  {hasSlots(row.activity) && (
                    <Field label={t('planning.rhythm.times', { day })} hint={t('planning.rhythm.timesHint')} error={badTimes.includes(i) ? t('planning.rhythm.badTimes') : errorUnder(errors, `${base}.slots`)}>
                      {(c) => <input {...c} value={row.times} onChange={(e) => update(i, { times: e.target.value })} placeholder="10:00, 15:00, 20:00" />}
                    </Field>
                  )}
                  <Field label={t('planning.rhythm.note', { day })} error={errorUnder(errors, `${base}.note`)}>
                    {(c) => <input {...c} value={row.note ?? ''} onChange={(e) => update(i, { note: e.target.value })} maxLength={280} />}
                  </Field>
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <ProblemNote error={save.error ?? apply.error} />
      {!readOnly && (
        <div className="actions">
          <button type="submit" className="primary" disabled={save.isPending || !dirty}>
            {save.isPending ? t('planning.rhythm.saving') : t('planning.rhythm.save')}
          </button>
          <button type="button" onClick={() => apply.mutate(undefined, { onSuccess: onApplied })} disabled={apply.isPending || dirty} aria-describedby="rhythm-apply-hint">
            {apply.isPending ? t('planning.rhythm.applying') : t('planning.rhythm.apply')}
          </button>
          <span id="rhythm-apply-hint" className="muted small">
            {dirty ? t('planning.rhythm.saveFirst') : t('planning.rhythm.applyHint')}
          </span>
          {apply.isSuccess && (
            <span className="success-inline" role="status">
              {t('planning.rhythm.applied', { count: apply.data.items.length })}
            </span>
          )}
        </div>
      )}
    </form>
  );
}
