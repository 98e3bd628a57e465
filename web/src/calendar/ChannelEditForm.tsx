import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { errorUnder, fieldErrors, unwrap } from '../api/problem';
import { useOrgKey } from '../app/me';
import { ErrorNote } from '../ui/ErrorNote';
import { Field } from '../ui/Field';
import { platformForms, settingsBody, type SettingValues } from './channelForms';
import type { Channel } from './types';

/** The form's values from stored settings (subreddits back to "a, b" and one NSFW box). */
function valuesOf(channel: Channel): SettingValues {
  const out: SettingValues = {};
  for (const field of platformForms[channel.platform].settings) {
    const value = channel.settings[field.key];
    if (field.key === 'subreddits' && value && typeof value === 'object') {
      const subs = value as Record<string, { nsfwAllowed?: boolean }>;
      out.subreddits = Object.keys(subs).join(', ');
      out.subredditsNsfw = Object.values(subs).some((s) => s?.nsfwAllowed === true);
    } else if (field.kind === 'checkbox') {
      if (field.key !== 'subredditsNsfw') out[field.key] = value === true;
    } else if (typeof value === 'string' || typeof value === 'number') out[field.key] = String(value);
  }
  return out;
}

/** Renames a channel or changes what the form knows of its settings; settings set elsewhere (OAuth, API) are kept. */
export function ChannelEditForm({ channel, onDone }: { channel: Channel; onDone: () => void }) {
  const { t } = useTranslation();
  const key = useOrgKey();
  const queryClient = useQueryClient();
  const [handle, setHandle] = useState(channel.handle);
  const [values, setValues] = useState<SettingValues>(() => valuesOf(channel));
  const fields = platformForms[channel.platform].settings;

  const save = useMutation({
    mutationFn: (body: { handle: string; settings: Record<string, unknown> }) => unwrap(api.PATCH('/api/v1/channels/{id}', { params: { path: { id: channel.id } }, body })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: key('channels') });
      onDone();
    },
  });
  const errors = fieldErrors(save.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const kept = Object.fromEntries(Object.entries(channel.settings).filter(([name]) => !fields.some((f) => f.key === name)));
    const next = settingsBody(channel.platform, values);
    // Subreddits untouched: keep their per-subreddit rules (set through the API) as they are.
    const initial = valuesOf(channel);
    if (values.subreddits === initial.subreddits && values.subredditsNsfw === initial.subredditsNsfw && channel.settings.subreddits) next.subreddits = channel.settings.subreddits;
    save.mutate({ handle: handle.trim(), settings: { ...kept, ...next } });
  };

  return (
    <form className="stack channel-edit" onSubmit={submit} aria-label={t('connect.edit.label', { handle: channel.handle })}>
      <Field label={t('calendar.channels.handle')} error={errorUnder(errors, 'handle')}>
        {(c) => <input {...c} value={handle} onChange={(e) => setHandle(e.target.value)} required maxLength={200} autoComplete="off" />}
      </Field>
      {fields.map((field) =>
        field.kind === 'checkbox' ? (
          <label key={field.key} className="check">
            <input type="checkbox" checked={values[field.key] === true} onChange={(e) => setValues({ ...values, [field.key]: e.target.checked })} />
            {t(`calendar.channels.fields.${field.key}`)}
          </label>
        ) : (
          <Field key={field.key} label={t(`calendar.channels.fields.${field.key}`)} hint={field.key === 'subreddits' ? t('calendar.channels.subredditsHint') : undefined} error={errorUnder(errors, `settings.${field.key}`)}>
            {(c) => (
              <input
                {...c}
                type={field.kind === 'url' ? 'url' : 'text'}
                value={String(values[field.key] ?? '')}
                onChange={(e) => setValues({ ...values, [field.key]: e.target.value })}
                required={field.required}
                autoComplete="off"
                maxLength={500}
              />
            )}
          </Field>
        ),
      )}
      <ErrorNote error={save.error} />
      <div className="actions">
        <button type="submit" className="primary small-button" disabled={save.isPending}>
          {save.isPending ? t('connect.edit.saving') : t('connect.edit.save')}
        </button>
        <button type="button" className="small-button" onClick={onDone}>
          {t('connect.edit.cancel')}
        </button>
      </div>
    </form>
  );
}
