import { describe, expect, it } from 'vitest';
import { benchPipeline } from '../../src/generation/media/bench.ts';

describe('benchPipeline', () => {
  it('measures pipeline and plain-resize throughput on generated 2000×2000 images', { timeout: 60_000 }, async () => {
    const r = await benchPipeline(1);
    expect(r.pipelineImagesPerSec).toBeGreaterThan(0);
    expect(r.plainResizeImagesPerSec).toBeGreaterThan(0);
    expect(r.ratio).toBeCloseTo(r.pipelineImagesPerSec / r.plainResizeImagesPerSec, 10);
  });
});
