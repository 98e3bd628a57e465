/**
 * Image rating with nsfwjs (MobileNetV2, bundled in the package) on TensorFlow.js, fully offline.
 *
 * Loading (once per process, lazily, one shared promise; a failed load is forgotten so the next call
 * retries):
 * - Backend: `@tensorflow/tfjs-backend-wasm`. In Node its Emscripten loader reads the .wasm binary with
 *   fs (it only uses fetch outside Node), from the folder given to `setWasmPaths`: we resolve the
 *   package's `dist/` folder on disk with `createRequire(import.meta.url).resolve(...)`. In Node the
 *   SIMD build (`tfjs-backend-wasm-simd.wasm`) is used; threads are off there. If the wasm backend
 *   cannot start, we log a warning and fall back to the pure-JS 'cpu' backend (~15× slower).
 * - Model: `nsfwjs/core` + `nsfwjs/models/mobilenet_v2` only (not the package root, which registers all
 *   three models). The model definition dynamic-imports `dist/models/mobilenet_v2/model.min.js` and
 *   `group1-shard1of1.min.js` from the package: the topology and base64 weights ship as JS modules, are
 *   read from node_modules and handed to tf.loadLayersModel through an in-memory IOHandler. No URL is
 *   ever fetched. (nsfwjs first looks for a global `model` / `group1_shard1of1` variable, which would
 *   override the bundle: don't define globals with those names.)
 * - tfjs / nsfwjs / sharp are imported dynamically, so importing the safety module costs nothing until
 *   the first image is rated.
 *
 * Per image: sharp decodes (JPEG/PNG/WebP/GIF/AVIF/TIFF; first frame), applies EXIF orientation,
 * flattens transparency onto white (what a viewer sees), squashes to 224×224 (the same non-preserving
 * resize nsfwjs applies itself) as raw sRGB; tf.tensor3d → classify (all 5 classes) → dispose.
 *
 * Score → rating (ratingFromScores):
 *   explicit   if Porn + Hentai ≥ thresholds.explicit              (default 0.6)
 *   suggestive if Sexy ≥ thresholds.suggestive                     (default 0.5)
 *              or Porn + Hentai ≥ 0.3 (explicit-leaning but unsure: never let it pass as sfw)
 *   sfw        otherwise (Neutral and Drawing carry no weight).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { NSFWJS } from 'nsfwjs/core';
import type { Rater, Rating, RatingResult } from './types.ts';

export interface RatingThresholds {
  /** Porn + Hentai at or above this is `explicit`. */
  explicit: number;
  /** Sexy at or above this is `suggestive`. */
  suggestive: number;
}

export const DEFAULT_RATING_THRESHOLDS: Readonly<RatingThresholds> = Object.freeze({ explicit: 0.6, suggestive: 0.5 });
/** Porn + Hentai at or above this (but under the explicit threshold) is at least `suggestive`. */
export const EXPLICIT_LEANING_FLOOR = 0.3;
/** The classes nsfwjs reports, all present in every RatingResult.scores. */
export const NSFW_CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;
export const NSFW_MODEL_NAME = 'MobileNetV2';

/** Pure mapping from class scores to a rating (see the module comment). Missing classes count as 0. */
export function ratingFromScores(
  scores: Readonly<Record<string, number>>,
  thresholds: Readonly<RatingThresholds> = DEFAULT_RATING_THRESHOLDS,
): Rating {
  const explicitScore = (scores.Porn ?? 0) + (scores.Hentai ?? 0);
  if (explicitScore >= thresholds.explicit) return 'explicit';
  if ((scores.Sexy ?? 0) >= thresholds.suggestive || explicitScore >= EXPLICIT_LEANING_FLOOR) return 'suggestive';
  return 'sfw';
}

function assertThreshold(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`${name} must be a number between 0 and 1, got ${String(value)}`);
  }
}

function parseThreshold(env: Record<string, string | undefined>, key: string, fallback: number): number {
  const raw = env[key]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`${key} must be a number between 0 and 1, got "${raw}"`);
  }
  return value;
}

/**
 * Thresholds from `RATING_EXPLICIT_THRESHOLD` / `RATING_SUGGESTIVE_THRESHOLD` (0..1; unset or empty:
 * defaults 0.6 / 0.5). Throws a RangeError naming the variable when a value is not a number in 0..1.
 */
export function ratingThresholdsFromEnv(env: Record<string, string | undefined>): RatingThresholds {
  return {
    explicit: parseThreshold(env, 'RATING_EXPLICIT_THRESHOLD', DEFAULT_RATING_THRESHOLDS.explicit),
    suggestive: parseThreshold(env, 'RATING_SUGGESTIVE_THRESHOLD', DEFAULT_RATING_THRESHOLDS.suggestive),
  };
}

// ── Model loading (shared) ────────────────────────────────────────────────────────────────────────

type Tf = typeof import('@tensorflow/tfjs');
type Sharp = (typeof import('sharp'))['default'];

export interface LoadedNsfwModel {
  tf: Tf;
  sharp: Sharp;
  model: NSFWJS;
  /** The tfjs backend in use: 'wasm', or 'cpu' after a fallback. */
  backend: string;
  /** Input side in pixels (224 for MobileNetV2). */
  size: number;
}

export type WarnFn = (message: string, error?: unknown) => void;

const defaultWarn: WarnFn = (message, error) => console.warn(`[safety] ${message}`, error ?? '');
const MODEL_INPUT_SIZE = 224;

let shared: Promise<LoadedNsfwModel> | undefined;

/** The folder of the tfjs wasm binaries inside node_modules, with a trailing separator. */
export function tfjsWasmDir(): string {
  const require = createRequire(import.meta.url);
  // The package main is dist/tf-backend-wasm.node.js; the .wasm files sit next to it.
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

async function selectBackend(tf: Tf, warn: WarnFn): Promise<string> {
  try {
    const dir = tfjsWasmDir();
    if (!existsSync(path.join(dir, 'tfjs-backend-wasm.wasm'))) throw new Error(`no tfjs wasm binaries in ${dir}`);
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(dir);
    if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') failed");
  } catch (error) {
    warn('tfjs wasm backend unavailable, falling back to the (much slower) cpu backend', error);
    if (!(await tf.setBackend('cpu'))) throw new Error("neither the tfjs 'wasm' nor the 'cpu' backend could start");
  }
  await tf.ready();
  return tf.getBackend();
}

async function loadOnce(warn: WarnFn): Promise<LoadedNsfwModel> {
  const [tf, sharpModule, core, mobilenet] = await Promise.all([
    import('@tensorflow/tfjs'),
    import('sharp'),
    import('nsfwjs/core'),
    import('nsfwjs/models/mobilenet_v2'),
  ]);
  const backend = await selectBackend(tf, warn);
  const model = await core.load(NSFW_MODEL_NAME, {
    size: MODEL_INPUT_SIZE,
    modelDefinitions: [mobilenet.MobileNetV2Model],
  });
  return { tf, sharp: sharpModule.default, model, backend, size: MODEL_INPUT_SIZE };
}

/**
 * The process-wide nsfwjs model: loaded on first call, then the same promise for every caller.
 * `warn` is used only by the call that starts the load.
 */
export function loadNsfwModel(opts: { warn?: WarnFn } = {}): Promise<LoadedNsfwModel> {
  if (!shared) {
    shared = loadOnce(opts.warn ?? defaultWarn);
    shared.catch(() => {
      shared = undefined; // let a later call retry
    });
  }
  return shared;
}

// ── Rater ─────────────────────────────────────────────────────────────────────────────────────────

export interface NsfwRaterOptions {
  thresholds?: RatingThresholds;
  /** Where the wasm → cpu fallback warning goes (default: console.warn). */
  warn?: WarnFn;
}

export interface NsfwRater extends Rater {
  readonly thresholds: Readonly<RatingThresholds>;
  /** Loads the shared model now (otherwise the first rate() does). Resolves to the backend in use. */
  warmUp(): Promise<string>;
}

export function createNsfwRater(opts: NsfwRaterOptions = {}): NsfwRater {
  const thresholds = Object.freeze({ ...(opts.thresholds ?? DEFAULT_RATING_THRESHOLDS) });
  assertThreshold('thresholds.explicit', thresholds.explicit);
  assertThreshold('thresholds.suggestive', thresholds.suggestive);
  const load = (): Promise<LoadedNsfwModel> => loadNsfwModel(opts.warn ? { warn: opts.warn } : {});

  return {
    thresholds,
    async warmUp() {
      return (await load()).backend;
    },
    async rate(image: Buffer): Promise<RatingResult> {
      const { tf, sharp, model, backend, size } = await load();
      const { data, info } = await sharp(image)
        .rotate()
        .flatten({ background: { r: 255, g: 255, b: 255 } })
        .resize(size, size, { fit: 'fill' })
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3 || info.width !== size || info.height !== size) {
        throw new Error(`unexpected decoded image ${info.width}×${info.height}×${info.channels}`);
      }
      const input = tf.tensor3d(data, [size, size, 3], 'int32');
      let predictions: Awaited<ReturnType<NSFWJS['classify']>>;
      try {
        predictions = await model.classify(input, NSFW_CLASSES.length);
      } finally {
        input.dispose();
      }
      const scores: Record<string, number> = Object.fromEntries(NSFW_CLASSES.map((c) => [c, 0]));
      for (const p of predictions) scores[p.className] = p.probability;
      return {
        rating: ratingFromScores(scores, thresholds),
        scores,
        method: `nsfwjs:${NSFW_MODEL_NAME}:${backend}:e${thresholds.explicit}:s${thresholds.suggestive}`,
      };
    },
  };
}
