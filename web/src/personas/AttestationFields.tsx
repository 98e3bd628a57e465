import { useId } from 'react';
import { useTranslation } from 'react-i18next';

export interface Attestation {
  fictional: boolean;
  adult: boolean;
  notRealPerson: boolean;
}

const statements = ['fictional', 'adult', 'notRealPerson'] as const;

/**
 * The creator's signed statement that the persona is a fictional adult and nobody real; the server
 * refuses a persona without it and records who attested and when.
 */
export function AttestationFields({ value, onChange, error }: { value: Attestation; onChange: (next: Attestation) => void; error?: string | undefined }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <fieldset className={error ? 'attestation field-invalid' : 'attestation'} aria-describedby={`${id}-why`}>
      <legend>{t('personas.attestation.legend')}</legend>
      <p className="field-hint" id={`${id}-why`}>
        {t('personas.attestation.why')}
      </p>
      {statements.map((s) => (
        <div key={s} className="check-block">
          <input
            id={`${id}-${s}`}
            type="checkbox"
            checked={value[s]}
            onChange={(e) => onChange({ ...value, [s]: e.target.checked })}
            aria-describedby={`${id}-${s}-hint`}
          />
          <div>
            <label htmlFor={`${id}-${s}`}>{t(`personas.attestation.${s}`)}</label>
            <p className="field-hint" id={`${id}-${s}-hint`}>
              {t(`personas.attestation.${s}Hint`)}
            </p>
          </div>
        </div>
      ))}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
