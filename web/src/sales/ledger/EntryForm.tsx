import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote } from '../../ui/ErrorNote';
import { Field } from '../../ui/Field';
import { commonCurrencies, toMinor } from '../catalogue/money';
import { useCreateTransaction } from './queries';
import { KINDS } from './TransactionsPanel';

type Kind = (typeof KINDS)[number];

/** A row typed in by hand (a bank transfer, a platform without statements); amounts as shown, fee optional. */
export function EntryForm({ personaId }: { personaId: string }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<Kind>('tip');
  const [gross, setGross] = useState('');
  const [fee, setFee] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [day, setDay] = useState(() => new Date().toISOString().slice(0, 10));
  const [description, setDescription] = useState('');
  const create = useCreateTransaction();
  const grossMinor = toMinor(gross, currency);
  const feeMinor = fee.trim() ? toMinor(fee, currency) : 0;
  const valid = grossMinor !== undefined && feeMinor !== undefined && /^[A-Z]{3}$/.test(currency) && Boolean(day);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    // Money going back is negative in the books; people type it as a plain amount.
    const sign = kind === 'refund' || kind === 'chargeback' ? -1 : 1;
    create.mutate(
      { personaId, kind, grossMinor: sign * grossMinor, feeMinor: sign * feeMinor, currency, occurredAt: `${day}T12:00:00Z`, ...(description.trim() ? { description: description.trim() } : {}) },
      { onSuccess: () => (setGross(''), setFee(''), setDescription('')) },
    );
  };

  return (
    <section className="panel" aria-labelledby="ledger-entry-title">
      <h2 id="ledger-entry-title">{t('billing.entry.title')}</h2>
      <form onSubmit={submit} className="ledger-form">
        <Field label={t('billing.ledger.kind')}>
          {(c) => (
            <select {...c} value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`billing.kinds.${k}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('billing.entry.gross')} error={gross && grossMinor === undefined ? t('billing.entry.badAmount') : undefined}>
          {(c) => <input {...c} inputMode="decimal" value={gross} onChange={(e) => setGross(e.target.value)} required />}
        </Field>
        <Field label={t('billing.entry.fee')} error={fee && feeMinor === undefined ? t('billing.entry.badAmount') : undefined}>
          {(c) => <input {...c} inputMode="decimal" value={fee} onChange={(e) => setFee(e.target.value)} />}
        </Field>
        <Field label={t('billing.entry.currency')}>
          {(c) => (
            <>
              <input {...c} list="ledger-currencies" value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value.toUpperCase())} />
              <datalist id="ledger-currencies">
                {commonCurrencies.map((cur) => (
                  <option key={cur} value={cur} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label={t('billing.entry.day')}>{(c) => <input {...c} type="date" value={day} onChange={(e) => setDay(e.target.value)} required />}</Field>
        <Field label={t('billing.entry.description')}>{(c) => <input {...c} value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} />}</Field>
        <div className="actions">
          <button type="submit" disabled={!valid || create.isPending}>
            {t('billing.entry.submit')}
          </button>
        </div>
      </form>
      {create.isSuccess && <p role="status" className="success">{t('billing.entry.saved')}</p>}
      <ErrorNote error={create.error} />
    </section>
  );
}
