import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { chooseLanguage, currentLanguage, languages, type Language } from '../i18n';
import { api } from '../api/client';
import { getSession } from '../api/session';

/** Signed in, the choice is also saved to the account so other devices start in it. */
function choose(language: Language) {
  chooseLanguage(language);
  if (getSession()) void api.PATCH('/api/v1/me', { body: { locale: language } }).catch(() => undefined);
}

export function LanguageSwitcher() {
  const { t } = useTranslation();
  const id = useId();
  return (
    <div className="inline-field">
      <label htmlFor={id}>{t('language.label')}</label>
      <select id={id} value={currentLanguage()} onChange={(e) => choose(e.target.value as Language)}>
        {languages.map((lng) => (
          <option key={lng} value={lng}>
            {t(`language.${lng}`)}
          </option>
        ))}
      </select>
    </div>
  );
}
