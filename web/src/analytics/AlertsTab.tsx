import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { onLinkClick } from '../app/router';
import { useCan } from '../app/me';
import { ErrorNote } from '../ui/ErrorNote';
import { useDateTime } from '../ui/format';
import { DeliveryList } from './ReportsTab';
import { useAcknowledge, useAlert, useAlertRules, useAlerts, useEvaluateAlerts, type Alert, type AlertRule, type AlertStatus, type Settings } from './reportQueries';

type RuleKey = keyof Settings['alerts'];
const STATUSES: AlertStatus[] = ['open', 'resolved', 'all'];

/** What went wrong and whether it still is: open alerts first, resolved ones on request, each with its notifications. */
export function AlertsTab({ personaId, personaName }: { personaId: string | null; personaName: (id: string) => string | null }) {
  const { t } = useTranslation();
  const id = useId();
  const can = useCan();
  const [status, setStatus] = useState<AlertStatus>('open');
  const [openId, setOpenId] = useState<string | null>(null);
  const alerts = useAlerts(status, personaId);
  const rules = useAlertRules();
  const evaluate = useEvaluateAlerts();
  const items = alerts.data?.items ?? [];
  const manage = can('analytics:manage');

  return (
    <div className="stack-lg">
      <div className="an-toolbar">
        <fieldset className="segmented">
          <legend className="visually-hidden">{t('analytics.alerts.show')}</legend>
          {STATUSES.map((s) => (
            <label key={s} className={s === status ? 'segment segment-on' : 'segment'}>
              <input type="radio" name={`${id}-status`} value={s} checked={s === status} onChange={() => setStatus(s)} />
              {t(`analytics.alerts.status.${s}`)}
            </label>
          ))}
        </fieldset>
        {alerts.data && (
          <span className="muted small" role="status">
            {t('analytics.alerts.openCount', { count: alerts.data.openCount })}
          </span>
        )}
        {manage && (
          <button type="button" onClick={() => evaluate.mutate()} disabled={evaluate.isPending}>
            {evaluate.isPending ? t('analytics.alerts.checking') : t('analytics.alerts.check')}
          </button>
        )}
      </div>
      <ErrorNote error={alerts.error ?? evaluate.error} />
      {evaluate.data && (
        <p className="muted small" role="status">
          {t('analytics.alerts.checked', { opened: evaluate.data.opened, resolved: evaluate.data.resolved, open: evaluate.data.open })}
        </p>
      )}
      {alerts.data && items.length === 0 && (
        <div className="panel an-empty" data-empty="alerts">
          <h2>{status === 'open' ? t('analytics.alerts.noneOpen') : t('analytics.alerts.none')}</h2>
          <p>{t('analytics.alerts.emptyHint')}</p>
          <a href="/analytics/settings" onClick={onLinkClick}>
            {t('analytics.alerts.toRules')}
          </a>
        </div>
      )}
      {items.length > 0 && (
        <ul className="cards an-alerts" aria-label={t('analytics.tabs.alerts')}>
          {items.map((a) => (
            <AlertCard
              key={a.id}
              alert={a}
              rule={rules.data?.items.find((r) => r.rule === a.rule)}
              persona={a.personaId ? personaName(a.personaId) : null}
              expanded={openId === a.id}
              onToggle={() => setOpenId((o) => (o === a.id ? null : a.id))}
              manage={manage}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

function AlertCard({ alert: a, rule, persona, expanded, onToggle, manage }: { alert: Alert; rule: AlertRule | undefined; persona: string | null; expanded: boolean; onToggle: () => void; manage: boolean }) {
  const { t } = useTranslation();
  const dateTime = useDateTime();
  const acknowledge = useAcknowledge();
  const ruleName = rule ? t(`analytics.rules.${rule.settingsKey as RuleKey}.name`) : a.rule;
  const detailsId = useId();
  return (
    <li className={`card an-alert an-alert-${a.status} an-severity-${a.severity}`} data-alert={a.rule}>
      <div className="card-head">
        <span className={`badge an-sev-${a.severity}`}>{t(`analytics.alerts.severity.${a.severity}`)}</span>
        <h3>{a.title}</h3>
      </div>
      <p className="muted small">
        {ruleName}
        {persona && ` · ${persona}`}
        {' · '}
        {a.status === 'open' ? t('analytics.alerts.since', { when: dateTime(a.openedAt) }) : t('analytics.alerts.resolvedAt', { when: dateTime(a.resolvedAt), opened: dateTime(a.openedAt) })}
        {a.status === 'open' && a.lastSeenAt !== a.openedAt && ` · ${t('analytics.alerts.lastSeen', { when: dateTime(a.lastSeenAt) })}`}
        {a.acknowledgedAt && ` · ${t('analytics.alerts.acknowledged', { when: dateTime(a.acknowledgedAt) })}`}
      </p>
      <div className="actions">
        <button type="button" className="link" onClick={onToggle} aria-expanded={expanded} aria-controls={detailsId}>
          {expanded ? t('analytics.alerts.hideNotifications') : t('analytics.alerts.showNotifications')}
        </button>
        {manage && a.status === 'open' && !a.acknowledgedAt && (
          <button type="button" className="small-button" onClick={() => acknowledge.mutate(a.id)} disabled={acknowledge.isPending}>
            {a.kind === 'event' ? t('analytics.alerts.acknowledgeResolve') : t('analytics.alerts.acknowledge')}
          </button>
        )}
      </div>
      <ErrorNote error={acknowledge.error} />
      {expanded && (
        <div id={detailsId}>
          <AlertNotifications id={a.id} />
        </div>
      )}
    </li>
  );
}

function AlertNotifications({ id }: { id: string }) {
  const { t } = useTranslation();
  const dateTime = useDateTime();
  const alert = useAlert(id);
  const deliveries = alert.data?.deliveries ?? [];
  return (
    <div className="an-alert-notes">
      <ErrorNote error={alert.error} />
      {alert.data && deliveries.length === 0 && <p className="muted small">{t('analytics.alerts.noNotifications')}</p>}
      {deliveries.length > 0 && <DeliveryList deliveries={deliveries} dateTime={dateTime} event />}
    </div>
  );
}
