import { useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote } from '../ui/ErrorNote';
import { PlatformMarks, PostStatusBadge } from './badges';
import { POST_DRAG_TYPE } from './drag';
import { useUnscheduled } from './planningQueries';
import { postStatus, type Channel, type Post } from './types';

/** Dropped on a day rather than a slot, a post from the tray takes the rhythm's first publishing time. */
const DEFAULT_TIME = '10:00';

/**
 * Posts with no time yet, highest priority first. Drag one onto a day or a free slot (a draft is
 * approved as it lands), or open it; "Schedule…" is the keyboard way.
 */
export function DraftsTray({ personaId, channels, canWrite, onOpen, onSchedule }: { personaId: string; channels: Map<string, Channel>; canWrite: boolean; onOpen: (id: string) => void; onSchedule: (post: Post) => void }) {
  const { t } = useTranslation();
  const posts = useUnscheduled(personaId);
  const [open, setOpen] = useState(true);
  const items = posts.data ?? [];
  const start = (post: Post) => (e: DragEvent) => {
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData(POST_DRAG_TYPE, JSON.stringify({ postId: post.id, date: '', time: DEFAULT_TIME }));
    e.dataTransfer.setData('text/plain', post.id);
  };
  return (
    <section className="panel drafts-tray" aria-labelledby="drafts-title">
      <div className="drafts-head">
        <h2 id="drafts-title">{t('planning.drafts.title', { count: items.length })}</h2>
        <button type="button" className="link" onClick={() => setOpen((o) => !o)} aria-expanded={open} aria-controls="drafts-list">
          {open ? t('planning.drafts.hide') : t('planning.drafts.show')}
        </button>
      </div>
      <ErrorNote error={posts.error} />
      {open && (
        <>
          {posts.isSuccess && items.length === 0 && <p className="muted small">{t('planning.drafts.empty')}</p>}
          {items.length > 0 && canWrite && <p className="field-hint">{t('planning.drafts.hint')}</p>}
          <ul id="drafts-list" className="drafts-list">
            {items.map((post) => {
              const caption = post.caption.trim().split('\n')[0] || t('planning.drafts.noCaption');
              return (
                <li key={post.id} className="draft-item" draggable={canWrite} onDragStart={canWrite ? start(post) : undefined} title={canWrite ? t('calendar.dragHint') : undefined}>
                  <span className="draft-line">
                    <PostStatusBadge status={postStatus(post)} />
                    <PlatformMarks channels={post.targets.map((target) => channels.get(target.channelId))} />
                    {post.priority !== 0 && <span className="small muted">{t('planning.drafts.priority', { priority: post.priority })}</span>}
                  </span>
                  <span className="draft-caption">{caption}</span>
                  <span className="actions">
                    <button type="button" className="small-button" onClick={() => onOpen(post.id)}>
                      {t('planning.drafts.open')}
                    </button>
                    {canWrite && postStatus(post) === 'approved' && (
                      <button type="button" className="small-button" onClick={() => onSchedule(post)}>
                        {t('planning.drafts.schedule')}
                      </button>
                    )}
                  </span>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
