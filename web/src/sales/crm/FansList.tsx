import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/me';
import { onLinkClick } from '../../app/router';
import type { Persona } from '../../personas/queries';
import { ErrorNote } from '../../ui/ErrorNote';
import { Field } from '../../ui/Field';
import { useDateTime } from '../../ui/format';
import { useMoney, useSegmentName } from './format';
import { SegmentEditor } from './SegmentEditor';
import { subscriptions, useDeleteSegment, useFans, useSegments, type Fan, type FanQuery, type Segment } from './queries';

/** Fans of the persona, most recently seen first, filtered by segment, search, subscription or tag. */
export function FansList({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  const can = useCan();
  const segmentName = useSegmentName();
  const [segmentId, setSegmentId] = useState('');
  const [q, setQ] = useState('');
  const [subscription, setSubscription] = useState('');
  const [tag, setTag] = useState('');
  const [editing, setEditing] = useState<Segment | 'new' | null>(null);
  const search = useDebouncedText(q, 300);
  const query: FanQuery = {
    ...(segmentId ? { segmentId } : {}),
    ...(search.trim() ? { q: search.trim() } : {}),
    ...(subscription ? { subscription: subscription as Fan['subscription'] } : {}),
    ...(tag.trim() ? { tag: tag.trim() } : {}),
  };
  const fans = useFans(persona.id, query);
  const segments = useSegments(persona.id);
  const removeSegment = useDeleteSegment();
  const items = fans.data?.pages.flatMap((p) => p.items) ?? [];
  const currency = fans.data?.pages[0]?.currency ?? 'EUR';
  const selected = segments.data?.find((s) => s.id === segmentId);
  const write = can('sales:write');

  return (
    <div className="stack">
      {editing && (
        <SegmentEditor
          personaId={persona.id}
          currency={currency}
          segment={editing === 'new' ? null : editing}
          onDone={(saved) => {
            setEditing(null);
            if (saved) setSegmentId(saved.id);
          }}
        />
      )}
      <section className="panel" aria-labelledby="crm-fans-title">
        <div className="panel-head">
          <h2 id="crm-fans-title">{t('crm.fans.title')}</h2>
          {write && !editing && (
            <div className="actions">
              <button type="button" onClick={() => setEditing('new')}>
                {t('crm.segments.new')}
              </button>
              {selected && !selected.builtin && (
                <>
                  <button type="button" onClick={() => setEditing(selected)}>
                    {t('crm.segments.edit')}
                  </button>
                  <button
                    type="button"
                    className="danger"
                    disabled={removeSegment.isPending}
                    onClick={() => window.confirm(t('crm.segments.confirmDelete', { name: selected.name })) && removeSegment.mutate(selected.id, { onSuccess: () => setSegmentId('') })}
                  >
                    {t('crm.segments.delete')}
                  </button>
                </>
              )}
            </div>
          )}
        </div>
        <div className="filters" role="search">
          <Field label={t('crm.fans.segment')}>
            {(c) => (
              <select {...c} value={segmentId} onChange={(e) => setSegmentId(e.target.value)}>
                <option value="">{t('crm.fans.allFans')}</option>
                {segments.data?.map((s) => (
                  <option key={s.id} value={s.id}>
                    {segmentName(s)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('crm.fans.search')}>{(c) => <input {...c} type="search" value={q} onChange={(e) => setQ(e.target.value)} />}</Field>
          <Field label={t('crm.fans.subscription')}>
            {(c) => (
              <select {...c} value={subscription} onChange={(e) => setSubscription(e.target.value)}>
                <option value="">{t('crm.fans.any')}</option>
                {subscriptions.map((s) => (
                  <option key={s} value={s}>
                    {t(`crm.subscription.${s}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('crm.fans.tag')}>{(c) => <input {...c} value={tag} onChange={(e) => setTag(e.target.value)} />}</Field>
        </div>
        <ErrorNote error={fans.error ?? segments.error ?? removeSegment.error} />
        {fans.isPending && <p role="status">{t('common.loading')}</p>}
        {fans.isSuccess && items.length === 0 && <p className="muted">{t('crm.fans.empty')}</p>}
        {items.length > 0 && <FanTable fans={items} />}
        {fans.hasNextPage && (
          <button type="button" className="link" onClick={() => void fans.fetchNextPage()} disabled={fans.isFetchingNextPage}>
            {t('crm.fans.more')}
          </button>
        )}
      </section>
    </div>
  );
}

function FanTable({ fans }: { fans: Fan[] }) {
  const { t } = useTranslation();
  const dateTime = useDateTime();
  const money = useMoney();
  const flagLabel = useFlagLabel();
  const spend = fans.some((f) => f.spend);
  return (
    <div className="table-wrap">
      <table className="crm-fans">
        <thead>
          <tr>
            <th scope="col">{t('crm.fans.columns.fan')}</th>
            <th scope="col">{t('crm.fans.columns.platform')}</th>
            <th scope="col">{t('crm.fans.columns.subscription')}</th>
            <th scope="col">{t('crm.fans.columns.lastSeen')}</th>
            <th scope="col">{t('crm.fans.columns.tags')}</th>
            {spend && <th scope="col">{t('crm.fans.columns.spend')}</th>}
          </tr>
        </thead>
        <tbody>
          {fans.map((f) => (
            <tr key={f.id}>
              <td>
                <a href={`/sales/fans/${f.id}`} onClick={onLinkClick}>
                  {f.displayName ?? f.handle ?? t('crm.fans.unnamed')}
                </a>
                {f.displayName && f.handle && <span className="muted small"> {f.handle}</span>}
                {f.flags.map((flag) => (
                  <span key={flag} className={alertFlags.includes(flag) ? 'badge crm-flag-alert' : 'badge'}>
                    {flagLabel(flag)}
                  </span>
                ))}
              </td>
              <td>{f.platform}</td>
              <td>{t(`crm.subscription.${f.subscription}`)}</td>
              <td>{dateTime(f.lastSeenAt)}</td>
              <td>{f.tags.join(', ')}</td>
              {spend && <td className="num">{f.spend ? money(f.spend.totalMinor, f.spend.currency) : ''}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export const knownFlags = ['stated_under_18', 'self_harm_signal', 'blocked', 'vip'] as const;
/** Set by chat safety: shown as alerts (no PPV reaches these fans; see the server's NO_CONTACT_FLAGS). */
const alertFlags: readonly string[] = ['stated_under_18', 'self_harm_signal'];
type KnownFlag = (typeof knownFlags)[number];
export function useFlagLabel() {
  const { t } = useTranslation();
  return (flag: string): string => ((knownFlags as readonly string[]).includes(flag) ? t(`crm.flags.${flag as KnownFlag}`) : flag);
}

function useDebouncedText(text: string, ms: number) {
  const [value, setValue] = useState(text);
  useEffect(() => {
    const timer = setTimeout(() => setValue(text), ms);
    return () => clearTimeout(timer);
  }, [text, ms]);
  return value;
}
