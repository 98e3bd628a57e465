import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/problem';
import { useErrorText } from '../ui/errors';

/**
 * A refusal in the person's language and, below it, the server's own words when they add something:
 * publishing problems name the channel and the limit ("Telegram (@lina) takes at most 1024 characters").
 */
export function ProblemNote({ error }: { error: unknown }) {
  const text = useErrorText();
  const { t, i18n } = useTranslation();
  if (!error) return null;
  // Platform rules (X budget, subreddit rules) have their words in the planning area, with the problem's figures.
  const planning = error instanceof ApiError ? `planning.errors.${error.code}` : '';
  const said = planning && i18n.exists(planning) ? t(planning as 'planning.title', error instanceof ApiError ? { ...error.problem } : {}) : text(error);
  const detail = error instanceof ApiError ? error.problem.detail : undefined;
  return (
    <div className="refusal" role="alert">
      <strong>{said}</strong>
      {detail && detail !== said && <p>{detail}</p>}
    </div>
  );
}
