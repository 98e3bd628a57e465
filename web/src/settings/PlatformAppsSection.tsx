import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { errorUnder, fieldErrors, unwrap } from '../api/problem';
import { useOrgKey } from '../app/me';
import { usePlatformApps, type PlatformApp } from '../calendar/connect';
import { ErrorNote } from '../ui/ErrorNote';
import { Field } from '../ui/Field';

/** The organization's own developer app per OAuth platform: client id, write-only secret, the redirect URI to register. */
export function PlatformAppsSection() {
  const { t } = useTranslation();
  const apps = usePlatformApps();
  return (
    <section className="panel" aria-labelledby="platform-apps-title">
      <h2 id="platform-apps-title">{t('connect.apps.title')}</h2>
      <p className="muted">{t('connect.apps.intro')}</p>
      <ErrorNote error={apps.error} />
      {apps.isPending && <p role="status">{t('common.loading')}</p>}
      {apps.data && (
        <ul className="cards" aria-label={t('connect.apps.listLabel')}>
          {apps.data.map((app) => (
            <PlatformAppCard key={app.platform} app={app} />
          ))}
        </ul>
      )}
    </section>
  );
}

function PlatformAppCard({ app }: { app: PlatformApp }) {
  const { t } = useTranslation();
  const key = useOrgKey();
  const queryClient = useQueryClient();
  const name = t(`calendar.platforms.${app.platform}`);
  const [clientId, setClientId] = useState(app.clientId ?? '');
  const [clientSecret, setClientSecret] = useState('');
  const [baseUrl, setBaseUrl] = useState(app.baseUrl ?? '');
  const [authBaseUrl, setAuthBaseUrl] = useState(app.authBaseUrl ?? '');
  const [copied, setCopied] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: key('platform-apps') });

  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT('/api/v1/platform-apps/{platform}', {
          params: { path: { platform: app.platform } },
          body: {
            clientId: clientId.trim(),
            ...(clientSecret.trim() ? { clientSecret: clientSecret.trim() } : {}),
            ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
            ...(authBaseUrl.trim() ? { authBaseUrl: authBaseUrl.trim() } : {}),
          },
        }),
      ),
    onSuccess: () => {
      setClientSecret('');
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/platform-apps/{platform}', { params: { path: { platform: app.platform } } })),
    onSuccess: () => {
      setClientId('');
      setClientSecret('');
      void refresh();
    },
  });
  const errors = fieldErrors(save.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    remove.reset();
    save.mutate();
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(app.redirectUri);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // No clipboard (plain http, permissions): the URI stays visible to copy by hand.
    }
  };

  return (
    <li className="card platform-app">
      <div className="card-head">
        <h3>{name}</h3>
        <span className={app.configured ? 'badge badge-ok' : 'badge'}>{app.configured ? t('connect.apps.configured') : t('connect.apps.notConfigured')}</span>
      </div>
      <p className="small">{t(`connect.apps.where.${app.platform}`)}</p>
      <div className="redirect-uri">
        <span className="small">{t('connect.apps.redirectUri')}</span>
        <code>{app.redirectUri}</code>
        <button type="button" className="small-button" onClick={() => void copy()}>
          {copied ? t('connect.apps.copied') : t('connect.apps.copy')}
        </button>
      </div>
      <form className="stack" onSubmit={submit}>
        <div className="grid-2">
          <Field label={t('connect.apps.clientId')} error={errorUnder(errors, 'clientId')}>
            {(c) => <input {...c} value={clientId} onChange={(e) => setClientId(e.target.value)} required maxLength={500} autoComplete="off" spellCheck={false} />}
          </Field>
          <Field label={t('connect.apps.clientSecret')} hint={app.hasClientSecret ? t('connect.apps.secretStored') : undefined} error={errorUnder(errors, 'clientSecret')}>
            {(c) => <input {...c} type="password" value={clientSecret} onChange={(e) => setClientSecret(e.target.value)} maxLength={2000} autoComplete="new-password" />}
          </Field>
        </div>
        <details className="advanced" open={!!(app.baseUrl || app.authBaseUrl)}>
          <summary>{t('connect.apps.advanced')}</summary>
          <div className="grid-2">
            <Field label={t('connect.apps.baseUrl')} error={errorUnder(errors, 'baseUrl')}>
              {(c) => <input {...c} type="url" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} maxLength={500} autoComplete="off" />}
            </Field>
            <Field label={t('connect.apps.authBaseUrl')} error={errorUnder(errors, 'authBaseUrl')}>
              {(c) => <input {...c} type="url" value={authBaseUrl} onChange={(e) => setAuthBaseUrl(e.target.value)} maxLength={500} autoComplete="off" />}
            </Field>
          </div>
        </details>
        <ErrorNote error={save.error ?? remove.error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={save.isPending}>
            {save.isPending ? t('connect.apps.saving') : t('connect.apps.save')}
          </button>
          {app.configured && (
            <button
              type="button"
              className="danger small-button"
              disabled={remove.isPending}
              aria-label={t('connect.apps.removeLabel', { platform: name })}
              onClick={() => window.confirm(t('connect.apps.confirmRemove', { platform: name })) && remove.mutate()}
            >
              {t('connect.apps.remove')}
            </button>
          )}
          {save.isSuccess && (
            <span className="success-inline" role="status">
              {t('connect.apps.saved')}
            </span>
          )}
        </div>
      </form>
    </li>
  );
}
