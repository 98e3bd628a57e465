import { useState, type FormEvent } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useOrgKey } from '../app/me';
import { Field } from '../ui/Field';
import { ErrorNote } from '../ui/ErrorNote';
import { useDateTime } from '../ui/format';
import { useTeam } from './teamQueries';

const PAGE = 50;

export function AuditSection() {
  const { t } = useTranslation();
  const key = useOrgKey();
  const dateTime = useDateTime();
  const team = useTeam();
  const [draft, setDraft] = useState('');
  const [action, setAction] = useState('');

  const audit = useInfiniteQuery({
    queryKey: key('audit', action),
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(api.GET('/api/v1/audit', { params: { query: { limit: PAGE, ...(pageParam ? { before: pageParam } : {}), ...(action ? { action } : {}) } } })),
    // The server hands the cursor of the next page (insertion order, so equal timestamps never skip).
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
  const entries = audit.data?.pages.flatMap((page) => page.items) ?? [];
  const actorName = (userId: string | null) => {
    if (!userId) return t('audit.system');
    const member = team.data?.find((m) => m.userId === userId);
    return member ? member.displayName || member.email : userId.slice(0, 8);
  };

  const filter = (event: FormEvent) => {
    event.preventDefault();
    setAction(draft.trim());
  };

  return (
    <section className="panel" aria-labelledby="audit-title">
      <h2 id="audit-title">{t('audit.title')}</h2>
      <p className="muted">{t('audit.intro')}</p>
      <form onSubmit={filter} className="row">
        <Field label={t('audit.filter')}>
          {(c) => <input {...c} value={draft} onChange={(e) => setDraft(e.target.value)} placeholder={t('audit.filterPlaceholder')} />}
        </Field>
        <button type="submit">{t('audit.apply')}</button>
        <p className="field-hint">{t('audit.filterHint')}</p>
      </form>
      <ErrorNote error={audit.error} />
      {audit.isPending && <p role="status">{t('common.loading')}</p>}
      {audit.isSuccess && entries.length === 0 && <p className="muted">{t('audit.empty')}</p>}
      {entries.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('audit.columns.when')}</th>
                <th scope="col">{t('audit.columns.action')}</th>
                <th scope="col">{t('audit.columns.actor')}</th>
                <th scope="col">{t('audit.columns.target')}</th>
                <th scope="col">{t('audit.columns.ip')}</th>
                <th scope="col">{t('audit.columns.details')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap">{dateTime(e.createdAt)}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>{e.actorApiKeyId ? t('audit.apiKey') : actorName(e.actorUserId)}</td>
                  <td>{e.targetType ? <Target type={e.targetType} id={e.targetId} /> : ''}</td>
                  <td>{e.ip ?? ''}</td>
                  <td className="details">{e.details == null ? '' : <code>{JSON.stringify(e.details)}</code>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {audit.hasNextPage && (
        <button type="button" onClick={() => void audit.fetchNextPage()} disabled={audit.isFetchingNextPage}>
          {audit.isFetchingNextPage ? t('common.loading') : t('audit.loadMore')}
        </button>
      )}
    </section>
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are shortened to stay readable (the full one is in the tooltip); other targets, such as routes, are shown whole. */
function Target({ type, id }: { type: string; id: string | null }) {
  if (!id) return <>{type}</>;
  return (
    <>
      {type} <code title={id}>{UUID.test(id) ? id.slice(0, 8) : id}</code>
    </>
  );
}
