import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../ui/Field';
import { LanguageSelect, parseTags } from './fields';
import type { KindFormProps } from './forms';
import { SubmitRow } from './SubmitRow';

export function VoiceForm({ persona, studio, draft, onSubmit, pending, errors }: KindFormProps) {
  const { t } = useTranslation();
  const [text, setText] = useState(draft.text ?? '');
  const [language, setLanguage] = useState('');
  const [tags, setTags] = useState(draft.tags ?? '');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit({ kind: 'voice', personaId: persona.id, text, tags: parseTags(tags), ...(language ? { language } : {}) });
  };

  return (
    <form onSubmit={submit} className="stack">
      <p className="field-hint">{studio?.voiceProviderId ? t('studio.generate.voiceIntro') : t('studio.generate.voiceLocal')}</p>
      <Field label={t('studio.generate.text')} error={errors.text}>
        {(c) => <textarea {...c} value={text} onChange={(e) => setText(e.target.value)} rows={3} required maxLength={2000} />}
      </Field>
      <div className="grid-2">
        <Field label={t('studio.generate.language')} error={errors.language}>
          {(c) => <LanguageSelect control={c} languages={persona.languages} value={language} onChange={setLanguage} />}
        </Field>
        <Field label={t('studio.generate.tags')} hint={t('studio.generate.tagsHint')} error={errors.tags}>
          {(c) => <input {...c} value={tags} onChange={(e) => setTags(e.target.value)} />}
        </Field>
      </div>
      <SubmitRow pending={pending} label={t('studio.generate.submitVoice')} />
    </form>
  );
}
