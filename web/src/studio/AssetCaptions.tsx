import { useTranslation } from 'react-i18next';
import { useLanguageName } from '../personas/languages';
import { ErrorNote } from '../ui/ErrorNote';
import { useCaptions } from './queries';

export function AssetCaptions({ personaId, assetId }: { personaId: string; assetId: string }) {
  const { t, i18n } = useTranslation();
  const languageName = useLanguageName();
  const captions = useCaptions(personaId, assetId);
  if (captions.isPending) return <p role="status">{t('common.loading')}</p>;
  if (captions.error) return <ErrorNote error={captions.error} />;
  if (captions.data.length === 0) return <p className="muted small">{t('studio.detail.noCaptions')}</p>;
  return (
    <ul className="caption-list">
      {captions.data.map((c) => (
        <li key={c.id}>
          <div className="media-meta">
            <span className="badge">{i18n.exists(`studio.platforms.${c.platform}`) ? t(`studio.platforms.${c.platform as 'x'}`) : c.platform}</span>
            <span className="badge">{languageName(c.language)}</span>
            <span className="small muted">{t('studio.detail.variant', { n: c.variant })}</span>
          </div>
          <p className="prewrap">{c.text}</p>
          {c.hashtags.length > 0 && <p className="small muted">{c.hashtags.map((h) => (h.startsWith('#') ? h : `#${h}`)).join(' ')}</p>}
        </li>
      ))}
    </ul>
  );
}
