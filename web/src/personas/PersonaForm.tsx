import { useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { ApiError, fieldErrors, unwrap } from '../api/problem';
import { useOrgKey } from '../app/me';
import { currentLanguage } from '../i18n';
import { Field } from '../ui/Field';
import { ErrorNote } from '../ui/ErrorNote';
import { AttestationFields, type Attestation } from './AttestationFields';
import { browserTimeZone, personaLanguages, timeZones, useLanguageName } from './languages';
import { selectPersona } from './selection';
import { useRequiredSession } from '../api/session';

const MIN_AGE = 18;
const noAttestation: Attestation = { fictional: false, adult: false, notRealPerson: false };

export function PersonaForm() {
  const { t } = useTranslation();
  const key = useOrgKey();
  const { orgId } = useRequiredSession();
  const queryClient = useQueryClient();
  const languageName = useLanguageName();
  const zones = useMemo(timeZones, []);

  const [name, setName] = useState('');
  const [statedAge, setStatedAge] = useState('');
  const [timezone, setTimezone] = useState(browserTimeZone);
  const [languages, setLanguages] = useState<string[]>(() => [currentLanguage()]);
  const [bio, setBio] = useState('');
  const [attestation, setAttestation] = useState(noAttestation);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/personas', {
          body: {
            name,
            statedAge: Number(statedAge),
            timezone,
            languages,
            ...(bio.trim() ? { bio } : {}),
            attestation: { fictional: true, adult: true, notRealPerson: true },
          },
        }),
      ),
    onSuccess: (persona) => {
      void queryClient.invalidateQueries({ queryKey: key('personas') });
      selectPersona(orgId, persona.id);
      setName('');
      setStatedAge('');
      setBio('');
      setAttestation(noAttestation);
    },
  });

  const server = fieldErrors(create.error);
  // The age rule is also a business rule on the server, answered with a code rather than a field path.
  if (create.error instanceof ApiError && create.error.code === 'persona_not_adult') server.statedAge ??= t('errors.persona_not_adult');
  const errors = { ...server, ...localErrors };
  const attestationError = errors.attestation ?? errors['attestation.fictional'] ?? errors['attestation.adult'] ?? errors['attestation.notRealPerson'];
  const unplaced = create.error && !Object.keys(server).some((k) => k !== '_') ? create.error : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (languages.length === 0) local.languages = t('personas.form.languagesRequired');
    if (!(attestation.fictional && attestation.adult && attestation.notRealPerson)) local.attestation = t('personas.form.attestationRequired');
    setLocalErrors(local);
    if (Object.keys(local).length === 0) create.mutate();
  };

  const toggleLanguage = (tag: string, on: boolean) => setLanguages((list) => (on ? [...list, tag] : list.filter((l) => l !== tag)));

  return (
    <form onSubmit={submit} className="stack">
      <Field label={t('personas.fields.name')} error={errors.name}>
        {(c) => <input {...c} value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} />}
      </Field>
      <Field label={t('personas.fields.statedAge')} hint={t('personas.form.ageHint', { min: MIN_AGE })} error={errors.statedAge}>
        {(c) => (
          <input {...c} type="number" inputMode="numeric" min={MIN_AGE} max={120} step={1} value={statedAge} onChange={(e) => setStatedAge(e.target.value)} required />
        )}
      </Field>
      <Field label={t('personas.fields.timezone')} hint={t('personas.form.timezoneHint')} error={errors.timezone}>
        {(c) => (
          <select {...c} value={timezone} onChange={(e) => setTimezone(e.target.value)}>
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
        )}
      </Field>
      <fieldset className={errors.languages ? 'field-invalid' : undefined}>
        <legend>{t('personas.fields.languages')}</legend>
        <p className="field-hint">{t('personas.form.languagesHint')}</p>
        <div className="checks-inline">
          {personaLanguages.map((tag) => (
            <label key={tag} className="check">
              <input type="checkbox" checked={languages.includes(tag)} onChange={(e) => toggleLanguage(tag, e.target.checked)} />
              {languageName(tag)}
            </label>
          ))}
        </div>
        {errors.languages && <p className="field-error">{errors.languages}</p>}
      </fieldset>
      <Field label={t('personas.fields.bio')} hint={t('personas.form.bioHint')} error={errors.bio}>
        {(c) => <textarea {...c} value={bio} onChange={(e) => setBio(e.target.value)} rows={4} maxLength={4000} />}
      </Field>
      <AttestationFields value={attestation} onChange={setAttestation} error={attestationError} />
      <ErrorNote error={unplaced} />
      <button type="submit" className="primary" disabled={create.isPending}>
        {create.isPending ? t('personas.form.creating') : t('personas.form.submit')}
      </button>
      {create.isSuccess && (
        <p className="success" role="status">
          {t('personas.form.created', { name: create.data.name })}
        </p>
      )}
    </form>
  );
}
