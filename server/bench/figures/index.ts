import { benchPipeline } from '../../src/generation/media/bench.ts';
import { benchRating } from '../../src/safety/rating-bench.ts';
import { benchDispatch } from './dispatch.ts';
import { benchChat } from './chat.ts';
import { benchAnalytics } from './analytics.ts';

/**
 * Measurements that need no HTTP server (media processing, models). Each returns named figures; the
 * bench prints them after the HTTP table and includes them in its JSON line.
 */
export interface Figure {
  group: string;
  name: string;
  value: number;
  unit: string;
}

export interface FigureSource {
  name: string;
  run(): Promise<Figure[]>;
}

const images = () => Math.max(2, Number(process.env.BENCH_IMAGES ?? 8));

export const figureSources: FigureSource[] = [
  {
    name: 'media',
    async run() {
      const r = await benchPipeline(images());
      return [
        { group: 'media', name: 'variants+watermark+XMP pipeline (2000² → 5 variants + thumbnail)', value: r.pipelineImagesPerSec, unit: 'images/s' },
        { group: 'media', name: 'plain sharp resize of the same images', value: r.plainResizeImagesPerSec, unit: 'images/s' },
        { group: 'media', name: 'ratio pipeline / plain resize', value: r.ratio, unit: '×' },
      ];
    },
  },
  {
    name: 'rating',
    async run() {
      const r = await benchRating(images() * 2);
      return [{ group: 'rating', name: `nsfwjs rating per image (${r.backend})`, value: r.msPerImage, unit: 'ms' }];
    },
  },
  {
    name: 'dispatch',
    async run() {
      const url = process.env.BENCH_DATABASE_URL;
      if (!url) {
        process.stderr.write('bench dispatch · skipped: set BENCH_DATABASE_URL (PostgreSQL) to run it\n');
        return [];
      }
      return benchDispatch(url);
    },
  },
  {
    name: 'chat',
    async run() {
      const figures = await benchChat('pglite', null);
      const url = process.env.BENCH_DATABASE_URL;
      return url ? [...figures, ...(await benchChat('postgres', url))] : figures;
    },
  },
  {
    name: 'analytics',
    async run() {
      const figures = await benchAnalytics('pglite', null);
      const url = process.env.BENCH_DATABASE_URL;
      return url ? [...figures, ...(await benchAnalytics('postgres', url))] : figures;
    },
  },
];

export function figuresTable(figures: Figure[]): string {
  const rows = [['group', 'figure', 'value', 'unit'], ...figures.map((f) => [f.group, f.name, String(Math.round(f.value * 1000) / 1000), f.unit])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
