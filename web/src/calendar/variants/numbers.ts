import { useTranslation } from 'react-i18next';

/** Counts and probabilities in the interface language. */
export function useNumbers() {
  const { i18n } = useTranslation();
  const count = new Intl.NumberFormat(i18n.language);
  const percent = new Intl.NumberFormat(i18n.language, { style: 'percent', maximumFractionDigits: 1 });
  return { count: (n: number) => count.format(n), percent: (p: number) => percent.format(p) };
}

export const figureNames = ['impressions', 'likes', 'comments', 'shares', 'clicks'] as const;
export type FigureName = (typeof figureNames)[number];
