import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote } from '../ui/ErrorNote';
import { GalleryFilters } from './GalleryFilters';
import { MediaCard } from './MediaCard';
import { useMedia, type MediaFilters } from './queries';

/** The persona's library; as the approval queue it shows only what waits for a decision. */
export function Gallery({ personaId, onOpen, queue = false }: { personaId: string; onOpen: (id: string) => void; queue?: boolean }) {
  const { t } = useTranslation();
  const [filters, setFilters] = useState<MediaFilters>({});
  const media = useMedia(personaId, queue ? { ...filters, status: 'pending_approval' } : filters);
  const items = media.data?.pages.flat() ?? [];
  const filtered = Object.keys(filters).length > 0;
  const titleId = queue ? 'queue-title' : 'gallery-title';

  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId}>{queue ? t('studio.queue.title') : t('studio.gallery.title')}</h2>
      {queue && <p className="muted">{t('studio.queue.intro')}</p>}
      <GalleryFilters value={filters} onChange={setFilters} withStatus={!queue} />
      <ErrorNote error={media.error} />
      {media.isPending && <p role="status">{t('common.loading')}</p>}
      {media.isSuccess && items.length === 0 && (
        <p className="muted">{queue ? t('studio.queue.empty') : filtered ? t('studio.gallery.noMatch') : t('studio.gallery.empty')}</p>
      )}
      {items.length > 0 && (
        <ul className="media-grid" aria-label={queue ? t('studio.queue.title') : t('studio.gallery.title')}>
          {items.map((asset) => (
            <MediaCard key={asset.id} asset={asset} onOpen={onOpen} review={queue} />
          ))}
        </ul>
      )}
      {media.hasNextPage && (
        <button type="button" onClick={() => void media.fetchNextPage()} disabled={media.isFetchingNextPage}>
          {media.isFetchingNextPage ? t('common.loading') : t('studio.gallery.loadMore')}
        </button>
      )}
    </section>
  );
}
