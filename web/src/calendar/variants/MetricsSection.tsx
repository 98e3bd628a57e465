import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/me';
import { ErrorNote } from '../../ui/ErrorNote';
import { useChannelName } from '../badges';
import { useCalendarFormat } from '../format';
import { ProblemNote } from '../ProblemNote';
import type { Channel, Post } from '../types';
import { figureNames, useNumbers } from './numbers';
import { usePostMetrics, useRefreshMetrics, type TargetMetrics } from './queries';

/** What each published target of the post has gathered so far, per platform, with a manual refresh. */
export function MetricsSection({ post, timezone, channels }: { post: Post; timezone: string; channels: Map<string, Channel> }) {
  const { t } = useTranslation();
  const can = useCan();
  const published = post.targets.some((target) => target.status === 'published');
  const metrics = usePostMetrics(post.id, published);
  const refresh = useRefreshMetrics(post.id);
  const channelName = useChannelName();
  const format = useCalendarFormat(timezone);
  if (!published) return null;
  const rows = (metrics.data?.targets ?? []).filter((target) => target.status === 'published');
  const fetched = rows.filter((target) => target.metrics);
  return (
    <section aria-labelledby="post-metrics-title" className="stack metrics-section">
      <div className="metrics-head">
        <h3 id="post-metrics-title">{t('variants.metrics.title')}</h3>
        {can('posts:write') && (
          <button type="button" className="small-button" onClick={() => refresh.mutate()} disabled={refresh.isPending}>
            {refresh.isPending ? t('variants.metrics.refreshing') : t('variants.metrics.refresh')}
          </button>
        )}
      </div>
      <ErrorNote error={metrics.error} />
      <ProblemNote error={refresh.error} />
      {refresh.data?.problems.map((problem) => (
        <p key={problem.channelId} className="small" role="status">
          {t('variants.metrics.problem', { channel: channelName(channels.get(problem.channelId)), message: problem.message })}
        </p>
      ))}
      {metrics.isSuccess && fetched.length === 0 && <p className="muted small">{t('variants.metrics.none')}</p>}
      {fetched.length > 0 && (
        <ul className="metrics-list">
          {fetched.map((target) => (
            <MetricsRow key={target.targetId} target={target} name={channelName(channels.get(target.channelId))} when={format.when(target.metrics!.fetchedAt)} />
          ))}
        </ul>
      )}
    </section>
  );
}

function MetricsRow({ target, name, when }: { target: TargetMetrics; name: string; when: string }) {
  const { t } = useTranslation();
  const numbers = useNumbers();
  const figures = target.metrics!;
  return (
    <li className="metrics-row">
      <div className="target-head">
        <strong>{name}</strong>
        {target.variantKey && <span className="badge variant-key">{t('variants.variant', { key: target.variantKey })}</span>}
        <span className="muted small">{t('variants.metrics.fetchedAt', { when })}</span>
      </div>
      <dl className="figures">
        {figureNames.map((f) => (
          <div key={f}>
            <dt>{t(`variants.figures.${f}`)}</dt>
            <dd className={figures[f] === null ? 'muted small' : undefined}>{figures[f] === null ? t('variants.notReported') : numbers.count(figures[f])}</dd>
          </div>
        ))}
      </dl>
    </li>
  );
}
