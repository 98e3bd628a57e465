import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { errorUnder, fieldErrors, unwrap } from '../../api/problem';
import { useCan, useOrgKey } from '../../app/me';
import type { Persona } from '../../personas/queries';
import { RatingBadge } from '../../studio/badges';
import { CatalogueError } from './CatalogueError';
import { Field } from '../../ui/Field';
import { EffectivePrices } from './EffectivePrices';
import { PackEditor } from './PackEditor';
import { PriceListsSection } from './PriceListsSection';
import { catalogueKey, usePacks, type Pack } from './queries';

/** What she sells: packs of media and bundles of packs, their prices per platform as fans see them now. */
export function PacksTab({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  const can = useCan();
  const writable = can('sales:write');
  const packs = usePacks(persona.id);
  const [editing, setEditing] = useState<string | null>(null);
  const current = packs.data?.find((p) => p.id === editing);
  return (
    <div className="stack-lg">
      <section className="panel" aria-labelledby="packs-title">
        <h2 id="packs-title">{t('catalogue.packs.heading', { name: persona.name })}</h2>
        <p className="muted">{t('catalogue.packs.intro')}</p>
        <CatalogueError error={packs.error} />
        {packs.isPending && <p role="status">{t('common.loading')}</p>}
        {packs.data?.length === 0 && <p className="muted">{t('catalogue.packs.empty')}</p>}
        {!!packs.data?.length && (
          <ul className="cards" aria-label={t('catalogue.packs.listLabel')}>
            {packs.data.map((pack) => (
              <PackCard key={pack.id} pack={pack} selected={pack.id === editing} onEdit={writable ? () => setEditing(pack.id) : undefined} />
            ))}
          </ul>
        )}
      </section>
      {writable && current && <PackEditor key={current.id} pack={current} packs={packs.data ?? []} onClose={() => setEditing(null)} />}
      {writable && <NewPack personaId={persona.id} onCreated={setEditing} />}
      <PriceListsSection personaId={persona.id} writable={writable} />
    </div>
  );
}

function PackCard({ pack, selected, onEdit }: { pack: Pack; selected: boolean; onEdit: (() => void) | undefined }) {
  const { t } = useTranslation();
  const count = pack.kind === 'pack' ? t('catalogue.packs.mediaCount', { count: pack.assetIds.length }) : t('catalogue.packs.packCount', { count: pack.packIds.length });
  return (
    <li className={selected ? 'card card-selected' : 'card'}>
      <div className="card-head">
        <h3>{pack.title}</h3>
        <span className="badge">{t(`catalogue.kind.${pack.kind}`)}</span>
        <span className={`badge pack-status-${pack.status}`}>{t(`catalogue.packStatus.${pack.status}`)}</span>
        <RatingBadge rating={pack.rating} />
      </div>
      {pack.description && <p className="bio">{pack.description}</p>}
      <p className="muted small">{count}</p>
      <EffectivePrices prices={pack.effective} />
      {onEdit && (
        <div className="actions">
          <button type="button" className="small-button" onClick={onEdit} aria-label={t('catalogue.packs.editLabel', { title: pack.title })}>
            {t('catalogue.edit')}
          </button>
        </div>
      )}
    </li>
  );
}

function NewPack({ personaId, onCreated }: { personaId: string; onCreated: (id: string) => void }) {
  const { t } = useTranslation();
  const key = useOrgKey();
  const queryClient = useQueryClient();
  const [title, setTitle] = useState('');
  const [kind, setKind] = useState<Pack['kind']>('pack');
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/packs', { body: { personaId, title: title.trim(), kind } })),
    onSuccess: async (pack) => {
      setTitle('');
      await queryClient.invalidateQueries({ queryKey: key(catalogueKey) });
      onCreated(pack.id);
    },
  });
  const errors = fieldErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section className="panel" aria-labelledby="pack-new-title">
      <h2 id="pack-new-title">{t('catalogue.packs.newTitle')}</h2>
      <form className="row" onSubmit={submit}>
        <Field label={t('catalogue.packs.title')} error={errorUnder(errors, 'title')}>
          {(c) => <input {...c} value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={120} />}
        </Field>
        <Field label={t('catalogue.packs.kind')}>
          {(c) => (
            <select {...c} value={kind} onChange={(e) => setKind(e.target.value as Pack['kind'])}>
              <option value="pack">{t('catalogue.kind.pack')}</option>
              <option value="bundle">{t('catalogue.kind.bundle')}</option>
            </select>
          )}
        </Field>
        <button type="submit" className="primary" disabled={create.isPending}>
          {t('catalogue.packs.create')}
        </button>
      </form>
      <CatalogueError error={create.error} />
    </section>
  );
}
