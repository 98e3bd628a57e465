import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useMe, useOrgKey } from '../app/me';
import { Field } from '../ui/Field';
import { ErrorNote } from '../ui/ErrorNote';

export function SecuritySection() {
  const { t } = useTranslation();
  const me = useMe();
  const key = useOrgKey();
  const queryClient = useQueryClient();
  const [code, setCode] = useState('');
  const enabled = me.user?.totpEnabled ?? false;
  const done = () => {
    setCode('');
    setup.reset();
    void queryClient.invalidateQueries({ queryKey: key('me') });
  };

  const setup = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/auth/totp/setup')) });
  const confirm = useMutation({
    mutationFn: () => unwrap(api.POST(enabled ? '/api/v1/auth/totp/disable' : '/api/v1/auth/totp/enable', { body: { code } })),
    onSuccess: done,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    confirm.mutate();
  };
  const codeField = (
    <Field label={t('security.code')} hint={t('security.codeHint')}>
      {(c) => (
        <input
          {...c}
          value={code}
          onChange={(e) => setCode(e.target.value.replace(/\D/g, '').slice(0, 6))}
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="\d{6}"
          required
        />
      )}
    </Field>
  );

  return (
    <section className="panel" aria-labelledby="security-title">
      <h2 id="security-title">{t('security.title')}</h2>
      <p>
        <span className={enabled ? 'badge badge-ok' : 'badge'}>{enabled ? t('security.on') : t('security.off')}</span>
      </p>
      <p className="muted">{t('security.intro')}</p>
      {enabled ? (
        <form onSubmit={submit} className="stack narrow">
          <p>{t('security.disableIntro')}</p>
          {codeField}
          <ErrorNote error={confirm.error} />
          <button type="submit" className="danger" disabled={confirm.isPending}>
            {t('security.disable')}
          </button>
        </form>
      ) : setup.data ? (
        <form onSubmit={submit} className="stack narrow">
          <p>{t('security.scan')}</p>
          <dl className="facts">
            <dt>{t('security.secret')}</dt>
            <dd>
              <code className="mono">{setup.data.secret}</code>
            </dd>
            <dt>{t('security.otpauthUrl')}</dt>
            <dd>
              <code className="mono break">{setup.data.otpauthUrl}</code>
            </dd>
          </dl>
          {codeField}
          <ErrorNote error={confirm.error} />
          <div className="actions">
            <button type="submit" className="primary" disabled={confirm.isPending}>
              {t('security.enable')}
            </button>
            <button type="button" onClick={() => setup.reset()}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <div className="stack narrow">
          <ErrorNote error={setup.error} />
          <button type="button" className="primary" onClick={() => setup.mutate()} disabled={setup.isPending}>
            {t('security.start')}
          </button>
        </div>
      )}
    </section>
  );
}
