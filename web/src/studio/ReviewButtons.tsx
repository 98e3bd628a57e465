import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useCan } from '../app/me';
import { ErrorNote } from '../ui/ErrorNote';
import { useAssetChanged } from './queries';
import type { Asset } from './types';

/** Approval queue decisions; shown only to members who may change media. */
export function ReviewButtons({ asset }: { asset: Asset }) {
  const { t } = useTranslation();
  const can = useCan();
  const changed = useAssetChanged();
  const review = useMutation({
    mutationFn: (decision: 'approve' | 'reject') =>
      unwrap(
        decision === 'approve'
          ? api.POST('/api/v1/media/{id}/approve', { params: { path: { id: asset.id } } })
          : api.POST('/api/v1/media/{id}/reject', { params: { path: { id: asset.id } } }),
      ),
    onSuccess: changed,
  });
  if (!can('media:write')) return null;
  return (
    <>
      <div className="actions">
        {asset.status !== 'approved' && (
          <button type="button" className="primary small-button" disabled={review.isPending} onClick={() => review.mutate('approve')}>
            {t('studio.review.approve')}
          </button>
        )}
        {asset.status !== 'rejected' && (
          <button type="button" className="danger small-button" disabled={review.isPending} onClick={() => review.mutate('reject')}>
            {t('studio.review.reject')}
          </button>
        )}
      </div>
      <ErrorNote error={review.error} />
    </>
  );
}
