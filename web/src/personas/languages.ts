import { useTranslation } from 'react-i18next';

/** Languages offered when creating a persona (BCP 47); names come from the browser, in the UI language. */
export const personaLanguages = ['en', 'fr', 'es', 'de', 'it', 'pt', 'nl', 'ja'] as const;

export function useLanguageName() {
  const { i18n } = useTranslation();
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames([i18n.language], { type: 'language' });
  } catch {
    names = null;
  }
  return (tag: string) => names?.of(tag) ?? tag;
}

/** Every IANA zone the browser knows, with UTC first since it is the usual fallback. */
export function timeZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...zones.filter((z) => z !== 'UTC')];
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
