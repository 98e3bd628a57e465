import { useTranslation } from 'react-i18next';
import { errorUnder } from '../api/problem';
import { Field } from '../ui/Field';
import { NumberInput } from '../ui/NumberInput';
import type { SectionProps } from './settingsForm';

const DEFAULT_LORA_WEIGHT = 0.8;

/** Her look: the prompt every generation starts with, what to avoid, her LoRA and seed policy. */
export function IdentityFields({ value, set, errors, readOnly }: SectionProps) {
  const { t } = useTranslation();
  return (
    <fieldset disabled={readOnly}>
      <legend>{t('studio.settings.identity')}</legend>
      <Field label={t('studio.settings.appearancePrompt')} hint={t('studio.settings.appearanceHint')} error={errors.appearancePrompt}>
        {(c) => <textarea {...c} value={value.appearancePrompt} onChange={(e) => set({ appearancePrompt: e.target.value })} rows={3} maxLength={4000} />}
      </Field>
      <Field label={t('studio.settings.negativePrompt')} hint={t('studio.settings.negativeHint')} error={errors.negativePrompt}>
        {(c) => <textarea {...c} value={value.negativePrompt} onChange={(e) => set({ negativePrompt: e.target.value })} rows={2} maxLength={4000} />}
      </Field>
      <div className="grid-2">
        <Field label={t('studio.settings.loraName')} hint={t('studio.settings.loraHint')} error={errorUnder(errors, 'lora.name') ?? (errors.lora || undefined)}>
          {(c) => (
            <input
              {...c}
              value={value.lora?.name ?? ''}
              onChange={(e) => set({ lora: e.target.value ? { name: e.target.value, weight: value.lora?.weight ?? DEFAULT_LORA_WEIGHT } : null })}
              maxLength={200}
            />
          )}
        </Field>
        <Field label={t('studio.settings.loraWeight')} hint={t('studio.settings.loraWeightHint')} error={errors['lora.weight']}>
          {(c) => (
            <NumberInput
              control={c}
              min={-2}
              max={2}
              step={0.05}
              disabled={!value.lora}
              value={value.lora?.weight ?? DEFAULT_LORA_WEIGHT}
              onChange={(weight) => value.lora && set({ lora: { ...value.lora, weight: weight ?? DEFAULT_LORA_WEIGHT } })}
            />
          )}
        </Field>
      </div>
      <div className="grid-2">
        <fieldset>
          <legend>{t('studio.settings.seedPolicy')}</legend>
          {(['random', 'fixed'] as const).map((policy) => (
            <label key={policy} className="check">
              <input type="radio" name="seed-policy" value={policy} checked={value.seedPolicy === policy} onChange={() => set({ seedPolicy: policy })} />
              {t(`studio.settings.seed.${policy}`)}
            </label>
          ))}
        </fieldset>
        {value.seedPolicy === 'fixed' && (
          <Field label={t('studio.settings.fixedSeed')} hint={t('studio.settings.fixedSeedHint')} error={errors.fixedSeed}>
            {(c) => <NumberInput control={c} min={0} max={4294967295} step={1} value={value.fixedSeed} onChange={(fixedSeed) => set({ fixedSeed })} required />}
          </Field>
        )}
      </div>
    </fieldset>
  );
}
