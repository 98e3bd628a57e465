/** Plumbing shared by the voice clients. */

export const HEALTH_TIMEOUT_MS = 5_000;

export function healthSignal(signal?: AbortSignal): AbortSignal {
  return signal ?? AbortSignal.timeout(HEALTH_TIMEOUT_MS);
}

/** Reads a web ReadableStream to the end, stopping (and cancelling the stream) when `signal` fires. */
export async function readAll(stream: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<Buffer> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  const onAbort = () => void reader.cancel(signal.reason).catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      signal.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      if (value) chunks.push(value);
    }
    signal.throwIfAborted();
    return Buffer.concat(chunks);
  } finally {
    signal.removeEventListener('abort', onAbort);
    reader.releaseLock();
  }
}

/** 'fr-CA' → 'fr' (ISO 639-1/-3 primary subtag, lower case). */
export function primaryLanguage(tag: string): string {
  return (tag.trim().split(/[-_]/)[0] ?? '').toLowerCase();
}

/** Is this a RIFF/WAVE file? */
export function isWav(bytes: Buffer): boolean {
  return bytes.length >= 12 && bytes.toString('ascii', 0, 4) === 'RIFF' && bytes.toString('ascii', 8, 12) === 'WAVE';
}

/**
 * Writes the real sizes into a WAV whose header says "unknown" (0xFFFFFFFF / 0x7FFFFFFF, what streaming writers
 * such as `espeak-ng --stdout` emit): RIFF size = file − 8, and the `data` chunk size = bytes after its header.
 * Leaves any other file untouched.
 */
export function fixWavSizes(bytes: Buffer): Buffer {
  if (!isWav(bytes)) return bytes;
  const out = Buffer.from(bytes);
  out.writeUInt32LE(out.length - 8, 4);
  let offset = 12;
  while (offset + 8 <= out.length) {
    const id = out.toString('ascii', offset, offset + 4);
    const size = out.readUInt32LE(offset + 4);
    if (id === 'data') {
      out.writeUInt32LE(out.length - offset - 8, offset + 4);
      break;
    }
    offset += 8 + size + (size % 2);
  }
  return out;
}

export function mimeForOutputFormat(format: string): string {
  const codec = format.split('_')[0];
  switch (codec) {
    case 'mp3':
      return 'audio/mpeg';
    case 'wav':
      return 'audio/wav';
    case 'opus':
      return 'audio/ogg';
    case 'ulaw':
    case 'alaw':
      return 'audio/basic';
    case 'pcm':
      return 'audio/L16';
    default:
      return 'application/octet-stream';
  }
}
