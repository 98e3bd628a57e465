import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorUnder, fieldErrors } from '../api/problem';
import { useCan } from '../app/me';
import type { Persona } from '../personas/queries';
import { toggle } from '../studio/fields';
import { ErrorNote } from '../ui/ErrorNote';
import { Field } from '../ui/Field';
import { NumberInput } from '../ui/NumberInput';
import { AutofillPanel } from './AutofillPanel';
import { RhythmSection } from './RhythmEditor';
import { PlatformMark } from './badges';
import { noonUtc } from './dates';
import { useChannels, useSaveSlots, useSlots } from './queries';
import type { Slot, SlotInput } from './types';

const MAX_SLOTS = 100;
/** 2024-01-01 was a Monday: ISO weekday n is that date plus n − 1 days. */
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
const weekdayDate = (n: number) => noonUtc(`2024-01-0${n}`);

/** A slot being edited, with a key of its own: rows keep their inputs' state when another is removed. */
type Row = SlotInput & { rowKey: number };
let nextKey = 0;
// Rows keep their slot's id: saving sends it back, so the slot keeps it (posts and auto-fill refer to it).
const rowOf = (slot: Slot): Row => ({ ...slot, rowKey: nextKey++ });
const inputOf = ({ rowKey: _key, ...rest }: Row): SlotInput => rest;

export function SlotsSection({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  const slots = useSlots(persona.id);
  const can = useCan();
  // Applying the rhythm rewrites the slots: the editor below starts again from what was saved.
  const [applied, setApplied] = useState(0);
  return (
    <div className="stack-lg">
      <RhythmSection key={persona.id} persona={persona} readOnly={!can('posts:write')} onApplied={() => setApplied((n) => n + 1)} />
      <ErrorNote error={slots.error} />
      {slots.isPending && <p role="status">{t('common.loading')}</p>}
      {/* Keyed by persona: switching persona in the header starts from her saved slots. */}
      {slots.data && <SlotsEditor key={`${persona.id}:${applied}`} persona={persona} saved={slots.data} readOnly={!can('posts:write')} />}
    </div>
  );
}

/** Her posting rhythm: named local times, on some weekdays or every day, each for some channels. */
function SlotsEditor({ persona, saved, readOnly }: { persona: Persona; saved: Slot[]; readOnly: boolean }) {
  const { t, i18n } = useTranslation();
  const channels = useChannels(persona.id);
  const [items, setItems] = useState<Row[]>(() => saved.map(rowOf));
  const [dirty, setDirty] = useState(false);
  const save = useSaveSlots(persona.id);
  const errors = fieldErrors(save.error);
  const weekday = new Intl.DateTimeFormat(i18n.language, { weekday: 'short', timeZone: 'UTC' });
  const weekdayLong = new Intl.DateTimeFormat(i18n.language, { weekday: 'long', timeZone: 'UTC' });

  const update = (i: number, patch: Partial<SlotInput>) => {
    setItems((list) => list.map((s, j) => (j === i ? { ...s, ...patch } : s)));
    setDirty(true);
  };
  const remove = (i: number) => {
    setItems((list) => list.filter((_, j) => j !== i));
    setDirty(true);
  };
  const add = () => {
    setItems((list) => [...list, { name: '', weekdays: [], localTime: '12:00', channelIds: (channels.data ?? []).map((c) => c.id), priority: 0, enabled: true, rowKey: nextKey++ }]);
    setDirty(true);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(items.map(inputOf), {
      onSuccess: (result) => {
        setItems(result.items.map(rowOf));
        setDirty(false);
      },
    });
  };

  return (
    <>
      <form className="panel stack" onSubmit={submit} aria-labelledby="slots-title">
        <h2 id="slots-title">{t('calendar.slots.title', { name: persona.name })}</h2>
        <p className="muted">{t('calendar.slots.intro', { zone: persona.timezone })}</p>
        {items.length === 0 && <p className="muted small">{t('calendar.slots.empty')}</p>}
        <ol className="slot-list">
          {items.map((slot, i) => {
            const n = i + 1;
            const base = `items.${i}`;
            return (
              <li key={slot.rowKey} className="slot-item">
                <fieldset disabled={readOnly}>
                  <legend>{slot.name.trim() || t('calendar.slots.slot', { n })}</legend>
                  <div className="slot-fields">
                    <Field label={t('calendar.slots.name', { n })} error={errorUnder(errors, `${base}.name`)}>
                      {(c) => <input {...c} value={slot.name} onChange={(e) => update(i, { name: e.target.value })} required maxLength={80} />}
                    </Field>
                    <Field label={t('calendar.slots.time', { n })} error={errorUnder(errors, `${base}.localTime`)}>
                      {(c) => <input {...c} type="time" value={slot.localTime} onChange={(e) => update(i, { localTime: e.target.value })} required />}
                    </Field>
                    <Field label={t('calendar.slots.priority', { n })} error={errorUnder(errors, `${base}.priority`)}>
                      {(c) => <NumberInput control={c} value={slot.priority} onChange={(priority) => update(i, { priority: priority ?? 0 })} min={-100} max={100} step={1} />}
                    </Field>
                    <label className="check slot-enabled">
                      <input type="checkbox" checked={slot.enabled ?? true} onChange={(e) => update(i, { enabled: e.target.checked })} />
                      {t('calendar.slots.enabled')}
                    </label>
                  </div>
                  <fieldset className="inner">
                    <legend>{t('calendar.slots.weekdays', { n })}</legend>
                    <div className="checks-inline">
                      {WEEKDAYS.map((d) => (
                        <label key={d} className="check" title={weekdayLong.format(weekdayDate(d))}>
                          <input type="checkbox" checked={(slot.weekdays ?? []).includes(d)} onChange={(e) => update(i, { weekdays: toggle(slot.weekdays ?? [], d, e.target.checked).sort() })} />
                          <span aria-hidden="true">{weekday.format(weekdayDate(d))}</span>
                          <span className="visually-hidden">{weekdayLong.format(weekdayDate(d))}</span>
                        </label>
                      ))}
                    </div>
                    <p className="field-hint">{t('calendar.slots.everyDay')}</p>
                  </fieldset>
                  <fieldset className={errorUnder(errors, `${base}.channelIds`) ? 'inner field-invalid' : 'inner'}>
                    <legend>{t('calendar.slots.channels', { n })}</legend>
                    {(channels.data ?? []).length === 0 && <p className="field-hint">{t('calendar.slots.noChannels')}</p>}
                    <div className="checks-inline">
                      {(channels.data ?? []).map((c) => (
                        <label key={c.id} className="check">
                          <input type="checkbox" checked={(slot.channelIds ?? []).includes(c.id)} onChange={(e) => update(i, { channelIds: toggle(slot.channelIds ?? [], c.id, e.target.checked) })} />
                          <PlatformMark platform={c.platform} /> {c.handle}
                        </label>
                      ))}
                    </div>
                    {(slot.channelIds ?? []).length === 0 && <p className="field-hint">{t('calendar.slots.noChannelHint')}</p>}
                  </fieldset>
                  {!readOnly && (
                    <button type="button" className="danger small-button" onClick={() => remove(i)}>
                      {t('calendar.slots.remove', { n })}
                    </button>
                  )}
                </fieldset>
              </li>
            );
          })}
        </ol>
        {!readOnly && items.length < MAX_SLOTS && (
          <button type="button" onClick={add}>
            {t('calendar.slots.add')}
          </button>
        )}
        <ErrorNote error={save.error} />
        {!readOnly && (
          <div className="actions sticky-actions">
            <button type="submit" className="primary" disabled={save.isPending}>
              {save.isPending ? t('calendar.slots.saving') : t('calendar.slots.save')}
            </button>
            {save.isSuccess && !dirty && (
              <span className="success-inline" role="status">
                {t('calendar.slots.saved')}
              </span>
            )}
            {dirty && <span className="muted small">{t('calendar.slots.unsaved')}</span>}
          </div>
        )}
      </form>
      {!readOnly && <AutofillPanel persona={persona} dirty={dirty} />}
    </>
  );
}
