import { useTranslation } from 'react-i18next';
import { errorUnder } from '../api/problem';
import { Field } from '../ui/Field';
import type { SectionProps } from './settingsForm';
import type { StudioSettings } from './types';

type Preset = StudioSettings['stylePresets'][number];
const MAX_PRESETS = 50;

/** Named looks to pick from when generating, each adding its own prompt and negative prompt. */
export function StylePresetsEditor({ value, set, errors, readOnly }: SectionProps) {
  const { t } = useTranslation();
  const presets = value.stylePresets;
  const update = (i: number, patch: Partial<Preset>) => set({ stylePresets: presets.map((p, j) => (j === i ? { ...p, ...patch } : p)) });
  const remove = (i: number) => set({ stylePresets: presets.filter((_, j) => j !== i) });
  const add = () => set({ stylePresets: [...presets, { name: '', prompt: '' }] });

  return (
    <fieldset disabled={readOnly}>
      <legend>{t('studio.settings.stylePresets')}</legend>
      <p className="field-hint">{t('studio.settings.stylePresetsHint')}</p>
      {presets.length === 0 && <p className="muted small">{t('studio.settings.noPresets')}</p>}
      {presets.map((preset, i) => {
        const n = i + 1;
        const base = `stylePresets.${i}`;
        return (
          <div key={i} className="preset">
            <div className="grid-2">
              <Field label={t('studio.settings.presetName', { n })} error={errorUnder(errors, `${base}.name`)}>
                {(c) => <input {...c} value={preset.name} onChange={(e) => update(i, { name: e.target.value })} required maxLength={80} />}
              </Field>
              <Field label={t('studio.settings.presetNegative', { n })} error={errorUnder(errors, `${base}.negativePrompt`)}>
                {(c) => <input {...c} value={preset.negativePrompt ?? ''} onChange={(e) => update(i, { negativePrompt: e.target.value || undefined })} maxLength={4000} />}
              </Field>
            </div>
            <Field label={t('studio.settings.presetPrompt', { n })} error={errorUnder(errors, `${base}.prompt`)}>
              {(c) => <textarea {...c} value={preset.prompt} onChange={(e) => update(i, { prompt: e.target.value })} rows={2} maxLength={4000} />}
            </Field>
            <button type="button" className="danger small-button" onClick={() => remove(i)}>
              {t('studio.settings.removePreset', { n })}
            </button>
          </div>
        );
      })}
      {presets.length < MAX_PRESETS && (
        <button type="button" onClick={add}>
          {t('studio.settings.addPreset')}
        </button>
      )}
    </fieldset>
  );
}
