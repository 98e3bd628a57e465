import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/me';
import { ErrorNote } from '../../ui/ErrorNote';
import type { Channel, Post } from '../types';
import { figureNames, useNumbers } from './numbers';
import { useVariants, type VariantsView, type VariantView } from './queries';
import { VariantsEditor } from './VariantsEditor';

const LOCKED = ['publishing', 'published', 'needs_review'];

/** The post's A/B test: each variant's figures and chance of being the best, the winner, the editor. */
export function AbPanel({ post, timezone, channels, onSaved }: { post: Post; timezone: string; channels: Map<string, Channel>; onSaved?: () => void }) {
  const { t } = useTranslation();
  const can = useCan();
  const variants = useVariants(post.id);
  const [editing, setEditing] = useState(false);
  const locked = post.targets.some((target) => LOCKED.includes(target.status)) || post.status === 'cancelled';
  const list = variants.data?.variants ?? [];
  const canEdit = can('posts:write') && !locked;
  if (variants.isSuccess && list.length === 0 && !canEdit) return null;

  return (
    <section aria-labelledby={`ab-title-${post.id}`} className="stack ab-panel">
      <h3 id={`ab-title-${post.id}`}>{t('variants.title')}</h3>
      <ErrorNote error={variants.error} />
      {list.length === 0 && <p className="muted small">{t('variants.intro')}</p>}
      {variants.data && list.length > 0 && <Results view={variants.data} />}
      {list.length > 0 && locked && can('posts:write') && <p className="muted small">{t('variants.locked')}</p>}
      {canEdit && variants.isSuccess && (
        <div className="actions">
          <button type="button" onClick={() => setEditing((e) => !e)} aria-expanded={editing}>
            {editing ? t('variants.close') : list.length ? t('variants.edit') : t('variants.setUp')}
          </button>
        </div>
      )}
      {editing && canEdit && variants.data && (
        <VariantsEditor
          key={list.map((v) => v.key).join()}
          post={post}
          timezone={timezone}
          channels={channels}
          current={list}
          onSaved={() => {
            setEditing(false);
            onSaved?.();
          }}
        />
      )}
    </section>
  );
}

function Results({ view }: { view: VariantsView }) {
  const { t } = useTranslation();
  const numbers = useNumbers();
  const { decision } = view;
  const reason = decision.reason as keyof typeof reasons | null;
  const reasons = {
    decided: 'variants.reason.decided',
    no_impressions: 'variants.reason.no_impressions',
    too_few_impressions: 'variants.reason.too_few_impressions',
    too_close: 'variants.reason.too_close',
    single_variant: 'variants.reason.single_variant',
  } as const;
  return (
    <>
      <ul className="variant-results">
        {view.variants.map((v) => (
          <VariantResult key={v.key} variant={v} />
        ))}
      </ul>
      {reason && reason in reasons && (
        <p className="small muted" role="status">
          {t(reasons[reason], { winner: decision.winner ?? '', threshold: numbers.percent(decision.threshold), min: numbers.count(decision.minImpressions) })}
        </p>
      )}
    </>
  );
}

function VariantResult({ variant: v }: { variant: VariantView }) {
  const { t } = useTranslation();
  const numbers = useNumbers();
  const figures: Record<(typeof figureNames)[number], number | null> = { impressions: v.impressions, likes: v.likes, comments: v.comments, shares: v.shares, clicks: v.clicks };
  return (
    <li className={v.winner ? 'variant-result is-winner' : 'variant-result'}>
      <div className="target-head">
        <strong>{t('variants.variant', { key: v.key })}</strong>
        {v.winner && <span className="badge badge-ok">{t('variants.winner')}</span>}
        <span className="muted small">{t('variants.targets', { count: v.targetIds.length })}</span>
      </div>
      {v.caption && <p className="prewrap small variant-caption">{v.caption}</p>}
      {v.probability !== null && (
        <div className="progress-row" title={t('variants.probabilityValue', { percent: numbers.percent(v.probability) })}>
          <span className="small">{t('variants.probability')}</span>
          <div className="progress" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(v.probability * 100)} aria-label={t('variants.probabilityValue', { percent: numbers.percent(v.probability) })}>
            <div className="progress-fill" style={{ width: `${v.probability * 100}%` }} />
          </div>
          <span className="small">{numbers.percent(v.probability)}</span>
        </div>
      )}
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
