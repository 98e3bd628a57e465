import { Suspense, lazy, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { adoptAccountLanguage } from '../i18n';
import { MeContext, useMeQuery } from '../app/me';
import { navigate, onLinkClick, usePath } from '../app/router';
import { ErrorNote } from '../ui/ErrorNote';
import { Header } from './Header';
import { sectionOf, sections } from './nav';
import { PersonasPage } from '../personas/PersonasPage';
import { useLiveEvents } from '../app/live';

// Each section is its own chunk: the first screen does not wait for the calendar, studio or sales code.
const SettingsPage = lazy(() => import('../settings/SettingsPage').then((m) => ({ default: m.SettingsPage })));
const StudioPage = lazy(() => import('../studio/StudioPage').then((m) => ({ default: m.StudioPage })));
const CalendarPage = lazy(() => import('../calendar/CalendarPage').then((m) => ({ default: m.CalendarPage })));
const SalesPage = lazy(() => import('../sales/SalesPage').then((m) => ({ default: m.SalesPage })));
const InboxPage = lazy(() => import('../inbox/InboxPage').then((m) => ({ default: m.InboxPage })));
const AnalyticsPage = lazy(() => import('../analytics/AnalyticsPage').then((m) => ({ default: m.AnalyticsPage })));

export function Shell() {
  const { t } = useTranslation();
  const me = useMeQuery();
  const path = usePath();
  // One live event stream for the whole signed-in dashboard.
  useLiveEvents();

  useEffect(() => adoptAccountLanguage(me.data?.user?.locale), [me.data?.user?.locale]);

  const visible = sections.filter((s) => !s.needs || me.data?.permissions.includes(s.needs));
  const current = sectionOf(path);
  const allowed = current && visible.includes(current);
  useEffect(() => {
    if (me.data && !allowed) navigate(visible[0]?.path ?? '/settings', { replace: true });
  }, [me.data, allowed, visible]);

  if (!me.data) {
    return me.isError ? (
      <main className="page-loading">
        <ErrorNote error={me.error} />
      </main>
    ) : (
      <p className="page-loading" role="status">
        {t('common.loading')}
      </p>
    );
  }

  return (
    <MeContext.Provider value={me.data}>
      <div className="shell">
        <Header />
        <nav className="sidebar" aria-label={t('nav.label')}>
          <ul>
            {visible.map((s) => (
              <li key={s.id}>
                <a href={s.path} onClick={onLinkClick} aria-current={current?.id === s.id ? 'page' : undefined}>
                  {t(`nav.${s.id}`)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main className="content">
          {allowed && current ? (
            <Suspense
              fallback={
                <p className="page-loading" role="status">
                  {t('common.loading')}
                </p>
              }
            >
              <SectionView id={current.id} path={path} />
            </Suspense>
          ) : null}
        </main>
      </div>
    </MeContext.Provider>
  );
}

function SectionView({ id, path }: { id: (typeof sections)[number]['id']; path: string }) {
  if (id === 'personas') return <PersonasPage />;
  if (id === 'settings') return <SettingsPage path={path} />;
  if (id === 'studio') return <StudioPage path={path} />;
  if (id === 'calendar') return <CalendarPage path={path} />;
  if (id === 'sales') return <SalesPage path={path} />;
  if (id === 'inbox') return <InboxPage path={path} />;
  if (id === 'analytics') return <AnalyticsPage path={path} />;
  // Every section has its page: a section added to nav.ts without one fails to compile here.
  return id satisfies never;
}
