import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../ui/Field';
import { optionalNumber, parseTags, PlatformChecks } from './fields';
import type { KindFormProps } from './forms';
import { SubmitRow } from './SubmitRow';
import type { Platform } from './types';

export function ImageForm({ persona, studio, draft, onSubmit, pending, errors }: KindFormProps) {
  const { t } = useTranslation();
  const [prompt, setPrompt] = useState(draft.prompt ?? '');
  const [stylePreset, setStylePreset] = useState('');
  const [count, setCount] = useState(String(draft.count ?? 1));
  const [seed, setSeed] = useState('');
  const [tags, setTags] = useState(draft.tags ?? '');
  const [captionPlatforms, setCaptionPlatforms] = useState<Platform[]>(draft.captionPlatforms ?? []);
  const [negativePrompt, setNegativePrompt] = useState('');
  const [width, setWidth] = useState('');
  const [height, setHeight] = useState('');
  const [workflow, setWorkflow] = useState('');
  const presets = studio?.stylePresets ?? [];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit({
      kind: 'image',
      personaId: persona.id,
      prompt,
      count: Number(count),
      tags: parseTags(tags),
      captionPlatforms,
      ...(stylePreset ? { stylePreset } : {}),
      ...(seed.trim() ? { seed: optionalNumber(seed) } : {}),
      ...(negativePrompt.trim() ? { negativePrompt } : {}),
      ...(width.trim() ? { width: optionalNumber(width) } : {}),
      ...(height.trim() ? { height: optionalNumber(height) } : {}),
      ...(workflow.trim() ? { workflow: workflow.trim() } : {}),
    });
  };

  return (
    <form onSubmit={submit} className="stack">
      <Field label={t('studio.generate.prompt')} hint={t('studio.generate.promptHint')} error={errors.prompt}>
        {(c) => <textarea {...c} value={prompt} onChange={(e) => setPrompt(e.target.value)} rows={3} required maxLength={4000} />}
      </Field>
      <div className="grid-3">
        <Field label={t('studio.generate.stylePreset')} hint={presets.length ? undefined : t('studio.generate.noPresets')} error={errors.stylePreset}>
          {(c) => (
            <select {...c} value={stylePreset} onChange={(e) => setStylePreset(e.target.value)}>
              <option value="">{t('studio.generate.noPreset')}</option>
              {presets.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('studio.generate.count')} error={errors.count}>
          {(c) => <input {...c} type="number" min={1} max={4} step={1} value={count} onChange={(e) => setCount(e.target.value)} required />}
        </Field>
        <Field label={t('studio.generate.seed')} hint={t('studio.generate.seedHint')} error={errors.seed}>
          {(c) => <input {...c} type="number" min={0} max={4294967295} step={1} value={seed} onChange={(e) => setSeed(e.target.value)} />}
        </Field>
      </div>
      <PlatformChecks legend={t('studio.generate.captionPlatforms')} hint={t('studio.generate.captionPlatformsHint')} value={captionPlatforms} onChange={setCaptionPlatforms} error={errors.captionPlatforms} />
      <Field label={t('studio.generate.tags')} hint={t('studio.generate.tagsHint')} error={errors.tags}>
        {(c) => <input {...c} value={tags} onChange={(e) => setTags(e.target.value)} />}
      </Field>
      <details className="advanced" open={!!(errors.negativePrompt || errors.width || errors.height || errors.workflow) || undefined}>
        <summary>{t('studio.generate.advanced')}</summary>
        <div className="stack">
          <Field label={t('studio.generate.negativePrompt')} hint={t('studio.generate.negativeHint')} error={errors.negativePrompt}>
            {(c) => <textarea {...c} value={negativePrompt} onChange={(e) => setNegativePrompt(e.target.value)} rows={2} maxLength={4000} />}
          </Field>
          <div className="grid-3">
            <Field label={t('studio.generate.width')} hint={t('studio.generate.sizeHint', { size: studio?.imageDefaults.width ?? 1024 })} error={errors.width}>
              {(c) => <input {...c} type="number" min={256} max={4096} step={8} value={width} onChange={(e) => setWidth(e.target.value)} />}
            </Field>
            <Field label={t('studio.generate.height')} hint={t('studio.generate.sizeHint', { size: studio?.imageDefaults.height ?? 1280 })} error={errors.height}>
              {(c) => <input {...c} type="number" min={256} max={4096} step={8} value={height} onChange={(e) => setHeight(e.target.value)} />}
            </Field>
            <Field label={t('studio.generate.workflow')} hint={t('studio.generate.workflowHint')} error={errors.workflow}>
              {(c) => <input {...c} value={workflow} onChange={(e) => setWorkflow(e.target.value)} maxLength={200} />}
            </Field>
          </div>
        </div>
      </details>
      <SubmitRow pending={pending} label={t('studio.generate.submitImage', { count: Number(count) || 1 })} />
    </form>
  );
}
