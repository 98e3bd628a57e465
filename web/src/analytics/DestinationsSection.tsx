import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote } from '../ui/ErrorNote';
import { useDateTime } from '../ui/format';
import {
  reportKinds,
  useCreateDestination,
  useDeleteDestination,
  useDelivery,
  useDestinations,
  useTestDestination,
  useUpdateDestination,
  type Destination,
  type DestinationInput,
  type ReportKind,
} from './reportQueries';

type Kind = Destination['kind'];
const KINDS: Kind[] = ['telegram', 'discord', 'email', 'webhook'];

/** Where reports and alert notifications go. Secrets are write-only: the list shows which are set. */
export function DestinationsSection() {
  const { t } = useTranslation();
  const list = useDestinations(true);
  const [adding, setAdding] = useState(false);
  const items = list.data?.items ?? [];
  return (
    <section className="panel" aria-labelledby="an-destinations-title">
      <div className="panel-head">
        <h2 id="an-destinations-title">{t('analytics.destinations.title')}</h2>
        <button type="button" onClick={() => setAdding((a) => !a)} aria-expanded={adding}>
          {adding ? t('analytics.destinations.cancel') : t('analytics.destinations.add')}
        </button>
      </div>
      <p className="field-hint">{t('analytics.destinations.intro')}</p>
      <ErrorNote error={list.error} />
      {adding && <DestinationForm onDone={() => setAdding(false)} />}
      {list.data && items.length === 0 && !adding && (
        <p className="muted" data-empty="destinations">
          {t('analytics.destinations.empty')}
        </p>
      )}
      {items.length > 0 && (
        <ul className="cards an-destinations">
          {items.map((d) => (
            <DestinationCard key={d.id} destination={d} />
          ))}
        </ul>
      )}
    </section>
  );
}

function DestinationCard({ destination: d }: { destination: Destination }) {
  const { t } = useTranslation();
  const update = useUpdateDestination();
  const remove = useDeleteDestination();
  const test = useTestDestination();
  const patch = (body: Parameters<typeof update.mutate>[0]['body']) => update.mutate({ id: d.id, body });
  const toggleKind = (kind: ReportKind, on: boolean) => patch({ reports: on ? [...d.reports, kind] : d.reports.filter((k) => k !== kind) });
  const where = d.kind === 'telegram' ? String(d.config.chatId ?? '') : d.kind === 'email' ? ((d.config.to as string[] | undefined) ?? []).join(', ') : '';

  return (
    <li className="card" data-destination={d.name}>
      <div className="card-head">
        <h3>{d.name}</h3>
        <span className="badge">{t(`analytics.destinations.kinds.${d.kind}`)}</span>
        {!d.enabled && <span className="badge an-badge-warn">{t('analytics.destinations.paused')}</span>}
      </div>
      <p className="muted small">
        {where && `${where} · `}
        {d.credentialNames.length ? t('analytics.destinations.secretsSet', { names: d.credentialNames.join(', ') }) : t('analytics.destinations.noSecrets')}
      </p>
      <div className="checks-inline">
        {reportKinds.map((k) => (
          <label key={k} className="check">
            <input type="checkbox" checked={d.reports.includes(k)} disabled={update.isPending} onChange={(e) => toggleKind(k, e.target.checked)} />
            {t('analytics.destinations.reportKind', { kind: t(`analytics.reports.kinds.${k}`) })}
          </label>
        ))}
        <label className="check">
          <input type="checkbox" checked={d.alerts} disabled={update.isPending} onChange={(e) => patch({ alerts: e.target.checked })} />
          {t('analytics.destinations.alerts')}
        </label>
        <label className="check">
          <input type="checkbox" checked={d.enabled} disabled={update.isPending} onChange={(e) => patch({ enabled: e.target.checked })} />
          {t('analytics.destinations.enabled')}
        </label>
      </div>
      <div className="actions">
        <button type="button" className="small-button" onClick={() => test.mutate(d.id)} disabled={test.isPending}>
          {t('analytics.destinations.test')}
        </button>
        <button
          type="button"
          className="small-button danger"
          onClick={() => {
            if (window.confirm(t('analytics.destinations.removeConfirm', { name: d.name }))) remove.mutate(d.id);
          }}
        >
          {t('analytics.destinations.remove')}
        </button>
      </div>
      <ErrorNote error={update.error ?? remove.error ?? test.error} />
      {test.data && <TestOutcome deliveryId={test.data.deliveryId} />}
    </li>
  );
}

function TestOutcome({ deliveryId }: { deliveryId: string | null }) {
  const { t } = useTranslation();
  const dateTime = useDateTime();
  const delivery = useDelivery(deliveryId);
  if (!deliveryId) return <p className="muted small">{t('analytics.destinations.testSkipped')}</p>;
  const d = delivery.data;
  return (
    <p className="small" role="status" data-test-outcome={d?.status ?? 'pending'}>
      {!d || d.status === 'pending' ? t('analytics.destinations.testPending') : d.status === 'sent' ? t('analytics.destinations.testSent', { when: dateTime(d.sentAt) }) : t('analytics.destinations.testFailed', { error: d.error ?? '' })}
    </p>
  );
}

function DestinationForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const create = useCreateDestination();
  const [kind, setKind] = useState<Kind>('telegram');
  const [name, setName] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({ port: '587' });
  const [secure, setSecure] = useState(false);
  const [reports, setReports] = useState<ReportKind[]>(['daily', 'monthly']);
  const [alerts, setAlerts] = useState(true);
  const value = (k: string) => fields[k] ?? '';
  const set = (k: string) => (e: { target: { value: string } }) => setFields((f) => ({ ...f, [k]: e.target.value }));
  const input = (k: string, label: string, props: { type?: string; required?: boolean; hint?: string; placeholder?: string } = {}) => (
    <div className="field">
      <label htmlFor={`${id}-${k}`}>{label}</label>
      <input
        id={`${id}-${k}`}
        type={props.type ?? 'text'}
        value={value(k)}
        onChange={set(k)}
        required={props.required}
        placeholder={props.placeholder}
        autoComplete={props.type === 'password' ? 'new-password' : 'off'}
        aria-describedby={props.hint ? `${id}-${k}-hint` : undefined}
      />
      {props.hint && (
        <p className="field-hint" id={`${id}-${k}-hint`}>
          {props.hint}
        </p>
      )}
    </div>
  );

  const body = (): DestinationInput => {
    const common = { name: name.trim(), reports, alerts, enabled: true };
    if (kind === 'telegram') return { kind, ...common, config: { chatId: value('chatId').trim() }, credentials: { bot_token: value('bot_token') } };
    if (kind === 'discord') return { kind, ...common, config: {}, credentials: { webhook_url: value('webhook_url').trim() } };
    if (kind === 'webhook') return { kind, ...common, config: {}, credentials: { url: value('url').trim(), ...(value('signing_secret') ? { signing_secret: value('signing_secret') } : {}) } };
    return {
      kind,
      ...common,
      config: {
        host: value('host').trim(),
        port: Number(value('port') || 587),
        secure,
        from: value('from').trim(),
        to: value('to')
          .split(/[,;\s]+/)
          .filter(Boolean),
        ...(value('username').trim() ? { username: value('username').trim() } : {}),
      },
      credentials: value('password') ? { password: value('password') } : {},
    };
  };

  return (
    <form
      className="stack an-destination-form"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(body(), { onSuccess: onDone });
      }}
    >
      <div className="grid-2">
        <div className="field">
          <label htmlFor={`${id}-kind`}>{t('analytics.destinations.kind')}</label>
          <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`analytics.destinations.kinds.${k}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>{t('analytics.destinations.name')}</label>
          <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} />
        </div>
        {kind === 'telegram' && (
          <>
            {input('chatId', t('analytics.destinations.fields.chatId'), { required: true, hint: t('analytics.destinations.fields.chatIdHint') })}
            {input('bot_token', t('analytics.destinations.fields.botToken'), { type: 'password', required: true, hint: t('analytics.destinations.writeOnly') })}
          </>
        )}
        {kind === 'discord' && input('webhook_url', t('analytics.destinations.fields.discordUrl'), { type: 'password', required: true, hint: t('analytics.destinations.fields.discordHint') })}
        {kind === 'webhook' && (
          <>
            {input('url', t('analytics.destinations.fields.url'), { type: 'url', required: true, placeholder: 'https://' })}
            {input('signing_secret', t('analytics.destinations.fields.signingSecret'), { type: 'password', hint: t('analytics.destinations.fields.signingHint') })}
          </>
        )}
        {kind === 'email' && (
          <>
            {input('host', t('analytics.destinations.fields.host'), { required: true })}
            {input('port', t('analytics.destinations.fields.port'), { type: 'number', required: true })}
            {input('from', t('analytics.destinations.fields.from'), { type: 'email', required: true })}
            {input('to', t('analytics.destinations.fields.to'), { required: true, hint: t('analytics.destinations.fields.toHint') })}
            {input('username', t('analytics.destinations.fields.username'))}
            {input('password', t('analytics.destinations.fields.password'), { type: 'password', hint: t('analytics.destinations.writeOnly') })}
            <label className="check">
              <input type="checkbox" checked={secure} onChange={(e) => setSecure(e.target.checked)} />
              {t('analytics.destinations.fields.secure')}
            </label>
          </>
        )}
      </div>
      <fieldset>
        <legend>{t('analytics.destinations.sends')}</legend>
        <div className="checks-inline">
          {reportKinds.map((k) => (
            <label key={k} className="check">
              <input type="checkbox" checked={reports.includes(k)} onChange={(e) => setReports((r) => (e.target.checked ? [...r, k] : r.filter((x) => x !== k)))} />
              {t('analytics.destinations.reportKind', { kind: t(`analytics.reports.kinds.${k}`) })}
            </label>
          ))}
          <label className="check">
            <input type="checkbox" checked={alerts} onChange={(e) => setAlerts(e.target.checked)} />
            {t('analytics.destinations.alerts')}
          </label>
        </div>
      </fieldset>
      <ErrorNote error={create.error} />
      <button type="submit" className="primary" disabled={create.isPending}>
        {t('analytics.destinations.save')}
      </button>
    </form>
  );
}
