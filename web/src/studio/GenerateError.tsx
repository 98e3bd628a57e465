import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/problem';
import { onLinkClick } from '../app/router';
import { ErrorNote } from '../ui/ErrorNote';

const refusals = ['prompt_refused', 'prompt_real_person'];
const missingProvider = ['no_image_provider', 'no_text_provider', 'no_video_provider'];

/**
 * What went wrong with a generation request: a refusal by the prompt gate says exactly why; a
 * missing provider links to where it is chosen; anything else is an ordinary error.
 */
export function GenerateError({ error }: { error: unknown }) {
  const { t, i18n } = useTranslation();
  if (!error) return null;
  if (error instanceof ApiError && refusals.includes(error.code)) {
    return (
      <div className="refusal" role="alert">
        <strong>{t(`errors.${error.code as 'prompt_refused'}`)}</strong>
        {error.problem.detail && <p>{error.problem.detail}</p>}
        <p className="small">{t('studio.generate.refusedHint')}</p>
      </div>
    );
  }
  if (error instanceof ApiError && missingProvider.includes(error.code) && i18n.exists(`errors.${error.code}`)) {
    return (
      <div className="error-note" role="alert">
        {t(`errors.${error.code as 'no_image_provider'}`)}{' '}
        <a href="/studio/settings" onClick={onLinkClick}>
          {t('studio.generate.openSettings')}
        </a>
      </div>
    );
  }
  return <ErrorNote error={error} />;
}
