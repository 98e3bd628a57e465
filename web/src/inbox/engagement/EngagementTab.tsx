import { useTranslation } from 'react-i18next';
import type { Persona } from '../../personas/queries';

export function EngagementTab({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  return <div className="panel">{t('engagement.title')} · {persona.name}</div>;
}
