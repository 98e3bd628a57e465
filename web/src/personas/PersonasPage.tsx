import { useTranslation } from 'react-i18next';
import { useCan } from '../app/me';
import { ErrorNote } from '../ui/ErrorNote';
import { PersonaCard } from './PersonaCard';
import { PersonaForm } from './PersonaForm';
import { usePersonas } from './queries';

export function PersonasPage() {
  const { t } = useTranslation();
  const can = useCan();
  const personas = usePersonas();
  return (
    <section className="page">
      <h1>{t('personas.title')}</h1>
      <p className="muted">{t('personas.intro')}</p>
      <div className="columns">
        <section className="panel" aria-labelledby="personas-list">
          <h2 id="personas-list">{t('personas.listTitle')}</h2>
          <ErrorNote error={personas.error} />
          {personas.isPending && <p role="status">{t('common.loading')}</p>}
          {personas.data?.length === 0 && <p className="muted">{t('personas.empty')}</p>}
          <ul className="cards">
            {personas.data?.map((persona) => (
              <PersonaCard key={persona.id} persona={persona} />
            ))}
          </ul>
        </section>
        {can('personas:write') && (
          <section className="panel" aria-labelledby="personas-new">
            <h2 id="personas-new">{t('personas.form.title')}</h2>
            <PersonaForm />
          </section>
        )}
      </div>
    </section>
  );
}
