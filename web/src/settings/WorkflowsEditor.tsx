import { useTranslation } from 'react-i18next';
import { Field } from '../ui/Field';
import { checkWorkflow, COMFY_PLACEHOLDERS } from './providerTypes';

export interface WorkflowDraft {
  name: string;
  json: string;
}

/** ComfyUI workflow templates by name; `default` is used unless a generation asks for another. */
export function WorkflowsEditor({ value, onChange, errors }: { value: WorkflowDraft[]; onChange: (next: WorkflowDraft[]) => void; errors: Record<string, string> }) {
  const { t } = useTranslation();
  const update = (i: number, patch: Partial<WorkflowDraft>) => onChange(value.map((w, j) => (j === i ? { ...w, ...patch } : w)));
  const placeholders = COMFY_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ');
  return (
    <fieldset>
      <legend>{t('providers.workflows.legend')}</legend>
      <p className="field-hint">{t('providers.workflows.hint', { placeholders })}</p>
      {value.map((w, i) => {
        const check = w.json.trim() ? checkWorkflow(w.json) : null;
        const local = check && !check.ok ? t(`providers.workflows.invalid.${check.reason}`, { detail: check.detail ?? '' }) : undefined;
        return (
          <div key={i} className="preset">
            <Field label={t('providers.workflows.name', { n: i + 1 })} error={errors[`workflows.${i}.name`]}>
              {(c) => <input {...c} value={w.name} onChange={(e) => update(i, { name: e.target.value })} required maxLength={100} readOnly={i === 0} />}
            </Field>
            <Field label={t('providers.workflows.json', { name: w.name || String(i + 1) })} error={local ?? errors[`workflows.${i}.json`]}>
              {(c) => <textarea {...c} className="mono" rows={6} value={w.json} onChange={(e) => update(i, { json: e.target.value })} required spellCheck={false} />}
            </Field>
            {check?.ok && <p className="field-hint ok-text">{t('providers.workflows.valid')}</p>}
            {i > 0 && (
              <button type="button" className="danger small-button" onClick={() => onChange(value.filter((_, j) => j !== i))}>
                {t('providers.workflows.remove', { name: w.name || String(i + 1) })}
              </button>
            )}
          </div>
        );
      })}
      <button type="button" onClick={() => onChange([...value, { name: value.some((w) => w.name === 'video') ? '' : 'video', json: '' }])}>
        {t('providers.workflows.add')}
      </button>
    </fieldset>
  );
}
