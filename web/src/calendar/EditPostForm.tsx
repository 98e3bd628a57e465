import { useId, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useAsset } from '../studio/queries';
import type { Asset } from '../studio/types';
import { Field } from '../ui/Field';
import { NumberInput } from '../ui/NumberInput';
import { EditTargets, entriesOf, type TargetEntry } from './EditTargets';
import { MediaChoice } from './MediaChoice';
import { mediaKindOf } from './policy';
import { ProblemNote } from './ProblemNote';
import { useChannels, usePostChanged } from './queries';
import type { Post, PostPatch } from './types';

/**
 * Caption, priority, media and channels. Channels where the post is already out keep what they got, unless the
 * person ticks republish (off by default, with a warning): then they post it again as a new post.
 */
export function EditPostForm({ post, onDone }: { post: Post; onDone: () => void }) {
  const { t } = useTranslation();
  const warningId = useId();
  const changed = usePostChanged();
  const [caption, setCaption] = useState(post.caption);
  const [priority, setPriority] = useState<number | undefined>(post.priority);
  const [republish, setRepublish] = useState(false);
  const channels = useChannels(post.personaId);
  const current = useAsset(post.assetId);
  // undefined: the media is not being changed.
  const [asset, setAsset] = useState<Asset | null | undefined>(undefined);
  const [entries, setEntries] = useState<TargetEntry[]>(() => entriesOf(post));
  const published = post.targets.filter((target) => target.status === 'published').length;
  const save = useMutation({
    mutationFn: (body: PostPatch) => unwrap(api.PUT('/api/v1/posts/{id}', { params: { path: { id: post.id } }, body })),
    onSuccess: (saved) => {
      changed(saved);
      onDone();
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: PostPatch = {};
    if (caption !== post.caption) body.caption = caption;
    if (priority !== undefined && priority !== post.priority) body.priority = priority;
    if (republish) body.republish = true;
    if (asset !== undefined && (asset?.id ?? null) !== post.assetId) body.assetId = asset?.id ?? null;
    if (JSON.stringify(entries) !== JSON.stringify(entriesOf(post))) {
      body.targets = entries.map((e) => ({ ...(e.id ? { id: e.id } : {}), channelId: e.channelId, options: e.options }));
    }
    if (Object.keys(body).length === 0) return onDone();
    save.mutate(body);
  };

  return (
    <form className="panel stack edit-post" onSubmit={submit} aria-labelledby="edit-post-title">
      <h3 id="edit-post-title">{t('calendar.edit.title')}</h3>
      <Field label={t('calendar.edit.caption')} hint={t('calendar.composer.captionHint')}>
        {(c) => <textarea {...c} value={caption} onChange={(e) => setCaption(e.target.value)} rows={5} maxLength={5000} />}
      </Field>
      <Field label={t('calendar.composer.priority')} hint={t('calendar.composer.priorityHint')}>
        {(c) => <NumberInput control={c} value={priority} onChange={setPriority} min={-100} max={100} step={1} />}
      </Field>
      <MediaChoice personaId={post.personaId} value={asset !== undefined ? asset : (current.data ?? null)} onChange={setAsset} />
      {channels.data && <EditTargets channels={channels.data} entries={entries} onChange={setEntries} mediaKind={mediaKindOf(asset !== undefined ? asset : (current.data ?? null))} />}
      {published > 0 && (
        <div className="check-block">
          <input id={`${warningId}-box`} type="checkbox" checked={republish} onChange={(e) => setRepublish(e.target.checked)} aria-describedby={warningId} />
          <div>
            <label htmlFor={`${warningId}-box`}>{t('calendar.edit.republish')}</label>
            <p id={warningId} className={republish ? 'notice warning small' : 'field-hint'}>
              {t('calendar.edit.republishWarning', { count: published })}
            </p>
          </div>
        </div>
      )}
      <ProblemNote error={save.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? t('calendar.edit.saving') : t('calendar.edit.save')}
        </button>
        <button type="button" onClick={onDone}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
