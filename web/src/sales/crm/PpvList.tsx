import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/me';
import type { Persona } from '../../personas/queries';
import { ErrorNote } from '../../ui/ErrorNote';
import { useDateTime } from '../../ui/format';
import { useMoney, useSegmentName } from './format';
import { useCampaignAction, useCampaigns, useSegments, type Campaign } from './queries';

/** Campaigns with their status, delivery and (with ledger access) purchases and revenue. */
export function PpvList({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  const campaigns = useCampaigns(persona.id);
  const segments = useSegments(persona.id);
  const action = useCampaignAction();
  const items = campaigns.data ?? [];
  const results = items.some((c) => c.results);
  return (
    <>
      <ErrorNote error={campaigns.error ?? action.error} />
      {campaigns.isPending && <p role="status">{t('common.loading')}</p>}
      {campaigns.isSuccess && items.length === 0 && <p className="muted">{t('crm.ppv.empty')}</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="crm-ppv">
            <thead>
              <tr>
                <th scope="col">{t('crm.ppv.columns.when')}</th>
                <th scope="col">{t('crm.ppv.columns.message')}</th>
                <th scope="col">{t('crm.ppv.columns.segment')}</th>
                <th scope="col">{t('crm.ppv.columns.price')}</th>
                <th scope="col">{t('crm.ppv.columns.status')}</th>
                <th scope="col">{t('crm.ppv.columns.delivery')}</th>
                {results && <th scope="col">{t('crm.ppv.columns.results')}</th>}
                <th scope="col">{t('crm.ppv.columns.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <CampaignRow key={c.id} campaign={c} results={results} segmentLabel={segments.data?.find((s) => s.id === c.segmentId)} onAction={(a) => action.mutate(a)} busy={action.isPending} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

type Action = Parameters<ReturnType<typeof useCampaignAction>['mutate']>[0];

function CampaignRow({ campaign: c, results, segmentLabel, onAction, busy }: { campaign: Campaign; results: boolean; segmentLabel: Parameters<ReturnType<typeof useSegmentName>>[0] | undefined; onAction: (a: Action) => void; busy: boolean }) {
  const { t } = useTranslation();
  const can = useCan();
  const dateTime = useDateTime();
  const money = useMoney();
  const segmentName = useSegmentName();
  const [when, setWhen] = useState('');
  const write = can('sales:write');
  return (
    <tr>
      <td>{c.scheduledAt ? dateTime(c.scheduledAt) : '—'}</td>
      <td className="crm-ppv-message">{c.message}</td>
      <td>{segmentLabel ? segmentName(segmentLabel) : '—'}</td>
      <td className="num">{c.priceMinor > 0 ? money(c.priceMinor, c.currency) : t('crm.ppv.free')}</td>
      <td>
        <span className={`badge crm-status-${c.status}`}>{t(`crm.ppv.status.${c.status}`)}</span>
        {c.error && <span className="small muted"> {c.error.message}</span>}
      </td>
      <td>{t('crm.ppv.deliverySummary', { sent: c.delivery.sent, failed: c.delivery.failed, pending: c.delivery.pending })}</td>
      {results && (
        <td>
          {c.results && (
            <>
              {t('crm.ppv.purchases', { count: c.results.purchases })}
              {c.results.revenue.map((r) => (
                <div key={r.currency} className="small">
                  {money(r.netMinor, r.currency)}
                </div>
              ))}
            </>
          )}
        </td>
      )}
      <td>
        {write && (
          <div className="actions">
            {c.status === 'draft' && (
              <>
                <input type="datetime-local" aria-label={t('crm.ppv.when')} value={when} onChange={(e) => setWhen(e.target.value)} />
                <button type="button" className="small-button" disabled={busy || !when} onClick={() => onAction({ id: c.id, kind: 'schedule', at: new Date(when).toISOString() })}>
                  {t('crm.ppv.schedule')}
                </button>
              </>
            )}
            {(c.status === 'draft' || c.status === 'scheduled' || c.status === 'sending') && (
              <button type="button" className="small-button" disabled={busy} onClick={() => window.confirm(t('crm.ppv.confirmCancel')) && onAction({ id: c.id, kind: 'cancel' })}>
                {t('crm.ppv.cancel')}
              </button>
            )}
            {(c.status === 'draft' || c.status === 'cancelled') && (
              <button type="button" className="small-button danger" disabled={busy} onClick={() => onAction({ id: c.id, kind: 'delete' })}>
                {t('crm.ppv.delete')}
              </button>
            )}
          </div>
        )}
      </td>
    </tr>
  );
}
