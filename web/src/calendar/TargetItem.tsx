import { useTranslation } from 'react-i18next';
import { PlatformMark, PostStatusBadge } from './badges';
import type { CalendarFormat } from './format';
import { asVariant, type Channel, type Target } from './types';

const isWebLink = (url: string | null): url is string => !!url && /^https?:\/\//i.test(url);

/** One channel of a post: its status, attempts, the link once published, the reason when it failed. */
export function TargetItem({ target, channel, format }: { target: Target; channel: Channel | undefined; format: CalendarFormat }) {
  const { t } = useTranslation();
  const platform = channel ? t(`calendar.platforms.${channel.platform}`) : '';
  return (
    <li className={`target target-${target.status}`}>
      <div className="target-head">
        {channel && <PlatformMark platform={channel.platform} />}
        <strong>{channel?.handle ?? t('calendar.noChannel')}</strong>
        <PostStatusBadge status={target.status} />
        <span className="muted small">{t(`calendar.composer.variants.${asVariant(target.variant)}`)}</span>
      </div>
      <dl className="facts">
        {target.scheduledAt && (
          <>
            <dt>{t('calendar.detail.at')}</dt>
            <dd>{format.when(target.scheduledAt)}</dd>
          </>
        )}
        <dt>{t('calendar.detail.attemptsLabel')}</dt>
        <dd>{target.attempts}</dd>
        {target.publishedAt && (
          <>
            <dt>{t('calendar.detail.publishedAt')}</dt>
            <dd>{format.when(target.publishedAt)}</dd>
          </>
        )}
        {(target.remoteUrl || target.remoteId) && (
          <>
            <dt>{t('calendar.detail.remote')}</dt>
            <dd>
              {isWebLink(target.remoteUrl) ? (
                <a href={target.remoteUrl} target="_blank" rel="noreferrer">
                  {t('calendar.detail.openRemote', { platform })}
                </a>
              ) : (
                <code className="break">{target.remoteUrl ?? target.remoteId}</code>
              )}
            </dd>
          </>
        )}
      </dl>
      {target.error && (
        <div className="job-error" role={target.status === 'failed' || target.status === 'needs_review' ? 'alert' : undefined}>
          <p>
            {target.status === 'needs_review' && <strong>{t('calendar.detail.needsReview')} </strong>}
            {target.error.message}
          </p>
          {target.error.kind && <p className="small">{t('calendar.detail.errorKind', { kind: target.error.kind })}</p>}
        </div>
      )}
      <details className="technical">
        <summary>{t('calendar.detail.finalText')}</summary>
        <p className="prewrap small">{target.text}</p>
      </details>
    </li>
  );
}
