import { useTranslation } from 'react-i18next';
import { onLinkClick } from '../app/router';
import { TabNav, usePermittedTab, type TabDef } from '../ui/TabNav';
import { useSelectedPersona } from '../personas/selection';
import { PacksTab } from './catalogue/PacksTab';
import { PromotionsTab } from './catalogue/PromotionsTab';
import { FansTab } from './crm/FansTab';
import { PpvTab } from './crm/PpvTab';
import { LedgerTab } from './ledger/LedgerTab';
import { StatementsTab } from './ledger/StatementsTab';

type Tab = 'packs' | 'promotions' | 'ppv' | 'fans' | 'ledger' | 'statements';
const tabs: TabDef<Tab>[] = [
  { id: 'packs', path: '/sales', needs: 'sales:read' },
  { id: 'promotions', path: '/sales/promotions', needs: 'sales:read' },
  { id: 'ppv', path: '/sales/ppv', needs: 'sales:read' },
  { id: 'fans', path: '/sales/fans', needs: 'sales:read' },
  { id: 'ledger', path: '/sales/ledger', needs: 'ledger:read' },
  { id: 'statements', path: '/sales/statements', needs: 'ledger:read' },
];

/** Sales for the persona chosen in the header: what she sells, to whom, and what came in. */
export function SalesPage({ path }: { path: string }) {
  const { t } = useTranslation();
  const { persona, personas } = useSelectedPersona();
  // Sub-paths (e.g. /sales/fans/<id>) belong to their tab.
  const tabPath = tabs.filter((tab) => tab.path !== '/sales').find((tab) => path === tab.path || path.startsWith(`${tab.path}/`))?.path ?? '/sales';
  const { visible, current } = usePermittedTab(tabs, tabPath);

  return (
    <section className="page page-wide">
      <h1>
        {t('nav.sales')}
        {persona && <span className="title-persona"> · {persona.name}</span>}
      </h1>
      {persona ? (
        <>
          <TabNav label={t('nav.sales')} tabs={visible} current={current} title={(id) => t(`salesTabs.${id}`)} />
          {current?.id === 'packs' && <PacksTab key={persona.id} persona={persona} />}
          {current?.id === 'promotions' && <PromotionsTab key={persona.id} persona={persona} />}
          {current?.id === 'ppv' && <PpvTab key={persona.id} persona={persona} />}
          {current?.id === 'fans' && <FansTab key={persona.id} persona={persona} path={path} />}
          {current?.id === 'ledger' && <LedgerTab key={persona.id} persona={persona} />}
          {current?.id === 'statements' && <StatementsTab key={persona.id} persona={persona} />}
        </>
      ) : (
        <div className="panel">
          <p className="muted">{personas.length === 0 ? t('studio.noPersona') : t('common.loading')}</p>
          {personas.length === 0 && (
            <a href="/personas" onClick={onLinkClick}>
              {t('studio.createPersona')}
            </a>
          )}
        </div>
      )}
    </section>
  );
}
