import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/me';
import { useChannels } from '../../calendar/queries';
import type { Persona } from '../../personas/queries';
import { ErrorNote } from '../../ui/ErrorNote';
import { useDateTime } from '../../ui/format';
import { AutoReplyPanel } from './AutoReplyPanel';
import { EngagementDetail } from './EngagementDetail';
import { useEngagementEvents } from './live';
import { useEngagements, usePull, type Engagement, type EngagementStatus } from './queries';

const STATUSES: EngagementStatus[] = ['new', 'drafted', 'sent', 'failed', 'dismissed'];
const PULLABLE = new Set(['x', 'bluesky', 'reddit', 'instagram']);

/** Comments, mentions and replies on the persona's accounts: a filtered list and the chosen item. */
export function EngagementTab({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  const can = useCan();
  const when = useDateTime();
  useEngagementEvents();
  const [status, setStatus] = useState<EngagementStatus | ''>('new');
  const [channelId, setChannelId] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const list = useEngagements(persona.id, { status: status || undefined, channelId: channelId || undefined });
  const channels = useChannels(persona.id);
  const pull = usePull();
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  // Chatters cannot list channels: the ones met in the inbox stand in.
  const known = new Map<string, { id: string; platform: string; handle: string }>();
  for (const c of channels.data ?? []) if (PULLABLE.has(c.platform)) known.set(c.id, { id: c.id, platform: c.platform, handle: c.handle });
  for (const i of items) if (!known.has(i.channelId)) known.set(i.channelId, { id: i.channelId, platform: i.platform, handle: i.channelHandle });
  const options = [...known.values()];
  const xChannels = (channels.data ?? []).filter((c) => c.platform === 'x');

  return (
    <div className="engagement stack">
      <section className="panel" aria-labelledby="engagement-title">
        <div className="panel-head">
          <h2 id="engagement-title">{t('engagement.title')}</h2>
          {can('inbox:write') && options.length > 0 && (
            <div className="actions">
              {(channelId ? options.filter((o) => o.id === channelId) : options).map((o) => (
                <button key={o.id} type="button" className="small-button" disabled={pull.isPending} onClick={() => pull.mutate(o.id)}>
                  {t('engagement.pull', { handle: o.handle })}
                </button>
              ))}
            </div>
          )}
        </div>
        {pull.isSuccess && <p className="success">{t('engagement.pulled', { count: pull.data.added })}</p>}
        <ErrorNote error={pull.error} />
        <div className="filters">
          <label>
            {t('engagement.filters.status')}{' '}
            <select value={status} onChange={(e) => setStatus(e.target.value as EngagementStatus | '')}>
              <option value="">{t('engagement.filters.all')}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`engagement.statuses.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('engagement.filters.channel')}{' '}
            <select value={channelId} onChange={(e) => setChannelId(e.target.value)}>
              <option value="">{t('engagement.filters.all')}</option>
              {options.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.platform} · {o.handle}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ErrorNote error={list.error} />
        {list.isPending ? (
          <p className="muted">{t('common.loading')}</p>
        ) : items.length === 0 ? (
          <p className="muted">{t('engagement.empty')}</p>
        ) : (
          <ul className="engagement-list">
            {items.map((item) => (
              <li key={item.id}>
                <button type="button" className={item.id === selected ? 'engagement-item engagement-item-on' : 'engagement-item'} aria-pressed={item.id === selected} onClick={() => setSelected(item.id)}>
                  <span className="engagement-item-head">
                    <strong>@{item.authorHandle.replace(/^@/, '') || '?'}</strong>
                    <span className="badge">{t(`engagement.kinds.${item.kind}`)}</span>
                    <StatusBadge item={item} />
                    <span className="muted small">
                      {item.platform} · {when(item.receivedAt)}
                    </span>
                  </span>
                  <span className="engagement-excerpt">{item.text}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        {list.hasNextPage && (
          <button type="button" className="small-button" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
            {t('engagement.loadMore')}
          </button>
        )}
      </section>
      {selected ? (
        <EngagementDetail key={selected} id={selected} />
      ) : (
        items.length > 0 && (
          <section className="panel">
            <p className="muted">{t('engagement.detail.select')}</p>
          </section>
        )
      )}
      {can('channels:read') && xChannels.map((c) => <AutoReplyPanel key={c.id} channel={c} />)}
    </div>
  );
}

export function StatusBadge({ item }: { item: Pick<Engagement, 'status' | 'automatic'> }) {
  const { t } = useTranslation();
  return (
    <span className={`badge engagement-status-${item.status}`}>
      {t(`engagement.statuses.${item.status}`)}
      {item.automatic ? ` · ${t('engagement.detail.automatic')}` : ''}
    </span>
  );
}
