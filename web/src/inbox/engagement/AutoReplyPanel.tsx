import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan, useMe } from '../../app/me';
import { ErrorNote } from '../../ui/ErrorNote';
import { Field } from '../../ui/Field';
import { useDateTime } from '../../ui/format';
import { useAutoReply, useSetAutoReply } from './queries';

/**
 * Automatic replies on one X channel. X allows them only to people who engaged first, and AI-written
 * ones only with X's approval: the owner records its reference first, then may turn them on.
 */
export function AutoReplyPanel({ channel }: { channel: { id: string; handle: string } }) {
  const { t } = useTranslation();
  const can = useCan();
  const me = useMe();
  const when = useDateTime();
  const state = useAutoReply(channel.id);
  const save = useSetAutoReply(channel.id);
  const [reference, setReference] = useState('');
  const owner = me.role === 'owner';
  const manage = can('channels:manage');
  const data = state.data;
  if (!data?.supported) return <ErrorNote error={state.error} />;

  return (
    <section className="panel engagement-auto" aria-labelledby={`auto-${channel.id}`}>
      <div className="panel-head">
        <h2 id={`auto-${channel.id}`}>{t('engagement.autoReply.title', { handle: channel.handle })}</h2>
        <span className={data.enabled ? 'badge badge-ok' : 'badge'}>{data.enabled ? t('engagement.autoReply.on') : t('engagement.autoReply.off')}</span>
      </div>
      <p className="small">{t('engagement.autoReply.rules')}</p>
      {data.approval ? (
        <p className="small">{t('engagement.autoReply.recorded', { reference: data.approval.reference, date: when(data.approval.recordedAt) })}</p>
      ) : (
        <p className="small muted">{t('engagement.autoReply.noApproval')}</p>
      )}
      {owner && (
        <form
          className="inline-field"
          onSubmit={(ev) => {
            ev.preventDefault();
            if (reference.trim()) save.mutate({ enabled: data.enabled, approvalReference: reference.trim() }, { onSuccess: () => setReference('') });
          }}
        >
          <Field label={t('engagement.autoReply.approvalLabel')} hint={t('engagement.autoReply.approvalHint')}>
            {(control) => <input {...control} value={reference} maxLength={300} onChange={(ev) => setReference(ev.target.value)} />}
          </Field>
          <button type="submit" disabled={save.isPending || reference.trim().length < 3}>
            {t('engagement.autoReply.record')}
          </button>
        </form>
      )}
      {manage && (
        <div className="actions">
          {data.enabled ? (
            <button type="button" disabled={save.isPending} onClick={() => save.mutate({ enabled: false })}>
              {t('engagement.autoReply.turnOff')}
            </button>
          ) : (
            <button type="button" disabled={save.isPending || !owner || !data.approval} onClick={() => save.mutate({ enabled: true })}>
              {t('engagement.autoReply.turnOn')}
            </button>
          )}
          {!owner && !data.enabled && <span className="muted small">{t('engagement.autoReply.ownerOnly')}</span>}
        </div>
      )}
      <ErrorNote error={save.error} />
    </section>
  );
}
