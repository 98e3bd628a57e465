import { useTranslation } from 'react-i18next';
import type { Persona } from '../../personas/queries';

export function PacksTab({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  return <div className="panel">{t('catalogue.title')} · {persona.name}</div>;
}
