import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../ui/Field';
import { LanguageChecks, PlatformChecks } from './fields';
import type { KindFormProps } from './forms';
import { SubmitRow } from './SubmitRow';
import type { Platform } from './types';

export function CaptionForm({ persona, studio, draft, onSubmit, pending, errors }: KindFormProps) {
  const { t } = useTranslation();
  const [brief, setBrief] = useState(draft.brief ?? '');
  const [platforms, setPlatforms] = useState<Platform[]>(draft.captionPlatforms ?? ['instagram']);
  const [languages, setLanguages] = useState<string[]>(studio?.caption.languages ?? persona.languages);
  const [variants, setVariants] = useState(2);
  const [localError, setLocalError] = useState<string | undefined>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (platforms.length === 0) return setLocalError(t('studio.generate.platformsRequired'));
    setLocalError(undefined);
    onSubmit({ kind: 'caption', personaId: persona.id, brief, platforms, variants, ...(languages.length ? { languages } : {}) });
  };

  return (
    <form onSubmit={submit} className="stack">
      <Field label={t('studio.generate.brief')} hint={t('studio.generate.briefHint')} error={errors.brief}>
        {(c) => <textarea {...c} value={brief} onChange={(e) => setBrief(e.target.value)} rows={3} required maxLength={2000} />}
      </Field>
      <PlatformChecks legend={t('studio.generate.platforms')} value={platforms} onChange={setPlatforms} error={localError ?? errors.platforms} />
      <LanguageChecks legend={t('studio.generate.languages')} hint={t('studio.generate.languagesHint')} languages={persona.languages} value={languages} onChange={setLanguages} error={errors.languages} />
      <Field label={t('studio.generate.variants')} hint={t('studio.generate.variantsHint')} error={errors.variants}>
        {(c) => <input {...c} type="number" min={2} max={4} step={1} value={variants} onChange={(e) => setVariants(Number(e.target.value))} required />}
      </Field>
      <SubmitRow pending={pending} label={t('studio.generate.submitCaption')} />
    </form>
  );
}
