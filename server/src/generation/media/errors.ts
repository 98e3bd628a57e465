/**
 * Why the media pipeline refused or failed, in terms callers act on:
 * - unsupported_media: a type we do not process (declared MIME type and sniffed bytes agree it is not ours);
 * - undecodable: a supported type whose bytes do not decode (truncated, corrupt, an HTML error page…);
 * - invalid_input: the call itself is wrong (no images for a montage, bad caption times…);
 * - tool_missing: ffmpeg/ffprobe/fonts are not installed;
 * - tool_failed: ffmpeg exited non-zero on input it had accepted (stderr in `details`);
 * - timeout / cancelled: the deadline passed or the caller's signal fired.
 */
export type MediaErrorCode = 'unsupported_media' | 'undecodable' | 'invalid_input' | 'tool_missing' | 'tool_failed' | 'timeout' | 'cancelled';

export class MediaError extends Error {
  override name = 'MediaError';
  readonly code: MediaErrorCode;
  /** Diagnostic text, e.g. the tail of ffmpeg's stderr. Not for end users verbatim. */
  readonly details: string | undefined;
  constructor(code: MediaErrorCode, message: string, options?: { details?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }

  get retryable(): boolean {
    return this.code === 'timeout';
  }
}
