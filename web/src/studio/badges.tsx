import { useTranslation } from 'react-i18next';
import type { AssetStatus, JobStatus, Rating } from './types';

/** Ratings in distinct colours: green SFW, amber suggestive, red explicit, grey not rated yet. */
export function RatingBadge({ rating }: { rating: Rating }) {
  const { t } = useTranslation();
  return <span className={`badge rating-${rating}`}>{t(`studio.rating.${rating}`)}</span>;
}

export function AssetStatusBadge({ status }: { status: AssetStatus }) {
  const { t } = useTranslation();
  return <span className={`badge status-${status}`}>{t(`studio.assetStatus.${status}`)}</span>;
}

export function JobStatusBadge({ status }: { status: JobStatus }) {
  const { t } = useTranslation();
  return <span className={`badge job-${status}`}>{t(`studio.jobStatus.${status}`)}</span>;
}
