import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldErrors } from '../../api/problem';
import { ErrorNote } from '../../ui/ErrorNote';
import { Field } from '../../ui/Field';
import { fromMinor, toMinor } from '../catalogue/money';
import { useBillingProfile, useSaveBillingProfile } from './queries';

/** The client this persona is billed to, the agency's share of net revenue, and a fixed monthly infrastructure share. */
export function BillingForm({ personaId, write }: { personaId: string; write: boolean }) {
  const { t } = useTranslation();
  const profile = useBillingProfile(personaId);
  const save = useSaveBillingProfile(personaId);
  const [clientName, setClientName] = useState('');
  const [clientEmail, setClientEmail] = useState('');
  const [share, setShare] = useState('0');
  const [infra, setInfra] = useState('0');
  const currency = profile.data?.currency ?? 'EUR';
  useEffect(() => {
    if (!profile.data) return;
    setClientName(profile.data.clientName);
    setClientEmail(profile.data.clientEmail ?? '');
    setShare(String(profile.data.revenueShareBps / 100));
    setInfra(fromMinor(profile.data.infrastructureMinor, profile.data.currency));
  }, [profile.data]);
  const shareBps = Math.round(Number(share.replace(',', '.')) * 100);
  const infraMinor = toMinor(infra, currency);
  const shareOk = /^\d{1,3}([.,]\d{1,2})?$/.test(share.trim()) && shareBps >= 0 && shareBps <= 10_000;
  const errors = fieldErrors(save.error);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!shareOk || infraMinor === undefined) return;
    save.mutate({ clientName: clientName.trim(), clientEmail: clientEmail.trim() || null, revenueShareBps: shareBps, infrastructureMinor: infraMinor });
  };

  return (
    <section className="panel" aria-labelledby="billing-profile-title">
      <h2 id="billing-profile-title">{t('billing.profile.title')}</h2>
      <ErrorNote error={profile.error} />
      <form onSubmit={submit} className="stack">
        <fieldset disabled={!write || save.isPending} className="plain">
          <Field label={t('billing.profile.clientName')} error={errors.clientName}>
            {(c) => <input {...c} value={clientName} maxLength={200} onChange={(e) => setClientName(e.target.value)} required />}
          </Field>
          <Field label={t('billing.profile.clientEmail')} error={errors.clientEmail}>
            {(c) => <input {...c} type="email" value={clientEmail} onChange={(e) => setClientEmail(e.target.value)} />}
          </Field>
          <Field label={t('billing.profile.share')} hint={t('billing.profile.shareHint')} error={share && !shareOk ? t('billing.profile.badShare') : undefined}>
            {(c) => <input {...c} inputMode="decimal" value={share} onChange={(e) => setShare(e.target.value)} />}
          </Field>
          <Field label={t('billing.profile.infrastructure', { currency })} error={infra && infraMinor === undefined ? t('billing.entry.badAmount') : undefined}>
            {(c) => <input {...c} inputMode="decimal" value={infra} onChange={(e) => setInfra(e.target.value)} />}
          </Field>
        </fieldset>
        {write && (
          <div className="actions">
            <button type="submit" disabled={save.isPending || !clientName.trim() || !shareOk || infraMinor === undefined}>
              {t('billing.profile.save')}
            </button>
          </div>
        )}
      </form>
      {save.isSuccess && <p role="status" className="success">{t('billing.profile.saved')}</p>}
      <ErrorNote error={Object.keys(errors).length ? null : save.error} />
    </section>
  );
}
