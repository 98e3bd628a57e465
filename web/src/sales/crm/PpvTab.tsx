import { useTranslation } from 'react-i18next';
import type { Persona } from '../../personas/queries';

export function PpvTab({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  return <div className="panel">{t('crm.title')} · {persona.name}</div>;
}
