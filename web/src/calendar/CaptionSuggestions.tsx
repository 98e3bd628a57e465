import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useCaptions } from '../studio/queries';
import type { Caption } from '../studio/types';

export const captionText = (c: Caption) => (c.hashtags.length ? `${c.text}\n\n${c.hashtags.map((h) => (h.startsWith('#') ? h : `#${h}`)).join(' ')}` : c.text);

/** Captions the studio wrote for the chosen image: the newest fills an untouched caption, any can be used. */
export function CaptionSuggestions({ personaId, assetId, onFirst, onUse }: { personaId: string; assetId: string; onFirst: (text: string) => void; onUse: (text: string) => void }) {
  const { t, i18n } = useTranslation();
  const captions = useCaptions(personaId, assetId);
  const first = captions.data?.[0];
  useEffect(() => {
    if (first) onFirst(captionText(first));
    // Only when the image's captions arrive, not when the caller re-renders.
  }, [first?.id]);
  if (!captions.data?.length) return null;
  return (
    <details className="suggestions">
      <summary>{t('calendar.composer.suggestions', { count: captions.data.length })}</summary>
      <ul className="caption-list">
        {captions.data.map((c, i) => (
          <li key={c.id}>
            <div className="media-meta">
              <span className="badge">{i18n.exists(`studio.platforms.${c.platform}`) ? t(`studio.platforms.${c.platform as 'x'}`) : c.platform}</span>
              <button type="button" className="link small" onClick={() => onUse(captionText(c))}>
                {t('calendar.composer.useCaption', { n: i + 1 })}
              </button>
            </div>
            <p className="prewrap small">{c.text}</p>
          </li>
        ))}
      </ul>
    </details>
  );
}
