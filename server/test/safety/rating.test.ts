import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createNsfwRater,
  DEFAULT_RATING_THRESHOLDS,
  loadNsfwModel,
  NSFW_CLASSES,
  ratingFromScores,
  ratingThresholdsFromEnv,
} from '../../src/safety/rating.ts';
import { benchRating } from '../../src/safety/rating-bench.ts';
import { shapesImage, solidImage } from '../../src/safety/synthetic-images.ts';
import type { Rating } from '../../src/safety/types.ts';

// Fixtures are synthetic and safe for work only: solid colours and geometric shapes made with sharp.
// Suggestive/explicit outcomes are tested through ratingFromScores with made-up numbers, and through
// thresholds at the extremes (0 or 1) on the real model.

const scores = (s: Partial<Record<(typeof NSFW_CLASSES)[number], number>>): Record<string, number> => ({
  Drawing: 0,
  Hentai: 0,
  Neutral: 0,
  Porn: 0,
  Sexy: 0,
  ...s,
});

describe('ratingFromScores (pure mapping)', () => {
  const cases: [name: string, s: Record<string, number>, expected: Rating][] = [
    ['neutral photo', scores({ Neutral: 0.97, Drawing: 0.03 }), 'sfw'],
    ['drawing', scores({ Drawing: 0.9, Hentai: 0.05, Neutral: 0.05 }), 'sfw'],
    ['sexy at threshold', scores({ Sexy: 0.5, Neutral: 0.5 }), 'suggestive'],
    ['sexy just under threshold', scores({ Sexy: 0.49, Neutral: 0.51 }), 'sfw'],
    ['porn at explicit threshold', scores({ Porn: 0.6, Sexy: 0.4 }), 'explicit'],
    ['porn + hentai add up', scores({ Porn: 0.35, Hentai: 0.3, Neutral: 0.35 }), 'explicit'],
    ['explicit-leaning but unsure', scores({ Porn: 0.2, Hentai: 0.1, Neutral: 0.7 }), 'suggestive'],
    ['just under the explicit-leaning floor', scores({ Porn: 0.2, Hentai: 0.09, Neutral: 0.71 }), 'sfw'],
    ['explicit beats sexy', scores({ Porn: 0.7, Sexy: 0.3 }), 'explicit'],
    ['missing classes count as 0', { Neutral: 1 }, 'sfw'],
  ];
  it.each(cases)('%s → default thresholds', (_name, s, expected) => {
    expect(ratingFromScores(s)).toBe(expected);
  });

  it('thresholds change the outcome', () => {
    const s = scores({ Sexy: 0.45, Porn: 0.25, Hentai: 0.1, Neutral: 0.2 });
    expect(ratingFromScores(s, { explicit: 0.6, suggestive: 0.5 })).toBe('suggestive'); // via the 0.3 floor
    expect(ratingFromScores(s, { explicit: 0.35, suggestive: 0.5 })).toBe('explicit');
    const sexyOnly = scores({ Sexy: 0.45, Neutral: 0.55 });
    expect(ratingFromScores(sexyOnly, { explicit: 0.6, suggestive: 0.5 })).toBe('sfw');
    expect(ratingFromScores(sexyOnly, { explicit: 0.6, suggestive: 0.4 })).toBe('suggestive');
  });
});

describe('ratingThresholdsFromEnv', () => {
  it('defaults when unset or empty', () => {
    expect(ratingThresholdsFromEnv({})).toEqual({ explicit: 0.6, suggestive: 0.5 });
    expect(ratingThresholdsFromEnv({ RATING_EXPLICIT_THRESHOLD: '', RATING_SUGGESTIVE_THRESHOLD: ' ' })).toEqual(
      DEFAULT_RATING_THRESHOLDS,
    );
  });

  it('reads both keys', () => {
    expect(ratingThresholdsFromEnv({ RATING_EXPLICIT_THRESHOLD: '0.8', RATING_SUGGESTIVE_THRESHOLD: '0.35' })).toEqual({
      explicit: 0.8,
      suggestive: 0.35,
    });
  });

  it.each([['1.5'], ['-0.1'], ['abc'], ['NaN']])('rejects %j, naming the variable', (value) => {
    expect(() => ratingThresholdsFromEnv({ RATING_EXPLICIT_THRESHOLD: value })).toThrow(/RATING_EXPLICIT_THRESHOLD/);
    expect(() => ratingThresholdsFromEnv({ RATING_SUGGESTIVE_THRESHOLD: value })).toThrow(/RATING_SUGGESTIVE_THRESHOLD/);
  });
});

describe('createNsfwRater (nsfwjs MobileNetV2, tfjs wasm)', () => {
  const fetchSpy = vi.fn(() => Promise.reject(new Error('network access is not allowed in this test')));
  const warn = vi.fn();
  const rater = createNsfwRater({ warn });
  let firstCallMs = 0;

  beforeAll(async () => {
    // Loading must not touch the network: any fetch fails the load (and the spy records it).
    vi.stubGlobal('fetch', fetchSpy);
    const start = performance.now();
    await rater.rate(await solidImage({ r: 40, g: 90, b: 200 }));
    firstCallMs = performance.now() - start;
  }, 60_000);

  afterAll(() => {
    vi.unstubAllGlobals();
  });

  it('loaded offline, on the wasm backend', async () => {
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
    expect(await rater.warmUp()).toBe('wasm');
  });

  it.each([
    ['blue', { r: 40, g: 90, b: 200 }],
    ['black', { r: 0, g: 0, b: 0 }],
    ['white', { r: 255, g: 255, b: 255 }],
    ['green', { r: 0, g: 128, b: 0 }],
  ])('rates a solid %s image sfw, with all five classes summing to ≈1', async (_name, rgb) => {
    const result = await rater.rate(await solidImage(rgb));
    expect(result.rating).toBe('sfw');
    expect(Object.keys(result.scores).sort()).toEqual([...NSFW_CLASSES].sort());
    const sum = Object.values(result.scores).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 3);
    expect(result.method).toBe('nsfwjs:MobileNetV2:wasm:e0.6:s0.5');
  });

  it.each([0, 1, 2, 3, 4, 5])('rates generated shapes #%i sfw (PNG, JPEG, WebP)', async (i) => {
    const format = (['png', 'jpeg', 'webp'] as const)[i % 3];
    const result = await rater.rate(await shapesImage(i, { format }));
    expect(result.rating).toBe('sfw');
    const sum = Object.values(result.scores).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 3);
  });

  it('handles transparency and greyscale (decoded to 3-channel RGB)', async () => {
    const sharp = (await import('sharp')).default;
    const transparent = await sharp({
      create: { width: 64, height: 64, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();
    const grey = await sharp(await shapesImage(7)).greyscale().png().toBuffer();
    expect((await rater.rate(transparent)).rating).toBe('sfw');
    expect((await rater.rate(grey)).rating).toBe('sfw');
  });

  it('reuses the loaded model: later calls are fast, the load promise is shared', async () => {
    expect(loadNsfwModel()).toBe(loadNsfwModel());
    const image = await shapesImage(3);
    const start = performance.now();
    await rater.rate(image);
    const secondMs = performance.now() - start;
    expect(secondMs).toBeLessThan(firstCallMs);
    expect(secondMs).toBeLessThan(2000);
    // A second rater shares the same model (no reload).
    const other = createNsfwRater();
    const t2 = performance.now();
    await other.rate(image);
    expect(performance.now() - t2).toBeLessThan(2000);
  });

  it('disposes its tensors', async () => {
    const { tf } = await loadNsfwModel();
    const image = await shapesImage(2);
    await rater.rate(image);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await rater.rate(image);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('applies its thresholds to the real scores (extremes, no explicit fixture needed)', async () => {
    const image = await solidImage({ r: 40, g: 90, b: 200 });
    const alwaysExplicit = createNsfwRater({ thresholds: { explicit: 0, suggestive: 1 } });
    const alwaysSuggestive = createNsfwRater({ thresholds: { explicit: 1, suggestive: 0 } });
    const a = await alwaysExplicit.rate(image);
    expect(a.rating).toBe('explicit');
    expect(a.method).toBe('nsfwjs:MobileNetV2:wasm:e0:s1');
    expect((await alwaysSuggestive.rate(image)).rating).toBe('suggestive');
  });

  it('rejects thresholds outside 0..1', () => {
    expect(() => createNsfwRater({ thresholds: { explicit: 1.2, suggestive: 0.5 } })).toThrow(RangeError);
    expect(() => createNsfwRater({ thresholds: { explicit: 0.6, suggestive: Number.NaN } })).toThrow(RangeError);
  });

  it('rejects bytes that are not an image', async () => {
    await expect(rater.rate(Buffer.from('definitely not an image'))).rejects.toThrow();
  });

  it('benchRating reports a per-image time', async () => {
    const { msPerImage, backend } = await benchRating(3);
    expect(backend).toBe('wasm');
    expect(msPerImage).toBeGreaterThan(0);
    expect(msPerImage).toBeLessThan(5000);
  });
});
