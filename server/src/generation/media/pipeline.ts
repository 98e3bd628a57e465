import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Storage } from '../../platform/storage/storage.ts';
import type { Rater, RatingResult } from '../../safety/types.ts';
import { extractFrames, NOT_VISUAL_RATING, rateFrames, transcodeAudio, transcodeVideo, type TranscodedAv } from './av.ts';
import { MediaError } from './errors.ts';
import { ffprobe, videoStream, withTempDir } from './ffmpeg.ts';
import { decodedToSharp, decodeImage, encodeThumbnail, encodeVariant, VARIANT_NAMES, type EncodedImage, type VariantName } from './image.ts';
import { dHash } from './phash.ts';
import { declaredKind, normalizeMime, sniff, type MediaKind } from './sniff.ts';
import { buildXmp } from './xmp.ts';

export { MediaError, type MediaErrorCode } from './errors.ts';
export { hammingDistance, isNearDuplicate, dHash } from './phash.ts';
export { VARIANT_NAMES, VARIANT_SIZES, THUMBNAIL_WIDTH, type VariantName } from './image.ts';
export type { MediaKind } from './sniff.ts';

export interface ProcessMediaInput {
  orgId: string;
  personaId: string;
  personaName: string;
  /** Tool chain that made the file, written as xmp:CreatorTool (e.g. "Atelier / ComfyUI flux-dev"). */
  generator: string;
  file: { bytes: Buffer; mimeType: string };
  /** Text overlaid bottom-right on every image variant (and burned into video). Absent/null: none. */
  watermark?: { text: string } | null;
  /** Image variants to cut; `original` is always produced. Default: all. Ignored for video/audio. */
  variants?: VariantName[];
  /** Recorded as xmp:CreateDate; default now. */
  createdAt?: Date;
  /** dc:title in the XMP. */
  title?: string;
}

export interface ProcessMediaDeps {
  storage: Storage;
  rater: Rater;
  /** Cancels ffmpeg runs (image work is short and runs to completion). */
  signal?: AbortSignal;
  /** Per ffmpeg run; default grows with clip duration (see ffmpegTimeout). */
  ffmpegTimeoutMs?: number;
  /** Where ffmpeg's scratch directories go (each removed when done); default os.tmpdir(). */
  tempDir?: string;
}

export interface StoredVariant {
  name: VariantName;
  key: string;
  /** Null for audio. */
  width: number | null;
  height: number | null;
  bytes: number;
  mimeType: string;
}

export interface ProcessedMedia {
  kind: MediaKind;
  /** Of the stored original: image/jpeg or image/png, video/mp4, audio/mp4. */
  mimeType: string;
  width: number | null;
  height: number | null;
  durationSeconds: number | null;
  /** sha256 of the stored original (= its content address). */
  sha256: string;
  storageKey: string;
  /** Size of the stored original. */
  bytes: number;
  /** `original` first (same key as storageKey), then the requested social variants (images only). */
  variants: StoredVariant[];
  /** 320 px wide WebP: the image itself, or the video's poster frame; null for audio. */
  thumbnailKey: string | null;
  /** dHash (16 hex) of the original image or of the video's poster frame; null for audio. */
  phash: string | null;
  rating: RatingResult;
  /** Video/audio only: the input was already H.264/AAC MP4 and was stream-copied, not re-encoded. */
  remuxed?: boolean;
}

/**
 * Strips, marks, cuts and stores one produced file. Every stored output (variants, thumbnail, video,
 * audio) carries the XMP AI marking and nothing else from the source: no EXIF/GPS, no PNG text chunks
 * (generation parameters, ComfyUI workflows), no container tags.
 */
export async function processMedia(input: ProcessMediaInput, deps: ProcessMediaDeps): Promise<ProcessedMedia> {
  const { bytes, mimeType } = input.file;
  if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw new MediaError('undecodable', 'empty file');
  const kind = await resolveKind(bytes, mimeType);
  const xmp = buildXmp({
    personaName: input.personaName,
    personaId: input.personaId,
    generator: input.generator,
    createdAt: input.createdAt ?? new Date(),
    ...(input.title ? { title: input.title } : {}),
  });
  if (kind === 'image') return processImage(input, deps, xmp);
  return processAv(kind, input, deps, xmp);
}

/**
 * The pipeline a file goes to. The declared MIME type must be one we handle (or a generic
 * octet-stream); when the bytes' signature says otherwise (a provider labelling an MP4 "image/png"),
 * the bytes win. Animated GIFs go to the video pipeline so motion survives.
 */
async function resolveKind(bytes: Buffer, mimeType: string): Promise<MediaKind> {
  const declared = declaredKind(mimeType);
  const sniffed = sniff(bytes);
  if (declared === null) {
    throw new MediaError('unsupported_media', `unsupported media type ${JSON.stringify(normalizeMime(mimeType))}`);
  }
  const kind = sniffed?.kind ?? (declared === 'generic' ? null : declared);
  if (!kind) throw new MediaError('unsupported_media', 'unrecognised file format');
  if (kind === 'image' && sniffed?.format === 'gif') {
    const pages = await sharp(bytes)
      .metadata()
      .then((m) => m.pages ?? 1)
      .catch(() => 1);
    if (pages > 1) return 'video';
  }
  return kind;
}

async function processImage(input: ProcessMediaInput, deps: ProcessMediaDeps, xmp: string): Promise<ProcessedMedia> {
  const img = await decodeImage(input.file.bytes);
  const watermark = input.watermark?.text ?? null;
  const wanted = new Set<VariantName>(['original', ...(input.variants ?? VARIANT_NAMES)]);
  const names = VARIANT_NAMES.filter((n) => wanted.has(n));

  const [encoded, thumbnail, phash] = await Promise.all([
    Promise.all(names.map((name) => encodeVariant(img, name, { xmp, watermark }))),
    encodeThumbnail(img, xmp),
    dHash(decodedToSharp(img)),
  ]);
  // Rated before anything is stored: a rater failure leaves no orphan objects behind.
  const rating = await deps.rater.rate(encoded[0]!.bytes);
  const [stored, storedThumb] = await Promise.all([
    Promise.all(encoded.map((e) => put(deps.storage, input.orgId, e))),
    put(deps.storage, input.orgId, thumbnail),
  ]);
  const original = stored[0]!;
  return {
    kind: 'image',
    mimeType: encoded[0]!.mimeType,
    width: encoded[0]!.width,
    height: encoded[0]!.height,
    durationSeconds: null,
    sha256: original.sha256,
    storageKey: original.key,
    bytes: original.bytes,
    variants: encoded.map((e, i) => ({
      name: e.name as VariantName,
      key: stored[i]!.key,
      width: e.width,
      height: e.height,
      bytes: stored[i]!.bytes,
      mimeType: e.mimeType,
    })),
    thumbnailKey: storedThumb.key,
    phash,
    rating,
  };
}

function put(storage: Storage, orgId: string, e: EncodedImage) {
  return storage.put(orgId, e.bytes, { contentType: e.mimeType, extension: e.extension });
}

async function processAv(declared: Exclude<MediaKind, 'image'>, input: ProcessMediaInput, deps: ProcessMediaDeps, xmp: string): Promise<ProcessedMedia> {
  const opts = { signal: deps.signal, timeoutMs: deps.ffmpegTimeoutMs };
  return withTempDir('atelier-media-', async (dir) => {
    const inputPath = join(dir, 'input');
    await writeFile(inputPath, input.file.bytes);
    const probe = await ffprobe(inputPath, { signal: deps.signal });
    // The streams have the last word: an "audio/webm" with a picture track is a video, an mp4 with
    // sound only is audio. Cover art attached to audio files does not count as video.
    const hasAudio = probe.streams.some((s) => s.codec_type === 'audio');
    if (!videoStream(probe) && !hasAudio) throw new MediaError('undecodable', `no audio or video stream in this ${declared} file`);
    const kind: 'video' | 'audio' = videoStream(probe) ? 'video' : 'audio';

    let av: TranscodedAv;
    let thumbnailKey: string | null = null;
    let phash: string | null = null;
    let rating: RatingResult;
    if (kind === 'video') {
      av = await transcodeVideo(inputPath, dir, probe, xmp, { ...opts, watermark: input.watermark?.text });
      // Same media as av.bytes, which only adds the XMP box at the end.
      const frames = await extractFrames(av.path, dir, av.durationSeconds, opts);
      const poster = await decodeImage(frames.poster);
      const [thumb, hash] = await Promise.all([encodeThumbnail(poster, xmp), dHash(decodedToSharp(poster))]);
      rating = await rateFrames(deps.rater, frames.samples);
      thumbnailKey = (await put(deps.storage, input.orgId, thumb)).key;
      phash = hash;
    } else {
      av = await transcodeAudio(inputPath, dir, probe, xmp, opts);
      rating = NOT_VISUAL_RATING;
    }

    const mimeType = kind === 'video' ? 'video/mp4' : 'audio/mp4';
    const stored = await deps.storage.put(input.orgId, av.bytes, { contentType: mimeType, extension: kind === 'video' ? '.mp4' : '.m4a' });
    return {
      kind,
      mimeType,
      width: av.width,
      height: av.height,
      durationSeconds: av.durationSeconds,
      sha256: stored.sha256,
      storageKey: stored.key,
      bytes: stored.bytes,
      variants: [{ name: 'original', key: stored.key, width: av.width, height: av.height, bytes: stored.bytes, mimeType }],
      thumbnailKey,
      phash,
      rating: { ...rating, scores: { ...rating.scores } },
      remuxed: av.remuxed,
    };
  }, deps.tempDir);
}
