import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useOrgKey } from '../app/me';
import type { Persona } from '../personas/queries';
import { ErrorNote } from '../ui/ErrorNote';
import type { StudioView } from './types';

/** Admins only: explicit media can skip the approval queue. Audited by the server. */
export function AutoApprovePanel({ persona, view }: { persona: Persona; view: StudioView }) {
  const { t } = useTranslation();
  const key = useOrgKey();
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: (enabled: boolean) => unwrap(api.PUT('/api/v1/personas/{id}/studio/auto-approve', { params: { path: { id: persona.id } }, body: { enabled } })),
    onSuccess: (saved) => queryClient.setQueryData(key('studio', persona.id), saved),
  });
  const on = change.isPending && change.variables !== undefined ? change.variables : view.autoApproveExplicit;

  const toggle = (enabled: boolean) => {
    if (enabled && !window.confirm(t('studio.autoApprove.confirm', { name: persona.name }))) return;
    change.mutate(enabled);
  };

  return (
    <section className="panel stack" aria-labelledby="auto-approve-title">
      <h2 id="auto-approve-title">{t('studio.autoApprove.title')}</h2>
      <p className="muted">{t('studio.autoApprove.intro')}</p>
      <div className="notice warning">
        <p>{t('studio.autoApprove.warning', { name: persona.name })}</p>
      </div>
      <label className="check">
        <input type="checkbox" checked={on} disabled={change.isPending} onChange={(e) => toggle(e.target.checked)} />
        {t('studio.autoApprove.label')}
      </label>
      <p>
        <span className={on ? 'badge rating-explicit' : 'badge badge-ok'}>{on ? t('studio.autoApprove.on') : t('studio.autoApprove.off')}</span>
      </p>
      <ErrorNote error={change.error} />
    </section>
  );
}
