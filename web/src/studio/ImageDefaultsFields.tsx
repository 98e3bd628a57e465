import { useTranslation } from 'react-i18next';
import { Field } from '../ui/Field';
import { NumberInput } from '../ui/NumberInput';
import type { SectionProps } from './settingsForm';

export function ImageDefaultsFields({ value, set, errors, readOnly }: SectionProps) {
  const { t } = useTranslation();
  const d = value.imageDefaults;
  const put = (patch: Partial<typeof d>) => set({ imageDefaults: { ...d, ...patch } });
  return (
    <fieldset disabled={readOnly}>
      <legend>{t('studio.settings.imageDefaults')}</legend>
      <div className="grid-3">
        <Field label={t('studio.settings.defaultWidth')} error={errors['imageDefaults.width']}>
          {(c) => <NumberInput control={c} min={256} max={4096} step={8} value={d.width} onChange={(width) => put({ width: width ?? 1024 })} required />}
        </Field>
        <Field label={t('studio.settings.defaultHeight')} error={errors['imageDefaults.height']}>
          {(c) => <NumberInput control={c} min={256} max={4096} step={8} value={d.height} onChange={(height) => put({ height: height ?? 1280 })} required />}
        </Field>
        <Field label={t('studio.settings.steps')} hint={t('studio.settings.providerDefault')} error={errors['imageDefaults.steps']}>
          {(c) => <NumberInput control={c} min={1} max={150} step={1} value={d.steps} onChange={(steps) => put({ steps })} />}
        </Field>
        <Field label={t('studio.settings.cfgScale')} hint={t('studio.settings.providerDefault')} error={errors['imageDefaults.cfgScale']}>
          {(c) => <NumberInput control={c} min={0} max={30} step={0.5} value={d.cfgScale} onChange={(cfgScale) => put({ cfgScale })} />}
        </Field>
        <Field label={t('studio.settings.imageWorkflow')} hint={t('studio.settings.imageWorkflowHint')} error={errors['imageDefaults.workflow']}>
          {(c) => <input {...c} value={d.workflow ?? ''} onChange={(e) => put({ workflow: e.target.value || undefined })} maxLength={200} />}
        </Field>
        <Field label={t('studio.settings.videoWorkflow')} hint={t('studio.settings.videoWorkflowHint')} error={errors['imageDefaults.videoWorkflow']}>
          {(c) => <input {...c} value={d.videoWorkflow ?? ''} onChange={(e) => put({ videoWorkflow: e.target.value || undefined })} maxLength={200} />}
        </Field>
      </div>
    </fieldset>
  );
}
