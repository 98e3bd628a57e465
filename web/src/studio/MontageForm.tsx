import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../ui/Field';
import { LanguageSelect, parseTags } from './fields';
import type { KindFormProps } from './forms';
import { ImagePicker } from './ImagePicker';
import { SubmitRow } from './SubmitRow';

const MAX_IMAGES = 10;

export function MontageForm({ persona, draft, onSubmit, pending, errors }: KindFormProps) {
  const { t } = useTranslation();
  const [assetIds, setAssetIds] = useState<string[]>([]);
  const [duration, setDuration] = useState(draft.durationSeconds ?? 10);
  const [voiceText, setVoiceText] = useState(draft.text ?? '');
  const [captionText, setCaptionText] = useState('');
  const [language, setLanguage] = useState('');
  const [tags, setTags] = useState(draft.tags ?? '');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit({
      kind: 'montage',
      personaId: persona.id,
      assetIds,
      durationSeconds: duration,
      tags: parseTags(tags),
      ...(voiceText.trim() ? { voiceText } : {}),
      ...(captionText.trim() ? { captionText } : {}),
      ...(language ? { language } : {}),
    });
  };

  return (
    <form onSubmit={submit} className="stack">
      <ImagePicker
        personaId={persona.id}
        legend={t('studio.generate.montageImages')}
        hint={t('studio.generate.montageImagesHint')}
        value={assetIds}
        onChange={setAssetIds}
        max={MAX_IMAGES}
        error={errors.assetIds}
      />
      <Field label={t('studio.generate.duration')} error={errors.durationSeconds}>
        {(c) => (
          <div className="range-row">
            <input {...c} type="range" min={5} max={30} step={1} value={duration} onChange={(e) => setDuration(Number(e.target.value))} />
            <output htmlFor={c.id}>{t('studio.seconds', { count: duration })}</output>
          </div>
        )}
      </Field>
      <Field label={t('studio.generate.voiceText')} hint={t('studio.generate.voiceTextHint')} error={errors.voiceText}>
        {(c) => <textarea {...c} value={voiceText} onChange={(e) => setVoiceText(e.target.value)} rows={2} maxLength={1000} />}
      </Field>
      <div className="grid-2">
        <Field label={t('studio.generate.captionText')} hint={t('studio.generate.captionTextHint')} error={errors.captionText}>
          {(c) => <input {...c} value={captionText} onChange={(e) => setCaptionText(e.target.value)} maxLength={500} />}
        </Field>
        <Field label={t('studio.generate.language')} error={errors.language}>
          {(c) => <LanguageSelect control={c} languages={persona.languages} value={language} onChange={setLanguage} />}
        </Field>
      </div>
      <Field label={t('studio.generate.tags')} hint={t('studio.generate.tagsHint')} error={errors.tags}>
        {(c) => <input {...c} value={tags} onChange={(e) => setTags(e.target.value)} />}
      </Field>
      <SubmitRow pending={pending} label={t('studio.generate.submitMontage')} />
    </form>
  );
}
