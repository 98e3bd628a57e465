import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { errorUnder } from '../../../api/problem';
import { Field } from '../../../ui/Field';
import { NumberInput } from '../../../ui/NumberInput';
import { estimateTokens, newEntry, type LoreEntry, type SectionProps } from './draft';
import { ListInput } from './ListInput';

/** Keyword-triggered knowledge: an entry's content joins the prompt when a recent message names one of its keys. */
export function LorebookEditor({ draft, set, errors, readOnly }: SectionProps) {
  const { t } = useTranslation();
  const book = draft.lorebook;
  const entries = book.entries;
  // Rows keep their own ids so removing one does not hand its neighbours' typed state to the wrong entry.
  const ids = useRef<number[]>([]);
  const nextId = useRef(0);
  if (ids.current.length !== entries.length) ids.current = entries.map(() => nextId.current++);
  const setEntries = (next: LoreEntry[], nextIds: number[]) => {
    ids.current = nextIds;
    set({ lorebook: { ...book, entries: next } });
  };
  const patch = (i: number, p: Partial<LoreEntry>) => setEntries(entries.map((e, j) => (j === i ? { ...e, ...p } : e)), ids.current);

  return (
    <fieldset disabled={readOnly} className="stack">
      <legend>{t('chat.profile.lore.title')}</legend>
      <p className="field-hint">{t('chat.profile.lore.hint')}</p>
      {entries.length === 0 && <p className="muted">{t('chat.profile.lore.empty')}</p>}
      <ol className="chat-lore">
        {entries.map((e, i) => (
          <li key={ids.current[i]} className={e.enabled ? 'chat-lore-entry' : 'chat-lore-entry is-off'}>
            <div className="grid-2">
              <Field label={t('chat.profile.lore.name')} error={errorUnder(errors, `lorebook.entries.${i}.name`)}>
                {(c) => <input {...c} value={e.name ?? e.comment ?? ''} maxLength={200} onChange={(ev) => patch(i, { name: ev.target.value })} />}
              </Field>
              <Field label={t('chat.profile.lore.keys')} hint={t('chat.profile.listHint')} error={errorUnder(errors, `lorebook.entries.${i}.keys`)}>
                {(c) => <ListInput control={c} value={e.keys} onChange={(keys) => patch(i, { keys })} />}
              </Field>
            </div>
            <Field label={t('chat.profile.lore.content')} hint={t('chat.profile.tokens', { count: estimateTokens(e.content) })} error={errorUnder(errors, `lorebook.entries.${i}.content`)}>
              {(c) => <textarea {...c} rows={3} value={e.content} onChange={(ev) => patch(i, { content: ev.target.value })} />}
            </Field>
            <div className="checks-inline">
              <label className="check">
                <input type="checkbox" checked={e.enabled} onChange={(ev) => patch(i, { enabled: ev.target.checked })} /> {t('chat.profile.lore.enabled')}
              </label>
              <label className="check">
                <input type="checkbox" checked={e.constant ?? false} onChange={(ev) => patch(i, { constant: ev.target.checked })} /> {t('chat.profile.lore.constant')}
              </label>
              <label className="check">
                <input type="checkbox" checked={e.case_sensitive ?? false} onChange={(ev) => patch(i, { case_sensitive: ev.target.checked })} /> {t('chat.profile.lore.caseSensitive')}
              </label>
              <Field label={t('chat.profile.lore.order')} error={errorUnder(errors, `lorebook.entries.${i}.insertion_order`)}>
                {(c) => <NumberInput control={c} step={1} value={e.insertion_order} onChange={(v) => v !== undefined && Number.isInteger(v) && patch(i, { insertion_order: v })} />}
              </Field>
              <button type="button" className="small-button" onClick={() => setEntries(entries.filter((_, j) => j !== i), ids.current.filter((_, j) => j !== i))}>
                {t('chat.profile.lore.remove')}
              </button>
            </div>
          </li>
        ))}
      </ol>
      <button type="button" className="small-button" onClick={() => setEntries([...entries, newEntry(entries.length)], [...ids.current, nextId.current++])}>
        {t('chat.profile.lore.add')}
      </button>
    </fieldset>
  );
}
