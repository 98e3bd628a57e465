import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../ui/Field';
import type { MediaFilters } from './queries';
import type { AssetKind, AssetStatus, Rating } from './types';

const kinds: AssetKind[] = ['image', 'video', 'audio'];
const ratings: Rating[] = ['sfw', 'suggestive', 'explicit', 'unrated'];
const statuses: AssetStatus[] = ['approved', 'pending_approval', 'rejected'];

/** Choices apply at once; the two text filters on submit, so typing does not reload the grid each key. */
export function GalleryFilters({ value, onChange, withStatus }: { value: MediaFilters; onChange: (next: MediaFilters) => void; withStatus: boolean }) {
  const { t } = useTranslation();
  const [tag, setTag] = useState(value.tag ?? '');
  const [q, setQ] = useState(value.q ?? '');
  const set = <K extends keyof MediaFilters>(name: K, v: MediaFilters[K] | '') => {
    const next = { ...value };
    if (v === '' || v === undefined) delete next[name];
    else next[name] = v;
    onChange(next);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = { ...value };
    delete next.tag;
    delete next.q;
    onChange({ ...next, ...(tag.trim() ? { tag: tag.trim() } : {}), ...(q.trim() ? { q: q.trim() } : {}) });
  };

  return (
    <form className="filters" onSubmit={submit} role="search" aria-label={t('studio.gallery.filters')}>
      <Field label={t('studio.gallery.kind')}>
        {(c) => (
          <select {...c} value={value.kind ?? ''} onChange={(e) => set('kind', e.target.value as AssetKind | '')}>
            <option value="">{t('studio.gallery.all')}</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {t(`studio.assetKinds.${k}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('studio.gallery.rating')}>
        {(c) => (
          <select {...c} value={value.rating ?? ''} onChange={(e) => set('rating', e.target.value as Rating | '')}>
            <option value="">{t('studio.gallery.all')}</option>
            {ratings.map((r) => (
              <option key={r} value={r}>
                {t(`studio.rating.${r}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {withStatus && (
        <Field label={t('studio.gallery.status')}>
          {(c) => (
            <select {...c} value={value.status ?? ''} onChange={(e) => set('status', e.target.value as AssetStatus | '')}>
              <option value="">{t('studio.gallery.all')}</option>
              {statuses.map((s) => (
                <option key={s} value={s}>
                  {t(`studio.assetStatus.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <Field label={t('studio.gallery.tag')}>
        {(c) => <input {...c} value={tag} onChange={(e) => setTag(e.target.value)} maxLength={50} />}
      </Field>
      <Field label={t('studio.gallery.search')}>
        {(c) => <input {...c} type="search" value={q} onChange={(e) => setQ(e.target.value)} maxLength={200} placeholder={t('studio.gallery.searchPlaceholder')} />}
      </Field>
      <button type="submit">{t('studio.gallery.apply')}</button>
    </form>
  );
}
