import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { LocalStorage } from '../../src/platform/storage/index.ts';
import type { Rater, Rating, RatingResult } from '../../src/safety/types.ts';

/** Generated, SFW-only fixtures (gradients, shapes, test patterns, tones); nothing is committed. */

const run = promisify(execFile);

export const ORG_ID = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
export const PERSONA_ID = 'persona-123';

export async function tempDir(prefix = 'atelier-media-test-') {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function tempStorage() {
  const { dir, cleanup } = await tempDir('atelier-media-storage-');
  const storage = new LocalStorage({ root: join(dir, 'media'), urlSecret: randomBytes(32) });
  return { storage, dir, cleanup };
}

/** Records what it rated; answers `ratings[i]` for call i (default sfw). */
export function stubRater(ratings: Rating[] = []): Rater & { calls: Buffer[] } {
  const calls: Buffer[] = [];
  return {
    calls,
    async rate(image: Buffer): Promise<RatingResult> {
      const rating = ratings[calls.length] ?? 'sfw';
      calls.push(image);
      return { rating, scores: { Neutral: rating === 'sfw' ? 0.99 : 0.1, Sexy: rating === 'sfw' ? 0.01 : 0.9 }, method: 'stub' };
    },
  };
}

/** Gradient + shapes; `variant` moves things around so different variants hash differently. */
export function scene(width: number, height: number, variant = 0, opts: { transparent?: boolean } = {}): Promise<Buffer> {
  const flip = variant % 2 === 1;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="${flip ? 1 : 0}" y1="0" x2="${flip ? 0 : 1}" y2="1">
      <stop offset="0" stop-color="#2a6fdb"/><stop offset="1" stop-color="#f2c14e"/>
    </linearGradient></defs>
    ${opts.transparent ? '' : `<rect width="${width}" height="${height}" fill="url(#g)"/>`}
    <circle cx="${(flip ? 0.7 : 0.3) * width}" cy="${0.35 * height}" r="${0.2 * Math.min(width, height)}" fill="#e84855"/>
    <rect x="${(flip ? 0.1 : 0.5) * width}" y="${0.6 * height}" width="${0.35 * width}" height="${0.25 * height}" fill="#1b998b"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** Inserts tEXt chunks (keyword → text) right after IHDR, as A1111/ComfyUI do. */
export function withPngText(png: Buffer, entries: Record<string, string>): Buffer {
  const ihdrEnd = 8 + 4 + 4 + 13 + 4;
  const chunks = Object.entries(entries).map(([k, v]) => pngChunk('tEXt', Buffer.from(`${k}\0${v}`, 'latin1')));
  return Buffer.concat([png.subarray(0, ihdrEnd), ...chunks, png.subarray(ihdrEnd)]);
}

export interface PngChunkInfo {
  type: string;
  keyword?: string;
}

export function pngChunks(png: Buffer): PngChunkInfo[] {
  const out: PngChunkInfo[] = [];
  let offset = 8;
  while (offset + 8 <= png.length) {
    const len = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + len);
    const info: PngChunkInfo = { type };
    if (type === 'tEXt' || type === 'zTXt' || type === 'iTXt') info.keyword = data.toString('latin1', 0, data.indexOf(0));
    out.push(info);
    offset += 12 + len;
  }
  return out;
}

/** JPEG APPn segments: marker and the identifier at the start of the payload. */
export function jpegAppSegments(jpeg: Buffer): { marker: number; id: string }[] {
  const out: { marker: number; id: string }[] = [];
  let offset = 2;
  while (offset + 4 <= jpeg.length && jpeg[offset] === 0xff) {
    const marker = jpeg[offset + 1]!;
    if (marker === 0xda) break; // start of scan
    const len = jpeg.readUInt16BE(offset + 2);
    if (marker >= 0xe0 && marker <= 0xef) {
      const payload = jpeg.subarray(offset + 4, offset + 2 + len);
      out.push({ marker, id: payload.toString('latin1', 0, Math.max(0, payload.indexOf(0))) });
    } else if (marker === 0xfe) {
      out.push({ marker, id: 'COM' });
    }
    offset += 2 + len;
  }
  return out;
}

/** RIFF chunk ids of a WebP file. */
export function webpChunks(webp: Buffer): string[] {
  const out: string[] = [];
  let offset = 12;
  while (offset + 8 <= webp.length) {
    const id = webp.toString('latin1', offset, offset + 4);
    const len = webp.readUInt32LE(offset + 4);
    out.push(id);
    offset += 8 + len + (len % 2);
  }
  return out;
}

export async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...args], { timeout: 60_000 });
}

export async function ffprobeJson(path: string): Promise<{
  streams: { codec_type: string; codec_name: string; width?: number; height?: number; duration?: string; tags?: Record<string, string> }[];
  format: { duration?: string; format_name?: string; tags?: Record<string, string> };
}> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path], { timeout: 30_000 });
  return JSON.parse(stdout);
}

/** Metadata a provider or an editing tool might leave in a clip. */
export const LEAKY_TAGS = ['-metadata', 'title=secret prompt', '-metadata', 'comment=seed 1234 workflow', '-metadata', 'artist=Jane Q Public'];

/** testsrc + 440 Hz tone, H.264/AAC MP4 with leaky tags. */
export async function testVideo(dir: string, opts: { seconds?: number; size?: string; format?: 'mp4' | 'webm' } = {}): Promise<Buffer> {
  const seconds = String(opts.seconds ?? 2);
  const format = opts.format ?? 'mp4';
  const out = join(dir, `test-${randomBytes(4).toString('hex')}.${format}`);
  const codecs =
    format === 'mp4'
      ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac']
      : ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-c:a', 'libopus'];
  await ffmpeg([
    '-f', 'lavfi', '-i', `testsrc=size=${opts.size ?? '320x240'}:rate=25:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
    ...LEAKY_TAGS, ...codecs, '-shortest', out,
  ]);
  return readFile(out);
}

/** A tone as WAV (or MP3 with ID3 tags and attached cover art). */
export async function testTone(dir: string, opts: { seconds?: number; format?: 'wav' | 'mp3' } = {}): Promise<Buffer> {
  const seconds = String(opts.seconds ?? 2);
  const format = opts.format ?? 'wav';
  const out = join(dir, `tone-${randomBytes(4).toString('hex')}.${format}`);
  if (format === 'wav') {
    await ffmpeg(['-f', 'lavfi', '-i', `sine=frequency=523:duration=${seconds}`, ...LEAKY_TAGS, out]);
  } else {
    const cover = join(dir, 'cover.png');
    await sharp(await scene(64, 64)).toFile(cover);
    await ffmpeg([
      '-f', 'lavfi', '-i', `sine=frequency=523:duration=${seconds}`, '-i', cover,
      '-map', '0:a', '-map', '1:v', '-c:a', 'libmp3lame', '-c:v', 'png', '-disposition:v', 'attached_pic',
      '-id3v2_version', '3', ...LEAKY_TAGS, out,
    ]);
  }
  return readFile(out);
}

/** espeak-ng speech as WAV. */
export async function speech(dir: string, text: string): Promise<Buffer> {
  const out = join(dir, `speech-${randomBytes(4).toString('hex')}.wav`);
  await run('espeak-ng', ['-w', out, text], { timeout: 30_000 });
  return readFile(out);
}
