import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../app/me';
import { minorDigits } from '../sales/catalogue/money';
import { ErrorNote } from '../ui/ErrorNote';
import { DestinationsSection } from './DestinationsSection';
import { useMonthly } from './queries';
import { addDays, customProblem, utcDay } from './range';
import { useRebuild, useSaveSettings, useSettings, type Settings } from './reportQueries';

type Alerts = Settings['alerts'];
type RuleKey = keyof Alerts;
type Reports = Settings['reports'];
const HOURS = Array.from({ length: 24 }, (_, h) => h);
const RULES: RuleKey[] = ['publishFailures', 'channelReconnect', 'tokenExpiry', 'revenueDrop', 'queueBacklog', 'providerDown', 'storage', 'chatSafety'];

/** When reports are made, which alert rules run with which thresholds, where both are sent. */
export function SettingsTab() {
  const { t } = useTranslation();
  const can = useCan();
  const settings = useSettings();
  // Held here: a save re-keys the form (fresh from the server), and its outcome must outlive it.
  const save = useSaveSettings();
  const manage = can('analytics:manage');
  return (
    <div className="stack-lg">
      {!manage && <p className="muted">{t('analytics.settings.readOnly')}</p>}
      <ErrorNote error={settings.error} />
      {settings.data && <SettingsForm key={settings.data.updatedAt ?? 'defaults'} initial={settings.data.settings} readOnly={!manage} save={save} />}
      {manage && <DestinationsSection />}
      {manage && <RebuildForm />}
    </div>
  );
}

function SettingsForm({ initial, readOnly, save }: { initial: Settings; readOnly: boolean; save: ReturnType<typeof useSaveSettings> }) {
  const { t } = useTranslation();
  const id = useId();
  const can = useCan();
  const [draft, setDraft] = useState<Settings>(initial);
  const currency = useMonthly(null, 1, can('ledger:read')).data?.reportingCurrency ?? null;
  const setReport = <K extends keyof Reports>(key: K, value: Reports[K]) => setDraft((d) => ({ ...d, reports: { ...d.reports, [key]: value } }));
  const setRule = <K extends RuleKey>(key: K, value: Partial<Alerts[K]>) => setDraft((d) => ({ ...d, alerts: { ...d.alerts, [key]: { ...d.alerts[key], ...value } } }));

  const hourSelect = (label: string, value: number, onChange: (h: number) => void) => (
    <span className="inline-field">
      <label htmlFor={`${id}-${label}`}>{label}</label>
      <select id={`${id}-${label}`} value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {HOURS.map((h) => (
          <option key={h} value={h}>{`${String(h).padStart(2, '0')}:00`}</option>
        ))}
      </select>
    </span>
  );
  const number = (rule: RuleKey, field: string, label: string, value: number, onChange: (v: number) => void, props: { min: number; max?: number; step?: number }) => (
    <span className="inline-field">
      <label htmlFor={`${id}-${rule}-${field}`}>{label}</label>
      <input
        id={`${id}-${rule}-${field}`}
        type="number"
        className="an-number"
        defaultValue={value}
        {...props}
        onChange={(e) => {
          if (e.target.value !== '' && e.target.validity.valid) onChange(e.target.valueAsNumber);
        }}
      />
    </span>
  );
  const digits = currency ? minorDigits(currency) : 0;
  const { reports, alerts } = draft;

  return (
    <form
      className="stack-lg"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(draft);
      }}
    >
      <fieldset className="panel an-settings" disabled={readOnly}>
        <legend>{t('analytics.settings.reportsTitle')}</legend>
        <p className="field-hint">{t('analytics.settings.reportsIntro')}</p>
        {(['daily', 'monthly', 'weekly'] as const).map((kind) => (
          <div key={kind} className="an-setting">
            <label className="check">
              <input type="checkbox" checked={reports[kind].enabled} onChange={(e) => setReport(kind, { ...reports[kind], enabled: e.target.checked })} />
              <span>
                <strong>{t(`analytics.settings.report.${kind}`)}</strong>
                <span className="field-hint an-block">{t(`analytics.settings.report.${kind}Hint`)}</span>
              </span>
            </label>
            {hourSelect(kind === 'weekly' ? t('analytics.settings.hourLocal', { kind: t(`analytics.reports.kinds.${kind}`) }) : t('analytics.settings.hourUtc', { kind: t(`analytics.reports.kinds.${kind}`) }), reports[kind].hour, (hour) =>
              setReport(kind, { ...reports[kind], hour }),
            )}
          </div>
        ))}
        <label className="check">
          <input type="checkbox" checked={reports.perPersona} onChange={(e) => setReport('perPersona', e.target.checked)} />
          {t('analytics.settings.perPersona')}
        </label>
      </fieldset>

      <fieldset className="panel an-settings" disabled={readOnly}>
        <legend>{t('analytics.settings.alertsTitle')}</legend>
        <p className="field-hint">{t('analytics.settings.alertsIntro')}</p>
        {RULES.map((rule) => (
          <div key={rule} className="an-setting" data-rule={rule}>
            <label className="check">
              <input type="checkbox" checked={alerts[rule].enabled} onChange={(e) => setRule(rule, { enabled: e.target.checked })} />
              <span>
                <strong>{t(`analytics.rules.${rule}.name`)}</strong>
                <span className="field-hint an-block">{t(`analytics.rules.${rule}.hint`)}</span>
              </span>
            </label>
            <span className="an-setting-fields">
              {rule === 'publishFailures' && (
                <>
                  {number(rule, 'threshold', t('analytics.rules.publishFailures.threshold'), alerts.publishFailures.threshold, (threshold) => setRule('publishFailures', { threshold }), { min: 1, max: 1000 })}
                  {number(rule, 'window', t('analytics.rules.publishFailures.window'), alerts.publishFailures.windowMinutes, (windowMinutes) => setRule('publishFailures', { windowMinutes }), { min: 5, max: 1440 })}
                </>
              )}
              {rule === 'tokenExpiry' && number(rule, 'days', t('analytics.rules.tokenExpiry.days'), alerts.tokenExpiry.days, (days) => setRule('tokenExpiry', { days }), { min: 1, max: 60 })}
              {rule === 'revenueDrop' && (
                <>
                  {number(rule, 'percent', t('analytics.rules.revenueDrop.percent'), alerts.revenueDrop.percent, (percent) => setRule('revenueDrop', { percent }), { min: 1, max: 100 })}
                  {number(
                    rule,
                    'min',
                    currency ? t('analytics.rules.revenueDrop.min', { currency }) : t('analytics.rules.revenueDrop.minMinor'),
                    alerts.revenueDrop.minTrailingMinor / 10 ** digits,
                    (v) => setRule('revenueDrop', { minTrailingMinor: Math.round(v * 10 ** digits) }),
                    { min: 0, step: digits ? 1 / 10 ** digits : 1 },
                  )}
                </>
              )}
              {rule === 'queueBacklog' && number(rule, 'queued', t('analytics.rules.queueBacklog.queued'), alerts.queueBacklog.queued, (queued) => setRule('queueBacklog', { queued }), { min: 1 })}
              {rule === 'storage' &&
                number(rule, 'free', t('analytics.rules.storage.free'), Math.round(alerts.storage.freeRatio * 1000) / 10, (v) => setRule('storage', { freeRatio: v / 100 }), { min: 0.1, max: 90, step: 0.1 })}
            </span>
          </div>
        ))}
      </fieldset>
      {!readOnly && (
        <div className="actions">
          <button type="submit" className="primary" disabled={save.isPending}>
            {save.isPending ? t('analytics.settings.saving') : t('analytics.settings.save')}
          </button>
        </div>
      )}
      <ErrorNote error={save.error} />
      {save.isSuccess && (
        <p className="success" role="status">
          {t('analytics.settings.saved')}
        </p>
      )}
    </form>
  );
}

/** Recompute the rollups of a range from their sources, e.g. after importing an old statement. */
function RebuildForm() {
  const { t } = useTranslation();
  const id = useId();
  const rebuild = useRebuild();
  const today = utcDay(new Date());
  const [from, setFrom] = useState(addDays(today, -29));
  const [to, setTo] = useState(today);
  const problem = customProblem(from, to);
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('analytics.rebuild.title')}</h2>
      <p className="field-hint">{t('analytics.rebuild.intro')}</p>
      <form
        className="an-form-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (!problem) rebuild.mutate({ from, to });
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-from`}>{t('analytics.range.from')}</label>
          <input id={`${id}-from`} type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>{t('analytics.range.to')}</label>
          <input id={`${id}-to`} type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} />
        </div>
        <button type="submit" disabled={problem !== null || rebuild.isPending}>
          {t('analytics.rebuild.run')}
        </button>
      </form>
      <ErrorNote error={rebuild.error} />
      {rebuild.data && (
        <p className="success" role="status">
          {t('analytics.rebuild.queued', { from: rebuild.data.from, to: rebuild.data.to })}
        </p>
      )}
    </section>
  );
}
