import { useTranslation } from 'react-i18next';
import { Field } from '../ui/Field';
import { PlatformMark } from './badges';
import { policyOf, takesMedia, type MediaKind } from './policy';
import type { Channel, Post } from './types';

/** One target of the post being edited: an existing one (with its id) or a new one. */
export interface TargetEntry {
  id?: string;
  channelId: string;
  options: Record<string, unknown>;
  /** Sent, being sent or maybe sent: it stays whatever the edit says. */
  locked: boolean;
}

const SENT = ['published', 'publishing', 'needs_review'];
export const entriesOf = (post: Post): TargetEntry[] =>
  post.targets.filter((t) => t.status !== 'cancelled').map((t) => ({ id: t.id, channelId: t.channelId, options: t.options, locked: SENT.includes(t.status) }));

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * Which channels the post goes to. Channels where it is already out stay ticked (an edit never takes a
 * post back); a new channel follows the post's time. Reddit targets name their subreddit and flair.
 */
export function EditTargets({
  channels,
  entries,
  onChange,
  mediaKind = null,
}: {
  channels: Channel[];
  entries: TargetEntry[];
  onChange: (entries: TargetEntry[]) => void;
  /** The post's media kind (null: none): channels that cannot take it say so. */
  mediaKind?: MediaKind | null;
}) {
  const { t } = useTranslation();
  const toggle = (channel: Channel, on: boolean) =>
    onChange(on ? [...entries, { channelId: channel.id, options: {}, locked: false }] : entries.filter((e) => e.channelId !== channel.id || e.locked));
  const setOption = (entry: TargetEntry, name: string, value: string) => onChange(entries.map((e) => (e === entry ? { ...e, options: { ...e.options, [name]: value } } : e)));
  return (
    <fieldset>
      <legend>{t('planning.edit.channels')}</legend>
      <ul className="edit-targets">
        {channels.map((channel) => {
          const mine = entries.filter((e) => e.channelId === channel.id);
          const locked = mine.some((e) => e.locked);
          return (
            <li key={channel.id}>
              <label className="check">
                <input type="checkbox" checked={mine.length > 0} disabled={locked} onChange={(e) => toggle(channel, e.target.checked)} />
                <PlatformMark platform={channel.platform} /> {channel.handle}
                {locked && <span className="small muted"> {t('planning.edit.alreadyOut')}</span>}
              </label>
              {!locked && !takesMedia(policyOf(channel), mediaKind) && <p className="field-error">{t('planning.policy.refusesVideo')}</p>}
              {channel.platform === 'reddit' &&
                mine
                  .filter((e) => !e.locked)
                  .map((entry, i) => (
                    <div key={entry.id ?? `new-${i}`} className="grid-2 target-fields">
                      <Field label={t('planning.edit.subreddit', { handle: channel.handle })}>
                        {(c) => <input {...c} value={text(entry.options.subreddit)} onChange={(e) => setOption(entry, 'subreddit', e.target.value)} required placeholder="r/…" maxLength={100} />}
                      </Field>
                      <Field label={t('planning.edit.flair')} hint={t('planning.edit.flairHint')}>
                        {(c) => <input {...c} value={text(entry.options.flairId)} onChange={(e) => setOption(entry, 'flairId', e.target.value)} maxLength={100} />}
                      </Field>
                    </div>
                  ))}
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
