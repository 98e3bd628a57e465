/** Which pipeline a file goes through. */
export type MediaKind = 'image' | 'video' | 'audio';

/** MIME types we accept as declared (lower-case, parameters stripped) → the pipeline they go to. */
const DECLARED: Record<string, MediaKind> = {
  'image/jpeg': 'image',
  'image/jpg': 'image',
  'image/pjpeg': 'image',
  'image/png': 'image',
  'image/webp': 'image',
  'image/gif': 'image',
  'image/avif': 'image',
  'image/tiff': 'image',
  'video/mp4': 'video',
  'video/x-m4v': 'video',
  'video/webm': 'video',
  'video/quicktime': 'video',
  'video/x-matroska': 'video',
  'audio/mpeg': 'audio',
  'audio/mp3': 'audio',
  'audio/wav': 'audio',
  'audio/wave': 'audio',
  'audio/x-wav': 'audio',
  'audio/vnd.wave': 'audio',
  'audio/ogg': 'audio',
  'audio/opus': 'audio',
  'audio/mp4': 'audio',
  'audio/m4a': 'audio',
  'audio/x-m4a': 'audio',
  'audio/aac': 'audio',
  'audio/flac': 'audio',
  'audio/x-flac': 'audio',
  'audio/webm': 'audio',
};

/** Declared types that say nothing; the bytes decide. */
const GENERIC = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/x-binary']);

export function normalizeMime(mimeType: string): string {
  return (mimeType.split(';')[0] ?? '').trim().toLowerCase();
}

export function declaredKind(mimeType: string): MediaKind | 'generic' | null {
  const mime = normalizeMime(mimeType);
  if (GENERIC.has(mime)) return 'generic';
  return DECLARED[mime] ?? null;
}

export interface Sniffed {
  kind: MediaKind;
  /** Short container/format name, for messages. */
  format: string;
}

/**
 * The kind the bytes themselves announce, from their signature, or null when unrecognised.
 * Containers that hold both audio and video (MP4, WebM/Matroska, Ogg) answer 'video' for the
 * video-ish signatures and 'audio' for audio-only brands/codecs; ffprobe has the final word.
 */
export function sniff(bytes: Buffer): Sniffed | null {
  const ascii = (start: number, end: number) => bytes.toString('latin1', start, end);
  if (bytes.length < 12) return null;
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { kind: 'image', format: 'jpeg' };
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { kind: 'image', format: 'png' };
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return { kind: 'image', format: 'webp' };
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return { kind: 'image', format: 'gif' };
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return { kind: 'image', format: 'tiff' };
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return { kind: 'audio', format: 'wav' };
  if (ascii(0, 4) === 'fLaC') return { kind: 'audio', format: 'flac' };
  if (ascii(0, 3) === 'ID3') return { kind: 'audio', format: 'mp3' };
  if (ascii(0, 4) === 'OggS') {
    const head = ascii(0, Math.min(bytes.length, 128));
    return head.includes('theora') ? { kind: 'video', format: 'ogg' } : { kind: 'audio', format: 'ogg' };
  }
  if (bytes.readUInt32BE(0) === 0x1a45dfa3) {
    // EBML: WebM/Matroska. The doc type doesn't say whether there is video; ffprobe decides.
    return { kind: 'video', format: 'matroska' };
  }
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (brand === 'avif' || brand === 'avis') return { kind: 'image', format: 'avif' };
    if (brand === 'heic' || brand === 'heix' || brand === 'mif1' || brand === 'msf1') return { kind: 'image', format: 'heif' };
    if (brand === 'M4A ' || brand === 'M4B ' || brand === 'M4P ') return { kind: 'audio', format: 'm4a' };
    return { kind: 'video', format: brand === 'qt  ' ? 'mov' : 'mp4' };
  }
  if (['moov', 'mdat', 'wide', 'free'].includes(ascii(4, 8))) return { kind: 'video', format: 'mov' };
  // MPEG audio frame sync (MP3 without ID3) or ADTS AAC: 11/12 sync bits.
  if (bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0) return { kind: 'audio', format: (bytes[1]! & 0x06) === 0 ? 'aac' : 'mp3' };
  return null;
}
