import { useTranslation } from 'react-i18next';
import { useDateTime } from '../ui/format';
import { AssetStatusBadge, RatingBadge } from './badges';
import { formatDuration } from './format';
import { ReviewButtons } from './ReviewButtons';
import type { Asset } from './types';

export function MediaCard({ asset, onOpen, review }: { asset: Asset; onOpen: (id: string) => void; review: boolean }) {
  const { t } = useTranslation();
  const dateTime = useDateTime();
  const kind = t(`studio.assetKinds.${asset.kind}`);
  const poster = asset.thumbnailUrl ?? (asset.kind === 'image' ? asset.url : null);
  return (
    <li className="media-card">
      <button type="button" className="media-thumb" onClick={() => onOpen(asset.id)} aria-label={t('studio.gallery.open', { kind, date: dateTime(asset.createdAt) })}>
        {poster ? <img src={poster} alt="" loading="lazy" /> : <span className="media-placeholder" aria-hidden="true">{asset.kind === 'audio' ? '♪' : kind}</span>}
        {asset.kind === 'video' && (
          <span className="media-duration" aria-hidden="true">
            ▶ {formatDuration(asset.durationSeconds)}
          </span>
        )}
      </button>
      {asset.kind === 'audio' && <audio controls preload="none" src={asset.url} aria-label={t('studio.gallery.listen', { date: dateTime(asset.createdAt) })} />}
      <div className="media-meta">
        <RatingBadge rating={asset.rating} />
        <AssetStatusBadge status={asset.status} />
      </div>
      {asset.tags.length > 0 && <p className="media-tags small muted">{asset.tags.map((tag) => `#${tag}`).join(' ')}</p>}
      {review && <ReviewButtons asset={asset} />}
    </li>
  );
}
