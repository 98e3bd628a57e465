import { useTranslation } from 'react-i18next';
import type { Persona } from '../../personas/queries';

export function FansTab({ persona, path: _path }: { persona: Persona; path: string }) {
  const { t } = useTranslation();
  return <div className="panel">{t('crm.title')} · {persona.name}</div>;
}
