import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { fieldErrors, unwrap } from '../api/problem';
import { useOrgKey } from '../app/me';
import { Field } from '../ui/Field';
import { ErrorNote } from '../ui/ErrorNote';
import { RatingBadge, AssetStatusBadge } from './badges';
import type { Asset } from './types';

type Source = 'upload' | 'midjourney';

/**
 * Upload or import a file: it goes through the same pipeline as generated media (metadata stripped,
 * marked as AI, rated; explicit files wait for approval).
 */
export function UploadForm({ personaId, onOpen }: { personaId: string; onOpen: (id: string) => void }) {
  const { t } = useTranslation();
  const key = useOrgKey();
  const queryClient = useQueryClient();
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [source, setSource] = useState<Source>('upload');
  const [tags, setTags] = useState('');

  const upload = useMutation({
    mutationFn: (chosen: File) => {
      // Fields before the file: the server reads the ones that precede it in the stream.
      const form = new FormData();
      form.append('personaId', personaId);
      form.append('source', source);
      form.append('tags', tags);
      form.append('file', chosen, chosen.name);
      // The spec declares no body for this multipart route; openapi-fetch sends FormData as is.
      return unwrap(api.POST('/api/v1/media/upload', { body: form as never })) as Promise<Asset>;
    },
    onSuccess: () => {
      setFile(null);
      setTags('');
      if (fileInput.current) fileInput.current.value = '';
      void queryClient.invalidateQueries({ queryKey: key('media') });
    },
  });
  const errors = fieldErrors(upload.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (file) upload.mutate(file);
  };

  return (
    <section className="panel narrow-panel" aria-labelledby="upload-title">
      <h2 id="upload-title">{t('studio.upload.title')}</h2>
      <p className="muted">{t('studio.upload.intro')}</p>
      <form onSubmit={submit} className="stack">
        <Field label={t('studio.upload.file')} hint={t('studio.upload.fileHint')} error={errors.file}>
          {(c) => <input {...c} ref={fileInput} type="file" accept="image/*,video/*,audio/*" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />}
        </Field>
        <Field label={t('studio.upload.source')} hint={source === 'midjourney' ? t('studio.upload.midjourneyHint') : t('studio.upload.uploadHint')} error={errors.source}>
          {(c) => (
            <select {...c} value={source} onChange={(e) => setSource(e.target.value as Source)}>
              <option value="upload">{t('studio.upload.sources.upload')}</option>
              <option value="midjourney">{t('studio.upload.sources.midjourney')}</option>
            </select>
          )}
        </Field>
        <Field label={t('studio.generate.tags')} hint={t('studio.generate.tagsHint')} error={errors.tags}>
          {(c) => <input {...c} value={tags} onChange={(e) => setTags(e.target.value)} maxLength={1000} />}
        </Field>
        <ErrorNote error={upload.error} />
        {errors._ && <p className="field-error">{errors._}</p>}
        <button type="submit" className="primary" disabled={!file || upload.isPending}>
          {upload.isPending ? t('studio.upload.sending') : t('studio.upload.submit')}
        </button>
        {upload.data && (
          <div className="success inline-result" role="status">
            {t('studio.upload.done')} <RatingBadge rating={upload.data.rating} /> <AssetStatusBadge status={upload.data.status} />{' '}
            <button type="button" className="link" onClick={() => onOpen(upload.data.id)}>
              {t('studio.upload.open')}
            </button>
          </div>
        )}
      </form>
    </section>
  );
}
