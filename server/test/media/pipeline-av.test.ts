import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStorage } from '../../src/platform/storage/index.ts';
import { MediaError, processMedia } from '../../src/generation/media/pipeline.ts';
import { readMp4Xmp } from '../../src/generation/media/mp4-xmp.ts';
import { DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA, readDigitalSourceType } from '../../src/generation/media/xmp.ts';
import { ffmpeg, ffprobeJson, ORG_ID, PERSONA_ID, stubRater, tempDir, tempStorage, testTone, testVideo } from './fixtures.ts';

function input(bytes: Buffer, mimeType: string, extra: Partial<Parameters<typeof processMedia>[0]> = {}) {
  return { orgId: ORG_ID, personaId: PERSONA_ID, personaName: 'Mia', generator: 'Atelier / test', file: { bytes, mimeType }, ...extra };
}

const LEAKED = ['secret prompt', 'seed 1234', 'Jane Q Public'];


describe('processMedia — video and audio', () => {
  let storage: LocalStorage;
  let cleanupStorage: () => Promise<void>;
  let dir: string;
  let cleanupDir: () => Promise<void>;
  let mp4: Buffer;
  let scratch: string;
  const scratchLeft = () => readdir(scratch);

  beforeAll(async () => {
    ({ storage, cleanup: cleanupStorage } = await tempStorage());
    ({ dir, cleanup: cleanupDir } = await tempDir());
    scratch = join(dir, 'scratch');
    await mkdir(scratch);
    mp4 = await testVideo(dir, { seconds: 2 });
  });
  afterAll(async () => {
    await cleanupStorage();
    await cleanupDir();
  });

  /** Writes a stored object to disk for ffprobe. */
  async function probeStored(key: string) {
    const path = join(dir, key.replace(/\//g, '_'));
    await writeFile(path, await storage.get(key));
    return ffprobeJson(path);
  }

  it('turns a video into a stripped, XMP-marked H.264/AAC MP4 with poster, hash and frame rating', async () => {
    const rater = stubRater(['sfw', 'suggestive', 'sfw']);
    const r = await processMedia(input(mp4, 'video/mp4'), { storage, rater, tempDir: scratch });
    expect(r).toMatchObject({ kind: 'video', mimeType: 'video/mp4', width: 320, height: 240 });
    expect(r.durationSeconds).toBeGreaterThan(1.9);
    expect(r.durationSeconds).toBeLessThan(2.2);
    expect(r.storageKey).toMatch(/\.mp4$/);
    expect(r.variants).toEqual([{ name: 'original', key: r.storageKey, width: 320, height: 240, bytes: r.bytes, mimeType: 'video/mp4' }]);

    const stored = await storage.get(r.storageKey);
    expect(readDigitalSourceType(readMp4Xmp(stored)!)).toBe(DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA);
    for (const leak of LEAKED) expect(stored.includes(leak), leak).toBe(false);
    const probe = await probeStored(r.storageKey);
    expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(probe.format.tags?.title).toBeUndefined();
    expect(probe.format.tags?.comment).toBeUndefined();
    expect(probe.format.tags?.artist).toBeUndefined();

    // Rated on 3 sampled frames; the clip is as restricted as its worst frame.
    expect(rater.calls).toHaveLength(3);
    for (const frame of rater.calls) expect((await sharp(frame).metadata()).format).toBe('png');
    expect(r.rating.rating).toBe('suggestive');
    expect(r.rating.method).toBe('stub; worst of 3 frames');

    const thumb = await storage.get(r.thumbnailKey!);
    const meta = await sharp(thumb).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 320, 240]);
    expect(readDigitalSourceType(meta.xmpAsString ?? '')).toBe(DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA);
    expect(r.phash).toMatch(/^[0-9a-f]{16}$/);
    expect(await scratchLeft()).toEqual([]);
  });

  it('stream-copies a clip that already is H.264/AAC MP4, re-encodes anything else', async () => {
    const copied = await processMedia(input(mp4, 'video/mp4'), { storage, rater: stubRater() });
    expect(copied.remuxed).toBe(true);
    const webm = await testVideo(dir, { seconds: 1, format: 'webm' });
    const encoded = await processMedia(input(webm, 'video/webm'), { storage, rater: stubRater() });
    expect(encoded.remuxed).toBe(false);
    expect(encoded.mimeType).toBe('video/mp4');
    const probe = await probeStored(encoded.storageKey);
    expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(readDigitalSourceType(readMp4Xmp(await storage.get(encoded.storageKey))!)).toBe(DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA);
  });

  it('re-encodes rotated clips upright and reports displayed dimensions', async () => {
    const src = join(dir, 'unrotated.mp4');
    const rotated = join(dir, 'rotated.mp4');
    await writeFile(src, mp4);
    await ffmpeg(['-i', src, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
    const r = await processMedia(input(await readFile(rotated), 'video/mp4'), { storage, rater: stubRater() });
    expect(r.remuxed).toBe(false);
    expect([r.width, r.height]).toEqual([240, 320]);
  });

  it('sends animated GIFs to the video pipeline', async () => {
    const gifPath = join(dir, 'anim.gif');
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10:duration=1', gifPath]);
    const r = await processMedia(input(await readFile(gifPath), 'image/gif'), { storage, rater: stubRater() });
    expect(r).toMatchObject({ kind: 'video', mimeType: 'video/mp4', width: 160, height: 120 });
    expect(readDigitalSourceType(readMp4Xmp(await storage.get(r.storageKey))!)).toBe(DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA);
  });

  it('burns a watermark into video when one is set', async () => {
    const plain = await processMedia(input(mp4, 'video/mp4'), { storage, rater: stubRater() });
    const marked = await processMedia(input(mp4, 'video/mp4', { watermark: { text: "@mia: 100% AI, 'really'" } }), { storage, rater: stubRater() });
    expect(marked.remuxed).toBe(false);
    const corner = async (key: string) => sharp(await storage.get(key)).extract({ left: 200, top: 210, width: 110, height: 25 }).raw().toBuffer();
    const a = await corner(plain.thumbnailKey!);
    const b = await corner(marked.thumbnailKey!);
    expect(a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length).toBeGreaterThan(5);
  });

  it('turns a WAV tone into an XMP-marked AAC .m4a without tags', async () => {
    const rater = stubRater();
    const wav = await testTone(dir, { seconds: 2 });
    const r = await processMedia(input(wav, 'audio/wav'), { storage, rater });
    expect(r).toMatchObject({ kind: 'audio', mimeType: 'audio/mp4', width: null, height: null, thumbnailKey: null, phash: null });
    expect(r.rating).toEqual({ rating: 'sfw', scores: {}, method: 'not-visual' });
    expect(rater.calls).toHaveLength(0);
    expect(r.storageKey).toMatch(/\.m4a$/);
    expect(r.durationSeconds).toBeGreaterThan(1.9);
    expect(r.durationSeconds).toBeLessThan(2.2);
    const stored = await storage.get(r.storageKey);
    expect(readDigitalSourceType(readMp4Xmp(stored)!)).toBe(DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA);
    const probe = await probeStored(r.storageKey);
    expect(probe.streams.map((s) => [s.codec_type, s.codec_name])).toEqual([['audio', 'aac']]);
    expect(probe.format.tags?.title).toBeUndefined();
    for (const leak of LEAKED) expect(stored.includes(leak), leak).toBe(false);
  });

  it('drops ID3 tags and cover art from an MP3', async () => {
    const mp3 = await testTone(dir, { seconds: 1, format: 'mp3' });
    expect((await ffprobeJsonOf(mp3)).streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    const r = await processMedia(input(mp3, 'audio/mpeg'), { storage, rater: stubRater() });
    expect(r.kind).toBe('audio');
    const probe = await probeStored(r.storageKey);
    expect(probe.streams.map((s) => s.codec_type)).toEqual(['audio']);
    expect(probe.format.tags?.title).toBeUndefined();
  });

  it('refuses undecodable clips with a typed error and cleans up its temp dir', async () => {
    const err = await processMedia(input(Buffer.concat([mp4.subarray(0, 64), Buffer.alloc(4096, 1)]), 'video/mp4'), {
      storage,
      rater: stubRater(),
      tempDir: scratch,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).code).toBe('undecodable');
    expect(((await processMedia(input(Buffer.from('ID3garbage-garbage-garbage'), 'audio/mpeg'), { storage, rater: stubRater(), tempDir: scratch }).catch((e: unknown) => e)) as MediaError).code).toBe(
      'undecodable',
    );
    expect(await scratchLeft()).toEqual([]);
  });

  it('stops ffmpeg when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await processMedia(input(mp4, 'video/mp4'), { storage, rater: stubRater(), signal: controller.signal }).catch((e: unknown) => e);
    expect((err as MediaError).code).toBe('cancelled');
  });

  async function ffprobeJsonOf(bytes: Buffer) {
    const path = join(dir, `probe-${Math.random().toString(36).slice(2)}`);
    await writeFile(path, bytes);
    return ffprobeJson(path);
  }
});
