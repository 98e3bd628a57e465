import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/problem';
import { useErrorText } from '../../ui/errors';

/** A failed request in words: chat's own problem codes first, then the shared ones. */
export function ChatError({ error }: { error: unknown }) {
  const { t, i18n } = useTranslation();
  const text = useErrorText();
  if (!error) return null;
  const key = error instanceof ApiError ? `chat.errors.${error.code}` : null;
  // Keys built from server codes cannot be checked at compile time; i18n.exists guards them.
  return (
    <p className="error-note" role="alert">
      {key && i18n.exists(key) ? t(key as 'chat.errors.conversation_ended') : text(error)}
    </p>
  );
}
