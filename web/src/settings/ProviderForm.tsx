import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { errorUnder, fieldErrors, unwrap } from '../api/problem';
import { useOrgKey } from '../app/me';

import { Field } from '../ui/Field';
import { ErrorNote } from '../ui/ErrorNote';
import { checkWorkflow, configFields, credentialFields, providerTypes, type CredentialName, type Provider, type ProviderType } from './providerTypes';
import { WorkflowsEditor, type WorkflowDraft } from './WorkflowsEditor';

type Texts = Record<string, string>;

function textsOf(provider: Provider | undefined): Texts {
  if (!provider) return {};
  const out: Texts = {};
  for (const f of configFields[provider.type]) {
    const v = provider.config[f.name];
    if (f.kind === 'urls' && Array.isArray(v)) out[f.name] = v.join('\n');
    else if (typeof v === 'string') out[f.name] = v;
  }
  return out;
}

function workflowsOf(provider: Provider | undefined): WorkflowDraft[] {
  const saved = provider?.config.workflows;
  if (!saved || typeof saved !== 'object') return [{ name: 'default', json: '' }];
  const entries = Object.entries(saved as Record<string, unknown>).sort(([a], [b]) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
  return entries.map(([name, value]) => ({ name, json: JSON.stringify(value, null, 2) }));
}

/** Adds a provider, or edits one (`initial`): config fields per type, write-only credentials. */
export function ProviderForm({ initial, onDone }: { initial?: Provider; onDone: () => void }) {
  const { t } = useTranslation();
  const key = useOrgKey();
  const queryClient = useQueryClient();
  const [type, setType] = useState<ProviderType>(initial?.type ?? 'comfyui');
  const [name, setName] = useState(initial?.name ?? '');
  const [texts, setTexts] = useState<Texts>(() => textsOf(initial));
  const [workflows, setWorkflows] = useState<WorkflowDraft[]>(() => workflowsOf(initial));
  const [credentials, setCredentials] = useState<Partial<Record<CredentialName, string>>>({});
  const [localError, setLocalError] = useState<string | null>(null);
  const typeLabel = (ty: ProviderType) => t(`providers.types.${ty}`);

  const save = useMutation({
    mutationFn: async (body: { name: string; config: Record<string, unknown>; credentials?: Record<string, string> }) =>
      initial
        ? unwrap(api.PATCH('/api/v1/providers/{id}', { params: { path: { id: initial.id } }, body }))
        : unwrap(api.POST('/api/v1/providers', { body: { type, enabled: true, ...body } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: key('providers') });
      onDone();
    },
  });
  const errors = fieldErrors(save.error);

  const buildConfig = (): Record<string, unknown> | null => {
    const config: Record<string, unknown> = {};
    for (const f of configFields[type]) {
      if (f.kind === 'workflows') {
        const out: Record<string, unknown> = {};
        for (const w of workflows) {
          const check = checkWorkflow(w.json);
          if (!check.ok || !w.name.trim()) return null;
          out[w.name.trim()] = check.value;
        }
        config.workflows = out;
      } else if (f.kind === 'urls') {
        config[f.name] = (texts[f.name] ?? '').split(/\s+/).map((u) => u.trim()).filter(Boolean);
      } else if (texts[f.name]?.trim()) {
        config[f.name] = texts[f.name]!.trim();
      }
    }
    return config;
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const config = buildConfig();
    if (!config) return setLocalError(t('providers.workflows.fix'));
    setLocalError(null);
    const filled = Object.fromEntries(Object.entries(credentials).filter(([, v]) => v && v.trim()));
    save.mutate({ name: name.trim() || typeLabel(type), config, ...(Object.keys(filled).length ? { credentials: filled as Record<string, string> } : {}) });
  };

  const changeType = (next: ProviderType) => {
    setType(next);
    setTexts({});
    setCredentials({});
    setWorkflows([{ name: 'default', json: '' }]);
    save.reset();
  };

  return (
    <form onSubmit={submit} className="stack">
      <div className="grid-2">
        <Field label={t('providers.type')} hint={t(`providers.typeHints.${type}`)}>
          {(c) => (
            <select {...c} value={type} onChange={(e) => changeType(e.target.value as ProviderType)} disabled={!!initial}>
              {providerTypes.map((ty) => (
                <option key={ty} value={ty}>
                  {typeLabel(ty)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('providers.name')} error={errors.name}>
          {(c) => <input {...c} value={name} onChange={(e) => setName(e.target.value)} placeholder={typeLabel(type)} maxLength={80} />}
        </Field>
      </div>
      {configFields[type].map((f) =>
        f.kind === 'workflows' ? (
          <div key={f.name} className="stack">
            <WorkflowsEditor value={workflows} onChange={setWorkflows} errors={{}} />
            {errorUnder(errors, 'config.workflows') && <p className="field-error">{errorUnder(errors, 'config.workflows')}</p>}
          </div>
        ) : (
          <Field
            key={f.name}
            label={t(`providers.fields.${f.name}`)}
            hint={f.kind === 'urls' ? t('providers.fields.baseUrlsHint') : f.required ? undefined : t('providers.optional')}
            error={errorUnder(errors, `config.${f.name}`)}
          >
            {(c) =>
              f.kind === 'urls' ? (
                <textarea {...c} rows={2} value={texts[f.name] ?? ''} onChange={(e) => setTexts({ ...texts, [f.name]: e.target.value })} required={f.required} placeholder={f.placeholder} spellCheck={false} />
              ) : (
                <input
                  {...c}
                  type={f.kind === 'url' ? 'url' : 'text'}
                  value={texts[f.name] ?? ''}
                  onChange={(e) => setTexts({ ...texts, [f.name]: e.target.value })}
                  required={f.required}
                  placeholder={f.placeholder}
                  spellCheck={false}
                />
              )
            }
          </Field>
        ),
      )}
      {credentialFields[type].map((cred) => {
        const stored = initial?.credentialNames.includes(cred);
        return (
          <Field key={cred} label={t(`providers.credentials.${cred}`)} hint={stored ? t('providers.credentials.stored') : t('providers.credentials.writeOnly')} error={errorUnder(errors, `credentials.${cred}`)}>
            {(c) => (
              <input {...c} type="password" autoComplete="new-password" value={credentials[cred] ?? ''} onChange={(e) => setCredentials({ ...credentials, [cred]: e.target.value })} maxLength={4096} />
            )}
          </Field>
        );
      })}
      {type === 'espeak' && <p className="field-hint">{t('providers.espeakNote')}</p>}
      {localError && (
        <p className="error-note" role="alert">
          {localError}
        </p>
      )}
      <ErrorNote error={save.error} />
      {errors._ && <p className="field-error">{errors._}</p>}
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {initial ? t('providers.saveChanges') : t('providers.add')}
        </button>
        {initial && (
          <button type="button" onClick={onDone}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
