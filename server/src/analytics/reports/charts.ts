/**
 * Small inline SVG charts for reports: drawn here, on the server, so a report page needs nothing from
 * outside (no script, no font or image fetch) and prints the same in Chromium's PDF. Every label goes
 * through `escapeXml`; values are numbers we computed.
 */

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeXml = (value: unknown) => String(value ?? '').replace(/[&<>"']/g, (c) => ESC[c]!);

export interface ChartOptions {
  width?: number;
  height?: number;
  title: string;
  /** Formats axis and value labels (money, percentages…). */
  format?: (value: number) => string;
  /** Smallest distance between grid lines (1 for counts, so an empty chart does not show 0.25 steps). */
  minStep?: number;
}

const PALETTE = ['#4f46e5', '#0d9488', '#d97706', '#dc2626', '#7c3aed'];
const PAD = { top: 28, right: 12, bottom: 30, left: 64 };

/** Round tick values covering [min, max]: 1, 2, 2.5 or 5 × a power of ten apart (at least `minStep`). */
export function niceTicks(min: number, max: number, minStep = 0): number[] {
  const lo = Math.min(0, min);
  const hi = Math.max(lo + (minStep || 1), max);
  const rough = Math.max((hi - lo) / 4, minStep, Number.EPSILON);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough && s >= minStep) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = Math.floor(lo / step) * step; v < hi + step * 0.999; v += step) ticks.push(Math.round(v / step) * step);
  return ticks;
}

function frame(width: number, height: number, title: string, body: string) {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}" font-family="DejaVu Sans, Arial, sans-serif" font-size="10">
<rect width="${width}" height="${height}" fill="#ffffff"/>
<text x="${PAD.left}" y="16" font-size="12" font-weight="bold" fill="#1d1d1f">${escapeXml(title)}</text>
${body}
</svg>`;
}

/** Horizontal grid lines with their labels. */
function axis(width: number, y: (v: number) => number, ticks: number[], format: (v: number) => string) {
  return ticks
    .map((v) => `<line x1="${PAD.left}" x2="${width - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${v === 0 ? '#9ca3af' : '#e5e7eb'}"/><text x="${PAD.left - 6}" y="${(y(v) + 3).toFixed(1)}" text-anchor="end" fill="#6b7280">${escapeXml(format(v))}</text>`)
    .join('\n');
}

/** Every n-th label, so they never overlap (the last only when it is far enough from the one before). */
function xLabels(labels: string[], x: (i: number) => number, height: number) {
  const every = Math.max(1, Math.ceil(labels.length / 8));
  return labels
    .map((l, i) => {
      const shown = i % every === 0 || (i === labels.length - 1 && i % every >= every / 2);
      return shown ? `<text x="${x(i).toFixed(1)}" y="${height - 10}" text-anchor="middle" fill="#6b7280">${escapeXml(l)}</text>` : '';
    })
    .join('');
}

/** One bar per label; negative values hang below the zero line. */
export function barChart(labels: string[], values: (number | null)[], options: ChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 220;
  const format = options.format ?? ((v: number) => String(Math.round(v)));
  const known = values.filter((v): v is number => v !== null);
  const ticks = niceTicks(Math.min(0, ...known), Math.max(0, ...known), options.minStep ?? 0);
  const [min, max] = [ticks[0]!, ticks.at(-1)!];
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, labels.length);
  const y = (v: number) => PAD.top + plotH - ((v - min) / (max - min)) * plotH;
  const bars = values
    .map((v, i) => {
      if (v === null) return '';
      const top = Math.min(y(v), y(0));
      const h = Math.max(Math.abs(y(v) - y(0)), v === 0 ? 0 : 1);
      return `<rect x="${(PAD.left + i * slot + slot * 0.15).toFixed(1)}" y="${top.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="${v < 0 ? '#dc2626' : PALETTE[0]}"><title>${escapeXml(`${labels[i]}: ${format(v)}`)}</title></rect>`;
    })
    .join('');
  return frame(width, height, options.title, `${axis(width, y, ticks, format)}\n${bars}\n${xLabels(labels, (i) => PAD.left + i * slot + slot / 2, height)}`);
}

/** One polyline per series; a null value breaks the line. */
export function lineChart(labels: string[], series: { name: string; values: (number | null)[] }[], options: ChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 220;
  const format = options.format ?? ((v: number) => String(Math.round(v)));
  const known = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const ticks = niceTicks(0, Math.max(0, ...known), options.minStep ?? 0);
  const [min, max] = [ticks[0]!, ticks.at(-1)!];
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (labels.length <= 1 ? plotW / 2 : (plotW * i) / (labels.length - 1));
  const y = (v: number) => PAD.top + plotH - ((v - min) / (max - min)) * plotH;
  const paths = series
    .map((s, k) => {
      const color = PALETTE[k % PALETTE.length];
      const segments: string[] = [];
      let current: string[] = [];
      s.values.forEach((v, i) => {
        if (v === null) {
          if (current.length) segments.push(current.join(' '));
          current = [];
        } else current.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
      });
      if (current.length) segments.push(current.join(' '));
      const dots = s.values.map((v, i) => (v === null ? '' : `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2" fill="${color}"/>`)).join('');
      const legend = `<rect x="${width - PAD.right - 120}" y="${8 + k * 12}" width="8" height="8" fill="${color}"/><text x="${width - PAD.right - 108}" y="${16 + k * 12}" fill="#374151">${escapeXml(s.name)}</text>`;
      return `${segments.map((pts) => `<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"/>`).join('')}${dots}${legend}`;
    })
    .join('\n');
  return frame(width, height, options.title, `${axis(width, y, ticks, format)}\n${paths}\n${xLabels(labels, x, height)}`);
}
