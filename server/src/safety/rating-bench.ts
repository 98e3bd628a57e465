/**
 * Rating micro-benchmark for the bench runner: rates `n` generated SFW images (1024×1024 JPEG, the
 * size generations come back at, so decode + resize are included) after a warm-up, one at a time.
 */
import { createNsfwRater } from './rating.ts';
import { shapesImage } from './synthetic-images.ts';

export const BENCH_IMAGE_SIZE = 1024;

export async function benchRating(n: number): Promise<{ msPerImage: number; backend: string; images: number }> {
  const count = Math.max(1, Math.floor(n));
  const rater = createNsfwRater();
  const backend = await rater.warmUp();
  const distinct = Math.min(count, 16);
  const images = await Promise.all(
    Array.from({ length: distinct }, (_, i) => shapesImage(i, { size: BENCH_IMAGE_SIZE, format: 'jpeg' })),
  );
  // Warm-up: first inferences on a fresh backend are slower (kernel setup, allocator growth).
  for (let i = 0; i < 3; i++) await rater.rate(images[i % distinct]!);
  const start = performance.now();
  for (let i = 0; i < count; i++) await rater.rate(images[i % distinct]!);
  return { msPerImage: (performance.now() - start) / count, backend, images: count };
}
