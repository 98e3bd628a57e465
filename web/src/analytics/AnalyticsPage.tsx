import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { onLinkClick } from '../app/router';
import { useSelectedPersona } from '../personas/selection';
import { TabNav, usePermittedTab, type TabDef } from '../ui/TabNav';
import { AbTestsTab } from './AbTestsTab';
import { AlertsTab } from './AlertsTab';
import { BestHoursTab } from './BestHoursTab';
import { OverviewTab } from './OverviewTab';
import { RangePicker } from './RangePicker';
import { ReportsTab } from './ReportsTab';
import { useAlerts } from './reportQueries';
import { SettingsTab } from './SettingsTab';
import type { RangeChoice } from './range';

type Tab = 'overview' | 'abTests' | 'bestHours' | 'reports' | 'alerts' | 'settings';
const tabs: TabDef<Tab>[] = [
  { id: 'overview', path: '/analytics', needs: 'analytics:read' },
  { id: 'abTests', path: '/analytics/ab-tests', needs: 'analytics:read' },
  { id: 'bestHours', path: '/analytics/best-hours', needs: 'analytics:read' },
  // Reports carry money: the API serves them to ledger readers.
  { id: 'reports', path: '/analytics/reports', needs: 'ledger:read' },
  { id: 'alerts', path: '/analytics/alerts', needs: 'analytics:read' },
  { id: 'settings', path: '/analytics/settings', needs: 'analytics:read' },
];

/**
 * What earns, what grows, what breaks: for the whole agency ("All personas") or for one persona. Choosing a
 * persona here also chooses it in the header, so the other sections follow.
 */
export function AnalyticsPage({ path }: { path: string }) {
  const { t } = useTranslation();
  const scopeId = useId();
  const { persona, personas, select } = useSelectedPersona();
  const [agency, setAgency] = useState(true);
  const [range, setRange] = useState<RangeChoice>({ range: '30d' });
  const tabPath = tabs.filter((tab) => tab.path !== '/analytics').find((tab) => path === tab.path || path.startsWith(`${tab.path}/`))?.path ?? '/analytics';
  const { visible, current } = usePermittedTab(tabs, tabPath);
  const personaId = agency || !persona ? null : persona.id;
  const personaName = (id: string) => personas.find((p) => p.id === id)?.name ?? null;
  const open = (id: string) => {
    select(id);
    setAgency(false);
  };
  const ranged = current?.id === 'overview' || current?.id === 'abTests';
  const scoped = ranged || current?.id === 'reports' || current?.id === 'alerts';
  // Open alerts are counted on their tab wherever the member is in Analytics.
  const openAlerts = useAlerts('open', null, personas.length > 0).data?.openCount ?? 0;

  if (personas.length === 0) {
    return (
      <section className="page page-wide">
        <h1>{t('nav.analytics')}</h1>
        <div className="panel an-empty">
          <p className="muted">{t('analytics.noPersona')}</p>
          <a href="/personas" onClick={onLinkClick}>
            {t('studio.createPersona')}
          </a>
        </div>
      </section>
    );
  }

  // Best hours are a persona's own: that tab always shows the persona chosen in the header.
  const subject = current?.id === 'bestHours' ? persona : personaId && scoped ? persona : null;
  return (
    <section className="page page-wide">
      <h1>
        {t('nav.analytics')}
        {current?.id !== 'settings' && <span className="title-persona"> · {subject ? subject.name : t('analytics.agency')}</span>}
      </h1>
      <TabNav label={t('nav.analytics')} tabs={visible} current={current} title={(id) => t(`analytics.tabs.${id}`)}
        extra={(id) =>
          id === 'alerts' && openAlerts > 0 ? (
            <>
              <span className="badge an-sev-warning" aria-hidden="true">
                {openAlerts}
              </span>
              <span className="visually-hidden"> ({t('analytics.alerts.openCount', { count: openAlerts })})</span>
            </>
          ) : null
        }
      />
      {scoped && (
        <div className="an-toolbar">
          <div className="inline-field">
            <label htmlFor={scopeId}>{t('analytics.scope')}</label>
            <select id={scopeId} value={personaId ?? ''} onChange={(e) => (e.target.value ? open(e.target.value) : setAgency(true))}>
              <option value="">{t('analytics.allPersonas')}</option>
              {personas.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
          {ranged && <RangePicker value={range} onChange={setRange} />}
        </div>
      )}
      {current?.id === 'overview' && openAlerts > 0 && (
        <p className="an-alert-banner" role="status">
          {t('analytics.alerts.banner', { count: openAlerts })}{' '}
          <a href="/analytics/alerts" onClick={onLinkClick}>
            {t('analytics.alerts.toAlerts')}
          </a>
        </p>
      )}
      {current?.id === 'overview' && <OverviewTab personaId={personaId} range={range} personaName={personaName} onOpenPersona={open} />}
      {current?.id === 'abTests' && <AbTestsTab personaId={personaId} range={range} personaName={personaName} />}
      {current?.id === 'bestHours' && persona && <BestHoursTab key={persona.id} persona={persona} personas={personas} onPersona={select} />}
      {current?.id === 'reports' && <ReportsTab personaId={personaId} personas={personas} />}
      {current?.id === 'alerts' && <AlertsTab personaId={personaId} personaName={personaName} />}
      {current?.id === 'settings' && <SettingsTab />}
    </section>
  );
}
