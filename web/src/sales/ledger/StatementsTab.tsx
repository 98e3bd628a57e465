import { useTranslation } from 'react-i18next';
import type { Persona } from '../../personas/queries';

export function StatementsTab({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  return <div className="panel">{t('billing.title')} · {persona.name}</div>;
}
