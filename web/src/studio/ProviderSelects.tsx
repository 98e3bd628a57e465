import { useTranslation } from 'react-i18next';
import { useCan } from '../app/me';
import { onLinkClick } from '../app/router';
import { Field } from '../ui/Field';
import { ErrorNote } from '../ui/ErrorNote';
import { useProviders } from './queries';
import type { SectionProps } from './settingsForm';
import type { StudioSettings } from './types';

type Slot = 'imageProviderId' | 'videoProviderId' | 'textProviderId' | 'voiceProviderId';
const slots: { slot: Slot; kind: 'image' | 'text' | 'voice' }[] = [
  { slot: 'imageProviderId', kind: 'image' },
  { slot: 'videoProviderId', kind: 'image' },
  { slot: 'textProviderId', kind: 'text' },
  { slot: 'voiceProviderId', kind: 'voice' },
];

/**
 * Which back-end makes each kind of media for her. Listing providers needs `settings:manage`; others
 * see whether one is chosen, and their saves keep the choice as it is.
 */
export function ProviderSelects({ value, set, errors, readOnly }: SectionProps) {
  const { t } = useTranslation();
  const can = useCan();
  const providers = useProviders();
  const manage = can('settings:manage');

  return (
    <fieldset disabled={readOnly}>
      <legend>{t('studio.settings.providers')}</legend>
      <p className="field-hint">
        {manage ? t('studio.settings.providersHint') : t('studio.settings.providersAdminOnly')}{' '}
        {manage && (
          <a href="/settings/providers" onClick={onLinkClick}>
            {t('studio.settings.manageProviders')}
          </a>
        )}
      </p>
      <ErrorNote error={providers.error} />
      <div className="grid-2">
        {slots.map(({ slot, kind }) => (
          <Field key={slot} label={t(`studio.settings.slots.${slot}`)} hint={t(`studio.settings.slotHints.${slot}`)} error={errors[slot]}>
            {(c) =>
              manage ? (
                <select {...c} value={value[slot] ?? ''} onChange={(e) => set({ [slot]: e.target.value || null } as Partial<StudioSettings>)}>
                  <option value="">{t(`studio.settings.slotNone.${slot}`)}</option>
                  {providers.data
                    ?.filter((p) => p.kind === kind && (p.enabled || p.id === value[slot]))
                    .map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.enabled ? t('studio.settings.providerOption', { name: p.name, type: t(`providers.types.${p.type}`) }) : t('studio.settings.providerDisabled', { name: p.name })}
                      </option>
                    ))}
                  {/* A chosen provider not in the list (deleted, or not loaded yet) stays selectable. */}
                  {value[slot] && !providers.data?.some((p) => p.id === value[slot]) && <option value={value[slot]}>{t('studio.settings.providerUnknown')}</option>}
                </select>
              ) : (
                <input {...c} readOnly value={value[slot] ? t('studio.settings.providerChosen') : t(`studio.settings.slotNone.${slot}`)} />
              )
            }
          </Field>
        ))}
      </div>
    </fieldset>
  );
}
