import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { Rating } from '../studio/types';
import { Field } from '../ui/Field';
import { PlatformMark } from './badges';
import { policyOf, takesMedia, type MediaKind } from './policy';
import { usePolicyHint } from './policyHint';
import { isReconnectNeeded, variants, type Channel, type Variant } from './types';

export interface TargetDraft {
  variant: Variant;
  ownText: boolean;
  text: string;
  /** Reddit only. */
  subreddit: string;
  title: string;
  /** Reddit: the post flair's template id (subreddits that require flair refuse posts without). */
  flairId: string;
}
export const blankTarget = (): TargetDraft => ({ variant: 'original', ownText: false, text: '', subreddit: '', title: '', flairId: '' });

export interface Refusal {
  code: string;
  message: string;
  /** The problem's figures (subreddit, limits…), for the words of platform rules. */
  params?: Record<string, unknown>;
}

/** One channel in the composer: tick it, see what it takes, set its format and its own text. */
export function ChannelChoice({
  channel,
  checked,
  onCheck,
  draft,
  onDraft,
  rating,
  mediaKind = null,
  refusal,
}: {
  channel: Channel;
  checked: boolean;
  onCheck: (on: boolean) => void;
  draft: TargetDraft;
  onDraft: (patch: Partial<TargetDraft>) => void;
  rating: Rating | null;
  /** The chosen media's kind (null: no media). */
  mediaKind?: MediaKind | null;
  refusal: Refusal | null;
}) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const hint = usePolicyHint();
  const policy = policyOf(channel);
  const refusesRating = rating !== null && !policy.accepts.includes(rating);
  const refusesKind = !takesMedia(policy, mediaKind);
  // Platform rules have their words in the planning area (as ProblemNote shows them), the router's in errors.
  const ruleWords = refusal && `planning.errors.${refusal.code}`;
  const name = `${t(`calendar.platforms.${channel.platform}`)} ${channel.handle}`;
  return (
    <li className={refusal ? 'channel-choice is-refused' : 'channel-choice'}>
      <div className="check-block">
        <input id={id} type="checkbox" checked={checked} onChange={(e) => onCheck(e.target.checked)} aria-describedby={`${id}-hint`} />
        <label htmlFor={id}>
          <PlatformMark platform={channel.platform} /> {channel.handle}
          {isReconnectNeeded(channel) && <span className="badge post-failed">{t('calendar.channels.status.reconnect_needed')}</span>}
        </label>
      </div>
      <p className="field-hint" id={`${id}-hint`}>
        {hint(channel)}
      </p>
      {refusesRating && <p className="field-error">{t('calendar.composer.refusesRating', { rating: t(`studio.rating.${rating}`) })}</p>}
      {refusesKind && <p className="field-error">{t('planning.policy.refusesVideo')}</p>}
      {refusal && (
        <div className="refusal" role="alert">
          <strong>
            {ruleWords && i18n.exists(ruleWords)
              ? t(ruleWords as 'planning.title', refusal.params ?? {})
              : t(`errors.${refusal.code as 'rating_not_allowed'}`, { defaultValue: t('calendar.composer.refused') })}
          </strong>
          <p>{refusal.message}</p>
        </div>
      )}
      {checked && (
        <div className="target-fields">
          <Field label={t('calendar.composer.variant', { channel: name })}>
            {(c) => (
              <select {...c} value={draft.variant} onChange={(e) => onDraft({ variant: e.target.value as Variant })}>
                {variants.map((v) => (
                  <option key={v} value={v}>
                    {t(`calendar.composer.variants.${v}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {channel.platform === 'reddit' && (
            <>
              <Field label={t('calendar.composer.subreddit', { channel: name })}>
                {(c) => <input {...c} value={draft.subreddit} onChange={(e) => onDraft({ subreddit: e.target.value })} required placeholder="r/…" maxLength={100} />}
              </Field>
              <Field label={t('calendar.composer.redditTitle')} hint={t('calendar.composer.redditTitleHint')}>
                {(c) => <input {...c} value={draft.title} onChange={(e) => onDraft({ title: e.target.value })} maxLength={300} />}
              </Field>
              <Field label={t('planning.edit.flair')} hint={t('planning.edit.flairHint')}>
                {(c) => <input {...c} value={draft.flairId} onChange={(e) => onDraft({ flairId: e.target.value })} maxLength={100} />}
              </Field>
            </>
          )}
          <label className="check">
            <input type="checkbox" checked={draft.ownText} onChange={(e) => onDraft({ ownText: e.target.checked })} />
            {t('calendar.composer.ownText')}
          </label>
          {draft.ownText && (
            <Field label={t('calendar.composer.text', { channel: name })}>
              {(c) => <textarea {...c} value={draft.text} onChange={(e) => onDraft({ text: e.target.value })} rows={3} maxLength={5000} />}
            </Field>
          )}
        </div>
      )}
    </li>
  );
}
