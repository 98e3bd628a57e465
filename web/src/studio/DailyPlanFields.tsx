import { useTranslation } from 'react-i18next';
import { errorUnder } from '../api/problem';
import type { Persona } from '../personas/queries';
import { Field } from '../ui/Field';
import { NumberInput } from '../ui/NumberInput';
import { PlatformChecks } from './fields';
import type { SectionProps } from './settingsForm';

/** Her daily routine: at a local time, a few images and clips on rotating themes, captions included. */
export function DailyPlanFields({ value, set, errors, readOnly, persona }: SectionProps & { persona: Persona }) {
  const { t } = useTranslation();
  const plan = value.dailyPlan;
  const put = (patch: Partial<typeof plan>) => set({ dailyPlan: { ...plan, ...patch } });
  return (
    <fieldset disabled={readOnly}>
      <legend>{t('studio.settings.dailyPlan')}</legend>
      <label className="check">
        <input type="checkbox" checked={plan.enabled} onChange={(e) => put({ enabled: e.target.checked })} />
        {t('studio.settings.planEnabled')}
      </label>
      <p className="field-hint">{t('studio.settings.planHint', { timezone: persona.timezone })}</p>
      <div className="grid-3">
        <Field label={t('studio.settings.planTime')} error={errors['dailyPlan.localTime']}>
          {(c) => <input {...c} type="time" value={plan.localTime} onChange={(e) => put({ localTime: e.target.value })} required />}
        </Field>
        <Field label={t('studio.settings.planImages')} error={errors['dailyPlan.images']}>
          {(c) => <NumberInput control={c} min={0} max={10} step={1} value={plan.images} onChange={(images) => put({ images: images ?? 0 })} required />}
        </Field>
        <Field label={t('studio.settings.planClips')} error={errors['dailyPlan.clips']}>
          {(c) => <NumberInput control={c} min={0} max={5} step={1} value={plan.clips} onChange={(clips) => put({ clips: clips ?? 0 })} required />}
        </Field>
      </div>
      <Field label={t('studio.settings.planThemes')} hint={t('studio.settings.planThemesHint')} error={errorUnder(errors, 'dailyPlan.themes')}>
        {(c) => (
          <textarea
            {...c}
            rows={4}
            value={plan.themes.join('\n')}
            onChange={(e) => put({ themes: e.target.value.split('\n') })}
            onBlur={() => put({ themes: plan.themes.map((x) => x.trim()).filter(Boolean) })}
          />
        )}
      </Field>
      <PlatformChecks legend={t('studio.settings.planPlatforms')} value={plan.captionPlatforms} onChange={(captionPlatforms) => put({ captionPlatforms })} error={errorUnder(errors, 'dailyPlan.captionPlatforms')} />
    </fieldset>
  );
}
