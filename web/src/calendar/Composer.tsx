import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { ApiError, unwrap } from '../api/problem';
import { onLinkClick } from '../app/router';
import type { Persona } from '../personas/queries';
import { useStudio } from '../studio/queries';
import type { Asset } from '../studio/types';
import { ErrorNote } from '../ui/ErrorNote';
import { Field } from '../ui/Field';
import { NumberInput } from '../ui/NumberInput';
import { ProblemNote } from './ProblemNote';
import { CaptionSuggestions } from './CaptionSuggestions';
import { blankTarget, ChannelChoice, type Refusal, type TargetDraft } from './ChannelChoice';
import { isPast, localToUtc } from './dates';
import { Drawer } from './Drawer';
import { MediaChoice } from './MediaChoice';
import { estimateFinalText, mediaKindOf } from './policy';
import { useChannels, usePostChanged, type ScheduleAt } from './queries';
import { TargetPreview } from './TargetPreview';
import { AbPanel } from './variants/AbPanel';
import { postStatus, type Channel, type NewPost, type Post, type TargetInput } from './types';

export interface ComposerSeed {
  date: string;
  time: string;
  /** Channels ticked from the start (a slot's). */
  channelIds: string[];
}

/** The channel a router refusal is about (the server names it in the problem). */
function refusalOf(error: unknown): (Refusal & { channelId: string }) | null {
  if (!(error instanceof ApiError)) return null;
  const channelId = (error.problem as { channelId?: unknown }).channelId;
  return typeof channelId === 'string' ? { channelId, code: error.code, message: error.problem.detail ?? '', params: { ...error.problem } } : null;
}

function targetBody(channel: Channel, draft: TargetDraft): TargetInput {
  const options =
    channel.platform === 'reddit'
      ? { subreddit: draft.subreddit.trim(), ...(draft.title.trim() ? { title: draft.title.trim() } : {}), ...(draft.flairId.trim() ? { flairId: draft.flairId.trim() } : {}) }
      : undefined;
  return { channelId: channel.id, variant: draft.variant, ...(draft.ownText ? { text: draft.text } : {}), ...(options ? { options } : {}) };
}

/**
 * Writing a post: image, caption, channels (each with its format and its own text), priority and
 * time in her timezone. "Create" makes a draft the server checks channel by channel; its previews then
 * show the final texts; "Approve and schedule" sends it on its way.
 */
export function Composer({ persona, timezone, seed, onClose, onScheduled }: { persona: Persona; timezone: string; seed: ComposerSeed; onClose: () => void; onScheduled: (post: Post) => void }) {
  const { t } = useTranslation();
  const changed = usePostChanged();
  const channels = useChannels(persona.id);
  const studio = useStudio(persona.id);
  const disclosure = studio.data?.settings.disclosureText;
  const [asset, setAsset] = useState<Asset | null>(null);
  const [caption, setCaption] = useState('');
  const [captionTouched, setCaptionTouched] = useState(false);
  const [selected, setSelected] = useState<string[]>(seed.channelIds);
  const [drafts, setDrafts] = useState<Record<string, TargetDraft>>({});
  const [priority, setPriority] = useState<number | undefined>(0);
  const [date, setDate] = useState(seed.date);
  const [time, setTime] = useState(seed.time);
  const [post, setPost] = useState<Post | null>(null);
  const [problem, setProblem] = useState<'noChannel' | 'inPast' | null>(null);

  const list = channels.data ?? [];
  const chosen = list.filter((c) => selected.includes(c.id));
  const draftOf = (id: string) => drafts[id] ?? blankTarget();

  const create = useMutation({
    mutationFn: (body: NewPost) => unwrap(api.POST('/api/v1/posts', { body })),
    onSuccess: setPost,
  });
  const refusal = refusalOf(create.error);

  const publish = useMutation({
    mutationFn: async ({ draft, when }: { draft: Post; when: ScheduleAt }) => {
      let current = draft;
      if (postStatus(current) === 'draft') {
        current = await unwrap(api.POST('/api/v1/posts/{id}/approve', { params: { path: { id: current.id } } }));
        setPost(current);
      }
      return unwrap(api.POST('/api/v1/posts/{id}/schedule', { params: { path: { id: current.id } }, body: when }));
    },
    onSuccess: (scheduled) => {
      changed(scheduled);
      onScheduled(scheduled);
    },
  });
  const keepDraft = useMutation({
    mutationFn: (draft: Post) => unwrap(api.PUT('/api/v1/posts/{id}', { params: { path: { id: draft.id } }, body: { scheduledAt: localToUtc(date, time, timezone).toISOString() } })),
    onSuccess: (saved) => {
      changed(saved);
      onScheduled(saved);
    },
  });
  const discard = useMutation({
    mutationFn: (draft: Post) => unwrap(api.POST('/api/v1/posts/{id}/cancel', { params: { path: { id: draft.id } } })),
  });

  // A post without a time shows nowhere in the calendar: leaving the composer discards it.
  const unscheduled = post && !post.scheduledAt && ['draft', 'approved'].includes(postStatus(post));
  const close = () => {
    if (unscheduled) discard.mutate(post);
    onClose();
  };
  const change = () => {
    if (post) discard.mutate(post);
    setPost(null);
    publish.reset();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    if (post) {
      if (isPast(date, time, timezone)) return setProblem('inPast');
      publish.mutate({ draft: post, when: { localDate: date, localTime: time } });
      return;
    }
    if (chosen.length === 0) return setProblem('noChannel');
    create.mutate({
      personaId: persona.id,
      caption,
      ...(priority !== undefined ? { priority } : {}),
      assetId: asset?.id ?? null,
      targets: chosen.map((c) => targetBody(c, draftOf(c.id))),
    });
  };

  const finalText = (channel: Channel) => post?.targets.find((target) => target.channelId === channel.id)?.text;
  const busy = create.isPending || publish.isPending || keepDraft.isPending;

  return (
    <Drawer titleId="composer-title" title={t('calendar.composer.title')} onClose={close} wide>
      <form className="stack composer" onSubmit={submit}>
        <div className="composer-grid">
          {/* Once the draft exists, what it is made of is fixed: "Change" discards it and unlocks the form. */}
          <fieldset className="plain stack" disabled={!!post}>
            <MediaChoice personaId={persona.id} value={asset} onChange={setAsset} />
            <Field label={t('calendar.composer.caption')} hint={t('calendar.composer.captionHint')}>
              {(c) => (
                <textarea
                  {...c}
                  value={caption}
                  onChange={(e) => {
                    setCaption(e.target.value);
                    setCaptionTouched(true);
                  }}
                  rows={5}
                  maxLength={5000}
                />
              )}
            </Field>
            {asset && (
              <CaptionSuggestions
                key={asset.id}
                personaId={persona.id}
                assetId={asset.id}
                onFirst={(text) => !captionTouched && setCaption(text)}
                onUse={(text) => {
                  setCaption(text);
                  setCaptionTouched(true);
                }}
              />
            )}
          </fieldset>
          <div className="stack">
            <fieldset className="plain stack" disabled={!!post}>
              <fieldset className={problem === 'noChannel' ? 'field-invalid' : undefined}>
                <legend>{t('calendar.composer.channels')}</legend>
                {channels.isPending && <p className="small muted">{t('common.loading')}</p>}
                <ErrorNote error={channels.error} />
                {channels.isSuccess && list.length === 0 && (
                  <p className="small">
                    {t('calendar.composer.noChannels')}{' '}
                    <a href="/calendar/channels" onClick={onLinkClick}>
                      {t('calendar.composer.addChannel')}
                    </a>
                  </p>
                )}
                <ul className="channel-choices">
                  {list.map((channel) => (
                    <ChannelChoice
                      key={channel.id}
                      channel={channel}
                      checked={selected.includes(channel.id)}
                      onCheck={(on) => setSelected((s) => (on ? [...s.filter((x) => x !== channel.id), channel.id] : s.filter((x) => x !== channel.id)))}
                      draft={draftOf(channel.id)}
                      onDraft={(patch) => setDrafts((d) => ({ ...d, [channel.id]: { ...draftOf(channel.id), ...patch } }))}
                      rating={asset?.rating ?? null}
                      mediaKind={mediaKindOf(asset)}
                      refusal={refusal?.channelId === channel.id ? refusal : null}
                    />
                  ))}
                </ul>
                {problem === 'noChannel' && <p className="field-error">{t('calendar.composer.chooseChannel')}</p>}
              </fieldset>
              <Field label={t('calendar.composer.priority')} hint={t('calendar.composer.priorityHint')}>
                {(c) => <NumberInput control={c} value={priority} onChange={setPriority} min={-100} max={100} step={1} />}
              </Field>
            </fieldset>
            <fieldset>
              <legend>{t('calendar.composer.when')}</legend>
              <div className="grid-2">
                <Field label={t('calendar.move.date')} error={problem === 'inPast' ? t('calendar.composer.inPast', { zone: timezone }) : undefined}>
                  {(c) => <input {...c} type="date" value={date} onChange={(e) => setDate(e.target.value)} required />}
                </Field>
                <Field label={t('calendar.move.time')} hint={t('calendar.timezone', { zone: timezone })}>
                  {(c) => <input {...c} type="time" value={time} onChange={(e) => setTime(e.target.value)} required />}
                </Field>
              </div>
            </fieldset>
          </div>
        </div>

        {chosen.length > 0 && (
          <section aria-labelledby="previews-title">
            <h3 id="previews-title">{t('calendar.preview.title')}</h3>
            <div className="previews">
              {chosen.map((channel) => {
                const draft = draftOf(channel.id);
                const server = finalText(channel);
                return (
                  <TargetPreview
                    key={channel.id}
                    channel={channel}
                    asset={asset}
                    variant={draft.variant}
                    text={server ?? estimateFinalText(draft.ownText ? draft.text : caption, disclosure)}
                    title={draft.title}
                    final={server !== undefined}
                  />
                );
              })}
            </div>
          </section>
        )}

        {post && <AbPanel post={post} timezone={timezone} channels={new Map(list.map((c) => [c.id, c]))} onSaved={() => void unwrap(api.GET('/api/v1/posts/{id}', { params: { path: { id: post.id } } })).then(setPost)} />}
        {refusal === null && <ProblemNote error={create.error} />}
        <ProblemNote error={publish.error ?? keepDraft.error} />
        {post && (
          <p className="success" role="status">
            {t(postStatus(post) === 'approved' ? 'calendar.composer.approved' : 'calendar.composer.draftCreated')}
          </p>
        )}
        <div className="actions sticky-actions">
          {!post ? (
            <button type="submit" className="primary" disabled={busy}>
              {create.isPending ? t('calendar.composer.creating') : t('calendar.composer.create')}
            </button>
          ) : (
            <>
              <button type="submit" className="primary" disabled={busy}>
                {publish.isPending ? t('calendar.composer.scheduling') : t('calendar.composer.approveSchedule')}
              </button>
              {postStatus(post) === 'draft' && (
                <button type="button" onClick={() => keepDraft.mutate(post)} disabled={busy}>
                  {t('calendar.composer.keepDraft')}
                </button>
              )}
              <button type="button" onClick={change} disabled={busy}>
                {t('calendar.composer.change')}
              </button>
            </>
          )}
          <button type="button" onClick={close}>
            {t('common.cancel')}
          </button>
          {unscheduled && <span className="muted small">{t('calendar.composer.closeDiscards')}</span>}
        </div>
      </form>
    </Drawer>
  );
}
