import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { errorUnder, fieldErrors, unwrap } from '../api/problem';
import { useCan, useOrgKey } from '../app/me';
import type { Persona } from '../personas/queries';
import { ErrorNote } from '../ui/ErrorNote';
import { AutoApprovePanel } from './AutoApprovePanel';
import { DailyPlanFields } from './DailyPlanFields';
import { GenerateError } from './GenerateError';
import { IdentityFields } from './IdentityFields';
import { ImageDefaultsFields } from './ImageDefaultsFields';
import { ImagePicker } from './ImagePicker';
import { ProviderSelects } from './ProviderSelects';
import { useStudio } from './queries';

import { StylePresetsEditor } from './StylePresetsEditor';
import type { StudioSettings, StudioView } from './types';
import { VoiceCaptionFields } from './VoiceCaptionFields';

const MAX_REFERENCES = 8;

export function StudioSettingsPage({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  const can = useCan();
  const studio = useStudio(persona.id);
  return (
    <div className="stack-lg">
      <ErrorNote error={studio.error} />
      {studio.isPending && <p role="status">{t('common.loading')}</p>}
      {/* Keyed by persona: switching persona in the header starts from her saved settings. */}
      {studio.data && <SettingsForm key={persona.id} persona={persona} view={studio.data} readOnly={!can('personas:write')} />}
      {studio.data && can('settings:manage') && <AutoApprovePanel persona={persona} view={studio.data} />}
    </div>
  );
}

/** What is sent: blank theme lines dropped, a fixed seed only with the fixed policy. */
function cleaned(s: StudioSettings): StudioSettings {
  const themes = s.dailyPlan.themes.map((x) => x.trim()).filter(Boolean);
  return { ...s, dailyPlan: { ...s.dailyPlan, themes }, ...(s.seedPolicy === 'random' ? { fixedSeed: undefined } : {}) };
}

function SettingsForm({ persona, view, readOnly }: { persona: Persona; view: StudioView; readOnly: boolean }) {
  const { t } = useTranslation();
  const key = useOrgKey();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<StudioSettings>(view.settings);
  const [dirty, setDirty] = useState(false);
  const set = (patch: Partial<StudioSettings>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setDirty(true);
  };

  const save = useMutation({
    mutationFn: (settings: StudioSettings) => unwrap(api.PUT('/api/v1/personas/{id}/studio', { params: { path: { id: persona.id } }, body: settings })),
    onSuccess: (saved) => {
      queryClient.setQueryData(key('studio', persona.id), saved);
      setDraft(saved.settings);
      setDirty(false);
    },
  });
  const errors = fieldErrors(save.error);
  const sectionProps = { value: draft, set, errors, readOnly };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(cleaned(draft));
  };

  return (
    <form onSubmit={submit} className="panel stack" aria-labelledby="studio-settings-title">
      <h2 id="studio-settings-title">{t('studio.settings.title', { name: persona.name })}</h2>
      <p className="muted">{t('studio.settings.intro')}</p>
      <IdentityFields {...sectionProps} />
      <StylePresetsEditor {...sectionProps} />
      <ImagePicker
        personaId={persona.id}
        legend={t('studio.settings.references')}
        hint={t('studio.settings.referencesHint')}
        value={draft.referenceAssetIds}
        onChange={(referenceAssetIds) => set({ referenceAssetIds })}
        max={MAX_REFERENCES}
        error={errorUnder(errors, 'referenceAssetIds')}
        disabled={readOnly}
      />
      <ProviderSelects {...sectionProps} />
      <VoiceCaptionFields {...sectionProps} persona={persona} />
      <ImageDefaultsFields {...sectionProps} />
      <DailyPlanFields {...sectionProps} persona={persona} />
      {Object.keys(errors).some((k) => k !== '_') ? <ErrorNote error={save.error} /> : <GenerateError error={save.error} />}
      {errors._ && <p className="field-error">{errors._}</p>}
      {!readOnly && (
        <div className="actions sticky-actions">
          <button type="submit" className="primary" disabled={save.isPending}>
            {save.isPending ? t('studio.settings.saving') : t('studio.settings.save')}
          </button>
          {save.isSuccess && !dirty && (
            <span className="success-inline" role="status">
              {t('studio.saved')}
            </span>
          )}
          {dirty && <span className="muted small">{t('studio.settings.unsaved')}</span>}
        </div>
      )}
    </form>
  );
}
