import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../ui/Field';
import { optionalNumber, parseTags } from './fields';
import type { KindFormProps } from './forms';
import { SubmitRow } from './SubmitRow';

export function VideoForm({ persona, studio, draft, onSubmit, pending, errors }: KindFormProps) {
  const { t } = useTranslation();
  const [prompt, setPrompt] = useState(draft.prompt ?? '');
  const [duration, setDuration] = useState(draft.durationSeconds ?? 5);
  const [seed, setSeed] = useState('');
  const [negativePrompt, setNegativePrompt] = useState('');
  const [workflow, setWorkflow] = useState('');
  const [tags, setTags] = useState(draft.tags ?? '');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit({
      kind: 'video',
      personaId: persona.id,
      prompt,
      durationSeconds: duration,
      tags: parseTags(tags),
      ...(seed.trim() ? { seed: optionalNumber(seed) } : {}),
      ...(negativePrompt.trim() ? { negativePrompt } : {}),
      ...(workflow.trim() ? { workflow: workflow.trim() } : {}),
    });
  };

  return (
    <form onSubmit={submit} className="stack">
      <p className="field-hint">{studio?.videoProviderId || studio?.imageProviderId ? t('studio.generate.videoIntro') : t('studio.generate.videoNoProvider')}</p>
      <Field label={t('studio.generate.prompt')} hint={t('studio.generate.promptHint')} error={errors.prompt}>
        {(c) => <textarea {...c} value={prompt} onChange={(e) => setPrompt(e.target.value)} rows={3} required maxLength={4000} />}
      </Field>
      <Field label={t('studio.generate.duration')} error={errors.durationSeconds}>
        {(c) => (
          <div className="range-row">
            <input {...c} type="range" min={2} max={30} step={1} value={duration} onChange={(e) => setDuration(Number(e.target.value))} />
            <output htmlFor={c.id}>{t('studio.seconds', { count: duration })}</output>
          </div>
        )}
      </Field>
      <div className="grid-2">
        <Field label={t('studio.generate.seed')} hint={t('studio.generate.seedHint')} error={errors.seed}>
          {(c) => <input {...c} type="number" min={0} max={4294967295} step={1} value={seed} onChange={(e) => setSeed(e.target.value)} />}
        </Field>
        <Field label={t('studio.generate.tags')} hint={t('studio.generate.tagsHint')} error={errors.tags}>
          {(c) => <input {...c} value={tags} onChange={(e) => setTags(e.target.value)} />}
        </Field>
      </div>
      <details className="advanced" open={!!(errors.negativePrompt || errors.workflow) || undefined}>
        <summary>{t('studio.generate.advanced')}</summary>
        <div className="stack">
          <Field label={t('studio.generate.negativePrompt')} hint={t('studio.generate.negativeHint')} error={errors.negativePrompt}>
            {(c) => <textarea {...c} value={negativePrompt} onChange={(e) => setNegativePrompt(e.target.value)} rows={2} maxLength={4000} />}
          </Field>
          <Field label={t('studio.generate.workflow')} hint={t('studio.generate.videoWorkflowHint')} error={errors.workflow}>
            {(c) => <input {...c} value={workflow} onChange={(e) => setWorkflow(e.target.value)} maxLength={200} />}
          </Field>
        </div>
      </details>
      <SubmitRow pending={pending} label={t('studio.generate.submitVideo')} />
    </form>
  );
}
