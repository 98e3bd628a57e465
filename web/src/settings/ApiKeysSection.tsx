import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { fieldErrors, unwrap } from '../api/problem';
import type { Role } from '../api/session';
import { useOrgKey } from '../app/me';
import { Field } from '../ui/Field';
import { ErrorNote } from '../ui/ErrorNote';
import { useDateTime } from '../ui/format';
import { NewKeyNotice } from './NewKeyNotice';
import { RoleSelect } from './RoleSelect';

export function ApiKeysSection() {
  const { t } = useTranslation();
  const key = useOrgKey();
  const queryClient = useQueryClient();
  const dateTime = useDateTime();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const refresh = () => queryClient.invalidateQueries({ queryKey: key('api-keys') });

  const keys = useQuery({ queryKey: key('api-keys'), queryFn: async () => (await unwrap(api.GET('/api/v1/api-keys'))).items });
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/api-keys', { body: { name, role } })),
    onSuccess: () => {
      setName('');
      void refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id } } })),
    onSettled: refresh,
  });
  const errors = fieldErrors(create.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };

  return (
    <div className="stack-lg">
      <section className="panel" aria-labelledby="keys-title">
        <h2 id="keys-title">{t('apiKeys.title')}</h2>
        <p className="muted">{t('apiKeys.intro')}</p>
        <ErrorNote error={keys.error ?? revoke.error} />
        {keys.data?.length === 0 && <p className="muted">{t('apiKeys.empty')}</p>}
        {!!keys.data?.length && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('apiKeys.columns.name')}</th>
                  <th scope="col">{t('apiKeys.columns.prefix')}</th>
                  <th scope="col">{t('team.columns.role')}</th>
                  <th scope="col">{t('apiKeys.columns.lastUsed')}</th>
                  <th scope="col">{t('apiKeys.columns.created')}</th>
                  <th scope="col">{t('team.columns.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {keys.data.map((k) => (
                  <tr key={k.id}>
                    <td>{k.name}</td>
                    <td>
                      <code>{k.prefix}…</code>
                    </td>
                    <td>{t(`roles.${k.role}`)}</td>
                    <td>{k.lastUsedAt ? dateTime(k.lastUsedAt) : t('apiKeys.never')}</td>
                    <td>{dateTime(k.createdAt)}</td>
                    <td>
                      <button
                        type="button"
                        className="danger"
                        disabled={revoke.isPending}
                        onClick={() => window.confirm(t('apiKeys.confirmRevoke', { name: k.name })) && revoke.mutate(k.id)}
                      >
                        {t('apiKeys.revoke', { name: k.name })}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="panel" aria-labelledby="keys-new">
        <h2 id="keys-new">{t('apiKeys.create.title')}</h2>
        {create.data ? (
          <NewKeyNotice secret={create.data.key} name={create.data.name} onDone={() => create.reset()} />
        ) : (
          <form onSubmit={submit} className="stack">
            <div className="grid-2">
              <Field label={t('apiKeys.columns.name')} hint={t('apiKeys.create.nameHint')} error={errors.name}>
                {(c) => <input {...c} value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} />}
              </Field>
              <Field label={t('team.columns.role')} hint={t('apiKeys.create.roleHint')} error={errors.role}>
                {(c) => <RoleSelect control={c} value={role} onChange={setRole} />}
              </Field>
            </div>
            <ErrorNote error={create.error && Object.keys(errors).length === 0 ? create.error : null} />
            <button type="submit" className="primary" disabled={create.isPending}>
              {t('apiKeys.create.submit')}
            </button>
          </form>
        )}
      </section>
    </div>
  );
}
