import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../../ui/Field';
import { useChannelName } from '../badges';
import { localToUtc, zoned } from '../dates';
import { ProblemNote } from '../ProblemNote';
import type { Channel, Post } from '../types';
import { useSaveVariants, type VariantsBody, type VariantView } from './queries';
import { VariantMedia } from './VariantMedia';

const KEYS = ['A', 'B', 'C', 'D'] as const;
type Mode = VariantsBody['mode'];
interface Draft {
  caption: string;
  assetId: string;
  date: string;
  time: string;
}

const blank = (): Draft => ({ caption: '', assetId: '', date: '', time: '' });

/** Defines 2–4 variants of a post and how they are spread (over its channels, or in turn on one). */
export function VariantsEditor({ post, timezone, channels, current, onSaved }: { post: Post; timezone: string; channels: Map<string, Channel>; current: VariantView[]; onSaved?: () => void }) {
  const { t } = useTranslation();
  const channelName = useChannelName();
  const save = useSaveVariants(post.id);
  const postChannels = [...new Set(post.targets.filter((target) => target.status !== 'cancelled').map((target) => target.channelId))];
  // The server keeps no mode: variants sharing a channel were spread over slots.
  const tested = post.targets.filter((target) => current.some((v) => v.targetIds.includes(target.id)));
  const slotChannel = tested.find((target) => tested.filter((o) => o.channelId === target.channelId).length > 1)?.channelId;
  const [mode, setMode] = useState<Mode>(slotChannel || postChannels.length < 2 ? 'slots' : 'channels');
  const [channelId, setChannelId] = useState(slotChannel ?? postChannels[0] ?? '');
  const [drafts, setDrafts] = useState<Draft[]>(() => {
    const fromServer = current.map((v) => {
      const target = post.targets.find((tg) => v.targetIds.includes(tg.id));
      const at = mode === 'slots' && target?.scheduledAt ? zoned(target.scheduledAt, timezone) : null;
      return { caption: v.caption, assetId: v.assetId ?? '', date: at?.date ?? '', time: at?.time ?? '' };
    });
    return fromServer.length >= 2 ? fromServer : [blank(), blank()];
  });
  const [problem, setProblem] = useState<string | null>(null);

  const edit = (i: number, patch: Partial<Draft>) => setDrafts((list) => list.map((d, j) => (j === i ? { ...d, ...patch } : d)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    const empty = drafts.findIndex((d) => !d.caption.trim() && !d.assetId);
    if (empty >= 0) return setProblem(t('variants.needContent', { key: KEYS[empty] }));
    const timed = drafts.filter((d) => d.date && d.time);
    if (mode === 'slots' && timed.length > 0 && timed.length < drafts.length) return setProblem(t('variants.incompleteTimes'));
    const body: VariantsBody = {
      mode,
      variants: drafts.map((d) => ({ ...(d.caption.trim() ? { caption: d.caption } : {}), assetId: d.assetId || null })),
      ...(mode === 'slots' && channelId ? { channelId } : {}),
      ...(mode === 'slots' && timed.length === drafts.length ? { times: drafts.map((d) => localToUtc(d.date, d.time, timezone).toISOString()) } : {}),
    };
    save.mutate(body, { onSuccess: () => onSaved?.() });
  };

  return (
    <form className="stack variants-editor" onSubmit={submit}>
      <fieldset className="segmented" aria-label={t('variants.mode')}>
        {(['channels', 'slots'] as const).map((m) => (
          <label key={m} className={mode === m ? 'segment segment-on' : 'segment'}>
            <input type="radio" name={`variants-mode-${post.id}`} checked={mode === m} onChange={() => setMode(m)} />
            {t(`variants.modes.${m}`)}
          </label>
        ))}
      </fieldset>
      <p className="field-hint">{t(mode === 'channels' ? 'variants.modes.channelsHint' : 'variants.modes.slotsHint')}</p>
      {mode === 'slots' && (
        <Field label={t('variants.channel')}>
          {(c) => (
            <select {...c} value={channelId} onChange={(e) => setChannelId(e.target.value)}>
              {postChannels.map((id) => (
                <option key={id} value={id}>
                  {channelName(channels.get(id))}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <ol className="variant-list">
        {drafts.map((draft, i) => (
          <li key={KEYS[i]} className="variant-item">
            <fieldset className="inner stack">
              <legend>{t('variants.variant', { key: KEYS[i] })}</legend>
              <Field label={t('variants.caption')} hint={t('variants.captionHint')}>
                {(c) => <textarea {...c} rows={3} maxLength={5000} value={draft.caption} onChange={(e) => edit(i, { caption: e.target.value })} />}
              </Field>
              <Field label={t('variants.media')}>{(c) => <VariantMedia control={c} personaId={post.personaId} value={draft.assetId} onChange={(assetId) => edit(i, { assetId })} />}</Field>
              {mode === 'slots' && (
                <div className="grid-2">
                  <Field label={t('variants.date', { key: KEYS[i] })}>{(c) => <input {...c} type="date" value={draft.date} onChange={(e) => edit(i, { date: e.target.value })} />}</Field>
                  <Field label={t('variants.time', { key: KEYS[i] })} hint={i === 0 ? t('variants.timesHint') : undefined}>
                    {(c) => <input {...c} type="time" value={draft.time} onChange={(e) => edit(i, { time: e.target.value })} />}
                  </Field>
                </div>
              )}
              {drafts.length > 2 && (
                <button type="button" className="small-button" onClick={() => setDrafts((list) => list.filter((_, j) => j !== i))}>
                  {t('variants.remove', { key: KEYS[i] })}
                </button>
              )}
            </fieldset>
          </li>
        ))}
      </ol>
      {mode === 'slots' && <p className="muted small">{t('variants.times', { zone: timezone })}</p>}
      {drafts.length < KEYS.length && (
        <button type="button" className="small-button variant-add" onClick={() => setDrafts((list) => [...list, blank()])}>
          {t('variants.add')}
        </button>
      )}
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      <ProblemNote error={save.error} />
      {save.isSuccess && (
        <p className="success" role="status">
          {t('variants.saved')}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? t('variants.saving') : t('variants.save')}
        </button>
      </div>
    </form>
  );
}
