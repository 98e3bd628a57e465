import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en, fr } from './resources';

export const languages = ['en', 'fr'] as const;
export type Language = (typeof languages)[number];

const STORAGE_KEY = 'atelier.language';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    // English is the reference: a key missing from en.json is a type error (fr.json is checked by a test).
    resources: { translation: typeof en };
  }
}

const isLanguage = (value: unknown): value is Language => languages.includes(value as Language);

function storedLanguage(): Language | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isLanguage(value) ? value : null;
  } catch {
    return null;
  }
}

function browserLanguage(): Language {
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of preferred) {
    const base = tag?.slice(0, 2).toLowerCase();
    if (isLanguage(base)) return base;
  }
  return 'en';
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, fr: { translation: fr } },
  lng: storedLanguage() ?? browserLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
});

i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
});
document.documentElement.lang = i18n.language;

/** An explicit choice from the switcher: remembered on this device. */
export function chooseLanguage(language: Language) {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Private mode or storage disabled: the choice lasts for this page only.
  }
  void i18n.changeLanguage(language);
}

/** The account's locale applies only until the person picks one on this device. */
export function adoptAccountLanguage(locale: string | undefined) {
  const base = locale?.slice(0, 2).toLowerCase();
  if (!storedLanguage() && isLanguage(base) && base !== i18n.language) void i18n.changeLanguage(base);
}

export const currentLanguage = (): Language => (isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : 'en');

export default i18n;
