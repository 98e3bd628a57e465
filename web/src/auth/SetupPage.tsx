import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { publicApi, startSession } from '../api/client';
import { fieldErrors, unwrap } from '../api/problem';
import { currentLanguage } from '../i18n';
import { Field } from '../ui/Field';
import { ErrorNote } from '../ui/ErrorNote';
import { AuthLayout } from './AuthLayout';

const MIN_PASSWORD = 10;

export function SetupPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ orgName: '', displayName: '', email: '', password: '' });
  const set = (name: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value });

  const setup = useMutation({
    mutationFn: () =>
      unwrap(
        publicApi.POST('/api/v1/setup', {
          body: { ...form, displayName: form.displayName.trim() || undefined, locale: currentLanguage() },
        }),
      ),
    onSuccess: (session) => {
      startSession(session);
      queryClient.setQueryData(['setup'], { needsSetup: false });
    },
  });
  const errors = fieldErrors(setup.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setup.mutate();
  };

  return (
    <AuthLayout title={t('setup.title')} intro={t('setup.intro')}>
      <form onSubmit={submit} className="stack">
        <Field label={t('setup.orgName')} error={errors.orgName}>
          {(c) => <input {...c} value={form.orgName} onChange={set('orgName')} required maxLength={120} />}
        </Field>
        <Field label={t('setup.displayName')} error={errors.displayName}>
          {(c) => <input {...c} value={form.displayName} onChange={set('displayName')} maxLength={120} autoComplete="name" />}
        </Field>
        <Field label={t('auth.email')} error={errors.email}>
          {(c) => <input {...c} type="email" value={form.email} onChange={set('email')} required autoComplete="username" />}
        </Field>
        <Field label={t('auth.password')} hint={t('setup.passwordHint', { min: MIN_PASSWORD })} error={errors.password}>
          {(c) => (
            <input
              {...c}
              type="password"
              value={form.password}
              onChange={set('password')}
              required
              minLength={MIN_PASSWORD}
              autoComplete="new-password"
            />
          )}
        </Field>
        <ErrorNote error={setup.error && Object.keys(errors).length === 0 ? setup.error : null} />
        <button type="submit" className="primary" disabled={setup.isPending}>
          {t('setup.submit')}
        </button>
      </form>
    </AuthLayout>
  );
}
