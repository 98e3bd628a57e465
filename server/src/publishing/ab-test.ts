/**
 * A/B decision for a post's variants by Thompson sampling: each variant's engagement rate is
 * Beta(successes + 1, trials − successes + 1) (a uniform prior updated by what the platform reported);
 * the probability that a variant is the best is estimated by drawing every variant's rate `DRAWS` times
 * and counting who wins. Pure: the caller passes the figures and, for reproducible answers, a seeded RNG.
 *
 * success = likes + comments + shares + clicks; trials = impressions. A variant whose targets report no
 * impressions (Reddit, Bluesky, Fanvue do not) cannot be compared: no probabilities, no winner.
 */

/** A winner needs at least this probability of being the best. */
export const WIN_PROBABILITY = 0.95;
/** …and every variant needs at least this many impressions, so an early lucky streak decides nothing. */
export const MIN_IMPRESSIONS = 500;
/** Monte-Carlo draws per evaluation: the estimate's standard error stays under 0.5 %. */
export const DRAWS = 10_000;

export interface VariantFigures {
  key: string;
  /** Summed over the variant's targets that report impressions; null when none does. */
  impressions: number | null;
  successes: number;
}

export type AbReason = 'decided' | 'no_impressions' | 'too_few_impressions' | 'too_close' | 'single_variant';

export interface AbVerdict {
  /** P(best) per variant key, in the order given; null when some variant has no impressions. */
  probabilities: Record<string, number> | null;
  winner: string | null;
  reason: AbReason;
}

export interface AbOptions {
  /** Uniform in [0, 1). Default Math.random; pass `seededRng(…)` for repeatable answers. */
  rng?: () => number;
  draws?: number;
  minImpressions?: number;
  threshold?: number;
}

export function evaluate(variants: VariantFigures[], options: AbOptions = {}): AbVerdict {
  const rng = options.rng ?? Math.random;
  const draws = options.draws ?? DRAWS;
  const minImpressions = options.minImpressions ?? MIN_IMPRESSIONS;
  const threshold = options.threshold ?? WIN_PROBABILITY;
  if (variants.length < 2) return { probabilities: null, winner: null, reason: 'single_variant' };
  if (variants.some((v) => !v.impressions || v.impressions <= 0)) return { probabilities: null, winner: null, reason: 'no_impressions' };

  const shapes = variants.map((v) => {
    const trials = v.impressions!;
    // A platform may count more interactions than views (e.g. views counted later): never a negative beta.
    const successes = Math.min(Math.max(0, v.successes), trials);
    return { alpha: successes + 1, beta: trials - successes + 1 };
  });
  const wins = new Array<number>(variants.length).fill(0);
  for (let i = 0; i < draws; i++) {
    let best = 0;
    let bestValue = -1;
    for (const [j, s] of shapes.entries()) {
      const value = betaSample(s.alpha, s.beta, rng);
      if (value > bestValue) {
        bestValue = value;
        best = j;
      }
    }
    wins[best]!++;
  }
  const probabilities = Object.fromEntries(variants.map((v, j) => [v.key, wins[j]! / draws]));
  const leader = variants.reduce((a, b) => (probabilities[b.key]! > probabilities[a.key]! ? b : a));
  if (probabilities[leader.key]! < threshold) return { probabilities, winner: null, reason: 'too_close' };
  if (variants.some((v) => v.impressions! < minImpressions)) return { probabilities, winner: null, reason: 'too_few_impressions' };
  return { probabilities, winner: leader.key, reason: 'decided' };
}

/** mulberry32: a tiny seeded PRNG, good enough for Monte-Carlo estimates (not for secrets). */
export function seededRng(seed: number | string): () => number {
  let state = typeof seed === 'number' ? seed >>> 0 : hash32(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function hash32(text: string): number {
  // FNV-1a
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function normalSample(rng: () => number): number {
  // Box–Muller; 1 − u keeps the logarithm finite.
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Marsaglia–Tsang for shape ≥ 1 (always the case here: shapes are counts + 1). */
function gammaSample(shape: number, rng: () => number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normalSample(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

function betaSample(alpha: number, beta: number, rng: () => number): number {
  const x = gammaSample(alpha, rng);
  const y = gammaSample(beta, rng);
  return x / (x + y);
}
