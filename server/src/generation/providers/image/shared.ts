/**
 * Plumbing shared by the image/video provider clients: per-request timeouts layered on the caller's
 * signal, error mapping onto ProviderError, abortable sleeps, MIME detection.
 */
import { ProviderError, errorFromFetch, errorFromStatus } from '../types.ts';

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Small calls (queue, upload, history, progress…) give up after this unless configured otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Calls that hold the connection while the GPU works (A1111 txt2img, Stability generate). */
export const DEFAULT_GENERATE_TIMEOUT_MS = 15 * 60_000;
/** Downloading produced files (videos can be large). */
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 120_000;
/** Best-effort clean-up calls (interrupt, cancel) made after the caller's signal already fired. */
export const CLEANUP_TIMEOUT_MS = 5_000;
/** How long a cancelled call waits for its clean-up before rejecting (the clean-up goes on in the background). */
export const CLEANUP_GRACE_MS = 1_000;

/** Waits for `promise` at most `ms` (never rejects; the promise keeps running past the wait). */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** The caller's signal plus a deadline for this one call. */
export function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(Math.max(1, ms));
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

export function trimBase(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Waits `ms`, or rejects with the signal's reason as soon as it fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

export interface SendOptions {
  method?: string;
  /** Query parameters; undefined values are skipped. */
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  body?: RequestInit['body'];
  headers?: Record<string, string>;
  /** The caller's signal (ctx.signal); the per-request timeout is added to it. */
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface HttpOptions {
  provider: string;
  baseUrl: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  fetch?: FetchLike;
  /** Turns a non-2xx answer into a ProviderError; default: errorFromStatus with the body's text. */
  describeError?: (status: number, body: unknown, text: string) => ProviderError;
}

/** A tiny JSON/bytes HTTP client bound to one base URL, with timeouts and ProviderError mapping. */
export class Http {
  readonly provider: string;
  readonly baseUrl: string;
  readonly headers: Record<string, string>;
  readonly timeoutMs: number;
  readonly fetchImpl: FetchLike;
  readonly describeError: (status: number, body: unknown, text: string) => ProviderError;

  constructor(options: HttpOptions) {
    this.provider = options.provider;
    this.baseUrl = trimBase(options.baseUrl);
    this.headers = options.headers ?? {};
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.describeError =
      options.describeError ??
      ((status, _body, text) => errorFromStatus(this.provider, status, `${this.provider} answered ${status}: ${truncate(text, 300) || 'no body'}`, text || undefined));
  }

  url(path: string, query?: Record<string, string | number | undefined>): string {
    const absolute = /^https?:\/\//i.test(path);
    const url = new URL(absolute ? path : `${this.baseUrl}${path.startsWith('/') ? '' : '/'}${path}`);
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    return url.toString();
  }

  /** Sends and hands `read` the successful response; body reading stays under the same deadline. */
  async send<T>(path: string, options: SendOptions, read: (response: Response) => Promise<T>): Promise<T> {
    const signal = withTimeout(options.signal, options.timeoutMs ?? this.timeoutMs);
    const headers: Record<string, string> = { ...this.headers, ...options.headers };
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['Content-Type'] ??= 'application/json';
    }
    try {
      const response = await this.fetchImpl(this.url(path, options.query), {
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        headers,
        body,
        signal,
      });
      if (!response.ok) {
        const text = await response.text().catch(() => '');
        throw this.describeError(response.status, parseJsonLoose(text), text);
      }
      return await read(response);
    } catch (error) {
      throw errorFromFetch(this.provider, error, signal);
    }
  }

  json<T = unknown>(path: string, options: SendOptions = {}): Promise<T> {
    return this.send(path, options, async (response) => {
      const text = await response.text();
      const parsed = parseJsonLoose(text);
      if (parsed === undefined && text.trim() !== '') {
        throw new ProviderError(this.provider, 'unavailable', `${this.provider} sent a non-JSON answer to ${path}: ${truncate(text, 200)}`);
      }
      return parsed as T;
    });
  }

  bytes(path: string, options: SendOptions = {}): Promise<{ bytes: Buffer; contentType: string | null; headers: Headers }> {
    return this.send(path, options, async (response) => ({
      bytes: Buffer.from(await response.arrayBuffer()),
      contentType: response.headers.get('content-type'),
      headers: response.headers,
    }));
  }
}

export function parseJsonLoose(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const EXTENSION_MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  mkv: 'video/x-matroska',
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  flac: 'audio/flac',
  json: 'application/json',
};

export function mimeFromFilename(filename: string): string | undefined {
  const match = /\.([a-z0-9]+)$/i.exec(filename.split(/[?#]/)[0] ?? '');
  return match ? EXTENSION_MIME[match[1]!.toLowerCase()] : undefined;
}

export function extensionFromMime(mimeType: string): string {
  const found = Object.entries(EXTENSION_MIME).find(([, mime]) => mime === mimeType.split(';')[0]!.trim().toLowerCase());
  return found ? found[0] : 'bin';
}

/** Magic-number sniffing for bytes that came without a usable name or content type. */
export function sniffMime(bytes: Buffer): string | undefined {
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  if (bytes.length >= 6 && bytes.toString('latin1', 0, 3) === 'GIF') return 'image/gif';
  if (bytes.length >= 12 && bytes.toString('latin1', 4, 8) === 'ftyp') {
    const brand = bytes.toString('latin1', 8, 12);
    return brand.startsWith('qt') ? 'video/quicktime' : 'video/mp4';
  }
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x1a45dfa3) return 'video/webm';
  return undefined;
}

/** The most specific MIME type available: the file name, then a non-generic content type, then the bytes. */
export function pickMime(bytes: Buffer, filename?: string, contentType?: string | null): string {
  const byName = filename ? mimeFromFilename(filename) : undefined;
  if (byName) return byName;
  const header = contentType?.split(';')[0]?.trim().toLowerCase();
  if (header && header !== 'application/octet-stream' && header !== 'binary/octet-stream') return header;
  return sniffMime(bytes) ?? header ?? 'application/octet-stream';
}

/** A seed in the range every back-end accepts (uint32). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0xffff_ffff);
}
