import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Rater, RatingResult } from '../../safety/types.ts';
import { worstRating } from '../../safety/types.ts';
import { MediaError } from './errors.ts';
import {
  audioStream,
  escapeFilterValue,
  FFMPEG,
  FFMPEG_BASE_ARGS,
  ffprobe,
  probeDuration,
  resolveFontFile,
  runTool,
  videoStream,
  type ProbeResult,
} from './ffmpeg.ts';
import { writeMp4Xmp } from './mp4-xmp.ts';

export interface AvOptions {
  signal?: AbortSignal | undefined;
  /** Per ffmpeg run; default grows with the clip's duration. */
  timeoutMs?: number | undefined;
}

/** Deadline for one ffmpeg run over a clip of `duration` seconds: generous for 2 slow cores. */
export function ffmpegTimeout(duration: number | null, override?: number): number {
  if (override) return override;
  return Math.min(30 * 60_000, 120_000 + Math.ceil((duration ?? 60) * 4_000));
}

/** Metadata stripping shared by every output: no global/stream tags or chapters, no encoder strings. */
const STRIP_ARGS = ['-map_metadata', '-1', '-map_chapters', '-1', '-fflags', '+bitexact', '-sn', '-dn'];

export interface TranscodedAv {
  /** The file with the XMP box. */
  bytes: Buffer;
  /** ffmpeg's output on disk, before the XMP box was appended (same media). */
  path: string;
  probe: ProbeResult;
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  /** Stream copy (input already H.264/AAC MP4) rather than a re-encode. */
  remuxed: boolean;
}

function isMp4Family(probe: ProbeResult): boolean {
  return (probe.format.format_name ?? '').split(',').some((f) => f === 'mp4' || f === 'mov');
}

/**
 * Any video ffmpeg reads → H.264/AAC MP4, metadata stripped, +faststart, XMP appended. An input that
 * already is H.264 (yuv420p) + AAC in MP4 and needs no watermark is stream-copied: no generation loss
 * and seconds saved (the montage output takes this path).
 */
export async function transcodeVideo(
  inputPath: string,
  dir: string,
  probe: ProbeResult,
  xmp: string,
  opts: AvOptions & { watermark?: string | null | undefined },
): Promise<TranscodedAv> {
  const v = videoStream(probe);
  if (!v) throw new MediaError('undecodable', 'no video stream');
  const a = audioStream(probe);
  const out = join(dir, 'video.mp4');
  const watermark = opts.watermark?.replace(/\s+/g, ' ').trim();
  // Rotated clips (display matrix, e.g. phone uploads) are re-encoded so the pixels come out upright
  // and the reported width/height are the displayed ones.
  const rotated = (v.side_data_list ?? []).some((d) => d.rotation !== undefined && d.rotation % 360 !== 0) || !!Number(v.tags?.rotate ?? 0);
  const remux =
    !watermark && !rotated && isMp4Family(probe) && v.codec_name === 'h264' && v.pix_fmt === 'yuv420p' && (!a || a.codec_name === 'aac');

  const args = [...FFMPEG_BASE_ARGS, '-i', inputPath, '-map', `0:${v.index}`];
  if (a) args.push('-map', `0:${a.index}`);
  args.push(...STRIP_ARGS);
  if (remux) {
    args.push('-c', 'copy');
  } else {
    const filters = ['scale=trunc(iw/2)*2:trunc(ih/2)*2', 'setsar=1'];
    if (watermark) {
      const font = await resolveFontFile();
      const textFile = join(dir, 'watermark.txt');
      await writeFile(textFile, watermark);
      filters.push(
        `drawtext=fontfile=${escapeFilterValue(font)}:textfile=${escapeFilterValue(textFile)}:expansion=none` +
          `:fontsize=w*0.032:fontcolor=white@0.6:borderw=2:bordercolor=black@0.35:x=w-tw-w*0.025:y=h-th-w*0.025`,
      );
    }
    filters.push('format=yuv420p');
    args.push('-vf', filters.join(','), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-flags:v', '+bitexact');
    if (a) args.push('-c:a', 'aac', '-b:a', '160k', '-flags:a', '+bitexact');
  }
  args.push('-movflags', '+faststart', '-f', 'mp4', out);
  const duration = probeDuration(probe);
  await runTool(FFMPEG, args, { timeoutMs: ffmpegTimeout(duration, opts.timeoutMs), signal: opts.signal, failureCode: 'undecodable' });

  const outProbe = await ffprobe(out, { signal: opts.signal });
  const ov = videoStream(outProbe);
  const bytes = writeMp4Xmp(await readFile(out), xmp);
  return {
    bytes,
    path: out,
    probe: outProbe,
    durationSeconds: probeDuration(outProbe),
    width: ov?.width ?? null,
    height: ov?.height ?? null,
    remuxed: remux,
  };
}

/** Any audio ffmpeg reads → AAC in an M4A (MP4) container, metadata and cover art dropped, XMP appended. */
export async function transcodeAudio(inputPath: string, dir: string, probe: ProbeResult, xmp: string, opts: AvOptions): Promise<TranscodedAv> {
  const a = audioStream(probe);
  if (!a) throw new MediaError('undecodable', 'no audio stream');
  const out = join(dir, 'audio.m4a');
  const copy = isMp4Family(probe) && a.codec_name === 'aac';
  const args = [...FFMPEG_BASE_ARGS, '-i', inputPath, '-map', `0:${a.index}`, '-vn', ...STRIP_ARGS];
  if (copy) args.push('-c:a', 'copy');
  else args.push('-c:a', 'aac', '-b:a', '128k', '-flags:a', '+bitexact');
  args.push('-movflags', '+faststart', '-f', 'ipod', out);
  await runTool(FFMPEG, args, { timeoutMs: ffmpegTimeout(probeDuration(probe), opts.timeoutMs), signal: opts.signal, failureCode: 'undecodable' });
  const outProbe = await ffprobe(out, { signal: opts.signal });
  return {
    bytes: writeMp4Xmp(await readFile(out), xmp),
    path: out,
    probe: outProbe,
    durationSeconds: probeDuration(outProbe),
    width: null,
    height: null,
    remuxed: copy,
  };
}

export interface ExtractedFrames {
  /** PNG of the frame at 1 s (or the first frame of a clip shorter than 1.5 s). */
  poster: Buffer;
  /** PNGs (≤512 px) sampled evenly through the clip, for rating. */
  samples: Buffer[];
}

/** How many frames a clip of `duration` seconds is rated on: 3 to 5, about one per 2 s. */
export function sampleCount(duration: number | null): number {
  return Math.max(3, Math.min(5, Math.round((duration ?? 0) / 2)));
}

/** Poster + rating samples in one ffmpeg run (one fast-seeked input per frame). */
export async function extractFrames(videoPath: string, dir: string, duration: number | null, opts: AvOptions): Promise<ExtractedFrames> {
  const d = duration ?? 0;
  const n = sampleCount(duration);
  const times = Array.from({ length: n }, (_, i) => (d * (i + 0.5)) / n);
  const posterAt = d >= 1.5 ? 1 : 0;
  const args: string[] = [...FFMPEG_BASE_ARGS];
  for (const t of [posterAt, ...times]) args.push('-ss', t.toFixed(3), '-i', videoPath);
  args.push('-map', '0:v:0', '-frames:v', '1', '-c:v', 'png', '-f', 'image2', join(dir, 'poster.png'));
  times.forEach((_, i) => {
    args.push('-map', `${i + 1}:v:0`, '-frames:v', '1', '-vf', 'scale=512:512:force_original_aspect_ratio=decrease');
    args.push('-c:v', 'png', '-f', 'image2', join(dir, `sample-${i}.png`));
  });
  await runTool(FFMPEG, args, { timeoutMs: ffmpegTimeout(null, opts.timeoutMs), signal: opts.signal });
  const poster = await readFile(join(dir, 'poster.png'));
  const samples: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    // A seek past the last decodable frame yields no file; rate what we have.
    const frame = await readFile(join(dir, `sample-${i}.png`)).catch(() => null);
    if (frame?.length) samples.push(frame);
  }
  if (samples.length === 0) samples.push(poster);
  return { poster, samples };
}

/** A clip is as restricted as its most restricted sampled frame. */
export async function rateFrames(rater: Rater, frames: Buffer[]): Promise<RatingResult> {
  const results: RatingResult[] = [];
  for (const frame of frames) results.push(await rater.rate(frame));
  const worst = worstRating(results.map((r) => r.rating));
  const decisive = results.find((r) => r.rating === worst) ?? results[0]!;
  return { rating: worst, scores: decisive.scores, method: `${decisive.method}; worst of ${results.length} frames` };
}

export const NOT_VISUAL_RATING: RatingResult = { rating: 'sfw', scores: {}, method: 'not-visual' };
