import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote } from '../../ui/ErrorNote';
import { Field } from '../../ui/Field';
import { toMinor, useMoney } from '../catalogue/money';
import { useAddCost, useCostLines, type CostInput } from './queries';

const KINDS = ['manual', 'gpu', 'api', 'infrastructure', 'platform'] as const;

/** The month's costs for the persona: studio spend booked automatically, plus lines added by hand. */
export function CostLines({ personaId, month, write }: { personaId: string; month: string; write: boolean }) {
  const { t } = useTranslation();
  const money = useMoney();
  const lines = useCostLines(personaId, month);
  const add = useAddCost();
  const [kind, setKind] = useState<CostInput['kind']>('manual');
  const [description, setDescription] = useState('');
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [day, setDay] = useState(`${month}-01`);
  const amountMinor = toMinor(amount, currency);
  const valid = description.trim().length > 0 && amountMinor !== undefined && amountMinor > 0 && /^[A-Z]{3}$/.test(currency) && day.startsWith(month);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    add.mutate({ personaId, kind, description: description.trim(), amountMinor: amountMinor!, currency, occurredOn: day }, { onSuccess: () => (setDescription(''), setAmount('')) });
  };

  return (
    <section className="panel" aria-labelledby="billing-costs-title">
      <h2 id="billing-costs-title">{t('billing.costs.title', { month })}</h2>
      <ErrorNote error={lines.error ?? add.error} />
      {lines.data && lines.data.items.length === 0 && <p className="muted">{t('billing.costs.empty')}</p>}
      {lines.data && lines.data.items.length > 0 && (
        <ul className="ledger-costs">
          {lines.data.items.map((l) => (
            <li key={l.id}>
              <span>
                {l.occurredOn} · {t(`billing.costKinds.${l.kind}`)} · {l.description}
              </span>
              <strong>{money(l.amountMinor, l.currency)}</strong>
            </li>
          ))}
        </ul>
      )}
      {write && (
        <form onSubmit={submit} className="ledger-form">
          <Field label={t('billing.costs.kind')}>
            {(c) => (
              <select {...c} value={kind} onChange={(e) => setKind(e.target.value as CostInput['kind'])}>
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`billing.costKinds.${k}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('billing.costs.description')}>{(c) => <input {...c} value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} required />}</Field>
          <Field label={t('billing.costs.amount')}>{(c) => <input {...c} inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} required />}</Field>
          <Field label={t('billing.entry.currency')}>{(c) => <input {...c} value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value.toUpperCase())} />}</Field>
          <Field label={t('billing.costs.day')}>{(c) => <input {...c} type="date" value={day} onChange={(e) => setDay(e.target.value)} required />}</Field>
          <div className="actions">
            <button type="submit" disabled={!valid || add.isPending}>
              {t('billing.costs.add')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
