import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/problem';

/** Problem codes read in the person's language; an unknown code falls back to the server's English detail. */
export function useErrorText() {
  const { t, i18n } = useTranslation();
  return (error: unknown): string => {
    if (error instanceof ApiError) {
      const key = `errors.${error.code}`;
      const retryAfter = Number(error.problem.retryAfterSeconds);
      const minutes = Number.isFinite(retryAfter) ? Math.max(1, Math.ceil(retryAfter / 60)) : undefined;
      // Keys built from server codes cannot be checked at compile time; i18n.exists guards them.
      if (i18n.exists(key)) return t(key as 'errors.unknown', { minutes });
      return error.problem.detail ?? t('errors.unknown');
    }
    if (error instanceof TypeError) return t('errors.network');
    return t('errors.unknown');
  };
}
