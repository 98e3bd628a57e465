import { describe, expect, it, vi } from 'vitest';

// Separate file = separate process in this repo's vitest setup (pool: forks), so the tfjs backend
// chosen here does not leak into rating.test.ts.
vi.mock('@tensorflow/tfjs-backend-wasm', () => ({
  setWasmPaths: () => {
    throw new Error('simulated: wasm backend unavailable');
  },
}));

describe('createNsfwRater fallback', () => {
  it('falls back to the cpu backend with a warning when wasm cannot start', async () => {
    const { createNsfwRater } = await import('../../src/safety/rating.ts');
    const { solidImage } = await import('../../src/safety/synthetic-images.ts');
    const warn = vi.fn();
    const rater = createNsfwRater({ warn });
    const result = await rater.rate(await solidImage({ r: 40, g: 90, b: 200 }, { width: 64, height: 64 }));
    expect(warn).toHaveBeenCalledOnce();
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/falling back/);
    expect(result.method).toBe('nsfwjs:MobileNetV2:cpu:e0.6:s0.5');
    expect(result.rating).toBe('sfw');
  }, 60_000);
});
