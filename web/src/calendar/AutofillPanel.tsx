import { useId, useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import type { Persona } from '../personas/queries';
import { ErrorNote } from '../ui/ErrorNote';
import { usePostChanged } from './queries';

const PERIODS = [7, 14, 30] as const;

/** Fills her free slots with approved images nobody posted yet, as scheduled posts. */
export function AutofillPanel({ persona, dirty }: { persona: Persona; dirty: boolean }) {
  const { t } = useTranslation();
  const id = useId();
  const changed = usePostChanged();
  const [days, setDays] = useState<(typeof PERIODS)[number]>(7);
  const fill = useMutation({
    mutationFn: (n: number) => unwrap(api.POST('/api/v1/personas/{id}/slots/autofill', { params: { path: { id: persona.id } }, body: { days: n } })),
    onSuccess: () => changed(),
  });
  return (
    <section className="panel stack" aria-labelledby="autofill-title">
      <h2 id="autofill-title">{t('calendar.autofill.title')}</h2>
      <p className="muted">{t('calendar.autofill.intro')}</p>
      <div className="row tight">
        <div className="inline-field">
          <label htmlFor={id}>{t('calendar.autofill.period')}</label>
          <select id={id} value={days} onChange={(e) => setDays(Number(e.target.value) as (typeof PERIODS)[number])}>
            {PERIODS.map((d) => (
              <option key={d} value={d}>
                {t('calendar.autofill.next', { count: d })}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="primary" onClick={() => fill.mutate(days)} disabled={fill.isPending || dirty}>
          {fill.isPending ? t('calendar.autofill.running') : t('calendar.autofill.run', { count: days })}
        </button>
      </div>
      {dirty && <p className="field-hint">{t('calendar.autofill.saveFirst')}</p>}
      <ErrorNote error={fill.error} />
      <p role="status" className={fill.isSuccess ? 'success' : 'visually-hidden'}>
        {fill.isSuccess ? t('calendar.autofill.created', { count: fill.data.items.length }) : ''}
      </p>
    </section>
  );
}
