import { useTranslation } from 'react-i18next';
import { ErrorNote } from '../ui/ErrorNote';
import { useDateTime } from '../ui/format';
import { toggle } from './fields';
import { useMedia } from './queries';

const NO_FILTER = { kind: 'image', status: 'approved' } as const;

/** Choose some of the persona's own approved images (montages, identity references). */
export function ImagePicker({
  personaId,
  legend,
  hint,
  value,
  onChange,
  max,
  error,
  disabled = false,
}: {
  personaId: string;
  legend: string;
  hint: string;
  value: string[];
  onChange: (ids: string[]) => void;
  max: number;
  error?: string | undefined;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const dateTime = useDateTime();
  const media = useMedia(personaId, NO_FILTER);
  const items = media.data?.pages.flat() ?? [];
  return (
    <fieldset className={error ? 'field-invalid' : undefined} disabled={disabled}>
      <legend>{legend}</legend>
      <p className="field-hint">
        {hint} {t('studio.picker.chosen', { count: value.length, max })}
      </p>
      <ErrorNote error={media.error} />
      {media.isSuccess && items.length === 0 && <p className="muted small">{t('studio.picker.empty')}</p>}
      {items.length > 0 && (
        <ul className="pick-grid">
          {items.map((asset, i) => {
            const on = value.includes(asset.id);
            return (
              <li key={asset.id}>
                <label className={on ? 'pick pick-on' : 'pick'}>
                  <input type="checkbox" checked={on} disabled={!on && value.length >= max} onChange={(e) => onChange(toggle(value, asset.id, e.target.checked))} />
                  <span className="visually-hidden">{t('studio.picker.item', { n: i + 1, date: dateTime(asset.createdAt) })}</span>
                  <img src={asset.thumbnailUrl ?? asset.url} alt="" loading="lazy" />
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
      {error && <p className="field-error">{error}</p>}
    </fieldset>
  );
}
