import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { ApiError, fieldErrors, unwrap } from '../api/problem';
import type { Role } from '../api/session';
import { useOrgKey } from '../app/me';
import { usePersonas } from '../personas/queries';
import { Field } from '../ui/Field';
import { ErrorNote } from '../ui/ErrorNote';
import { RoleSelect } from './RoleSelect';

// Mirrors the server: only these roles can be limited to assigned personas.
const scopable: Role[] = ['manager', 'chatter'];
const empty = { email: '', displayName: '', password: '', role: 'chatter' as Role, restricted: false, personaIds: [] as string[] };

export function AddMemberForm() {
  const { t } = useTranslation();
  const key = useOrgKey();
  const queryClient = useQueryClient();
  const personas = usePersonas();
  const [form, setForm] = useState(empty);
  const restricted = form.restricted && scopable.includes(form.role);

  const add = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/team', {
          body: {
            email: form.email,
            role: form.role,
            ...(form.displayName.trim() ? { displayName: form.displayName } : {}),
            ...(form.password ? { password: form.password } : {}),
            ...(restricted ? { restrictedToAssigned: true, personaIds: form.personaIds } : {}),
          },
        }),
      ),
    onSuccess: () => {
      setForm(empty);
      void queryClient.invalidateQueries({ queryKey: key('team') });
    },
  });
  const errors = fieldErrors(add.error);
  if (add.error instanceof ApiError && add.error.code === 'password_required') errors.password ??= t('errors.password_required');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  const togglePersona = (id: string, on: boolean) =>
    setForm((f) => ({ ...f, personaIds: on ? [...f.personaIds, id] : f.personaIds.filter((p) => p !== id) }));

  return (
    <form onSubmit={submit} className="stack">
      <div className="grid-2">
        <Field label={t('auth.email')} error={errors.email}>
          {(c) => <input {...c} type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} required />}
        </Field>
        <Field label={t('team.add.displayName')} error={errors.displayName}>
          {(c) => <input {...c} value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} maxLength={120} />}
        </Field>
        <Field label={t('team.add.password')} hint={t('team.add.passwordHint')} error={errors.password}>
          {(c) => (
            <input {...c} type="password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} minLength={10} autoComplete="new-password" />
          )}
        </Field>
        <Field label={t('team.columns.role')} error={errors.role}>
          {(c) => <RoleSelect control={c} value={form.role} onChange={(role) => setForm({ ...form, role })} />}
        </Field>
      </div>
      {scopable.includes(form.role) && (
        <fieldset>
          <legend>{t('team.add.scopeLegend')}</legend>
          <label className="check">
            <input type="checkbox" checked={form.restricted} onChange={(e) => setForm({ ...form, restricted: e.target.checked })} />
            {t('team.add.restricted')}
          </label>
          {form.restricted && (
            <div className="checks-inline">
              {personas.data?.map((p) => (
                <label key={p.id} className="check">
                  <input type="checkbox" checked={form.personaIds.includes(p.id)} onChange={(e) => togglePersona(p.id, e.target.checked)} />
                  {p.name}
                </label>
              ))}
              {personas.data?.length === 0 && <p className="muted">{t('personas.empty')}</p>}
            </div>
          )}
        </fieldset>
      )}
      <ErrorNote error={add.error && Object.keys(errors).length === 0 ? add.error : null} />
      <button type="submit" className="primary" disabled={add.isPending}>
        {t('team.add.submit')}
      </button>
      {add.isSuccess && (
        <p className="success" role="status">
          {t('team.add.done')}
        </p>
      )}
    </form>
  );
}
