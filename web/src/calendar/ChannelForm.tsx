import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { errorUnder, fieldErrors, unwrap } from '../api/problem';
import { useOrgKey } from '../app/me';
import { ErrorNote } from '../ui/ErrorNote';
import { Field } from '../ui/Field';
import { platformForms, settingsBody, type SettingValues } from './channelForms';
import { isOAuthPlatform, OAuthConnect } from './connect';
import { usePolicyHint } from './policyHint';
import { channelPlatforms, type Channel, type ChannelPlatform, type NewChannel } from './types';

/** Connects one of her accounts: the platform's own fields, credentials pasted into write-only inputs. */
export function ChannelForm({ personaId, onAdded }: { personaId: string; onAdded: (channel: Channel) => void }) {
  const { t } = useTranslation();
  const key = useOrgKey();
  const queryClient = useQueryClient();
  const hint = usePolicyHint();
  const [platform, setPlatform] = useState<ChannelPlatform>('sandbox');
  const [handle, setHandle] = useState('');
  const [settings, setSettings] = useState<SettingValues>({});
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [localError, setLocalError] = useState<string | null>(null);
  const form = platformForms[platform];

  const add = useMutation({
    mutationFn: (body: NewChannel) => unwrap(api.POST('/api/v1/channels', { body })),
    onSuccess: (channel) => {
      void queryClient.invalidateQueries({ queryKey: key('channels') });
      onAdded(channel);
    },
  });
  const errors = fieldErrors(add.error);

  const choose = (next: ChannelPlatform) => {
    setPlatform(next);
    setSettings({});
    setCredentials({});
    setLocalError(null);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const given = Object.fromEntries(Object.entries(credentials).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, v.trim()]));
    if (platform === 'discord' && !given.webhook_url && !given.bot_token) return setLocalError(t('calendar.channels.discordNeedsOne'));
    if (platform === 'discord' && given.bot_token && !given.webhook_url && !String(settings.channelId ?? '').trim()) return setLocalError(t('calendar.channels.discordBotNeedsChannel'));
    setLocalError(null);
    add.mutate({ personaId, platform, handle: handle.trim(), settings: settingsBody(platform, settings), ...(Object.keys(given).length ? { credentials: given } : {}) });
  };

  return (
    <form className="stack" onSubmit={submit}>
      <div className="grid-2">
        <Field label={t('calendar.channels.platform')} hint={hint({ platform, settings: settingsBody(platform, settings) })}>
          {(c) => (
            <select {...c} value={platform} onChange={(e) => choose(e.target.value as ChannelPlatform)}>
              {channelPlatforms.map((p) => (
                <option key={p} value={p}>
                  {t(`calendar.platforms.${p}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('calendar.channels.handle')} hint={t('calendar.channels.handleHint')} error={errorUnder(errors, 'handle')}>
          {(c) => <input {...c} value={handle} onChange={(e) => setHandle(e.target.value)} required maxLength={200} autoComplete="off" />}
        </Field>
      </div>
      {isOAuthPlatform(platform) ? <OAuthConnect personaId={personaId} platform={platform} /> : <p className="field-hint">{t(`calendar.channels.notes.${form.note}`)}</p>}
      {form.settings.length > 0 && (
        <fieldset>
          <legend>{t('calendar.channels.settings')}</legend>
          <div className="grid-2">
            {form.settings.map((field) =>
              field.kind === 'checkbox' ? (
                <label key={field.key} className="check">
                  <input type="checkbox" checked={settings[field.key] === true} onChange={(e) => setSettings({ ...settings, [field.key]: e.target.checked })} />
                  {t(`calendar.channels.fields.${field.key}`)}
                </label>
              ) : (
                <Field key={field.key} label={t(`calendar.channels.fields.${field.key}`)} hint={field.key === 'subreddits' ? t('calendar.channels.subredditsHint') : undefined} error={errorUnder(errors, `settings.${field.key}`)}>
                  {(c) => (
                    <input
                      {...c}
                      type={field.kind === 'url' ? 'url' : 'text'}
                      value={String(settings[field.key] ?? '')}
                      onChange={(e) => setSettings({ ...settings, [field.key]: e.target.value })}
                      required={field.required}
                      autoComplete="off"
                      maxLength={500}
                    />
                  )}
                </Field>
              ),
            )}
          </div>
        </fieldset>
      )}
      {form.credentials.length > 0 && (
        <fieldset>
          <legend>{t('calendar.channels.credentials')}</legend>
          <p className="field-hint">{t('calendar.channels.credentialsHint')}</p>
          <div className="grid-2">
            {form.credentials.map((cred) => (
              <Field key={cred.key} label={t(`calendar.channels.credentialNames.${cred.key}`)} error={errorUnder(errors, `credentials.${cred.key}`)}>
                {(c) => (
                  <input
                    {...c}
                    type="password"
                    autoComplete="new-password"
                    value={credentials[cred.key] ?? ''}
                    onChange={(e) => setCredentials({ ...credentials, [cred.key]: e.target.value })}
                    required={cred.required}
                    maxLength={8192}
                  />
                )}
              </Field>
            ))}
          </div>
        </fieldset>
      )}
      {localError && (
        <p className="field-error" role="alert">
          {localError}
        </p>
      )}
      <ErrorNote error={add.error} />
      <button type="submit" className="primary" disabled={add.isPending}>
        {add.isPending ? t('calendar.channels.adding') : t('calendar.channels.add')}
      </button>
    </form>
  );
}
