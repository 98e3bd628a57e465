import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { personaLanguages, useLanguageName } from '../personas/languages';
import type { ControlProps } from '../ui/Field';
import { platforms, type Platform } from './types';

/** "a, b ,c" → ["a", "b", "c"]: tags are typed comma-separated. */
export const parseTags = (text: string) => [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];

/** An empty number field means "not given". */
export const optionalNumber = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));

export function toggle<T>(list: readonly T[], item: T, on: boolean): T[] {
  return on ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item);
}

interface ChecksProps<T extends string> {
  legend: string;
  hint?: string | undefined;
  value: readonly T[];
  onChange: (next: T[]) => void;
  error?: string | undefined;
}

export function PlatformChecks({ legend, hint, value, onChange, error }: ChecksProps<Platform>) {
  const { t } = useTranslation();
  return (
    <Checks legend={legend} hint={hint} error={error} options={platforms.map((p) => ({ value: p, label: t(`studio.platforms.${p}`) }))} value={value} onChange={onChange} />
  );
}

/** The persona's languages first, then the other usual ones. */
export function languageOptions(first: readonly string[]): string[] {
  return [...new Set([...first, ...personaLanguages])];
}

export function LanguageChecks({ languages, ...props }: ChecksProps<string> & { languages: readonly string[] }) {
  const languageName = useLanguageName();
  return <Checks {...props} options={languageOptions(languages).map((l) => ({ value: l, label: languageName(l) }))} />;
}

export function LanguageSelect({ control, languages, value, onChange }: { control: ControlProps; languages: readonly string[]; value: string; onChange: (v: string) => void }) {
  const { t } = useTranslation();
  const languageName = useLanguageName();
  return (
    <select {...control} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{t('studio.generate.defaultLanguage')}</option>
      {languageOptions(languages).map((l) => (
        <option key={l} value={l}>
          {languageName(l)}
        </option>
      ))}
    </select>
  );
}

function Checks<T extends string>({ legend, hint, options, value, onChange, error }: ChecksProps<T> & { options: { value: T; label: string }[] }) {
  const id = useId();
  return (
    <fieldset className={error ? 'field-invalid' : undefined} aria-describedby={hint ? `${id}-hint` : undefined}>
      <legend>{legend}</legend>
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <div className="checks-inline">
        {options.map((o) => (
          <label key={o.value} className="check">
            <input type="checkbox" checked={value.includes(o.value)} onChange={(e) => onChange(toggle(value, o.value, e.target.checked))} />
            {o.label}
          </label>
        ))}
      </div>
      {error && <p className="field-error">{error}</p>}
    </fieldset>
  );
}
