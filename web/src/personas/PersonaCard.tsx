import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useCan, useOrgKey } from '../app/me';
import { ErrorNote } from '../ui/ErrorNote';
import { useDateTime } from '../ui/format';
import { useLanguageName } from './languages';
import type { Persona } from './queries';
import { useSelectedPersona } from './selection';

export function PersonaCard({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  const can = useCan();
  const key = useOrgKey();
  const queryClient = useQueryClient();
  const languageName = useLanguageName();
  const dateTime = useDateTime();
  const selection = useSelectedPersona();
  const selected = selection.persona?.id === persona.id;

  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/personas/{id}', { params: { path: { id: persona.id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key('personas') }),
  });

  return (
    <li className={selected ? 'card card-selected' : 'card'}>
      <div className="card-head">
        <h3>{persona.name}</h3>
        {selected && <span className="badge">{t('personas.current')}</span>}
      </div>
      <dl className="facts">
        <dt>{t('personas.fields.statedAge')}</dt>
        <dd>{persona.statedAge}</dd>
        <dt>{t('personas.fields.timezone')}</dt>
        <dd>{persona.timezone}</dd>
        <dt>{t('personas.fields.languages')}</dt>
        <dd>{persona.languages.map(languageName).join(', ')}</dd>
        <dt>{t('personas.attestedAt')}</dt>
        <dd>{dateTime(persona.attestation.at)}</dd>
      </dl>
      {persona.bio && <p className="bio">{persona.bio}</p>}
      <div className="actions">
        {!selected && (
          <button type="button" onClick={() => selection.select(persona.id)}>
            {t('personas.select', { name: persona.name })}
          </button>
        )}
        {can('personas:delete') && (
          <button
            type="button"
            className="danger"
            disabled={remove.isPending}
            onClick={() => window.confirm(t('personas.confirmDelete', { name: persona.name })) && remove.mutate()}
          >
            {t('personas.delete', { name: persona.name })}
          </button>
        )}
      </div>
      <ErrorNote error={remove.error} />
    </li>
  );
}
