import { useTranslation } from 'react-i18next';
import type { Asset } from '../studio/types';
import { PlatformMark } from './badges';
import { countChars, policyOf, redditTitle, variantRatio } from './policy';
import type { Channel, Variant } from './types';

/**
 * How the post will look on one channel: the chosen cut of the image, the final text (the server's,
 * once the draft exists, disclosure included) and its length against the platform's limit.
 */
export function TargetPreview({ channel, asset, variant, text, title, final }: { channel: Channel; asset: Asset | null; variant: Variant; text: string; title: string; final: boolean }) {
  const { t, i18n } = useTranslation();
  const policy = policyOf(channel);
  const number = new Intl.NumberFormat(i18n.language);
  const counted = policy.counts === 'title' ? redditTitle(text, title) : text;
  const used = countChars(counted);
  const over = used - policy.limit;
  const name = `${t(`calendar.platforms.${channel.platform}`)} ${channel.handle}`;
  const ratio = variantRatio(variant, asset ?? undefined);
  return (
    <article className={`preview-card preview-${channel.platform}`} aria-label={t('calendar.preview.label', { channel: name })}>
      <header className="preview-head">
        <PlatformMark platform={channel.platform} />
        <strong>{channel.handle}</strong>
        <span className="muted small">{t(`calendar.composer.variants.${variant}`)}</span>
      </header>
      {asset ? (
        // Tall cuts (stories) are drawn narrower so the card stays a reasonable height.
        <div className="preview-media" style={{ aspectRatio: String(ratio), width: ratio < 0.7 ? '62%' : '100%' }}>
          <img src={asset.thumbnailUrl ?? asset.url} alt="" />
        </div>
      ) : (
        <p className="muted small">{t('calendar.preview.noImage')}</p>
      )}
      {policy.counts === 'title' && <p className="preview-title">{counted}</p>}
      <p className="prewrap preview-text">{text}</p>
      <p className={over > 0 ? 'preview-count over' : 'preview-count'}>
        {t(policy.counts === 'title' ? 'calendar.preview.titleCount' : 'calendar.preview.count', { used: number.format(used), limit: number.format(policy.limit) })}
        {over > 0 && ` · ${t('calendar.preview.over', { count: over })}`}
      </p>
      <p className="muted small">{final ? t('calendar.preview.final') : t('calendar.preview.estimate')}</p>
    </article>
  );
}
