import { useId } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, startSession } from '../api/client';
import { unwrap } from '../api/problem';
import { useMe } from '../app/me';
import { ErrorNote } from '../ui/ErrorNote';

export function OrgSwitcher() {
  const { t } = useTranslation();
  const me = useMe();
  const id = useId();
  // A new session for the other org; query keys carry the org id, so its data loads fresh.
  const switchOrg = useMutation({
    mutationFn: (orgId: string) => unwrap(api.POST('/api/v1/auth/switch-org', { body: { orgId } })),
    onSuccess: (session) => startSession(session),
  });

  if (me.orgs.length < 2) {
    return (
      <div className="inline-field">
        <span className="label">{t('header.organization')}</span>
        <strong>{me.org.name}</strong>
      </div>
    );
  }
  return (
    <div className="inline-field">
      <label htmlFor={id}>{t('header.organization')}</label>
      <select id={id} value={me.org.id} disabled={switchOrg.isPending} onChange={(e) => switchOrg.mutate(e.target.value)}>
        {me.orgs.map((org) => (
          <option key={org.id} value={org.id}>
            {org.name}
          </option>
        ))}
      </select>
      <ErrorNote error={switchOrg.error} />
    </div>
  );
}
