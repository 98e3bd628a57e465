import autocannon from 'autocannon';
import type { Platform } from '../src/platform/platform.ts';

/**
 * The bench is a list of sections (server/bench/sections/), each a few HTTP targets measured with
 * autocannon against the product running in-process. A capability adds a file there and one line in
 * sections/index.ts.
 */

export interface BenchSettings {
  seconds: number;
  warmupSeconds: number;
  connections: number;
  /** Worker threads for the load generator, so it does not share the server's event loop (0: same thread). */
  workers: number;
}

/** The running product, signed in as an owner, handed to every section. */
export interface BenchContext {
  backend: 'pglite' | 'postgres';
  baseUrl: string;
  platform: Platform;
  settings: BenchSettings;
  owner: { orgId: string; userId: string; email: string; token: string };
  /** JSON over HTTP as the owner; throws on a non-2xx answer. */
  api<T = any>(method: string, path: string, body?: unknown): Promise<T>;
}

export interface BenchTarget {
  /** Shown in the table and used by ratios, e.g. "GET /healthz". */
  name: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** Send the owner's bearer token. */
  authenticated?: boolean;
  body?: unknown;
}

export interface BenchRatio {
  name: string;
  /** Target names; the ratio is numerator req/s over denominator req/s. */
  numerator: string;
  denominator: string;
}

export interface BenchSection {
  name: string;
  /** Creates what the targets read (runs once per backend, before any measurement). */
  prepare?(ctx: BenchContext): Promise<void>;
  targets(ctx: BenchContext): BenchTarget[];
  ratios?: BenchRatio[];
}

export interface TargetResult {
  backend: string;
  section: string;
  target: string;
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export interface RatioResult {
  backend: string;
  section: string;
  ratio: string;
  value: number;
}

export async function measure(ctx: BenchContext, section: BenchSection, target: BenchTarget): Promise<TargetResult> {
  const options = {
    url: ctx.baseUrl + target.path,
    method: target.method ?? 'GET',
    connections: ctx.settings.connections,
    ...(ctx.settings.workers > 0 ? { workers: ctx.settings.workers } : {}),
    headers: {
      ...(target.authenticated ? { authorization: `Bearer ${ctx.owner.token}` } : {}),
      ...(target.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(target.body !== undefined ? { body: JSON.stringify(target.body) } : {}),
  };
  if (ctx.settings.warmupSeconds > 0) await autocannon({ ...options, duration: ctx.settings.warmupSeconds });
  const r = await autocannon({ ...options, duration: ctx.settings.seconds, title: target.name });
  return {
    backend: ctx.backend,
    section: section.name,
    target: target.name,
    requests: r.requests.total ?? Math.round(r.requests.average * r.duration),
    // Completed requests over the measured time: the per-second average undercounts a partial last second.
    rps: round(r.requests.total !== undefined && r.duration > 0 ? r.requests.total / r.duration : r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

export function ratiosOf(section: BenchSection, backend: string, results: TargetResult[]): RatioResult[] {
  return (section.ratios ?? []).flatMap((ratio) => {
    const num = results.find((r) => r.backend === backend && r.target === ratio.numerator);
    const den = results.find((r) => r.backend === backend && r.target === ratio.denominator);
    return num && den && den.rps > 0 ? [{ backend, section: section.name, ratio: ratio.name, value: round(num.rps / den.rps, 3) }] : [];
  });
}

export function table(results: TargetResult[], ratios: RatioResult[]): string {
  const rows: string[][] = [['backend', 'section', 'target', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'non-2xx', 'errors']];
  for (const r of results) {
    rows.push([r.backend, r.section, r.target, r.rps.toFixed(1), String(r.p50Ms), String(r.p99Ms), String(r.requests), String(r.non2xx), String(r.errors)]);
  }
  for (const r of ratios) rows.push([r.backend, r.section, `ratio ${r.ratio} (req/s)`, r.value.toFixed(3), '', '', '', '', '']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i >= 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
