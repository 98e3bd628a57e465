import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/me';
import { ErrorNote } from '../../ui/ErrorNote';
import { Field } from '../../ui/Field';
import { commonCurrencies } from '../catalogue/money';
import { usePutRates, useRates, useSalesSettings, useSetReportingCurrency } from './queries';

/** The reporting currency and the day rates into it (units of a currency per one reporting unit). */
export function RatesEditor() {
  const { t } = useTranslation();
  const can = useCan();
  const write = can('sales:write');
  const settings = useSalesSettings();
  const rates = useRates();
  const setCurrency = useSetReportingCurrency();
  const put = usePutRates();
  const [day, setDay] = useState(() => new Date().toISOString().slice(0, 10));
  const [currency, setRateCurrency] = useState('USD');
  const [rate, setRate] = useState('');
  const reporting = settings.data?.reportingCurrency ?? 'EUR';
  const valid = /^\d{1,10}(\.\d{1,8})?$/.test(rate.trim()) && Number(rate) > 0 && /^[A-Z]{3}$/.test(currency) && currency !== reporting;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (valid) put.mutate([{ day, currency, rate: rate.trim() }], { onSuccess: () => setRate('') });
  };

  return (
    <section className="panel" aria-labelledby="ledger-rates-title">
      <h2 id="ledger-rates-title">{t('billing.rates.title')}</h2>
      <Field label={t('billing.rates.reporting')} hint={t('billing.rates.reportingHint')}>
        {(c) => (
          <select {...c} value={reporting} disabled={!write || setCurrency.isPending} onChange={(e) => setCurrency.mutate(e.target.value)}>
            {[...new Set([reporting, ...commonCurrencies])].map((cur) => (
              <option key={cur} value={cur}>
                {cur}
              </option>
            ))}
          </select>
        )}
      </Field>
      {write && (
        <form onSubmit={submit} className="ledger-form">
          <Field label={t('billing.rates.day')}>{(c) => <input {...c} type="date" value={day} onChange={(e) => setDay(e.target.value)} required />}</Field>
          <Field label={t('billing.rates.currency')}>{(c) => <input {...c} value={currency} maxLength={3} onChange={(e) => setRateCurrency(e.target.value.toUpperCase())} />}</Field>
          <Field label={t('billing.rates.rate', { reporting, currency })}>{(c) => <input {...c} inputMode="decimal" value={rate} onChange={(e) => setRate(e.target.value)} />}</Field>
          <div className="actions">
            <button type="submit" disabled={!valid || put.isPending}>
              {t('billing.rates.save')}
            </button>
          </div>
        </form>
      )}
      <ErrorNote error={settings.error ?? rates.error ?? setCurrency.error ?? put.error} />
      {rates.data && rates.data.items.length > 0 ? (
        <div className="table-wrap">
          <table className="ledger-table">
            <thead>
              <tr>
                <th scope="col">{t('billing.rates.day')}</th>
                <th scope="col">{t('billing.rates.currency')}</th>
                <th scope="col" className="num">
                  {t('billing.rates.perUnit', { reporting })}
                </th>
              </tr>
            </thead>
            <tbody>
              {rates.data.items.slice(0, 50).map((r) => (
                <tr key={`${r.currency}-${r.day}`}>
                  <td>{r.day}</td>
                  <td>{r.currency}</td>
                  <td className="num">{Number(r.rate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        rates.isSuccess && <p className="muted">{t('billing.rates.empty')}</p>
      )}
    </section>
  );
}
