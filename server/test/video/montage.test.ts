import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaError } from '../../src/generation/media/errors.ts';
import { readMp4Xmp } from '../../src/generation/media/mp4-xmp.ts';
import { buildXmp, DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA, readDigitalSourceType } from '../../src/generation/media/xmp.ts';
import {
  CAPTION_MAX_CHARS,
  clampDuration,
  layoutCaptions,
  makeMontage,
  MONTAGE_HEIGHT,
  MONTAGE_WIDTH,
  planMontage,
  wrapText,
} from '../../src/generation/video/montage.ts';
import { ffprobeJson, scene, speech, tempDir } from '../media/fixtures.ts';

describe('makeMontage', () => {
  let dir: string;
  let scratch: string;
  let cleanup: () => Promise<void>;
  let images: Buffer[];

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('atelier-montage-test-'));
    scratch = join(dir, 'scratch');
    await mkdir(scratch);
    // Small, generated stills (one landscape, one portrait) keep the run short.
    images = await Promise.all([scene(480, 360, 0), scene(360, 640, 1)]);
  });
  afterAll(() => cleanup());

  async function probe(bytes: Buffer) {
    const path = join(dir, `clip-${Math.random().toString(36).slice(2)}.mp4`);
    await writeFile(path, bytes);
    return ffprobeJson(path);
  }

  it('makes a 9:16 H.264/AAC clip of the requested length with voice-over and captions', { timeout: 120_000 }, async () => {
    const voiceOver = await speech(dir, 'Bonjour');
    const progress: number[] = [];
    const xmp = buildXmp({ personaName: 'Mia', personaId: 'p-1', generator: 'ffmpeg:montage', createdAt: new Date() });
    const t0 = performance.now();
    const clip = await makeMontage({
      images,
      voiceOver,
      captions: [
        { text: "Bonjour: it's 100% [me], \\o/ %{pts}", start: 0, end: 2.5 },
        { text: 'Second caption, a little longer so that it wraps onto a second line', start: 2.5, end: 5 },
      ],
      durationSeconds: 5,
      onProgress: (f) => progress.push(f),
      xmp,
      tempDir: scratch,
    });
    console.log(`montage 5 s, 2 images, voice + captions: ${Math.round(performance.now() - t0)} ms`);

    const info = await probe(clip);
    const video = info.streams.find((s) => s.codec_type === 'video')!;
    const audio = info.streams.find((s) => s.codec_type === 'audio');
    expect([video.codec_name, video.width, video.height]).toEqual(['h264', MONTAGE_WIDTH, MONTAGE_HEIGHT]);
    expect(audio?.codec_name).toBe('aac');
    expect(Math.abs(Number(info.format.duration) - 5)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(Number(audio!.duration) - 5)).toBeLessThanOrEqual(0.5);

    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(1);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1]!)).toBe(true);

    expect(readDigitalSourceType(readMp4Xmp(clip)!)).toBe(DIGITAL_SOURCE_TYPE_TRAINED_ALGORITHMIC_MEDIA);
    expect(await readdir(scratch)).toEqual([]);
  });

  it('adds a silent track when there is no voice-over and clamps the duration to 5..30 s', { timeout: 120_000 }, async () => {
    // 15 fps halves the work; the default (30) is covered above.
    const clip = await makeMontage({ images: [images[0]!], captions: 'One line of text. Then another sentence.', durationSeconds: 2, fps: 15, tempDir: scratch });
    const info = await probe(clip);
    const audio = info.streams.find((s) => s.codec_type === 'audio');
    expect(audio?.codec_name).toBe('aac');
    expect(Math.abs(Number(info.format.duration) - 5)).toBeLessThanOrEqual(0.5);
    expect(readMp4Xmp(clip)).toBeNull(); // no xmp asked for: the studio marks it in processMedia
  });

  it('refuses bad input with typed errors and stops when cancelled', async () => {
    const code = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => (e instanceof MediaError ? e.code : e));
    expect(await code(makeMontage({ images: [], durationSeconds: 5 }))).toBe('invalid_input');
    expect(await code(makeMontage({ images: [Buffer.from('not an image')], durationSeconds: 5, tempDir: scratch }))).toBe('undecodable');
    expect(await code(makeMontage({ images, voiceOver: Buffer.from('not audio at all'), durationSeconds: 5, tempDir: scratch }))).toBe('undecodable');
    const controller = new AbortController();
    const started = makeMontage(
      { images, durationSeconds: 30, tempDir: scratch, onProgress: (f) => f > 0 && controller.abort() },
      controller.signal,
    );
    setTimeout(() => controller.abort(), 3_000);
    expect(await code(started)).toBe('cancelled');
    expect(await readdir(scratch)).toEqual([]);
  }, 60_000);
});

describe('montage planning', () => {
  it('clamps durations', () => {
    expect(clampDuration(1)).toBe(5);
    expect(clampDuration(12.5)).toBe(12.5);
    expect(clampDuration(120)).toBe(30);
    expect(clampDuration(Number.NaN)).toBe(5);
  });

  it('crossfades when segments are long enough, cuts otherwise, and always covers the duration', () => {
    const fade = planMontage(2, 5, 30, 'crossfade');
    expect(fade.crossfade).toBe(0.5);
    expect(2 * (fade.framesPerImage / 30) - fade.crossfade).toBeGreaterThanOrEqual(5);
    const cut = planMontage(20, 5, 30, 'crossfade');
    expect(cut.crossfade).toBe(0);
    expect(20 * (cut.framesPerImage / 30)).toBeGreaterThanOrEqual(5);
    expect(planMontage(3, 60, 30, 'cut')).toMatchObject({ duration: 30, crossfade: 0 });
  });

  it('wraps and times captions', () => {
    expect(wrapText('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    const timed = layoutCaptions('First sentence here. Second one!', 10, 40);
    expect(timed.map((c) => c.lines)).toEqual([['First sentence here.'], ['Second one!']]);
    expect(timed[0]!.start).toBe(0);
    expect(timed.at(-1)!.end).toBe(10);
    expect(layoutCaptions([{ text: 'late', start: 8, end: 50 }, { text: '', start: 0, end: 1 }, { text: 'bad', start: 3, end: 2 }], 10)).toEqual([
      { lines: ['late'], start: 8, end: 10 },
    ]);
    expect(CAPTION_MAX_CHARS).toBeGreaterThan(15);
  });
});
