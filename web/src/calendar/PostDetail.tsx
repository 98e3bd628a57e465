import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../app/me';
import { useAsset } from '../studio/queries';
import { ErrorNote } from '../ui/ErrorNote';
import { PostStatusBadge } from './badges';
import { ProblemNote } from './ProblemNote';
import { Drawer } from './Drawer';
import { EditPostForm } from './EditPostForm';
import { useCalendarFormat } from './format';
import { usePost, usePostAction, useSchedulePost } from './queries';
import { TargetItem } from './TargetItem';
import { AbPanel } from './variants/AbPanel';
import { MetricsSection } from './variants/MetricsSection';
import { canReschedule, postStatus, type Channel, type Post } from './types';

/** One post: where it goes and how each channel went, with what can still be done to it. */
export function PostDetail({ id, timezone, channels, onClose, onMoveTo }: { id: string; timezone: string; channels: Map<string, Channel>; onClose: () => void; onMoveTo: ((post: Post) => void) | null }) {
  const { t } = useTranslation();
  const post = usePost(id);
  return (
    <Drawer titleId="post-title" title={t('calendar.detail.title')} onClose={onClose}>
      <ErrorNote error={post.error} />
      {post.isPending && <p role="status">{t('common.loading')}</p>}
      {post.data && <PostBody post={post.data} timezone={timezone} channels={channels} onMoveTo={onMoveTo} />}
    </Drawer>
  );
}

function PostBody({ post, timezone, channels, onMoveTo }: { post: Post; timezone: string; channels: Map<string, Channel>; onMoveTo: ((post: Post) => void) | null }) {
  const { t } = useTranslation();
  const can = useCan();
  const format = useCalendarFormat(timezone);
  const asset = useAsset(can('media:read') ? post.assetId : null);
  const action = usePostAction();
  const schedule = useSchedulePost();
  const [editing, setEditing] = useState(false);
  const status = postStatus(post);
  const canWrite = can('posts:write');
  const future = !!post.scheduledAt && post.scheduledAt > new Date().toISOString();

  // A draft kept at a time is scheduled for that time as soon as it is approved.
  const approve = () =>
    action.mutate(
      { id: post.id, action: 'approve' },
      { onSuccess: (approved) => future && approved.scheduledAt && schedule.mutate({ id: approved.id, when: { at: approved.scheduledAt } }) },
    );
  const cancel = () => window.confirm(t('calendar.detail.confirmCancel')) && action.mutate({ id: post.id, action: 'cancel' });
  const busy = action.isPending || schedule.isPending;

  return (
    <div className="stack">
      {asset.data && <img className="preview post-preview" src={asset.data.thumbnailUrl ?? asset.data.url} alt={t('calendar.detail.image')} />}
      <div className="media-meta" aria-live="polite">
        <PostStatusBadge status={status} />
        <span>{post.scheduledAt ? t('calendar.detail.scheduledFor', { when: format.when(post.scheduledAt) }) : t('calendar.detail.notScheduled')}</span>
      </div>
      <p className="muted small">{t('calendar.timezone', { zone: timezone })}</p>

      {canWrite && (
        <div className="actions">
          {status === 'draft' && (
            <button type="button" className="primary" onClick={approve} disabled={busy}>
              {future ? t('calendar.detail.approveSchedule') : t('calendar.detail.approve')}
            </button>
          )}
          {status === 'failed' && (
            <button type="button" onClick={() => schedule.mutate({ id: post.id, when: { at: new Date().toISOString() } })} disabled={busy}>
              {t('calendar.detail.retry')}
            </button>
          )}
          {onMoveTo && canReschedule(post) && (
            <button type="button" onClick={() => onMoveTo(post)} disabled={busy}>
              {post.scheduledAt ? t('calendar.detail.moveTo') : t('calendar.detail.schedule')}
            </button>
          )}
          {status !== 'cancelled' && (
            <button type="button" onClick={() => setEditing((e) => !e)} aria-expanded={editing}>
              {t('calendar.detail.edit')}
            </button>
          )}
          {!['cancelled', 'published', 'publishing'].includes(status) && (
            <button type="button" className="danger" onClick={cancel} disabled={busy}>
              {t('calendar.detail.cancel')}
            </button>
          )}
        </div>
      )}
      <ProblemNote error={action.error ?? schedule.error} />
      {editing && <EditPostForm key={post.id} post={post} onDone={() => setEditing(false)} />}

      {!editing && (
        <section aria-labelledby="post-caption-title">
          <h3 id="post-caption-title">{t('calendar.detail.caption')}</h3>
          {post.caption.trim() ? <p className="prewrap">{post.caption}</p> : <p className="muted small">{t('calendar.detail.noCaption')}</p>}
          <p className="small muted">{t('calendar.detail.priority', { priority: post.priority })}</p>
        </section>
      )}

      <section aria-labelledby="post-targets-title">
        <h3 id="post-targets-title">{t('calendar.detail.targets')}</h3>
        <ul className="targets">
          {post.targets.map((target) => (
            <TargetItem key={target.id} target={target} channel={channels.get(target.channelId)} format={format} />
          ))}
        </ul>
      </section>
      <MetricsSection post={post} timezone={timezone} channels={channels} />
      <AbPanel post={post} timezone={timezone} channels={channels} />
    </div>
  );
}
