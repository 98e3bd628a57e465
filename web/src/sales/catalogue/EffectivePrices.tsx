import { useTranslation } from 'react-i18next';
import type { Effective } from './queries';
import { useMoney } from './money';
import { usePromotionTerms } from './terms';

/** A price as the fan sees it: the list price struck through when a promotion lowers it, and any free trial. */
export function PriceLine({ price }: { price: Omit<Effective, 'platform'> }) {
  const { t } = useTranslation();
  const money = useMoney();
  const terms = usePromotionTerms();
  const lowered = price.effectiveMinor < price.listMinor;
  return (
    <span className="price-line">
      {lowered && (
        <>
          <s aria-label={t('catalogue.price.was', { price: money(price.listMinor, price.currency) })}>{money(price.listMinor, price.currency)}</s>{' '}
        </>
      )}
      <strong>{money(price.effectiveMinor, price.currency)}</strong>
      {price.promotion && <span className="muted small"> · {t('catalogue.price.by', { name: price.promotion.name, terms: terms(price.promotion) })}</span>}
      {price.freeTrialDays !== null && <span className="badge">{t('catalogue.price.trial', { count: price.freeTrialDays })}</span>}
    </span>
  );
}

/** Effective prices now, one line per platform. */
export function EffectivePrices({ prices }: { prices: Effective[] }) {
  const { t } = useTranslation();
  if (!prices.length) return <p className="muted small">{t('catalogue.packs.noPrice')}</p>;
  return (
    <dl className="facts">
      {prices.map((p) => (
        <div key={p.platform} className="contents">
          <dt>{t(`calendar.platforms.${p.platform as 'fanvue'}`)}</dt>
          <dd>
            <PriceLine price={p} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
