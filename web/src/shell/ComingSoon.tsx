import { useTranslation } from 'react-i18next';
import type { Section } from './nav';

type Placeholder = Exclude<Section, 'personas' | 'settings' | 'studio' | 'calendar' | 'sales' | 'inbox'>;

/** Stands in for capabilities that are planned but not built yet. */
export function ComingSoon({ section }: { section: Placeholder }) {
  const { t } = useTranslation();
  return (
    <section className="page">
      <h1>{t(`nav.${section}`)}</h1>
      <div className="panel coming-soon">
        <h2>{t('comingSoon.title')}</h2>
        <p>{t(`comingSoon.${section}`)}</p>
      </div>
    </section>
  );
}
