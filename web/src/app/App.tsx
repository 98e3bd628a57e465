import { useEffect } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { publicApi, refreshSession } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../api/session';
import { LoginPage } from '../auth/LoginPage';
import { SetupPage } from '../auth/SetupPage';
import { Shell } from '../shell/Shell';
import { ErrorNote } from '../ui/ErrorNote';

export function App() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const session = useSession();
  const setup = useQuery({ queryKey: ['setup'], queryFn: () => unwrap(publicApi.GET('/api/v1/setup')) });
  // Restoring from the refresh cookie happens once per page load; the query dedupes StrictMode's double mount.
  const restore = useQuery({
    queryKey: ['restore'],
    queryFn: () => refreshSession(),
    enabled: setup.data?.needsSetup === false,
    staleTime: Infinity,
    gcTime: Infinity,
    retry: false,
  });

  // Nothing of a signed-out session may linger in the cache for the next person at this browser.
  useEffect(() => {
    if (!session) queryClient.removeQueries({ queryKey: ['org'] });
  }, [session, queryClient]);

  if (session) return <Shell />;
  if (setup.isPending || (setup.data?.needsSetup === false && restore.isPending)) {
    return (
      <p className="page-loading" role="status">
        {t('common.loading')}
      </p>
    );
  }
  if (setup.isError) {
    return (
      <main className="auth-page">
        <ErrorNote error={setup.error} />
        <button type="button" onClick={() => void setup.refetch()}>
          {t('common.retry')}
        </button>
      </main>
    );
  }
  return setup.data?.needsSetup ? <SetupPage /> : <LoginPage />;
}
