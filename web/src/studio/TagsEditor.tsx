import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useCan } from '../app/me';
import { Field } from '../ui/Field';
import { ErrorNote } from '../ui/ErrorNote';
import { parseTags } from './fields';
import { useAssetChanged } from './queries';
import type { Asset } from './types';

const MAX_TAGS = 30;

export function TagsEditor({ asset }: { asset: Asset }) {
  const { t } = useTranslation();
  const can = useCan();
  const changed = useAssetChanged();
  const [tags, setTags] = useState(asset.tags);
  const [adding, setAdding] = useState('');
  const save = useMutation({
    mutationFn: (next: string[]) => unwrap(api.PATCH('/api/v1/media/{id}', { params: { path: { id: asset.id } }, body: { tags: next } })),
    onSuccess: (updated) => {
      setTags(updated.tags);
      changed(updated);
    },
  });
  const dirty = tags.join(',') !== asset.tags.join(',');

  if (!can('media:write')) {
    return <p>{asset.tags.length ? asset.tags.map((tag) => `#${tag}`).join(' ') : <span className="muted">{t('studio.detail.noTags')}</span>}</p>;
  }

  const add = (event: FormEvent) => {
    event.preventDefault();
    setTags((list) => [...new Set([...list, ...parseTags(adding)])].slice(0, MAX_TAGS));
    setAdding('');
  };

  return (
    <div className="stack">
      {tags.length === 0 && <p className="muted small">{t('studio.detail.noTags')}</p>}
      {tags.length > 0 && (
        <ul className="tag-list">
          {tags.map((tag) => (
            <li key={tag} className="tag">
              #{tag}
              <button type="button" className="tag-remove" onClick={() => setTags((list) => list.filter((x) => x !== tag))} aria-label={t('studio.detail.removeTag', { tag })}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={add} className="row tight">
        <Field label={t('studio.detail.addTag')}>
          {(c) => <input {...c} value={adding} onChange={(e) => setAdding(e.target.value)} maxLength={200} placeholder={t('studio.detail.addTagPlaceholder')} />}
        </Field>
        <button type="submit" disabled={!adding.trim()}>
          {t('studio.detail.add')}
        </button>
      </form>
      <div className="actions">
        <button type="button" className="primary" disabled={!dirty || save.isPending} onClick={() => save.mutate(tags)}>
          {t('studio.detail.saveTags')}
        </button>
        {save.isSuccess && !dirty && (
          <span className="success-inline" role="status">
            {t('studio.saved')}
          </span>
        )}
      </div>
      <ErrorNote error={save.error} />
    </div>
  );
}
