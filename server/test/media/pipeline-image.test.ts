import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStorage } from '../../src/platform/storage/index.ts';
import {
  dHash,
  hammingDistance,
  isNearDuplicate,
  MediaError,
  processMedia,
  type ProcessedMedia,
} from '../../src/generation/media/pipeline.ts';
import { DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA, readDigitalSourceType } from '../../src/generation/media/xmp.ts';
import { jpegAppSegments, ORG_ID, PERSONA_ID, pngChunks, scene, stubRater, tempStorage, webpChunks, withPngText } from './fixtures.ts';

const A1111_PARAMETERS = 'a red circle, Negative prompt: blur, Steps: 20, Sampler: Euler a, Seed: 424242';
const COMFY_PROMPT = '{"3":{"class_type":"KSampler","inputs":{"seed":8675309}}}';
const COMFY_WORKFLOW = '{"nodes":[{"type":"CheckpointLoaderSimple"}]}';
const LEAKS = ['parameters', 'Seed: 424242', '8675309', 'CheckpointLoaderSimple', 'Jane Q Photographer', 'GPS'];

/** A 1200×1600 PNG as A1111/ComfyUI write them: generation parameters in tEXt, EXIF with artist and GPS. */
async function leakyPng(): Promise<Buffer> {
  const png = await sharp(await scene(1200, 1600))
    .withExif({
      IFD0: { Artist: 'Jane Q Photographer', Copyright: 'Jane', Software: 'ComfyUI' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 0/1' },
    })
    .png()
    .toBuffer();
  return withPngText(png, { parameters: A1111_PARAMETERS, prompt: COMFY_PROMPT, workflow: COMFY_WORKFLOW });
}

function input(bytes: Buffer, mimeType: string, extra: Partial<Parameters<typeof processMedia>[0]> = {}) {
  return { orgId: ORG_ID, personaId: PERSONA_ID, personaName: 'Léa <Test>', generator: 'Atelier / test', file: { bytes, mimeType }, ...extra };
}

/** Asserts one stored output carries our XMP and nothing else. */
async function assertCleanAndMarked(bytes: Buffer, label: string) {
  const meta = await sharp(bytes).metadata();
  expect(meta.exif, `${label}: exif`).toBeUndefined();
  expect(meta.iptc, `${label}: iptc`).toBeUndefined();
  expect(meta.comments, `${label}: png text`).toBeUndefined();
  expect(readDigitalSourceType(meta.xmpAsString ?? ''), `${label}: xmp`).toBe(DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA);
  // Uncompressed, so byte-scanning checkers find the marking too.
  expect(bytes.includes(DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA), `${label}: raw marking`).toBe(true);
  for (const leak of LEAKS) expect(bytes.includes(leak), `${label}: contains ${leak}`).toBe(false);
  if (meta.format === 'png') {
    const chunks = pngChunks(bytes);
    expect(chunks.filter((c) => ['tEXt', 'zTXt', 'eXIf'].includes(c.type)), label).toEqual([]);
    expect(chunks.filter((c) => c.type === 'iTXt').map((c) => c.keyword), label).toEqual(['XML:com.adobe.xmp']);
  } else if (meta.format === 'jpeg') {
    const app1 = jpegAppSegments(bytes).filter((s) => s.marker === 0xe1);
    expect(app1.map((s) => s.id), label).toEqual(['http://ns.adobe.com/xap/1.0/']);
    expect(jpegAppSegments(bytes).some((s) => s.id === 'COM')).toBe(false);
  } else if (meta.format === 'webp') {
    const chunks = webpChunks(bytes);
    expect(chunks).toContain('XMP ');
    expect(chunks).not.toContain('EXIF');
  }
}

describe('processMedia — images', () => {
  let storage: LocalStorage;
  let cleanup: () => Promise<void>;
  let source: Buffer;
  let result: ProcessedMedia;
  const rater = stubRater();

  beforeAll(async () => {
    ({ storage, cleanup } = await tempStorage());
    source = await leakyPng();
    // The fixture really carries what we claim to strip.
    const meta = await sharp(source).metadata();
    expect(meta.exif?.includes('Jane Q Photographer')).toBe(true);
    expect(meta.comments?.map((c) => c.keyword).sort()).toEqual(['parameters', 'prompt', 'workflow']);
    result = await processMedia(input(source, 'image/png'), { storage, rater });
  });
  afterAll(() => cleanup());

  it('describes the stored original', async () => {
    expect(result).toMatchObject({ kind: 'image', mimeType: 'image/jpeg', width: 1200, height: 1600, durationSeconds: null });
    const original = await storage.get(result.storageKey);
    expect(result.bytes).toBe(original.length);
    expect(result.storageKey).toMatch(/\.jpg$/);
    expect(result.storageKey).toContain(result.sha256);
    expect(result.phash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('cuts every variant at its size', () => {
    const sizes = Object.fromEntries(result.variants.map((v) => [v.name, [v.width, v.height, v.mimeType]]));
    expect(sizes).toEqual({
      original: [1200, 1600, 'image/jpeg'],
      portrait: [1080, 1350, 'image/jpeg'],
      story: [1080, 1920, 'image/jpeg'],
      landscape: [1600, 900, 'image/jpeg'],
      square: [1080, 1080, 'image/jpeg'],
    });
    expect(result.variants[0]!.key).toBe(result.storageKey);
  });

  it('stores variants whose real dimensions match what it reports', async () => {
    for (const v of result.variants) {
      const meta = await sharp(await storage.get(v.key)).metadata();
      expect([meta.width, meta.height], v.name).toEqual([v.width, v.height]);
      expect(v.bytes).toBe((await storage.get(v.key)).length);
    }
  });

  it('strips EXIF/GPS and PNG text chunks from every output and marks each with the IPTC XMP', async () => {
    for (const v of result.variants) await assertCleanAndMarked(await storage.get(v.key), v.name);
    const thumb = await storage.get(result.thumbnailKey!);
    await assertCleanAndMarked(thumb, 'thumbnail');
    const meta = await sharp(thumb).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 320, 427]);
    // The persona name is escaped into the packet, not injected.
    expect((await sharp(await storage.get(result.storageKey)).metadata()).xmpAsString).toContain('Léa &lt;Test&gt;');
  });

  it('rates the stored original once', async () => {
    expect(rater.calls).toHaveLength(1);
    expect(rater.calls[0]!.equals(await storage.get(result.storageKey))).toBe(true);
    expect(result.rating).toEqual({ rating: 'sfw', scores: { Neutral: 0.99, Sexy: 0.01 }, method: 'stub' });
  });

  it('produces only the variants asked for (original always)', async () => {
    const some = await processMedia(input(source, 'image/png', { variants: ['square'] }), { storage, rater: stubRater() });
    expect(some.variants.map((v) => v.name)).toEqual(['original', 'square']);
  });

  it('applies EXIF orientation before cutting', async () => {
    const jpeg = await sharp(await scene(400, 300)).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const r = await processMedia(input(jpeg, 'image/jpeg', { variants: [] }), { storage, rater: stubRater() });
    expect([r.width, r.height]).toEqual([300, 400]);
    await assertCleanAndMarked(await storage.get(r.storageKey), 'rotated');
    expect((await sharp(await storage.get(r.storageKey)).metadata()).orientation).toBeUndefined();
  });

  it('keeps transparency as PNG (and in the WebP thumbnail)', async () => {
    const png = await scene(600, 600, 0, { transparent: true });
    const r = await processMedia(input(png, 'image/png', { variants: ['story'] }), { storage, rater: stubRater() });
    expect(r.mimeType).toBe('image/png');
    expect(r.variants.map((v) => v.mimeType)).toEqual(['image/png', 'image/png']);
    for (const v of r.variants) {
      const buf = await storage.get(v.key);
      expect((await sharp(buf).metadata()).hasAlpha).toBe(true);
      await assertCleanAndMarked(buf, `alpha ${v.name}`);
    }
    expect((await sharp(await storage.get(r.thumbnailKey!)).metadata()).hasAlpha).toBe(true);
  });

  it('draws the watermark in the bottom-right corner only', async () => {
    const plain = await processMedia(input(source, 'image/png', { variants: ['portrait'] }), { storage, rater: stubRater() });
    const marked = await processMedia(input(source, 'image/png', { variants: ['portrait'], watermark: { text: '@lea.studio · AI' } }), {
      storage,
      rater: stubRater(),
    });
    const region = async (key: string, left: number, top: number) =>
      sharp(await storage.get(key)).extract({ left, top, width: 400, height: 60 }).raw().toBuffer();
    const meanDiff = (a: Buffer, b: Buffer) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;
    const [p, m] = [plain.variants[1]!.key, marked.variants[1]!.key];
    expect(meanDiff(await region(p, 680, 1290), await region(m, 680, 1290))).toBeGreaterThan(5);
    expect(meanDiff(await region(p, 0, 0), await region(m, 0, 0))).toBe(0);
    await assertCleanAndMarked(await storage.get(m), 'watermarked');
    // A watermark does not make an image a new picture.
    expect(isNearDuplicate(plain.phash!, marked.phash!)).toBe(true);
  });

  it('trusts the bytes over a generic declared type', async () => {
    const r = await processMedia(input(await scene(64, 64), 'application/octet-stream', { variants: [] }), { storage, rater: stubRater() });
    expect(r.kind).toBe('image');
  });

  it('refuses unsupported and undecodable input with a typed error', async () => {
    const deps = { storage, rater: stubRater() };
    const fail = (bytes: Buffer, mime: string) => processMedia(input(bytes, mime), deps).then(
      () => null,
      (e: unknown) => e,
    );
    const pdf = await fail(Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'), 'application/pdf');
    expect(pdf).toBeInstanceOf(MediaError);
    expect((pdf as MediaError).code).toBe('unsupported_media');
    expect(((await fail(Buffer.from('<html>502 Bad Gateway</html>'), 'image/png')) as MediaError).code).toBe('undecodable');
    expect(((await fail(source.subarray(0, 200), 'image/png')) as MediaError).code).toBe('undecodable');
    expect(((await fail(Buffer.from('just some text, no magic'), 'application/octet-stream')) as MediaError).code).toBe('unsupported_media');
    expect(((await fail(Buffer.alloc(0), 'image/png')) as MediaError).code).toBe('undecodable');
    expect(deps.rater.calls).toHaveLength(0);
  });
});

describe('perceptual hash', () => {
  it('finds a slightly altered copy and tells a different image apart', async () => {
    const original = await scene(800, 800, 0);
    const altered = await sharp(original).resize(640, 640).modulate({ brightness: 1.05 }).jpeg({ quality: 60 }).toBuffer();
    const different = await scene(800, 800, 1);
    const [h0, h1, h2] = await Promise.all([dHash(original), dHash(altered), dHash(different)]);
    expect(hammingDistance(h0, h0)).toBe(0);
    expect(isNearDuplicate(h0, h1)).toBe(true);
    expect(isNearDuplicate(h0, h2)).toBe(false);
    expect(hammingDistance(h0, h2)).toBeGreaterThan(12);
  });

  it('counts bits and validates its input', () => {
    expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hammingDistance('0000000000000000', '0000000000000101')).toBe(2);
    expect(isNearDuplicate('0000000000000000', '000000000000003f')).toBe(true);
    expect(isNearDuplicate('0000000000000000', '000000000000007f')).toBe(false);
    expect(isNearDuplicate('0000000000000000', '000000000000007f', 7)).toBe(true);
    expect(() => hammingDistance('xyz', '0000000000000000')).toThrow(TypeError);
  });
});
