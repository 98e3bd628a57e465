import { useId } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useOrgKey } from '../app/me';
import { ErrorNote } from '../ui/ErrorNote';
import type { Provider } from './providerTypes';

export function ProviderRow({ provider, onEdit }: { provider: Provider; onEdit: () => void }) {
  const { t } = useTranslation();
  const key = useOrgKey();
  const queryClient = useQueryClient();
  const id = useId();
  const refresh = () => queryClient.invalidateQueries({ queryKey: key('providers') });

  const toggle = useMutation({
    mutationFn: (enabled: boolean) => unwrap(api.PATCH('/api/v1/providers/{id}', { params: { path: { id: provider.id } }, body: { enabled } })),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/providers/{id}', { params: { path: { id: provider.id } } })),
    onSettled: refresh,
  });
  const check = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/providers/{id}/check', { params: { path: { id: provider.id } } })) });
  const enabled = toggle.isPending && toggle.variables !== undefined ? toggle.variables : provider.enabled;

  return (
    <tr>
      <td>
        <strong>{provider.name}</strong>
        <div className="muted small">{summary(provider)}</div>
      </td>
      <td>
        {t(`providers.types.${provider.type}`)}
        <div className="muted small">{t(`providers.kinds.${provider.kind}`)}</div>
      </td>
      <td>
        <label className="check" htmlFor={id}>
          <input id={id} type="checkbox" checked={enabled} disabled={toggle.isPending} onChange={(e) => toggle.mutate(e.target.checked)} aria-label={t('providers.enabledFor', { name: provider.name })} />
          <span aria-hidden="true">{enabled ? t('providers.enabled') : t('providers.disabled')}</span>
        </label>
      </td>
      <td>{provider.credentialNames.length ? provider.credentialNames.map((c) => t(`providers.credentials.${c as 'apiKey'}`)).join(', ') : <span className="muted">—</span>}</td>
      <td>
        <div className="actions">
          <button type="button" onClick={() => check.mutate()} disabled={check.isPending}>
            {check.isPending ? t('providers.checking') : t('providers.check', { name: provider.name })}
          </button>
          <button type="button" onClick={onEdit}>
            {t('providers.edit', { name: provider.name })}
          </button>
          <button
            type="button"
            className="danger"
            disabled={remove.isPending}
            onClick={() => window.confirm(t('providers.confirmDelete', { name: provider.name })) && remove.mutate()}
          >
            {t('providers.delete', { name: provider.name })}
          </button>
        </div>
        {check.data && (
          <p className={check.data.ok ? 'check-ok small' : 'check-fail small'} role="status">
            {check.data.ok ? t('providers.reachable') : t('providers.unreachable')}
            {check.data.detail ? ` — ${check.data.detail}` : ''}
          </p>
        )}
        <ErrorNote error={check.error ?? toggle.error ?? remove.error} />
      </td>
    </tr>
  );
}

/** Where it points, at a glance. */
function summary(p: Provider): string {
  const c = p.config;
  const where = Array.isArray(c.baseUrls) ? c.baseUrls.join(', ') : typeof c.baseUrl === 'string' ? c.baseUrl : '';
  const model = typeof c.model === 'string' ? c.model : typeof c.modelId === 'string' ? c.modelId : '';
  const workflows = c.workflows && typeof c.workflows === 'object' ? Object.keys(c.workflows).join(', ') : '';
  return [where, model, workflows].filter(Boolean).join(' · ');
}
