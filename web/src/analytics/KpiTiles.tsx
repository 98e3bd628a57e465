import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { Figures } from './format';
import type { KpiDefinition, Overview } from './queries';
import { change } from './range';

type Kpis = Overview['kpis'];
export type TileKey = 'revenueNetMinor' | 'roi' | 'ltvMinor' | 'engagementRate' | 'reach' | 'followerChange' | 'conversionRate' | 'publishSuccessRate' | 'errorRate' | 'availability' | 'generationSeconds' | 'chatLatencySeconds';
type Unit = 'money' | 'ratio' | 'count' | 'signed' | 'seconds';

/** The tiles, in reading order: money first, then audience, then the machinery. */
export const TILES: { key: TileKey; unit: Unit; money?: boolean; lowerIsBetter?: boolean; allTime?: boolean }[] = [
  { key: 'revenueNetMinor', unit: 'money', money: true },
  { key: 'roi', unit: 'ratio', money: true },
  { key: 'ltvMinor', unit: 'money', money: true, allTime: true },
  { key: 'reach', unit: 'count' },
  { key: 'engagementRate', unit: 'ratio' },
  { key: 'followerChange', unit: 'signed' },
  { key: 'conversionRate', unit: 'ratio' },
  { key: 'publishSuccessRate', unit: 'ratio' },
  { key: 'errorRate', unit: 'ratio', lowerIsBetter: true },
  { key: 'availability', unit: 'ratio' },
  { key: 'generationSeconds', unit: 'seconds', lowerIsBetter: true },
  { key: 'chatLatencySeconds', unit: 'seconds', lowerIsBetter: true },
];

/** The KPIs of the range with their change from the range before; each explains itself on hover or focus. */
export function KpiTiles({ overview, catalogue, f }: { overview: Overview; catalogue: KpiDefinition[]; f: Figures }) {
  const { t } = useTranslation();
  const { kpis, previous, reportingCurrency: currency, moneyHidden } = overview;
  const show = (unit: Unit, v: number | null) =>
    unit === 'money' ? f.money(v, currency) : unit === 'ratio' ? f.percent(v) : unit === 'seconds' ? f.seconds(v) : unit === 'signed' ? (v === null ? f.dash : f.signed(v)) : f.count(v);

  const detail = (key: TileKey): string | null => {
    switch (key) {
      case 'revenueNetMinor':
        return kpis.revenuePerDayMinor === null ? null : t('analytics.kpi.perDay', { amount: f.money(kpis.revenuePerDayMinor, currency) });
      case 'roi':
        return kpis.costMinor === null ? null : t('analytics.kpi.costs', { amount: f.money(kpis.costMinor, currency) });
      case 'reach':
        return t('analytics.kpi.engagements', { count: kpis.engagements, formatted: f.count(kpis.engagements) });
      case 'followerChange':
        return kpis.followers === null ? t('analytics.kpi.noFollowers') : t('analytics.kpi.followers', { count: kpis.followers, formatted: f.count(kpis.followers) });
      case 'conversionRate':
        return t('analytics.kpi.clicks', { subscribers: f.count(kpis.linkSubscribers), clicks: f.count(kpis.linkClicks) });
      case 'publishSuccessRate':
        return t('analytics.kpi.published', { published: f.count(kpis.published), failed: f.count(kpis.failed) });
      case 'ltvMinor':
        return t('analytics.kpi.allTime');
      default:
        return null;
    }
  };

  return (
    <ul className="an-tiles" aria-label={t('analytics.kpi.label')}>
      {TILES.map((tile) => {
        const value = (kpis as Kpis)[tile.key] ?? null;
        const before = tile.allTime ? null : ((previous as Partial<Kpis>)[tile.key] ?? null);
        return (
          <Tile
            key={tile.key}
            id={tile.key}
            name={t(`analytics.kpi.${tile.key}.name`)}
            value={tile.money && moneyHidden ? t('analytics.kpi.hidden') : show(tile.unit, value)}
            detail={tile.money && moneyHidden ? null : detail(tile.key)}
            trend={tile.money && moneyHidden ? null : trend(tile.unit, value, before, tile.lowerIsBetter ?? false, f)}
            trendLabel={t('analytics.kpi.vsPrevious', { days: overview.range.days })}
            hint={t(`analytics.kpi.${tile.key}.hint`)}
            formula={catalogue.find((c) => c.key === tile.key)?.formula ?? null}
            formulaLabel={t('analytics.kpi.formula')}
          />
        );
      })}
    </ul>
  );
}

/** Ratios compare in percentage points (a rate going 2% → 3% is "+1 pt", not "+50%"); the rest relatively. */
function trend(unit: Unit, value: number | null, before: number | null, lowerIsBetter: boolean, f: Figures): { text: string; good: boolean | null } | null {
  if (value === null || before === null) return null;
  if (unit === 'ratio') {
    const diff = value - before;
    if (Math.abs(diff) < 0.0005) return { text: '±0', good: null };
    return { text: `${f.signed(Math.round(diff * 1000) / 10)} pt`, good: diff > 0 !== lowerIsBetter };
  }
  // A change (followers gained) compared with the change before it says little at a glance: no trend.
  if (unit === 'signed') return null;
  const rel = change(value, before);
  if (rel === null) return null;
  if (Math.abs(rel) < 0.0005) return { text: '±0%', good: null };
  return { text: f.signedPercent(rel), good: rel > 0 !== lowerIsBetter };
}

function Tile(props: { id: string; name: string; value: string; detail: string | null; trend: { text: string; good: boolean | null } | null; trendLabel: string; hint: string; formula: string | null; formulaLabel: string }) {
  const tipId = useId();
  return (
    <li className="an-tile" data-kpi={props.id}>
      <div className="an-tile-head">
        <span className="an-tile-name">{props.name}</span>
        <button type="button" className="an-info" aria-label={props.name} aria-describedby={tipId}>
          ?
        </button>
        <span role="tooltip" id={tipId} className="an-tip">
          {props.hint}
          {props.formula && (
            <>
              <br />
              <strong>{props.formulaLabel}</strong> <span className="an-formula">{props.formula}</span>
            </>
          )}
        </span>
      </div>
      <span className="an-tile-value">{props.value}</span>
      {props.trend && (
        <span className={`an-trend ${props.trend.good === null ? '' : props.trend.good ? 'an-trend-good' : 'an-trend-bad'}`.trim()} title={props.trendLabel}>
          {props.trend.text} <span className="visually-hidden">{props.trendLabel}</span>
        </span>
      )}
      {props.detail && <span className="an-tile-detail">{props.detail}</span>}
    </li>
  );
}
