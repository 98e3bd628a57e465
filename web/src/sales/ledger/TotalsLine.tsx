import { useTranslation } from 'react-i18next';
import { useMoney } from '../catalogue/money';
import type { Totals } from './queries';

/** Totals per currency side by side (never added together), then the converted total or why there is none. */
export function TotalsLine({ totals }: { totals: Totals }) {
  const { t } = useTranslation();
  const money = useMoney();
  const converted = totals.converted;
  return (
    <div className="ledger-totals" aria-label={t('billing.ledger.totals')}>
      {totals.byCurrency.map((c) => (
        <div key={c.currency} className="ledger-total">
          <span className="muted small">{t('billing.ledger.netIn', { currency: c.currency, count: c.count })}</span>
          <strong>{money(c.netMinor, c.currency)}</strong>
          <span className="muted small">
            {t('billing.ledger.grossFees', { gross: money(c.grossMinor, c.currency), fees: money(c.feeMinor, c.currency) })}
          </span>
        </div>
      ))}
      {totals.byCurrency.length > 0 && (
        <div className="ledger-total ledger-total-converted">
          <span className="muted small">{t('billing.ledger.converted', { currency: converted.currency })}</span>
          {'netMinor' in converted ? <strong>{money(converted.netMinor, converted.currency)}</strong> : <span className="error-note">{t('billing.ledger.missingRate', { currency: converted.error.currency, day: converted.error.day })}</span>}
        </div>
      )}
    </div>
  );
}
