import { useTranslation } from 'react-i18next';
import { RatingBadge } from '../../studio/badges';
import { toggle } from '../../studio/fields';
import { useMedia } from '../../studio/queries';
import { ErrorNote } from '../../ui/ErrorNote';
import { useDateTime } from '../../ui/format';

const APPROVED = { status: 'approved' } as const;

/** Her approved media (pictures and clips), several at a time: what goes into a pack. */
export function MediaPicker({ personaId, value, onChange, disabled = false }: { personaId: string; value: string[]; onChange: (ids: string[]) => void; disabled?: boolean }) {
  const { t } = useTranslation();
  const dateTime = useDateTime();
  const media = useMedia(personaId, APPROVED);
  const items = (media.data?.pages.flat() ?? []).filter((a) => a.kind !== 'audio');
  return (
    <fieldset disabled={disabled}>
      <legend>{t('catalogue.packs.media')}</legend>
      <p className="field-hint">{t('catalogue.packs.mediaHint', { count: value.length })}</p>
      <ErrorNote error={media.error} />
      {media.isSuccess && items.length === 0 && <p className="muted small">{t('catalogue.packs.noMedia')}</p>}
      {items.length > 0 && (
        <ul className="pick-grid">
          {items.map((asset, i) => {
            const on = value.includes(asset.id);
            return (
              <li key={asset.id}>
                <label className={on ? 'pick pick-on' : 'pick'}>
                  <input type="checkbox" checked={on} onChange={(e) => onChange(toggle(value, asset.id, e.target.checked))} />
                  <span className="visually-hidden">{t('catalogue.packs.mediaItem', { n: i + 1, date: dateTime(asset.createdAt), rating: t(`studio.rating.${asset.rating}`) })}</span>
                  <img src={asset.thumbnailUrl ?? asset.url} alt="" loading="lazy" />
                  <span className="pick-rating" aria-hidden="true">
                    <RatingBadge rating={asset.rating} />
                  </span>
                </label>
              </li>
            );
          })}
        </ul>
      )}
      {media.hasNextPage && (
        <button type="button" className="link" onClick={() => void media.fetchNextPage()} disabled={media.isFetchingNextPage}>
          {t('studio.gallery.loadMore')}
        </button>
      )}
    </fieldset>
  );
}
