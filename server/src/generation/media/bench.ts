import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import type { Storage, StoredObject } from '../../platform/storage/storage.ts';
import type { Rater } from '../../safety/types.ts';
import { processMedia } from './pipeline.ts';

/**
 * Imaging throughput of the pipeline against a plain sharp resize, on the same generated 2000×2000
 * PNGs (gradient + shapes, no photos):
 * - pipeline: processMedia with all variants (original, portrait, story, landscape, square), a
 *   watermark, XMP on every output, thumbnail and dHash — with an in-memory Storage and a stub Rater
 *   that answers instantly, so it measures imaging only (no disk, no NSFW model);
 * - plain: `sharp(png).resize(1080, 1350).jpeg().toBuffer()`, one output per image.
 * Images are processed one after another in both cases (sharp still uses its thread pool inside).
 */
export async function benchPipeline(n: number): Promise<{ pipelineImagesPerSec: number; plainResizeImagesPerSec: number; ratio: number }> {
  const count = Math.max(1, Math.floor(n));
  const images = await Promise.all(Array.from({ length: count }, (_, i) => benchImage(i)));
  const storage = new MemoryStorage();
  const rater: Rater = { rate: async () => ({ rating: 'sfw', scores: {}, method: 'bench-stub' }) };
  const orgId = '00000000-0000-4000-8000-000000000000';

  // Warm-up: first calls load codecs and fonts.
  await processMedia(mediaInput(orgId, images[0]!), { storage, rater });
  await sharp(images[0]!).resize(1080, 1350).jpeg().toBuffer();

  let t0 = performance.now();
  for (const png of images) await processMedia(mediaInput(orgId, png), { storage, rater });
  const pipelineSeconds = (performance.now() - t0) / 1000;

  t0 = performance.now();
  for (const png of images) await sharp(png).resize(1080, 1350).jpeg().toBuffer();
  const plainSeconds = (performance.now() - t0) / 1000;

  const pipelineImagesPerSec = count / pipelineSeconds;
  const plainResizeImagesPerSec = count / plainSeconds;
  return { pipelineImagesPerSec, plainResizeImagesPerSec, ratio: pipelineImagesPerSec / plainResizeImagesPerSec };
}

function mediaInput(orgId: string, png: Buffer) {
  return {
    orgId,
    personaId: 'bench-persona',
    personaName: 'Bench',
    generator: 'atelier-bench',
    file: { bytes: png, mimeType: 'image/png' },
    watermark: { text: '@bench · AI-generated' },
  };
}

/** A 2000×2000 PNG: diagonal gradient and a few shapes whose colours and positions depend on `seed`. */
function benchImage(seed: number): Promise<Buffer> {
  const hue = (seed * 47) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="2000">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="hsl(${hue},70%,60%)"/><stop offset="1" stop-color="hsl(${(hue + 120) % 360},60%,30%)"/>
    </linearGradient></defs>
    <rect width="2000" height="2000" fill="url(#g)"/>
    <circle cx="${600 + ((seed * 131) % 800)}" cy="800" r="420" fill="hsl(${(hue + 200) % 360},80%,70%)"/>
    <rect x="200" y="${1200 + ((seed * 53) % 300)}" width="900" height="500" rx="60" fill="hsl(${(hue + 60) % 360},50%,45%)"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** Storage that keeps objects in a Map: for benchmarks, where disk speed is not what we measure. */
export class MemoryStorage implements Storage {
  readonly kind = 'local' as const;
  readonly #objects = new Map<string, Buffer>();

  async put(orgId: string, body: Buffer, opts: { contentType: string; extension?: string }): Promise<StoredObject> {
    const sha256 = createHash('sha256').update(body).digest('hex');
    const key = `orgs/${orgId}/${sha256.slice(0, 2)}/${sha256}${opts.extension ?? ''}`;
    this.#objects.set(key, body);
    return { key, sha256, bytes: body.length, contentType: opts.contentType };
  }

  async get(key: string): Promise<Buffer> {
    const body = this.#objects.get(key);
    if (!body) throw new Error(`no object ${key}`);
    return body;
  }

  async stream(key: string): Promise<Readable> {
    return Readable.from([await this.get(key)]);
  }

  async exists(key: string): Promise<boolean> {
    return this.#objects.has(key);
  }

  async delete(key: string): Promise<void> {
    this.#objects.delete(key);
  }

  async signedUrl(key: string): Promise<string> {
    return `memory://${key}`;
  }

  async ping(): Promise<void> {}
}

if (import.meta.main) {
  const n = Number(process.argv[2] ?? 10);
  const result = await benchPipeline(n);
  console.log(JSON.stringify({ n, ...result }, null, 2));
}
