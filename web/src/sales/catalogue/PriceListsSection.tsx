import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { useOrgKey } from '../../app/me';
import { CatalogueError } from './CatalogueError';
import { Field } from '../../ui/Field';
import { catalogueKey, usePriceLists, type PriceList } from './queries';

/** Her price lists: the default one is what is sold; others wait for their turn (a holiday, a sale season). */
export function PriceListsSection({ personaId, writable }: { personaId: string; writable: boolean }) {
  const { t } = useTranslation();
  const lists = usePriceLists(personaId);
  return (
    <section className="panel stack" aria-labelledby="price-lists-title">
      <h2 id="price-lists-title">{t('catalogue.priceLists.title')}</h2>
      <p className="muted">{t('catalogue.priceLists.intro')}</p>
      <CatalogueError error={lists.error} />
      {lists.data?.length === 0 && <p className="muted small">{t('catalogue.priceLists.empty')}</p>}
      {!!lists.data?.length && (
        <ul className="cards">
          {lists.data.map((list) => (
            <PriceListItem key={list.id} list={list} writable={writable} />
          ))}
        </ul>
      )}
      {writable && <NewPriceList personaId={personaId} />}
    </section>
  );
}

function useRefresh() {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries({ queryKey: key(catalogueKey) });
}

function PriceListItem({ list, writable }: { list: PriceList; writable: boolean }) {
  const { t } = useTranslation();
  const refresh = useRefresh();
  const makeDefault = useMutation({
    mutationFn: () => unwrap(api.PATCH('/api/v1/price-lists/{id}', { params: { path: { id: list.id } }, body: { isDefault: true } })),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/price-lists/{id}', { params: { path: { id: list.id } } })),
    onSuccess: refresh,
  });
  return (
    <li className="card">
      <div className="card-head">
        <h3>{list.name}</h3>
        {list.isDefault && <span className="badge badge-ok">{t('catalogue.priceLists.default')}</span>}
      </div>
      {writable && !list.isDefault && (
        <div className="actions">
          <button type="button" className="small-button" onClick={() => makeDefault.mutate()} disabled={makeDefault.isPending}>
            {t('catalogue.priceLists.makeDefault')}
          </button>
          <button
            type="button"
            className="small-button danger"
            disabled={remove.isPending}
            onClick={() => {
              if (window.confirm(t('catalogue.priceLists.confirmDelete', { name: list.name }))) remove.mutate();
            }}
          >
            {t('catalogue.priceLists.delete')}
          </button>
        </div>
      )}
      <CatalogueError error={makeDefault.error ?? remove.error} />
    </li>
  );
}

function NewPriceList({ personaId }: { personaId: string }) {
  const { t } = useTranslation();
  const refresh = useRefresh();
  const [name, setName] = useState('');
  const [isDefault, setIsDefault] = useState(false);
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/price-lists', { body: { personaId, name: name.trim(), isDefault } })),
    onSuccess: () => {
      setName('');
      setIsDefault(false);
      refresh();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="row" onSubmit={submit}>
      <Field label={t('catalogue.priceLists.name')}>{(c) => <input {...c} value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} />}</Field>
      <label className="check">
        <input type="checkbox" checked={isDefault} onChange={(e) => setIsDefault(e.target.checked)} />
        {t('catalogue.priceLists.asDefault')}
      </label>
      <button type="submit" disabled={create.isPending}>
        {t('catalogue.priceLists.create')}
      </button>
      <CatalogueError error={create.error} />
    </form>
  );
}
