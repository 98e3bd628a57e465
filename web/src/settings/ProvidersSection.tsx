import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useProviders } from '../studio/queries';
import { ErrorNote } from '../ui/ErrorNote';
import { ProviderForm } from './ProviderForm';
import { ProviderRow } from './ProviderRow';

/** The organization's generation back-ends (image, text, voice). */
export function ProvidersSection() {
  const { t } = useTranslation();
  const providers = useProviders();
  const [editing, setEditing] = useState<string | null>(null);
  // A fresh form after each addition.
  const [added, setAdded] = useState(0);
  const edited = providers.data?.find((p) => p.id === editing);

  return (
    <div className="stack-lg">
      <section className="panel" aria-labelledby="providers-title">
        <h2 id="providers-title">{t('providers.title')}</h2>
        <p className="muted">{t('providers.intro')}</p>
        <ErrorNote error={providers.error} />
        {providers.isPending && <p role="status">{t('common.loading')}</p>}
        {providers.data?.length === 0 && <p className="muted">{t('providers.empty')}</p>}
        {!!providers.data?.length && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('providers.columns.name')}</th>
                  <th scope="col">{t('providers.columns.type')}</th>
                  <th scope="col">{t('providers.columns.status')}</th>
                  <th scope="col">{t('providers.columns.credentials')}</th>
                  <th scope="col">{t('team.columns.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {providers.data.map((p) => (
                  <ProviderRow key={p.id} provider={p} onEdit={() => setEditing(p.id)} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="panel" aria-labelledby="providers-form">
        <h2 id="providers-form">{edited ? t('providers.editTitle', { name: edited.name }) : t('providers.addTitle')}</h2>
        {edited ? <ProviderForm key={edited.id} initial={edited} onDone={() => setEditing(null)} /> : <ProviderForm key={`new-${added}`} onDone={() => setAdded((n) => n + 1)} />}
        {!edited && added > 0 && (
          <p className="success" role="status">
            {t('providers.added')}
          </p>
        )}
      </section>
    </div>
  );
}
