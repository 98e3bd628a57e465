import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan, useMe, type Permission } from '../app/me';
import { navigate, onLinkClick } from '../app/router';
import { ApiKeysSection } from './ApiKeysSection';
import { AuditSection } from './AuditSection';
import { PlatformAppsSection } from './PlatformAppsSection';
import { ProvidersSection } from './ProvidersSection';
import { SecuritySection } from './SecuritySection';
import { TeamSection } from './TeamSection';

type Tab = 'team' | 'api-keys' | 'providers' | 'platform-apps' | 'audit' | 'security';
const tabs: { id: Tab; needs: Permission | 'user' }[] = [
  { id: 'team', needs: 'team:read' },
  { id: 'api-keys', needs: 'apikeys:manage' },
  { id: 'providers', needs: 'settings:manage' },
  { id: 'platform-apps', needs: 'settings:manage' },
  { id: 'audit', needs: 'audit:read' },
  // Two-factor belongs to a person; an API key has nothing to secure here.
  { id: 'security', needs: 'user' },
];
const labels = {
  team: 'settings.tabs.team',
  'api-keys': 'settings.tabs.apiKeys',
  providers: 'settings.tabs.providers',
  'platform-apps': 'connect.apps.tab',
  audit: 'settings.tabs.audit',
  security: 'settings.tabs.security',
} as const;

export function SettingsPage({ path }: { path: string }) {
  const { t } = useTranslation();
  const me = useMe();
  const can = useCan();
  const visible = tabs.filter((tab) => (tab.needs === 'user' ? me.user !== null : can(tab.needs)));
  const current = visible.find((tab) => path === `/settings/${tab.id}`);
  useEffect(() => {
    if (!current && visible[0]) navigate(`/settings/${visible[0].id}`, { replace: true });
  }, [current, visible]);

  return (
    <section className="page">
      <h1>{t('nav.settings')}</h1>
      <nav className="tabs" aria-label={t('settings.tabsLabel')}>
        {visible.map((tab) => (
          <a key={tab.id} href={`/settings/${tab.id}`} onClick={onLinkClick} aria-current={current?.id === tab.id ? 'page' : undefined}>
            {t(labels[tab.id])}
          </a>
        ))}
      </nav>
      {current?.id === 'team' && <TeamSection />}
      {current?.id === 'api-keys' && <ApiKeysSection />}
      {current?.id === 'providers' && <ProvidersSection />}
      {current?.id === 'platform-apps' && <PlatformAppsSection />}
      {current?.id === 'audit' && <AuditSection />}
      {current?.id === 'security' && <SecuritySection />}
      {visible.length === 0 && <p className="muted">{t('settings.nothing')}</p>}
    </section>
  );
}
