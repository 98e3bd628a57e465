import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { MediaError } from '../media/errors.ts';
import { audioStream, escapeFilterValue, FFMPEG, FFMPEG_BASE_ARGS, ffprobe, resolveFontFile, runTool, withTempDir } from '../media/ffmpeg.ts';
import { writeMp4Xmp } from '../media/mp4-xmp.ts';

/**
 * Local "montage" clips: a handful of stills → a 9:16 1080×1920 H.264/AAC MP4 with Ken Burns motion,
 * crossfades (or hard cuts when segments are short), burned-in captions and a voice-over or a silent
 * track. Everything is one ffmpeg run; arguments are passed without a shell, caption text goes through
 * files (`textfile=`, `expansion=none`) so it is never parsed as filter syntax.
 */

export const MONTAGE_WIDTH = 1080;
export const MONTAGE_HEIGHT = 1920;
export const MIN_DURATION_SECONDS = 5;
export const MAX_DURATION_SECONDS = 30;
export const MAX_IMAGES = 30;
/** Crossfade length; used only when every segment lasts at least 3× this. */
export const CROSSFADE_SECONDS = 0.5;
/** Largest zoom of the Ken Burns motion (1 = none). */
const MAX_ZOOM = 1.15;
/**
 * Stills are prepared at this multiple of the output size: zoompan crops at whole input pixels, so a
 * larger source makes the motion smoother (less "stepping") at some CPU cost.
 */
const SOURCE_SCALE = 1.5;
const CAPTION_FONT_SIZE = 56;
const CAPTION_MAX_LINES_PER_CHUNK = 2;

export interface MontageCaption {
  text: string;
  /** Seconds from the start of the clip. */
  start: number;
  end: number;
}

export interface MontageOptions {
  /** Stills in order (any format sharp reads); each is cover-cropped (attention) to 9:16. */
  images: Buffer[];
  /** Any audio ffmpeg reads; cut or padded with silence to the clip's duration. Absent: silent track. */
  voiceOver?: Buffer;
  /** Timed captions, or one text spread over the clip in chunks of up to two lines. */
  captions?: MontageCaption[] | string;
  /** Clamped to 5..30. */
  durationSeconds: number;
  fps?: number;
  /** Default 'crossfade' (falls back to cuts when segments are shorter than 1.5 s). */
  transition?: 'crossfade' | 'cut';
  /** 0..1 while ffmpeg encodes (from `-progress`), 1 at the end. */
  onProgress?: (fraction: number) => void;
  /** XMP packet to embed (see buildXmp). The studio instead passes the clip through processMedia, which marks it. */
  xmp?: string;
  /** ffmpeg deadline; default 10 min. */
  timeoutMs?: number;
  /** Parent of the scratch directory (removed when done); default os.tmpdir(). */
  tempDir?: string;
}

export function clampDuration(seconds: number): number {
  if (!Number.isFinite(seconds)) return MIN_DURATION_SECONDS;
  return Math.min(MAX_DURATION_SECONDS, Math.max(MIN_DURATION_SECONDS, seconds));
}

/** Greedy word wrap; words longer than a line are split. */
export function wrapText(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    if (!word) continue;
    while ([...word].length > maxChars) {
      if (line) {
        lines.push(line);
        line = '';
      }
      const chars = [...word];
      lines.push(chars.slice(0, maxChars).join(''));
      word = chars.slice(maxChars).join('');
    }
    if (!line) line = word;
    else if ([...line].length + 1 + [...word].length <= maxChars) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Characters per caption line at the caption font size (DejaVu Sans Bold averages ≈0.58 em). */
export const CAPTION_MAX_CHARS = Math.floor((MONTAGE_WIDTH * 0.86) / (CAPTION_FONT_SIZE * 0.58));

export interface TimedCaption {
  lines: string[];
  start: number;
  end: number;
}

/**
 * Caption timeline for a clip of `duration` seconds. A plain string is cut at sentence ends into
 * chunks of at most two lines, each shown for a share of the clip proportional to its length.
 */
export function layoutCaptions(captions: MontageCaption[] | string | undefined, duration: number, maxChars = CAPTION_MAX_CHARS): TimedCaption[] {
  if (captions === undefined) return [];
  if (typeof captions === 'string') {
    const chunks: string[][] = [];
    for (const sentence of captions.split(/(?<=[.!?…])\s+/)) {
      const lines = wrapText(sentence, maxChars);
      for (let i = 0; i < lines.length; i += CAPTION_MAX_LINES_PER_CHUNK) chunks.push(lines.slice(i, i + CAPTION_MAX_LINES_PER_CHUNK));
    }
    const weights = chunks.map((c) => c.join(' ').length + 8);
    const total = weights.reduce((a, b) => a + b, 0);
    let t = 0;
    return chunks.map((lines, i) => {
      const start = t;
      t += (duration * weights[i]!) / total;
      return { lines, start, end: i === chunks.length - 1 ? duration : t };
    });
  }
  return captions
    .map((c) => ({ lines: wrapText(String(c.text ?? ''), maxChars), start: Math.max(0, Number(c.start)), end: Math.min(duration, Number(c.end)) }))
    .filter((c) => c.lines.length > 0 && Number.isFinite(c.start) && Number.isFinite(c.end) && c.end > c.start)
    .sort((a, b) => a.start - b.start);
}

/** Zoompan expressions for motion number `k`: zoom in / out alternate, with a pan on every other one. */
function kenBurns(k: number, frames: number, fps: number, width: number, height: number): string {
  const p = `(on/${Math.max(1, frames - 1)})`;
  const zIn = `1+${(MAX_ZOOM - 1).toFixed(4)}*${p}`;
  const zOut = `${MAX_ZOOM}-${(MAX_ZOOM - 1).toFixed(4)}*${p}`;
  const cx = '(iw-iw/zoom)/2';
  const cy = '(ih-ih/zoom)/2';
  const [z, x, y] = [
    [zIn, cx, cy], // zoom in, centred
    [zOut, `(iw-iw/zoom)*${p}`, cy], // zoom out, pan left → right
    [zIn, `(iw-iw/zoom)*(1-${p})`, cy], // zoom in, pan right → left
    [zOut, cx, `(ih-ih/zoom)*${p}`], // zoom out, pan top → bottom
  ][k % 4]!;
  // Commas inside expressions would split the filter chain: quote each expression.
  return `zoompan=z='${z}':x='${x}':y='${y}':d=${frames}:s=${width}x${height}:fps=${fps}`;
}

export interface MontagePlan {
  duration: number;
  fps: number;
  framesPerImage: number;
  crossfade: number;
}

export function planMontage(imageCount: number, durationSeconds: number, fps: number, transition: 'crossfade' | 'cut'): MontagePlan {
  const duration = clampDuration(durationSeconds);
  const n = imageCount;
  const wantFade = transition === 'crossfade' && n > 1;
  const fadeSeg = (duration + (n - 1) * CROSSFADE_SECONDS) / n;
  const crossfade = wantFade && fadeSeg >= 3 * CROSSFADE_SECONDS ? CROSSFADE_SECONDS : 0;
  const seg = crossfade ? fadeSeg : duration / n;
  // One spare frame so rounding never leaves the clip short; `-t` trims the end exactly.
  return { duration, fps, framesPerImage: Math.ceil(seg * fps) + 1, crossfade };
}

/** Builds the montage; rejects with MediaError (invalid_input, undecodable, tool_missing, timeout, cancelled…). */
export async function makeMontage(options: MontageOptions, signal?: AbortSignal): Promise<Buffer> {
  const images = options.images ?? [];
  if (images.length === 0) throw new MediaError('invalid_input', 'a montage needs at least one image');
  if (images.length > MAX_IMAGES) throw new MediaError('invalid_input', `a montage takes at most ${MAX_IMAGES} images`);
  const fps = Math.round(options.fps ?? 30);
  if (!(fps >= 1 && fps <= 60)) throw new MediaError('invalid_input', 'fps must be between 1 and 60');
  const plan = planMontage(images.length, options.durationSeconds, fps, options.transition ?? 'crossfade');
  const captions = layoutCaptions(options.captions, plan.duration);
  const onProgress = options.onProgress ?? (() => {});

  return withTempDir('atelier-montage-', async (dir) => {
    const W = MONTAGE_WIDTH;
    const H = MONTAGE_HEIGHT;
    const srcW = Math.round((W * SOURCE_SCALE) / 2) * 2;
    const srcH = Math.round((H * SOURCE_SCALE) / 2) * 2;

    // Stills: oriented, cover-cropped to 9:16 around what draws attention, metadata-free PNG.
    const imagePaths = await Promise.all(
      images.map(async (bytes, i) => {
        const path = join(dir, `image-${i}.png`);
        try {
          await sharp(bytes, { failOn: 'error' })
            .autoOrient()
            .resize(srcW, srcH, { fit: 'cover', position: sharp.strategy.attention })
            .flatten({ background: '#000000' })
            .png({ compressionLevel: 1 })
            .toFile(path);
        } catch (err) {
          throw new MediaError('undecodable', `montage image ${i + 1} does not decode: ${(err as Error).message}`, { cause: err });
        }
        return path;
      }),
    );

    const args: string[] = [...FFMPEG_BASE_ARGS];
    for (const path of imagePaths) args.push('-i', path);
    const audioInput = imagePaths.length;
    if (options.voiceOver?.length) {
      const voicePath = join(dir, 'voice');
      await writeFile(voicePath, options.voiceOver);
      const probe = await ffprobe(voicePath, { signal });
      if (!audioStream(probe)) throw new MediaError('undecodable', 'the voice-over has no audio stream');
      args.push('-i', voicePath);
    } else {
      args.push('-f', 'lavfi', '-t', plan.duration.toFixed(3), '-i', 'anullsrc=r=48000:cl=stereo');
    }

    const graph: string[] = [];
    const segLen = plan.framesPerImage / fps;
    imagePaths.forEach((_, i) => {
      // yuv444p: zoompan snaps crop origins to the chroma grid, which only 4:4:4 (or RGB) makes 1 px fine;
      // it is also cheaper to scale than RGB. 4:2:0 comes after the motion.
      graph.push(`[${i}:v]format=yuv444p,${kenBurns(i, plan.framesPerImage, fps, W, H)},setsar=1,format=yuv420p[v${i}]`);
    });
    let last = 'v0';
    if (imagePaths.length > 1 && plan.crossfade > 0) {
      for (let i = 1; i < imagePaths.length; i++) {
        const offset = i * (segLen - plan.crossfade);
        const out = `x${i}`;
        graph.push(`[${last}][v${i}]xfade=transition=fade:duration=${plan.crossfade}:offset=${offset.toFixed(4)}[${out}]`);
        last = out;
      }
    } else if (imagePaths.length > 1) {
      graph.push(`${imagePaths.map((_, i) => `[v${i}]`).join('')}concat=n=${imagePaths.length}:v=1:a=0[cat]`);
      last = 'cat';
    }

    if (captions.length) {
      const font = escapeFilterValue(await resolveFontFile());
      const lineHeight = Math.round(CAPTION_FONT_SIZE * 1.45);
      const bottom = Math.round(H * 0.8);
      const draws: string[] = [];
      let fileNo = 0;
      for (const caption of captions) {
        for (let l = 0; l < caption.lines.length; l++) {
          const textPath = join(dir, `caption-${fileNo++}.txt`);
          await writeFile(textPath, caption.lines[l]!);
          const y = bottom - (caption.lines.length - l) * lineHeight;
          draws.push(
            `drawtext=fontfile=${font}:textfile=${escapeFilterValue(textPath)}:expansion=none` +
              `:fontsize=${CAPTION_FONT_SIZE}:fontcolor=white:box=1:boxcolor=black@0.5:boxborderw=14` +
              `:x=(w-text_w)/2:y=${y}:enable=${escapeFilterValue(`between(t,${caption.start.toFixed(3)},${caption.end.toFixed(3)})`)}`,
          );
        }
      }
      graph.push(`[${last}]${draws.join(',')}[cap]`);
      last = 'cap';
    }

    const D = plan.duration.toFixed(3);
    let audioMap = `${audioInput}:a:0`;
    if (options.voiceOver?.length) {
      const fadeStart = Math.max(0, plan.duration - 0.25).toFixed(3);
      graph.push(
        `[${audioInput}:a:0]aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,apad=whole_dur=${D},atrim=0:${D},afade=t=out:st=${fadeStart}:d=0.25[aout]`,
      );
      audioMap = '[aout]';
    }

    const script = join(dir, 'graph.txt');
    await writeFile(script, graph.join(';\n'));
    const out = join(dir, 'montage.mp4');
    args.push('-filter_complex_script', script, '-map', `[${last}]`, '-map', audioMap);
    args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '21', '-pix_fmt', 'yuv420p', '-r', String(fps), '-g', String(fps * 2));
    args.push('-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2');
    args.push('-t', D, '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact');
    args.push('-movflags', '+faststart', '-progress', 'pipe:1', '-nostats', '-f', 'mp4', out);

    let pending = '';
    let lastFraction = 0;
    onProgress(0);
    await runTool(FFMPEG, args, {
      timeoutMs: options.timeoutMs ?? 10 * 60_000,
      signal,
      onStdout: (chunk) => {
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          // out_time_ms is in microseconds too (a long-standing ffmpeg quirk); prefer out_time_us.
          const m = /^out_time_(?:us|ms)=(\d+)/.exec(line.trim());
          if (!m) continue;
          const fraction = Math.min(0.99, Number(m[1]) / 1e6 / plan.duration);
          if (fraction > lastFraction) {
            lastFraction = fraction;
            onProgress(fraction);
          }
        }
      },
    });
    onProgress(1);
    const bytes = await readFile(out);
    return options.xmp ? writeMp4Xmp(bytes, options.xmp) : bytes;
  }, options.tempDir);
}
