import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../app/me';
import { useSelectedPersona } from '../personas/selection';

export function PersonaSwitcher() {
  const { t } = useTranslation();
  const can = useCan();
  const id = useId();
  const { persona, personas, select } = useSelectedPersona();
  if (!can('personas:read')) return null;
  return (
    <div className="inline-field">
      <label htmlFor={id}>{t('header.persona')}</label>
      <select id={id} value={persona?.id ?? ''} disabled={personas.length === 0} onChange={(e) => select(e.target.value)}>
        {personas.length === 0 && <option value="">{t('header.noPersona')}</option>}
        {personas.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </div>
  );
}
