import { execFile, spawn } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaError } from './errors.ts';

/** Binaries, overridable for unusual installs. */
export const FFMPEG = process.env.FFMPEG_PATH || 'ffmpeg';
export const FFPROBE = process.env.FFPROBE_PATH || 'ffprobe';

const STDERR_LIMIT = 16 * 1024;

export interface RunOptions {
  /** Kill (SIGKILL) after this long; the promise rejects with MediaError('timeout'). */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Called with each chunk of stdout (e.g. `-progress pipe:1`); stdout is then not collected. */
  onStdout?: (chunk: Buffer) => void;
  /** Error code when the process exits non-zero (default tool_failed; 'undecodable' for probing inputs). */
  failureCode?: 'tool_failed' | 'undecodable';
}

export interface RunResult {
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs a tool without a shell (arguments are passed as-is, never interpreted), with a hard timeout,
 * the caller's AbortSignal, and stderr kept (its tail) for the error.
 */
export function runTool(command: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new MediaError('cancelled', `${command} cancelled before it started`));
      return;
    }
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [];
    let stderr = '';
    let settled = false;
    let reason: 'timeout' | 'cancelled' | null = null;

    const finish = (err: MediaError | null, result?: RunResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(result!);
    };
    const kill = (why: 'timeout' | 'cancelled') => {
      reason = why;
      child.kill('SIGKILL');
    };
    const onAbort = () => kill('cancelled');
    const timer = setTimeout(() => kill('timeout'), opts.timeoutMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      if (opts.onStdout) opts.onStdout(chunk);
      else out.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.length > STDERR_LIMIT * 2) stderr = stderr.slice(-STDERR_LIMIT);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        finish(new MediaError('tool_missing', `${command} is not installed (apt-get install ffmpeg)`, { cause: err }));
      } else {
        finish(new MediaError('tool_failed', `${command} could not start: ${err.message}`, { cause: err }));
      }
    });
    child.on('close', (code, sig) => {
      const tail = stderr.slice(-STDERR_LIMIT).trim();
      if (reason === 'timeout') {
        finish(new MediaError('timeout', `${command} timed out after ${Math.round(opts.timeoutMs / 1000)} s`, { details: tail }));
      } else if (reason === 'cancelled') {
        finish(new MediaError('cancelled', `${command} cancelled`, { details: tail }));
      } else if (code !== 0) {
        const last = tail.split('\n').filter(Boolean).at(-1) ?? `exit ${code ?? sig}`;
        finish(new MediaError(opts.failureCode ?? 'tool_failed', `${command} failed: ${last}`, { details: tail }));
      } else {
        finish(null, { stdout: Buffer.concat(out), stderr });
      }
    });
  });
}

/** Common ffmpeg prefix: no banner, no stdin, overwrite, errors only. */
export const FFMPEG_BASE_ARGS = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error'] as const;

export interface ProbeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  duration?: string;
  nb_frames?: string;
  disposition?: Record<string, number>;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
}

export interface ProbeResult {
  streams: ProbeStream[];
  format: { format_name?: string; duration?: string; tags?: Record<string, string> };
}

/** ffprobe's JSON view of a file; rejects with 'undecodable' when ffprobe cannot read it. */
export async function ffprobe(path: string, opts: { timeoutMs?: number; signal?: AbortSignal | undefined } = {}): Promise<ProbeResult> {
  const { stdout } = await runTool(
    FFPROBE,
    ['-hide_banner', '-loglevel', 'error', '-print_format', 'json', '-show_format', '-show_streams', path],
    { timeoutMs: opts.timeoutMs ?? 30_000, signal: opts.signal, failureCode: 'undecodable' },
  );
  try {
    const parsed = JSON.parse(stdout.toString('utf8')) as Partial<ProbeResult>;
    return { streams: parsed.streams ?? [], format: parsed.format ?? {} };
  } catch (err) {
    throw new MediaError('undecodable', 'ffprobe returned unreadable output', { cause: err });
  }
}

/** The main video stream (cover art and thumbnails attached to audio files are not video). */
export function videoStream(probe: ProbeResult): ProbeStream | undefined {
  return probe.streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
}

export function audioStream(probe: ProbeResult): ProbeStream | undefined {
  return probe.streams.find((s) => s.codec_type === 'audio');
}

export function probeDuration(probe: ProbeResult): number | null {
  const candidates = [probe.format.duration, videoStream(probe)?.duration, audioStream(probe)?.duration];
  for (const c of candidates) {
    const n = c === undefined ? NaN : Number(c);
    if (Number.isFinite(n) && n > 0) return n;
  }
  return null;
}

/** A fresh directory under `parent` (default os.tmpdir()), removed after `fn` settles whatever happens. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>, parent: string = tmpdir()): Promise<T> {
  const dir = await mkdtemp(join(parent, prefix));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Escapes a value for an ffmpeg filtergraph given as `-filter_complex`/`-filter_complex_script`:
 * first the option-value level (`\`, `'`, `:`), then the graph level (`\`, `'`, `[`, `]`, `,`, `;`).
 * See ffmpeg-filters(1), "Notes on filtergraph escaping".
 */
export function escapeFilterValue(value: string): string {
  const optionLevel = value.replace(/[\\':]/g, '\\$&');
  return optionLevel.replace(/[\\'[\],;]/g, '\\$&');
}

const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf', // Debian/Ubuntu: fonts-dejavu-core
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf', // Fedora/Alpine layouts
  '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf',
];

let fontPromise: Promise<string> | undefined;

/**
 * A TrueType font for drawtext (captions, video watermark): ATELIER_FONT_FILE, else DejaVu Sans Bold
 * (Debian package fonts-dejavu-core), else whatever fontconfig's `fc-match sans-serif:bold` returns.
 */
export function resolveFontFile(): Promise<string> {
  fontPromise ??= (async () => {
    const configured = process.env.ATELIER_FONT_FILE;
    const candidates = configured ? [configured, ...FONT_CANDIDATES] : FONT_CANDIDATES;
    for (const path of candidates) {
      try {
        await access(path);
        return path;
      } catch {
        // next
      }
    }
    const matched = await new Promise<string>((resolve) => {
      execFile('fc-match', ['-f', '%{file}', 'sans-serif:bold'], { timeout: 5_000 }, (err, stdout) => resolve(err ? '' : stdout.trim()));
    });
    if (matched && /\.(ttf|otf|ttc)$/i.test(matched)) return matched;
    throw new MediaError('tool_missing', 'no font for captions: install fonts-dejavu-core or set ATELIER_FONT_FILE');
  })();
  fontPromise.catch(() => {
    fontPromise = undefined;
  });
  return fontPromise;
}
