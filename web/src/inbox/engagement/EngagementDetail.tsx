import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/me';
import { ErrorNote } from '../../ui/ErrorNote';
import { useDateTime } from '../../ui/format';
import { StatusBadge } from './EngagementTab';
import { useEditDraft, useEngagement, useEngagementAction } from './queries';

/** One comment, mention or reply: what was said, to which post, and the answer in her voice. */
export function EngagementDetail({ id }: { id: string }) {
  const { t } = useTranslation();
  const can = useCan();
  const when = useDateTime();
  const item = useEngagement(id);
  const generate = useEngagementAction('draft');
  const send = useEngagementAction('send');
  const dismiss = useEngagementAction('dismiss');
  const edit = useEditDraft();
  const [text, setText] = useState<string | null>(null);

  if (item.isPending) return <section className="panel muted">{t('common.loading')}</section>;
  if (!item.data) return <ErrorNote error={item.error} />;
  const e = item.data;
  const draft = text ?? e.draft ?? '';
  const open = e.status !== 'sent' && e.status !== 'dismissed';
  const unknown = e.error?.kind === 'unknown_outcome';
  const write = can('inbox:write') && open;
  const busy = generate.isPending || send.isPending || dismiss.isPending || edit.isPending;
  const dirty = text !== null && text !== (e.draft ?? '');

  const save = async () => {
    if (!dirty) return;
    await edit.mutateAsync({ id, draft: draft.trim() });
    setText(null);
  };

  return (
    <section className="panel engagement-detail" aria-labelledby="engagement-detail-title">
      <div className="panel-head">
        <h2 id="engagement-detail-title">
          {t('engagement.detail.from', { handle: e.authorHandle.replace(/^@/, '') || '?' })} <StatusBadge item={e} />
        </h2>
        <span className="muted small">
          {t(`engagement.kinds.${e.kind}`)} · {e.platform} · {e.channelHandle} · {when(e.receivedAt)}
        </span>
      </div>
      <blockquote className="engagement-original prewrap">{e.text}</blockquote>
      <p className="small">
        {e.url && (
          <a href={e.url} target="_blank" rel="noreferrer noopener">
            {t('engagement.detail.openOriginal')}
          </a>
        )}
        {e.post && (
          <>
            {e.url && ' · '}
            {t('engagement.detail.onPost')}{' '}
            {e.post.url ? (
              <a href={e.post.url} target="_blank" rel="noreferrer noopener">
                {e.post.text.slice(0, 80) || t('engagement.detail.ourPost')}
              </a>
            ) : (
              <span>{e.post.text.slice(0, 80)}</span>
            )}
          </>
        )}
      </p>
      {e.error && <p className={unknown ? 'error-note' : 'notice'} role="status">{e.error.message}</p>}
      {e.status === 'sent' ? (
        <div className="stack">
          <p className="prewrap engagement-sent">{e.draft}</p>
          <p className="muted small">{t(e.automatic ? 'engagement.detail.sentAutomatically' : 'engagement.detail.sentAt', { date: when(e.repliedAt) })}</p>
        </div>
      ) : (
        <div className="stack">
          <label className="field">
            <span className="label">{t('engagement.detail.draft')}</span>
            <textarea rows={4} value={draft} readOnly={!write} placeholder={t('engagement.detail.noDraft')} onChange={(ev) => setText(ev.target.value)} onBlur={() => void save().catch(() => undefined)} />
          </label>
          <p className="field-hint">{t('engagement.detail.rules')}</p>
          {write && (
            <div className="actions">
              <button type="button" disabled={busy} onClick={() => generate.mutate(id, { onSuccess: () => setText(null) })}>
                {generate.isPending ? t('engagement.detail.generating') : draft ? t('engagement.detail.regenerate') : t('engagement.detail.generate')}
              </button>
              {dirty && (
                <button type="button" disabled={busy} onClick={() => void save().catch(() => undefined)}>
                  {t('engagement.detail.save')}
                </button>
              )}
              <button
                type="button"
                className="primary"
                disabled={busy || !draft.trim() || unknown}
                onClick={async () => {
                  try {
                    await save();
                  } catch {
                    return;
                  }
                  send.mutate(id);
                }}
              >
                {send.isPending ? t('engagement.detail.sending') : t('engagement.detail.send')}
              </button>
              <button type="button" disabled={busy} onClick={() => dismiss.mutate(id)}>
                {t('engagement.detail.dismiss')}
              </button>
            </div>
          )}
        </div>
      )}
      <ErrorNote error={generate.error ?? edit.error ?? send.error ?? dismiss.error} />
    </section>
  );
}
