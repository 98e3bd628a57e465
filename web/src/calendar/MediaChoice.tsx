import { useTranslation } from 'react-i18next';
import { RatingBadge } from '../studio/badges';
import { useMedia } from '../studio/queries';
import type { Asset } from '../studio/types';
import { ErrorNote } from '../ui/ErrorNote';
import { useDateTime } from '../ui/format';

const APPROVED_IMAGES = { kind: 'image', status: 'approved' } as const;

/** One approved image of hers, or none for a text-only post. */
export function MediaChoice({ personaId, value, onChange }: { personaId: string; value: Asset | null; onChange: (asset: Asset | null) => void }) {
  const { t } = useTranslation();
  const dateTime = useDateTime();
  const media = useMedia(personaId, APPROVED_IMAGES);
  const items = media.data?.pages.flat() ?? [];
  return (
    <fieldset>
      <legend>{t('calendar.composer.media')}</legend>
      <p className="field-hint">{t('calendar.composer.mediaHint')}</p>
      <ErrorNote error={media.error} />
      {media.isSuccess && items.length === 0 && <p className="muted small">{t('calendar.composer.noImages')}</p>}
      <ul className="pick-grid media-choice">
        <li>
          <label className={value === null ? 'pick pick-on pick-none' : 'pick pick-none'}>
            <input type="radio" name="composer-media" checked={value === null} onChange={() => onChange(null)} />
            <span>{t('calendar.composer.noMedia')}</span>
          </label>
        </li>
        {items.map((asset, i) => (
          <li key={asset.id}>
            <label className={value?.id === asset.id ? 'pick pick-on' : 'pick'}>
              <input type="radio" name="composer-media" checked={value?.id === asset.id} onChange={() => onChange(asset)} />
              <span className="visually-hidden">{t('calendar.composer.mediaItem', { n: i + 1, date: dateTime(asset.createdAt), rating: t(`studio.rating.${asset.rating}`) })}</span>
              <img src={asset.thumbnailUrl ?? asset.url} alt="" loading="lazy" />
            </label>
          </li>
        ))}
      </ul>
      {media.hasNextPage && (
        <button type="button" className="link" onClick={() => void media.fetchNextPage()} disabled={media.isFetchingNextPage}>
          {t('studio.gallery.loadMore')}
        </button>
      )}
      {value && (
        <p className="small media-meta">
          {t('calendar.composer.chosenRating')} <RatingBadge rating={value.rating} />
        </p>
      )}
    </fieldset>
  );
}
