import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { errorUnder, fieldErrors, unwrap } from '../../api/problem';
import { useOrgKey } from '../../app/me';
import { toggle } from '../../studio/fields';
import { CatalogueError } from './CatalogueError';
import { Field } from '../../ui/Field';
import { MediaPicker } from './MediaPicker';
import { PriceEditor } from './PriceEditor';
import { catalogueKey, type Pack } from './queries';

const statuses = ['draft', 'active', 'archived'] as const;

/** Everything about one pack or bundle: words and status, what is in it, its prices; or delete it. */
export function PackEditor({ pack, packs, onClose }: { pack: Pack; packs: Pack[]; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <section className="panel stack" aria-labelledby="pack-editor-title">
      <div className="panel-head">
        <h2 id="pack-editor-title">{t(pack.kind === 'bundle' ? 'catalogue.packs.editBundle' : 'catalogue.packs.editPack', { title: pack.title })}</h2>
        <button type="button" onClick={onClose}>
          {t('catalogue.close')}
        </button>
      </div>
      <DetailsForm key={`d-${pack.updatedAt}`} pack={pack} />
      {pack.kind === 'pack' ? <ItemsForm key={`i-${pack.id}`} pack={pack} /> : <BundleForm key={`b-${pack.id}`} pack={pack} packs={packs} />}
      <PriceEditor pack={pack} />
      <DeletePack pack={pack} onDeleted={onClose} />
    </section>
  );
}

function useRefresh() {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries({ queryKey: key(catalogueKey) });
}

function DetailsForm({ pack }: { pack: Pack }) {
  const { t } = useTranslation();
  const refresh = useRefresh();
  const [title, setTitle] = useState(pack.title);
  const [description, setDescription] = useState(pack.description);
  const [status, setStatus] = useState(pack.status);
  const save = useMutation({
    mutationFn: () => unwrap(api.PATCH('/api/v1/packs/{id}', { params: { path: { id: pack.id } }, body: { title: title.trim(), description, status } })),
    onSuccess: refresh,
  });
  const errors = fieldErrors(save.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form className="stack" onSubmit={submit}>
      <div className="grid-2">
        <Field label={t('catalogue.packs.title')} error={errorUnder(errors, 'title')}>
          {(c) => <input {...c} value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={120} />}
        </Field>
        <Field label={t('catalogue.packs.status')} hint={t('catalogue.packs.statusHint')}>
          {(c) => (
            <select {...c} value={status} onChange={(e) => setStatus(e.target.value as Pack['status'])}>
              {statuses.map((s) => (
                <option key={s} value={s}>
                  {t(`catalogue.packStatus.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field label={t('catalogue.packs.description')} error={errorUnder(errors, 'description')}>
        {(c) => <textarea {...c} value={description} onChange={(e) => setDescription(e.target.value)} rows={3} maxLength={4000} />}
      </Field>
      <CatalogueError error={save.error} />
      <button type="submit" className="primary" disabled={save.isPending}>
        {t('catalogue.save')}
      </button>
      <p className={save.isSuccess ? 'success' : 'visually-hidden'} role="status">
        {save.isSuccess ? t('catalogue.saved') : ''}
      </p>
    </form>
  );
}

function ItemsForm({ pack }: { pack: Pack }) {
  const { t } = useTranslation();
  const refresh = useRefresh();
  const [assetIds, setAssetIds] = useState(pack.assetIds);
  const save = useMutation({
    mutationFn: () => unwrap(api.PUT('/api/v1/packs/{id}/items', { params: { path: { id: pack.id } }, body: { assetIds } })),
    onSuccess: refresh,
  });
  return (
    <div className="stack">
      <MediaPicker personaId={pack.personaId} value={assetIds} onChange={setAssetIds} />
      <p className="field-hint">{t('catalogue.packs.ratingHint')}</p>
      <CatalogueError error={save.error} />
      <button type="button" onClick={() => save.mutate()} disabled={save.isPending}>
        {t('catalogue.packs.saveMedia')}
      </button>
      <p className={save.isSuccess ? 'success' : 'visually-hidden'} role="status">
        {save.isSuccess ? t('catalogue.saved') : ''}
      </p>
    </div>
  );
}

function BundleForm({ pack, packs }: { pack: Pack; packs: Pack[] }) {
  const { t } = useTranslation();
  const refresh = useRefresh();
  const [packIds, setPackIds] = useState(pack.packIds);
  const choices = packs.filter((p) => p.kind === 'pack');
  const save = useMutation({
    mutationFn: () => unwrap(api.PUT('/api/v1/packs/{id}/bundle', { params: { path: { id: pack.id } }, body: { packIds } })),
    onSuccess: refresh,
  });
  return (
    <div className="stack">
      <fieldset>
        <legend>{t('catalogue.packs.bundlePacks')}</legend>
        {choices.length === 0 && <p className="muted small">{t('catalogue.packs.noPacksForBundle')}</p>}
        <div className="checks-inline">
          {choices.map((p) => (
            <label key={p.id} className="check">
              <input type="checkbox" checked={packIds.includes(p.id)} onChange={(e) => setPackIds(toggle(packIds, p.id, e.target.checked))} />
              {p.title}
            </label>
          ))}
        </div>
      </fieldset>
      <CatalogueError error={save.error} />
      <button type="button" onClick={() => save.mutate()} disabled={save.isPending}>
        {t('catalogue.packs.saveBundle')}
      </button>
      <p className={save.isSuccess ? 'success' : 'visually-hidden'} role="status">
        {save.isSuccess ? t('catalogue.saved') : ''}
      </p>
    </div>
  );
}

function DeletePack({ pack, onDeleted }: { pack: Pack; onDeleted: () => void }) {
  const { t } = useTranslation();
  const refresh = useRefresh();
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/packs/{id}', { params: { path: { id: pack.id } } })),
    onSuccess: () => {
      refresh();
      onDeleted();
    },
  });
  return (
    <div className="actions">
      <button
        type="button"
        className="danger"
        disabled={remove.isPending}
        onClick={() => {
          if (window.confirm(t('catalogue.packs.confirmDelete', { title: pack.title }))) remove.mutate();
        }}
      >
        {t('catalogue.packs.delete')}
      </button>
      <CatalogueError error={remove.error} />
    </div>
  );
}
