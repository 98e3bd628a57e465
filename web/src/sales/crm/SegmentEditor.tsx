import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote } from '../../ui/ErrorNote';
import { Field } from '../../ui/Field';
import { NumberInput } from '../../ui/NumberInput';
import { emptyDraft, filterKinds, fromFilter, toFilter, type FilterDraft } from './filterDraft';
import { subscriptions, useSaveSegment, useSegmentPreview, type Segment, type SegmentFilter } from './queries';

/** Create or edit a custom segment; the number of fans it selects follows the form as it is filled in. */
export function SegmentEditor({ personaId, currency, segment, onDone }: { personaId: string; currency: string; segment: Segment | null; onDone: (saved: Segment | null) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(segment?.name ?? '');
  const [draft, setDraft] = useState<FilterDraft>(() => (segment ? fromFilter(segment.filter, currency) : emptyDraft()));
  const [forAll, setForAll] = useState(segment ? segment.personaId === null : false);
  const filter = toFilter(draft, currency);
  const debounced = useDebounced(filter, 400);
  const size = useSegmentPreview(debounced, personaId);
  const save = useSaveSegment();
  const set = <K extends keyof FilterDraft>(k: K, v: FilterDraft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ id: segment?.id, name: name.trim(), filter, personaId: forAll ? null : personaId }, { onSuccess: (saved) => onDone(saved) });
  };

  return (
    <form className="panel stack crm-segment-editor" onSubmit={submit} aria-labelledby="crm-segment-title">
      <h2 id="crm-segment-title">{segment ? t('crm.segments.edit') : t('crm.segments.new')}</h2>
      <div className="row">
        <Field label={t('crm.segments.name')}>{(c) => <input {...c} required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
        <Field label={t('crm.segments.kind')}>
          {(c) => (
            <select {...c} value={draft.kind} onChange={(e) => set('kind', e.target.value as FilterDraft['kind'])}>
              {filterKinds.map((k) => (
                <option key={k} value={k}>
                  {t(`crm.segments.kinds.${k}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {!segment && (
        <label className="check">
          <input type="checkbox" checked={forAll} onChange={(e) => setForAll(e.target.checked)} /> {t('crm.segments.forAllPersonas')}
        </label>
      )}
      {draft.kind === 'top_spenders' && (
        <div className="row">
          <Field label={t('crm.segments.top')} hint={t('crm.segments.topHint')}>{(c) => <NumberInput control={c} min={1} step={1} value={draft.top} onChange={(v) => set('top', v)} />}</Field>
          <MinSpend draft={draft} currency={currency} onChange={(v) => set('minSpend', v)} />
        </div>
      )}
      {draft.kind === 'inactive_days' && (
        <Field label={t('crm.segments.days')}>{(c) => <NumberInput control={c} min={1} step={1} placeholder="14" value={draft.days} onChange={(v) => set('days', v)} />}</Field>
      )}
      {draft.kind === 'custom' && <CustomFields draft={draft} currency={currency} set={set} />}
      <p role="status" className="crm-size">
        {size.data ? t('crm.segments.size', { count: size.data.size }) : t('common.loading')}
      </p>
      <ErrorNote error={save.error ?? size.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending || !name.trim()}>
          {t('crm.segments.save')}
        </button>
        <button type="button" onClick={() => onDone(null)}>
          {t('crm.cancel')}
        </button>
      </div>
    </form>
  );
}

function MinSpend({ draft, currency, onChange }: { draft: FilterDraft; currency: string; onChange: (v: number | undefined) => void }) {
  const { t } = useTranslation();
  return <Field label={t('crm.segments.minSpend', { currency })}>{(c) => <NumberInput control={c} min={0} step="any" value={draft.minSpend} onChange={onChange} />}</Field>;
}

function CustomFields({ draft, currency, set }: { draft: FilterDraft; currency: string; set: <K extends keyof FilterDraft>(k: K, v: FilterDraft[K]) => void }) {
  const { t } = useTranslation();
  const text = (k: 'tagsAny' | 'tagsAll' | 'language' | 'platform' | 'flagsHas' | 'flagsNot', hint?: string) => (
    <Field label={t(`crm.segments.fields.${k}`)} hint={hint}>
      {(c) => <input {...c} value={draft[k]} onChange={(e) => set(k, e.target.value)} />}
    </Field>
  );
  return (
    <>
      <fieldset>
        <legend>{t('crm.segments.fields.subscription')}</legend>
        <div className="row tight">
          {subscriptions.map((s) => (
            <label key={s} className="check">
              <input
                type="checkbox"
                checked={draft.subscription.includes(s)}
                onChange={(e) => set('subscription', e.target.checked ? [...draft.subscription, s] : draft.subscription.filter((x) => x !== s))}
              />{' '}
              {t(`crm.subscription.${s}`)}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="row">
        <MinSpend draft={draft} currency={currency} onChange={(v) => set('minSpend', v)} />
        <Field label={t('crm.segments.fields.lastSeenWithinDays')}>{(c) => <NumberInput control={c} min={1} step={1} value={draft.lastSeenWithinDays} onChange={(v) => set('lastSeenWithinDays', v)} />}</Field>
        <Field label={t('crm.segments.fields.notSeenForDays')}>{(c) => <NumberInput control={c} min={1} step={1} value={draft.notSeenForDays} onChange={(v) => set('notSeenForDays', v)} />}</Field>
      </div>
      <div className="row">
        {text('tagsAny', t('crm.commaHint'))}
        {text('tagsAll', t('crm.commaHint'))}
      </div>
      <div className="row">
        {text('flagsHas', t('crm.commaHint'))}
        {text('flagsNot', t('crm.commaHint'))}
      </div>
      <div className="row">
        {text('language')}
        {text('platform')}
      </div>
    </>
  );
}

/** The filter as it was `ms` ago without a change: the live size is not asked on every keystroke. */
function useDebounced(filter: SegmentFilter, ms: number): SegmentFilter | null {
  const json = JSON.stringify(filter);
  const [value, setValue] = useState<SegmentFilter | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => setValue(JSON.parse(json) as SegmentFilter), ms);
    return () => clearTimeout(timer);
  }, [json, ms]);
  return value;
}
