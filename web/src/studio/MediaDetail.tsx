import { useEffect, useRef } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useCan } from '../app/me';
import { ErrorNote } from '../ui/ErrorNote';
import { useDateTime } from '../ui/format';
import { AssetCaptions } from './AssetCaptions';
import { AssetStatusBadge, RatingBadge } from './badges';
import { formatBytes, formatDuration } from './format';
import { GenerateError } from './GenerateError';
import { useAddJob, useAsset } from './queries';
import { ReviewButtons } from './ReviewButtons';
import { TagsEditor } from './TagsEditor';
import type { Asset } from './types';

/** One asset in a modal drawer: preview, variants, where it came from, tags and captions. */
export function MediaDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const asset = useAsset(id);

  // Modal from the start; unmounting removes it from the page, which ends the modal state too.
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  return (
    // Closing by Escape fires `close`; clicking the backdrop (the dialog itself) closes too.
    <dialog ref={ref} className="drawer" aria-labelledby="detail-title" onClose={onClose} onClick={(e) => e.target === ref.current && onClose()}>
      <div className="drawer-body">
        <div className="drawer-head">
          <h2 id="detail-title">{asset.data ? t('studio.detail.title', { kind: t(`studio.assetKinds.${asset.data.kind}`) }) : t('common.loading')}</h2>
          <button type="button" onClick={onClose}>
            {t('studio.detail.close')}
          </button>
        </div>
        <ErrorNote error={asset.error} />
        {asset.data && <AssetBody asset={asset.data} />}
      </div>
    </dialog>
  );
}

function AssetBody({ asset }: { asset: Asset }) {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const dateTime = useDateTime();
  const addJob = useAddJob();
  const regenerate = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/media/{id}/regenerate', { params: { path: { id: asset.id } } })),
    onSuccess: addJob,
  });
  const origin = asset.origin;
  const lora = origin.lora && typeof origin.lora === 'object' ? (origin.lora as { name?: unknown; weight?: unknown }) : null;
  // The rest (provider, sizes, provider metadata…) is kept out of the way, folded.
  const shown = ['generator', 'prompt', 'negativePrompt', 'seed', 'workflow', 'lora'];
  const extra = Object.entries(origin).filter(
    ([k, v]) => !shown.includes(k) && v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0),
  );
  const scores = Object.entries(asset.ratingScores ?? {}).sort((a, b) => b[1] - a[1]);

  return (
    <div className="stack">
      <Preview asset={asset} />
      <div className="media-meta">
        <RatingBadge rating={asset.rating} />
        <AssetStatusBadge status={asset.status} />
      </div>
      <ReviewButtons asset={asset} />
      {can('media:write') && asset.jobId && (
        <div className="stack">
          <button type="button" onClick={() => regenerate.mutate()} disabled={regenerate.isPending}>
            {t('studio.detail.regenerate')}
          </button>
          <p className="field-hint">{t('studio.detail.regenerateHint')}</p>
          <GenerateError error={regenerate.error} />
          {regenerate.isSuccess && (
            <p className="success" role="status">
              {t('studio.detail.regenerated')}
            </p>
          )}
        </div>
      )}

      <section aria-labelledby="origin-title">
        <h3 id="origin-title">{t('studio.detail.origin')}</h3>
        <dl className="facts">
          <dt>{t('studio.detail.generator')}</dt>
          <dd>
            <code>{String(origin.generator ?? '')}</code>
          </dd>
          {typeof origin.prompt === 'string' && (
            <>
              <dt>{t('studio.detail.prompt')}</dt>
              <dd className="prewrap">{origin.prompt}</dd>
            </>
          )}
          {typeof origin.negativePrompt === 'string' && origin.negativePrompt && (
            <>
              <dt>{t('studio.detail.negativePrompt')}</dt>
              <dd className="prewrap">{origin.negativePrompt}</dd>
            </>
          )}
          {origin.seed !== undefined && origin.seed !== null && (
            <>
              <dt>{t('studio.detail.seed')}</dt>
              <dd>
                <code>{String(origin.seed)}</code>
              </dd>
            </>
          )}
          {typeof origin.workflow === 'string' && (
            <>
              <dt>{t('studio.detail.workflow')}</dt>
              <dd>{origin.workflow}</dd>
            </>
          )}
          {lora && (
            <>
              <dt>{t('studio.detail.lora')}</dt>
              <dd>
                {String(lora.name)} · {String(lora.weight)}
              </dd>
            </>
          )}
        </dl>
        {extra.length > 0 && (
          <details className="technical">
            <summary>{t('studio.detail.technical')}</summary>
            <dl className="facts">
              {extra.map(([k, v]) => (
                <FactRow key={k} name={k} value={v} />
              ))}
            </dl>
          </details>
        )}
      </section>

      <section aria-labelledby="facts-title">
        <h3 id="facts-title">{t('studio.detail.file')}</h3>
        <dl className="facts">
          {asset.width != null && asset.height != null && (
            <>
              <dt>{t('studio.detail.size')}</dt>
              <dd>{t('studio.detail.dimensions', { width: asset.width, height: asset.height })}</dd>
            </>
          )}
          {asset.durationSeconds != null && (
            <>
              <dt>{t('studio.detail.duration')}</dt>
              <dd>{formatDuration(asset.durationSeconds)}</dd>
            </>
          )}
          <dt>{t('studio.detail.type')}</dt>
          <dd>
            {asset.mimeType} · {formatBytes(asset.bytes, i18n.language)}
          </dd>
          <dt>{t('studio.detail.created')}</dt>
          <dd>{dateTime(asset.createdAt)}</dd>
          {scores.length > 0 && (
            <>
              <dt>{t('studio.detail.scores')}</dt>
              <dd>{scores.map(([name, score]) => `${name} ${Math.round(score * 100)}%`).join(' · ')}</dd>
            </>
          )}
        </dl>
      </section>

      {asset.variants.length > 0 && (
        <section aria-labelledby="variants-title">
          <h3 id="variants-title">{t('studio.detail.variants')}</h3>
          <ul className="variant-list">
            {asset.variants.map((v) => (
              <li key={v.name}>
                <a href={v.url} target="_blank" rel="noreferrer">
                  {v.name}
                </a>{' '}
                <span className="muted small">
                  {v.width && v.height ? t('studio.detail.dimensions', { width: v.width, height: v.height }) : v.mimeType} · {formatBytes(v.bytes, i18n.language)}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="tags-title">
        <h3 id="tags-title">{t('studio.detail.tags')}</h3>
        <TagsEditor asset={asset} />
      </section>

      <section aria-labelledby="captions-title">
        <h3 id="captions-title">{t('studio.detail.captions')}</h3>
        <AssetCaptions personaId={asset.personaId} assetId={asset.id} />
      </section>
    </div>
  );
}

function FactRow({ name, value }: { name: string; value: unknown }) {
  return (
    <>
      <dt>
        <code>{name}</code>
      </dt>
      <dd className="details">
        <code>{typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value)}</code>
      </dd>
    </>
  );
}

function Preview({ asset }: { asset: Asset }) {
  const { t } = useTranslation();
  const label = t('studio.detail.preview', { kind: t(`studio.assetKinds.${asset.kind}`) });
  if (asset.kind === 'video') return <video className="preview" controls preload="metadata" src={asset.url} poster={asset.thumbnailUrl ?? undefined} aria-label={label} />;
  if (asset.kind === 'audio') return <audio controls preload="metadata" src={asset.url} aria-label={label} />;
  return <img className="preview" src={asset.url} alt={typeof asset.origin.prompt === 'string' ? asset.origin.prompt : label} />;
}
