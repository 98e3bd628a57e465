import { useEffect, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { ApiError, unwrap } from '../api/problem';
import type { paths } from '../api/schema';
import { useCan, useOrgKey } from '../app/me';
import { onLinkClick } from '../app/router';
import { ErrorNote } from '../ui/ErrorNote';
import { useChannels } from './queries';
import type { Channel, ChannelPlatform } from './types';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
export type PlatformApp = Json<paths['/api/v1/platform-apps']['get']['responses'][200]>['items'][number];
export type OAuthPlatform = PlatformApp['platform'];

export const oauthPlatforms: readonly OAuthPlatform[] = ['x', 'reddit', 'instagram', 'fanvue'];
export const isOAuthPlatform = (platform: ChannelPlatform): platform is OAuthPlatform => (oauthPlatforms as readonly string[]).includes(platform);

/** Query parameters the server's OAuth callback adds on the way back. */
const RETURN_PARAMS = ['connected', 'oauth_error'] as const;

export function usePlatformApps() {
  const key = useOrgKey();
  const can = useCan();
  return useQuery({
    queryKey: key('platform-apps'),
    queryFn: async () => (await unwrap(api.GET('/api/v1/platform-apps'))).items,
    enabled: can('channels:read'),
  });
}

/** This page without the callback's parameters: where the platform sends the browser back to. */
function currentPage(): string {
  const params = new URLSearchParams(window.location.search);
  for (const name of RETURN_PARAMS) params.delete(name);
  const search = params.toString();
  return `${window.location.pathname}${search ? `?${search}` : ''}`;
}

/** The words for a connect problem: our area's text for known codes, else the shared error text. */
function useConnectErrorText() {
  const { t, i18n } = useTranslation();
  return (code: string) => (i18n.exists(`connect.errors.${code}`) ? t(`connect.errors.${code as 'failed'}`) : t('connect.errors.failed'));
}

/** Starts the OAuth flow and leaves for the platform's sign-in page. */
function useStartConnect() {
  return useMutation({
    mutationFn: (body: { personaId: string; platform: OAuthPlatform; channelId?: string }) =>
      unwrap(api.POST('/api/v1/channels/oauth/start', { body: { ...body, returnTo: currentPage() } })),
    onSuccess: ({ authorizeUrl }) => window.location.assign(authorizeUrl),
  });
}

/**
 * "Connect with X" (or "Reconnect" for `channel`) when the org's app for the platform is set up; otherwise
 * a pointer to Settings → Platform apps.
 */
export function ConnectButton({ personaId, platform, channel }: { personaId: string; platform: OAuthPlatform; channel?: Channel }) {
  const { t } = useTranslation();
  const can = useCan();
  const apps = usePlatformApps();
  const start = useStartConnect();
  const errorText = useConnectErrorText();
  const name = t(`calendar.platforms.${platform}`);
  if (apps.isPending) return null;
  const app = apps.data?.find((a) => a.platform === platform);
  if (!app?.configured) {
    return can('settings:manage') ? (
      <p className="field-hint">
        {t('connect.missingApp', { platform: name })}{' '}
        <a href="/settings/platform-apps" onClick={onLinkClick}>
          {t('connect.openSettings')}
        </a>
      </p>
    ) : (
      <p className="field-hint">{t('connect.missingAppNoRight', { platform: name })}</p>
    );
  }
  const failure = start.error instanceof ApiError ? errorText(start.error.code) : null;
  return (
    <span className="connect-action">
      <button
        type="button"
        className={channel ? 'small-button' : 'primary'}
        disabled={start.isPending || start.isSuccess}
        aria-label={channel ? t('connect.reconnectLabel', { handle: channel.handle, platform: name }) : undefined}
        onClick={() => start.mutate({ personaId, platform, ...(channel ? { channelId: channel.id } : {}) })}
      >
        {start.isPending || start.isSuccess ? t('connect.redirecting', { platform: name }) : channel ? t('connect.reconnect') : t('connect.button', { platform: name })}
      </button>
      {failure ? (
        <span className="field-error" role="alert">
          {failure}
        </span>
      ) : (
        <ErrorNote error={start.error} />
      )}
    </span>
  );
}

/** The connect choice inside the "add a channel" form for OAuth platforms. */
export function OAuthConnect({ personaId, platform }: { personaId: string; platform: OAuthPlatform }) {
  const { t } = useTranslation();
  return (
    <div className="oauth-connect">
      <ConnectButton personaId={personaId} platform={platform} />
      <p className="field-hint">{t('connect.orPaste', { platform: t(`calendar.platforms.${platform}`) })}</p>
    </div>
  );
}

/** What happened on the platform, read once from the URL the callback sent us back to. */
export function ConnectNotice({ personaId }: { personaId: string }) {
  const { t } = useTranslation();
  const errorText = useConnectErrorText();
  const [result, setResult] = useState(() => {
    const params = new URLSearchParams(window.location.search);
    return { connected: params.get('connected'), error: params.get('oauth_error') };
  });
  // Said once: a reload or a shared link does not say it again.
  useEffect(() => {
    const clean = currentPage();
    if (clean !== `${window.location.pathname}${window.location.search}`) history.replaceState(history.state, '', clean);
  }, []);
  const channels = useChannels(personaId);
  if (!result.connected && !result.error) return null;
  const dismiss = () => setResult({ connected: null, error: null });
  if (result.error) {
    return (
      <div className="notice warning" role="alert">
        <p>{errorText(result.error)}</p>
        <button type="button" className="small-button" onClick={dismiss}>
          {t('connect.dismiss')}
        </button>
      </div>
    );
  }
  const channel = channels.data?.find((c) => c.id === result.connected);
  return (
    <div className="notice connect-notice" role="status">
      <p className="success-inline">{channel ? t('connect.connected', { handle: channel.handle }) : t('connect.connectedGeneric')}</p>
      <SetupCheck channelId={result.connected!} channel={channel} />
      <button type="button" className="small-button" onClick={dismiss}>
        {t('connect.dismiss')}
      </button>
    </div>
  );
}

/** X's "Automated" label cannot be read through the API: a person confirms it, and the check stops asking. */
const needsLabelConfirmation = (channel: Channel | undefined) => channel?.platform === 'x' && typeof channel.settings.automatedLabelConfirmedAt !== 'string';

/**
 * The connector's setup checks (X: bio disclosure, Automated label), with a way to run them (again) and,
 * on X, to confirm the Automated label was turned on.
 */
export function SetupCheck({ channelId, channel }: { channelId: string; channel?: Channel | undefined }) {
  const { t } = useTranslation();
  const key = useOrgKey();
  const can = useCan();
  const queryClient = useQueryClient();
  const check = useQuery({
    queryKey: key('setup-check', channelId),
    queryFn: () => unwrap(api.GET('/api/v1/channels/{id}/setup-check', { params: { path: { id: channelId } } })),
    retry: false,
  });
  const recheck = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/channels/{id}/setup-check', { params: { path: { id: channelId } } })),
    onSuccess: (data) => queryClient.setQueryData(key('setup-check', channelId), data),
  });
  const confirmLabel = useMutation({
    mutationFn: async () => {
      await unwrap(
        api.PATCH('/api/v1/channels/{id}', { params: { path: { id: channelId } }, body: { settings: { ...channel!.settings, automatedLabelConfirmedAt: new Date().toISOString() } } }),
      );
      return unwrap(api.POST('/api/v1/channels/{id}/setup-check', { params: { path: { id: channelId } } }));
    },
    onSuccess: (data) => {
      queryClient.setQueryData(key('setup-check', channelId), data);
      void queryClient.invalidateQueries({ queryKey: key('channels') });
    },
  });
  const manage = can('channels:manage');
  if (!check.data) {
    // Never checked (channels added with pasted tokens): offer to run the checks.
    return manage && check.isError ? (
      <div className="setup-check">
        <button type="button" className="small-button" onClick={() => recheck.mutate()} disabled={recheck.isPending}>
          {recheck.isPending ? t('connect.checks.checking') : t('connect.checks.run')}
        </button>
        <ErrorNote error={recheck.error} />
      </div>
    ) : null;
  }
  return (
    <div className="setup-check">
      <strong>{t('connect.checks.title')}</strong>
      {check.data.problems.length === 0 ? (
        <p className="check-ok">{t('connect.checks.ok')}</p>
      ) : (
        <>
          <p>{t('connect.checks.problems')}</p>
          <ul>
            {check.data.problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </>
      )}
      {manage && (
        <div className="actions">
          {needsLabelConfirmation(channel) && (
            <button type="button" className="small-button" onClick={() => confirmLabel.mutate()} disabled={confirmLabel.isPending}>
              {t('connect.checks.confirmLabel')}
            </button>
          )}
          <button type="button" className="small-button" onClick={() => recheck.mutate()} disabled={recheck.isPending}>
            {recheck.isPending ? t('connect.checks.checking') : t('connect.checks.recheck')}
          </button>
        </div>
      )}
      <ErrorNote error={recheck.error ?? confirmLabel.error} />
    </div>
  );
}
