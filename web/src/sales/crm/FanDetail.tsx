import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan, useMe } from '../../app/me';
import { onLinkClick } from '../../app/router';
import { ErrorNote } from '../../ui/ErrorNote';
import { Field } from '../../ui/Field';
import { useDateTime } from '../../ui/format';
import { knownFlags, useFlagLabel } from './FansList';
import { joinList, splitList, useMoney } from './format';
import { useEraseFan, useExportFan, useFan, usePatchFan, type Fan } from './queries';

/** One fan: profile, spend (with ledger access), tags and notes, and the GDPR export and erase. */
export function FanDetail({ id }: { id: string }) {
  const { t } = useTranslation();
  const fan = useFan(id);
  return (
    <div className="stack">
      <a href="/sales/fans" onClick={onLinkClick}>
        ← {t('crm.fans.back')}
      </a>
      <ErrorNote error={fan.error} />
      {fan.isPending && <p role="status">{t('common.loading')}</p>}
      {fan.data && <FanProfile fan={fan.data} />}
      {fan.data && !fan.data.erasedAt && <FanEdit fan={fan.data} />}
      {fan.data && !fan.data.erasedAt && <FanGdpr fan={fan.data} />}
    </div>
  );
}

function FanProfile({ fan }: { fan: Fan }) {
  const { t } = useTranslation();
  const dateTime = useDateTime();
  const money = useMoney();
  return (
    <section className="panel" aria-labelledby="crm-fan-title">
      <h2 id="crm-fan-title">{fan.erasedAt ? t('crm.fan.erasedTitle') : (fan.displayName ?? fan.handle ?? t('crm.fans.unnamed'))}</h2>
      {fan.erasedAt && <p className="muted">{t('crm.fan.erasedNote', { when: dateTime(fan.erasedAt) })}</p>}
      <dl className="facts">
        <dt>{t('crm.fan.handle')}</dt>
        <dd>{fan.handle ?? '—'}</dd>
        <dt>{t('crm.fans.columns.platform')}</dt>
        <dd>
          {fan.platform} <span className="muted small">{fan.platformFanId}</span>
        </dd>
        <dt>{t('crm.fans.columns.subscription')}</dt>
        <dd>
          {t(`crm.subscription.${fan.subscription}`)}
          {fan.subscriptionEndsAt && <span className="muted small"> · {t('crm.fan.endsAt', { when: dateTime(fan.subscriptionEndsAt) })}</span>}
        </dd>
        <dt>{t('crm.fan.firstSeen')}</dt>
        <dd>{dateTime(fan.firstSeenAt)}</dd>
        <dt>{t('crm.fans.columns.lastSeen')}</dt>
        <dd>{dateTime(fan.lastSeenAt)}</dd>
        {fan.spend && (
          <>
            <dt>{t('crm.fan.ltv')}</dt>
            <dd>
              {money(fan.spend.totalMinor, fan.spend.currency)} <span className="muted small">{t('crm.fan.purchases', { count: fan.spend.purchases })}</span>
            </dd>
            <dt>{t('crm.fan.lastPurchase')}</dt>
            <dd>{fan.spend.lastPurchaseAt ? dateTime(fan.spend.lastPurchaseAt) : '—'}</dd>
          </>
        )}
      </dl>
    </section>
  );
}

function FanEdit({ fan }: { fan: Fan }) {
  const { t } = useTranslation();
  const can = useCan();
  const me = useMe();
  const patch = usePatchFan(fan.id);
  const flagLabel = useFlagLabel();
  const [tags, setTags] = useState(joinList(fan.tags));
  const [notes, setNotes] = useState(fan.notes);
  const [language, setLanguage] = useState(fan.language ?? '');
  const [flags, setFlags] = useState<string[]>(fan.flags);
  const [saved, setSaved] = useState(false);
  const write = can('sales:write');
  // Mirrors the server: anyone who edits fans may set "stated under 18"; only an owner or admin clears it.
  const mayClearMinor = me.role === 'owner' || me.role === 'admin';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    patch.mutate({ tags: splitList(tags), notes, flags, language: language.trim() || null }, { onSuccess: () => setSaved(true) });
  };
  const toggle = (flag: string, on: boolean) => setFlags((list) => (on ? [...new Set([...list, flag])] : list.filter((f) => f !== flag)));

  return (
    <form className="panel stack" onSubmit={submit} aria-labelledby="crm-fan-edit">
      <h2 id="crm-fan-edit">{t('crm.fan.editTitle')}</h2>
      <fieldset disabled={!write}>
        <legend>{t('crm.fan.flags')}</legend>
        <div className="row tight">
          {knownFlags.map((flag) => {
            const locked = flag === 'stated_under_18' && fan.flags.includes(flag) && !mayClearMinor;
            return (
              <label key={flag} className="check">
                <input type="checkbox" checked={flags.includes(flag)} disabled={locked} onChange={(e) => toggle(flag, e.target.checked)} /> {flagLabel(flag)}
              </label>
            );
          })}
        </div>
        {fan.flags.includes('stated_under_18') && <p className="field-hint">{t('crm.fan.minorHint')}</p>}
        {fan.flags.includes('self_harm_signal') && <p className="field-hint">{t('crm.fan.selfHarmHint')}</p>}
      </fieldset>
      <Field label={t('crm.fans.columns.tags')} hint={t('crm.commaHint')}>
        {(c) => <input {...c} value={tags} readOnly={!write} onChange={(e) => setTags(e.target.value)} />}
      </Field>
      <Field label={t('crm.fan.language')}>{(c) => <input {...c} value={language} maxLength={16} readOnly={!write} onChange={(e) => setLanguage(e.target.value)} />}</Field>
      <Field label={t('crm.fan.notes')}>{(c) => <textarea {...c} rows={4} maxLength={5000} value={notes} readOnly={!write} onChange={(e) => setNotes(e.target.value)} />}</Field>
      <ErrorNote error={patch.error} />
      {write && (
        <div className="actions">
          <button type="submit" className="primary" disabled={patch.isPending}>
            {t('crm.fan.save')}
          </button>
          {saved && <span role="status">{t('crm.fan.saved')}</span>}
        </div>
      )}
    </form>
  );
}

/** Export and erase need fans:export; neither is shown to anyone else. */
function FanGdpr({ fan }: { fan: Fan }) {
  const { t } = useTranslation();
  const can = useCan();
  const exportFan = useExportFan(fan.id);
  const erase = useEraseFan(fan.id);
  const [confirming, setConfirming] = useState(false);
  if (!can('fans:export')) return null;
  return (
    <section className="panel stack" aria-labelledby="crm-fan-gdpr">
      <h2 id="crm-fan-gdpr">{t('crm.fan.gdprTitle')}</h2>
      <p className="field-hint">{t('crm.fan.gdprHint')}</p>
      <div className="actions">
        <button type="button" disabled={exportFan.isPending} onClick={() => exportFan.mutate()}>
          {t('crm.fan.export')}
        </button>
        {!confirming && (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            {t('crm.fan.erase')}
          </button>
        )}
      </div>
      {confirming && (
        <div className="crm-confirm" role="alertdialog" aria-labelledby="crm-erase-q">
          <p id="crm-erase-q">{t('crm.fan.eraseConfirm')}</p>
          <div className="actions">
            <button type="button" className="danger" disabled={erase.isPending} onClick={() => erase.mutate(undefined, { onSuccess: () => setConfirming(false) })}>
              {t('crm.fan.eraseNow')}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              {t('crm.cancel')}
            </button>
          </div>
        </div>
      )}
      <ErrorNote error={exportFan.error ?? erase.error} />
    </section>
  );
}
