import { useId } from 'react';

/** One value per x position (a day, a month); null is "not known" (a gap in a line, a dashed box in bars). */
export interface ChartPoint {
  key: string;
  label: string;
  value: number | null;
}

export interface ChartProps {
  /** Names the chart for screen readers (the SVG's <title>); the visible heading is the caller's. */
  title: string;
  /** What it shows, in a sentence (the SVG's <desc>). */
  description: string;
  points: ChartPoint[];
  kind?: 'bars' | 'line';
  format: (value: number) => string;
  /** How a null value reads in tooltips and the table. */
  missing?: string;
  /** A line chart of, e.g., followers reads better from its own minimum than from zero. */
  zeroBased?: boolean;
  /** The same figures as a table, folded under this summary (the chart's text alternative). */
  table?: { summary: string; labelHeader: string; valueHeader: string };
  className?: string;
}

const W = 720;
const H = 200;
const LEFT = 56;
const RIGHT = 12;
const TOP = 12;
const BOTTOM = 24;

/**
 * Plain SVG time chart (bars or a line) shared by the ledger and analytics: the axis scales to the data,
 * negative values go below the zero line, every mark has a tooltip, and the figures can be read as a table.
 */
export function Chart({ title, description, points, kind = 'bars', format, missing = '—', zeroBased = true, table, className }: ChartProps) {
  const id = useId();
  const known = points.map((p) => p.value).filter((v): v is number => v !== null);
  const rawMax = Math.max(...known, zeroBased ? 0 : -Infinity);
  const rawMin = Math.min(...known, zeroBased ? 0 : Infinity);
  // Nothing known, or only zeros: no scale worth labelling above the zero line.
  const empty = known.length === 0 || known.every((v) => v === 0);
  // A flat series still gets a visible band around it.
  const max = empty ? 1 : rawMax === rawMin ? rawMax + Math.max(1, Math.abs(rawMax) * 0.1) : rawMax;
  const min = empty ? 0 : rawMax === rawMin && !zeroBased ? rawMin - Math.max(1, Math.abs(rawMin) * 0.1) : rawMin;
  const plotH = H - TOP - BOTTOM;
  const y = (v: number) => TOP + ((max - v) / (max - min)) * plotH;
  const slot = (W - LEFT - RIGHT) / Math.max(1, points.length);
  const cx = (i: number) => LEFT + slot * i + slot / 2;
  const baseY = y(Math.min(Math.max(0, min), max));
  const tip = (p: ChartPoint) => `${p.label}: ${p.value === null ? missing : format(p.value)}`;

  // A line breaks where a value is unknown rather than drawing through it.
  const segments: string[] = [];
  if (kind === 'line') {
    let current: string[] = [];
    points.forEach((p, i) => {
      if (p.value === null) {
        if (current.length) segments.push(current.join(' '));
        current = [];
      } else current.push(`${cx(i).toFixed(1)},${y(p.value).toFixed(1)}`);
    });
    if (current.length) segments.push(current.join(' '));
  }

  return (
    <figure className={`chart ${className ?? ''}`.trim()}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t ${id}-d`} className="chart-svg">
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{description}</desc>
        <line x1={LEFT} x2={W - RIGHT} y1={y(max)} y2={y(max)} className="chart-grid" />
        <line x1={LEFT} x2={W - RIGHT} y1={baseY} y2={baseY} className="chart-axis" />
        <text x={LEFT - 6} y={y(max) + 4} textAnchor="end" className="chart-label">
          {empty ? '' : format(max)}
        </text>
        <text x={LEFT - 6} y={y(min) + 4} textAnchor="end" className="chart-label">
          {known.length === 0 ? '' : format(min)}
        </text>
        {kind === 'bars' &&
          points.map((p, i) => {
            const x = LEFT + slot * i + Math.min(1, slot * 0.1);
            const w = Math.max(1, slot - Math.min(2, slot * 0.2));
            if (p.value === null) {
              return (
                <rect key={p.key} x={x} y={TOP} width={w} height={plotH} className="chart-missing">
                  <title>{tip(p)}</title>
                </rect>
              );
            }
            const top = Math.min(y(p.value), baseY);
            return (
              <rect key={p.key} x={x} y={top} width={w} height={Math.max(p.value === 0 ? 0 : 1, Math.abs(y(p.value) - baseY))} className={p.value < 0 ? 'chart-bar negative' : 'chart-bar'}>
                <title>{tip(p)}</title>
              </rect>
            );
          })}
        {kind === 'line' && (
          <>
            {segments.map((s, i) => (
              <polyline key={i} points={s} className="chart-line" />
            ))}
            {points.map((p, i) =>
              p.value === null ? null : (
                <circle key={p.key} cx={cx(i)} cy={y(p.value)} r={points.length > 60 ? 2 : 3} className="chart-dot">
                  <title>{tip(p)}</title>
                </circle>
              ),
            )}
          </>
        )}
        <text x={LEFT} y={H - 6} className="chart-label">
          {points[0]?.label}
        </text>
        <text x={W - RIGHT} y={H - 6} textAnchor="end" className="chart-label">
          {points.length > 1 ? points[points.length - 1]?.label : ''}
        </text>
      </svg>
      {table && (
        <details className="chart-table">
          <summary>{table.summary}</summary>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{title}</caption>
              <thead>
                <tr>
                  <th scope="col">{table.labelHeader}</th>
                  <th scope="col" className="num">
                    {table.valueHeader}
                  </th>
                </tr>
              </thead>
              <tbody>
                {points.map((p) => (
                  <tr key={p.key}>
                    <th scope="row">{p.label}</th>
                    <td className="num">{p.value === null ? missing : format(p.value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </figure>
  );
}
