import { useTranslation } from 'react-i18next';
import { errorUnder } from '../api/problem';
import type { Persona } from '../personas/queries';
import { Field } from '../ui/Field';
import { NumberInput } from '../ui/NumberInput';
import { LanguageChecks } from './fields';
import type { SectionProps } from './settingsForm';

/** How she sounds and writes, and how her posts say they are AI-made. */
export function VoiceCaptionFields({ value, set, errors, readOnly, persona }: SectionProps & { persona: Persona }) {
  const { t } = useTranslation();
  const caption = value.caption;
  return (
    <fieldset disabled={readOnly}>
      <legend>{t('studio.settings.voiceAndCaptions')}</legend>
      <div className="grid-2">
        <Field label={t('studio.settings.voiceId')} hint={t('studio.settings.voiceIdHint')} error={errors['voice.voiceId']}>
          {(c) => <input {...c} value={value.voice.voiceId ?? ''} onChange={(e) => set({ voice: { ...value.voice, voiceId: e.target.value || undefined } })} maxLength={200} />}
        </Field>
        <Field label={t('studio.settings.voiceSpeed')} hint={t('studio.settings.voiceSpeedHint')} error={errors['voice.speed']}>
          {(c) => <NumberInput control={c} min={0.5} max={2} step={0.05} value={value.voice.speed} onChange={(speed) => set({ voice: { ...value.voice, speed } })} />}
        </Field>
      </div>
      <Field label={t('studio.settings.tone')} hint={t('studio.settings.toneHint')} error={errors['caption.tone']}>
        {(c) => <input {...c} value={caption.tone} onChange={(e) => set({ caption: { ...caption, tone: e.target.value } })} maxLength={300} />}
      </Field>
      <LanguageChecks
        legend={t('studio.settings.captionLanguages')}
        hint={t('studio.settings.captionLanguagesHint')}
        languages={[...persona.languages, ...caption.languages]}
        value={caption.languages}
        onChange={(languages) => set({ caption: { ...caption, languages } })}
        error={errorUnder(errors, 'caption.languages')}
      />
      <Field label={t('studio.settings.captionModel')} hint={t('studio.settings.captionModelHint')} error={errors['caption.model']}>
        {(c) => <input {...c} value={caption.model ?? ''} onChange={(e) => set({ caption: { ...caption, model: e.target.value || undefined } })} maxLength={200} />}
      </Field>
      <Field label={t('studio.settings.disclosure')} hint={t('studio.settings.disclosureHint')} error={errors.disclosureText}>
        {(c) => <input {...c} value={value.disclosureText} onChange={(e) => set({ disclosureText: e.target.value })} required maxLength={300} />}
      </Field>
      <div className="grid-2">
        <label className="check">
          <input type="checkbox" checked={value.watermark !== null} onChange={(e) => set({ watermark: e.target.checked ? { text: value.watermark?.text ?? `@${persona.name} · AI` } : null })} />
          {t('studio.settings.watermarkOn')}
        </label>
        {value.watermark && (
          <Field label={t('studio.settings.watermarkText')} hint={t('studio.settings.watermarkHint')} error={errorUnder(errors, 'watermark')}>
            {(c) => <input {...c} value={value.watermark?.text ?? ''} onChange={(e) => set({ watermark: { text: e.target.value } })} required maxLength={80} />}
          </Field>
        )}
      </div>
    </fieldset>
  );
}
