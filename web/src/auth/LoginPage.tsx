import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { publicApi, startSession } from '../api/client';
import { ApiError, unwrap } from '../api/problem';
import { Field } from '../ui/Field';
import { ErrorNote } from '../ui/ErrorNote';
import { AuthLayout } from './AuthLayout';

export function LoginPage() {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  // The server asks for the second factor only after the password checks out.
  const [needsCode, setNeedsCode] = useState(false);

  const login = useMutation({
    mutationFn: () =>
      unwrap(publicApi.POST('/api/v1/auth/login', { body: { email, password, ...(needsCode ? { totp } : {}) } })),
    onSuccess: (session) => startSession(session),
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'totp_required') setNeedsCode(true);
    },
  });
  const error = login.error instanceof ApiError && login.error.code === 'totp_required' ? null : login.error;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate();
  };

  if (needsCode) {
    return (
      <AuthLayout title={t('auth.totpTitle')} intro={t('auth.totpIntro')}>
        <form onSubmit={submit} className="stack">
          <Field label={t('auth.totpCode')}>
            {(c) => (
              <input
                {...c}
                value={totp}
                onChange={(e) => setTotp(e.target.value.replace(/\D/g, '').slice(0, 6))}
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="\d{6}"
                required
                autoFocus
              />
            )}
          </Field>
          <ErrorNote error={error} />
          <button type="submit" className="primary" disabled={login.isPending}>
            {t('auth.verify')}
          </button>
          <button
            type="button"
            className="link"
            onClick={() => {
              setNeedsCode(false);
              setTotp('');
              login.reset();
            }}
          >
            {t('auth.back')}
          </button>
        </form>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title={t('auth.loginTitle')} intro={t('auth.loginIntro')}>
      <form onSubmit={submit} className="stack">
        <Field label={t('auth.email')}>
          {(c) => <input {...c} type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="username" required autoFocus />}
        </Field>
        <Field label={t('auth.password')}>
          {(c) => (
            <input {...c} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required />
          )}
        </Field>
        <ErrorNote error={error} />
        <button type="submit" className="primary" disabled={login.isPending}>
          {login.isPending ? t('auth.signingIn') : t('auth.signIn')}
        </button>
      </form>
    </AuthLayout>
  );
}
