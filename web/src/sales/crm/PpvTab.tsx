import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/me';
import type { Persona } from '../../personas/queries';
import { PpvBuilder } from './PpvBuilder';
import { PpvList } from './PpvList';

/** Pay-to-view campaigns of the persona: build one for a segment, follow what was sent and what it earned. */
export function PpvTab({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  const can = useCan();
  return (
    <div className="stack">
      {can('sales:write') && <PpvBuilder persona={persona} />}
      <section className="panel" aria-labelledby="crm-ppv-list">
        <h2 id="crm-ppv-list">{t('crm.ppv.listTitle')}</h2>
        <PpvList persona={persona} />
      </section>
    </div>
  );
}
