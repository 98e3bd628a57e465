import { useTranslation } from 'react-i18next';
import { onLinkClick } from '../app/router';
import { ErrorNote } from '../ui/ErrorNote';
import { useDateTime } from '../ui/format';
import { useFigures } from './format';
import { useAbTests, type AbTest } from './queries';
import type { RangeChoice } from './range';

const reasons = {
  decided: 'variants.reason.decided',
  no_impressions: 'variants.reason.no_impressions',
  too_few_impressions: 'variants.reason.too_few_impressions',
  too_close: 'variants.reason.too_close',
  single_variant: 'variants.reason.single_variant',
} as const;

/** Posts with A/B variants scheduled in the range: each variant's figures side by side, and the verdict. */
export function AbTestsTab({ personaId, range, personaName }: { personaId: string | null; range: RangeChoice; personaName: (id: string) => string | null }) {
  const { t } = useTranslation();
  const tests = useAbTests(personaId, range);
  const items = tests.data?.items ?? [];
  return (
    <div className="stack-lg" aria-busy={tests.isFetching}>
      <ErrorNote error={tests.error} />
      {tests.data && items.length === 0 && (
        <div className="panel an-empty" data-empty="ab-tests">
          <h2>{t('analytics.ab.emptyTitle')}</h2>
          <p>{t('analytics.ab.empty')}</p>
          <a href="/calendar" onClick={onLinkClick}>
            {t('analytics.ab.toCalendar')}
          </a>
        </div>
      )}
      {items.map((test) => (
        <AbTestCard key={test.postId} test={test} persona={personaId ? null : personaName(test.personaId)} />
      ))}
    </div>
  );
}

function AbTestCard({ test, persona }: { test: AbTest; persona: string | null }) {
  const { t } = useTranslation();
  const f = useFigures();
  const dateTime = useDateTime();
  const { decision } = test;
  const reason = decision.reason as keyof typeof reasons | null;
  const figures = ['impressions', 'likes', 'comments', 'shares', 'clicks'] as const;
  return (
    <article className="panel an-ab" aria-labelledby={`an-ab-${test.postId}`}>
      <div className="panel-head">
        <h2 id={`an-ab-${test.postId}`} className="an-ab-title">
          {test.caption || t('analytics.ab.noCaption')}
        </h2>
        <span className="muted small">
          {[persona, test.scheduledAt ? dateTime(test.scheduledAt) : null].filter(Boolean).join(' · ')}
          {decision.winner ? (
            <span className="badge badge-ok">{t('analytics.ab.won', { key: decision.winner })}</span>
          ) : (
            <span className="badge">{t('analytics.ab.running')}</span>
          )}
        </span>
      </div>
      <div className="table-wrap">
        <table className="an-table">
          <thead>
            <tr>
              <th scope="col">{t('analytics.ab.variant')}</th>
              {figures.map((name) => (
                <th key={name} scope="col" className="num">
                  {t(`variants.figures.${name}`)}
                </th>
              ))}
              <th scope="col" className="num">
                {t('analytics.columns.engagement')}
              </th>
              <th scope="col" className="num">
                {t('variants.probability')}
              </th>
            </tr>
          </thead>
          <tbody>
            {test.variants.map((v) => (
              <tr key={v.key} className={v.winner ? 'an-winner' : undefined}>
                <th scope="row">
                  {t('variants.variant', { key: v.key })}
                  {v.winner && <span className="badge badge-ok">{t('variants.winner')}</span>}
                  {v.caption && v.caption !== test.caption && <span className="an-ab-caption small muted">{v.caption}</span>}
                </th>
                {figures.map((name) => (
                  <td key={name} className="num">
                    {v[name] === null ? <span className="muted small">{t('variants.notReported')}</span> : f.count(v[name])}
                  </td>
                ))}
                <td className="num">{v.impressions ? f.percent(v.successes / v.impressions) : f.dash}</td>
                <td className="num">{f.percent(v.probability)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {reason && reason in reasons && (
        <p className="small muted">{t(reasons[reason], { winner: decision.winner ?? '', threshold: f.percent(decision.threshold), min: f.count(decision.minImpressions) })}</p>
      )}
    </article>
  );
}
