import { ApiError } from '../api/problem';
import { useErrorText } from '../ui/errors';

/**
 * A refusal in the person's language and, below it, the server's own words when they add something:
 * publishing problems name the channel and the limit ("Telegram (@lina) takes at most 1024 characters").
 */
export function ProblemNote({ error }: { error: unknown }) {
  const text = useErrorText();
  if (!error) return null;
  const said = text(error);
  const detail = error instanceof ApiError ? error.problem.detail : undefined;
  return (
    <div className="refusal" role="alert">
      <strong>{said}</strong>
      {detail && detail !== said && <p>{detail}</p>}
    </div>
  );
}
