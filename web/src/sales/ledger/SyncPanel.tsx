import { useTranslation } from 'react-i18next';
import { useChannels } from '../../calendar/queries';
import { ErrorNote } from '../../ui/ErrorNote';
import { useSyncFanvue } from './queries';

/** Fanvue earnings come in hourly on their own; this pulls them now. */
export function SyncPanel({ personaId }: { personaId: string }) {
  const { t } = useTranslation();
  const channels = useChannels(personaId);
  const sync = useSyncFanvue();
  const fanvue = (channels.data ?? []).filter((c) => c.platform === 'fanvue');
  return (
    <section className="panel" aria-labelledby="ledger-sync-title">
      <h2 id="ledger-sync-title">{t('billing.sync.title')}</h2>
      <p className="muted small">{t('billing.sync.hint')}</p>
      {channels.isSuccess && fanvue.length === 0 && <p className="muted">{t('billing.sync.none')}</p>}
      <div className="actions">
        {fanvue.map((c) => (
          <button key={c.id} type="button" disabled={sync.isPending} onClick={() => sync.mutate(c.id)}>
            {t('billing.sync.now', { handle: c.handle })}
          </button>
        ))}
      </div>
      {sync.isPending && <p role="status">{t('billing.sync.running')}</p>}
      {sync.isSuccess && (
        <p role="status" className="success">
          {t('billing.sync.done', { rows: sync.data.rows, added: sync.data.added, updated: sync.data.updated })}
        </p>
      )}
      <ErrorNote error={sync.error ?? channels.error} />
    </section>
  );
}
