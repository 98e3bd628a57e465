import { useState, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldErrors } from '../api/problem';
import { ErrorNote } from '../ui/ErrorNote';
import type { Persona } from '../personas/queries';
import { CaptionForm } from './CaptionForm';
import type { Draft, KindFormProps } from './forms';
import { GenerateError } from './GenerateError';
import { ImageForm } from './ImageForm';
import { MontageForm } from './MontageForm';
import { useGenerate } from './queries';
import { jobKinds, type JobKind, type StudioSettings } from './types';
import { VideoForm } from './VideoForm';
import { VoiceForm } from './VoiceForm';

const forms: Record<JobKind, ComponentType<KindFormProps>> = { image: ImageForm, video: VideoForm, montage: MontageForm, caption: CaptionForm, voice: VoiceForm };

type QuickStartId = 'dailyPhoto' | 'storyClip' | 'weekRecap' | 'captionSet' | 'voiceNote';

/** Ready-made starting points; the texts are examples in the person's language, to edit before sending. */
function useQuickStarts(): { id: QuickStartId; kind: JobKind; draft: Draft }[] {
  const { t } = useTranslation();
  return [
    { id: 'dailyPhoto', kind: 'image', draft: { prompt: t('studio.quick.dailyPhotoPrompt'), count: 1, captionPlatforms: ['instagram'], tags: 'daily' } },
    { id: 'storyClip', kind: 'video', draft: { prompt: t('studio.quick.storyClipPrompt'), durationSeconds: 6, tags: 'story' } },
    { id: 'weekRecap', kind: 'montage', draft: { durationSeconds: 15, text: t('studio.quick.weekRecapVoice'), tags: 'recap' } },
    { id: 'captionSet', kind: 'caption', draft: { brief: t('studio.quick.captionBrief'), captionPlatforms: ['instagram', 'x'] } },
    { id: 'voiceNote', kind: 'voice', draft: { text: t('studio.quick.voiceNoteText'), tags: 'voice' } },
  ];
}

export function GeneratePanel({ persona, studio }: { persona: Persona; studio: StudioSettings | undefined }) {
  const { t } = useTranslation();
  const quickStarts = useQuickStarts();
  const [kind, setKind] = useState<JobKind>('image');
  const [draft, setDraft] = useState<Draft>({});
  // Bumped to start a form afresh with a new draft.
  const [round, setRound] = useState(0);
  const generate = useGenerate();
  const errors = fieldErrors(generate.error);
  // Errors that name a field show next to it; the rest (and a summary) below the form.
  const placed = Object.keys(errors).some((k) => k !== '_');
  const Form = forms[kind];

  const start = (next: JobKind, nextDraft: Draft) => {
    setKind(next);
    setDraft(nextDraft);
    setRound((r) => r + 1);
    generate.reset();
  };

  return (
    <section className="panel stack" aria-labelledby="generate-title">
      <h2 id="generate-title">{t('studio.generate.title')}</h2>
      <div className="quick-starts" role="group" aria-labelledby="quick-title">
        <span className="label" id="quick-title">
          {t('studio.quick.title')}
        </span>
        {quickStarts.map((q) => (
          <button key={q.id} type="button" className="chip" onClick={() => start(q.kind, q.draft)}>
            {t(`studio.quick.${q.id}`)}
          </button>
        ))}
      </div>
      <fieldset className="segmented">
        <legend className="visually-hidden">{t('studio.generate.kind')}</legend>
        {jobKinds.map((k) => (
          <label key={k} className={k === kind ? 'segment segment-on' : 'segment'}>
            <input type="radio" name="generate-kind" value={k} checked={k === kind} onChange={() => start(k, {})} />
            {t(`studio.kinds.${k}`)}
          </label>
        ))}
      </fieldset>
      <Form key={`${persona.id}-${kind}-${round}`} persona={persona} studio={studio} draft={draft} onSubmit={(body) => generate.mutate(body)} pending={generate.isPending} errors={errors} />
      {placed ? <ErrorNote error={generate.error} /> : <GenerateError error={generate.error} />}
      {errors._ && <p className="field-error">{errors._}</p>}
      {generate.isSuccess && (
        <p className="success" role="status">
          {t('studio.generate.queued')}
        </p>
      )}
    </section>
  );
}
