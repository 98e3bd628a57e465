import { useTranslation } from 'react-i18next';
import { useMoney } from './money';

type Terms = { kind: 'percent' | 'fixed' | 'free_trial'; value: number; currency: string | null };

/** "−20 %", "−€3.00", "7-day free trial". */
export function usePromotionTerms() {
  const { t, i18n } = useTranslation();
  const money = useMoney();
  const percent = new Intl.NumberFormat(i18n.language, { style: 'percent', maximumFractionDigits: 2 });
  return (p: Terms) => {
    if (p.kind === 'percent') return t('catalogue.terms.percent', { value: percent.format(p.value / 10_000) });
    if (p.kind === 'fixed') return t('catalogue.terms.fixed', { value: p.currency ? money(p.value, p.currency) : String(p.value) });
    return t('catalogue.terms.trial', { count: p.value });
  };
}
