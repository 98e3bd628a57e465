import sharp, { type Sharp } from 'sharp';
import { MediaError } from './errors.ts';
import { writePngXmp } from './png-xmp.ts';
import { escapeXml } from './xmp.ts';

/** Social formats we cut from every image; `original` keeps the source size. */
export const VARIANT_SIZES = {
  portrait: { width: 1080, height: 1350 },
  story: { width: 1080, height: 1920 },
  landscape: { width: 1600, height: 900 },
  square: { width: 1080, height: 1080 },
} as const;

export type VariantName = 'original' | keyof typeof VARIANT_SIZES;
export const VARIANT_NAMES: readonly VariantName[] = ['original', 'portrait', 'story', 'landscape', 'square'];

export const THUMBNAIL_WIDTH = 320;
/** Larger inputs are refused (raw RGBA of 80 MP is 320 MB). Generators produce 1–16 MP; upscalers up to ~36. */
export const MAX_IMAGE_PIXELS = 80_000_000;
export const JPEG_QUALITY = 90;
export const THUMBNAIL_WEBP_QUALITY = 78;

export interface EncodedImage {
  name: VariantName | 'thumbnail';
  bytes: Buffer;
  width: number;
  height: number;
  mimeType: 'image/jpeg' | 'image/png' | 'image/webp';
  extension: '.jpg' | '.png' | '.webp';
}

/** Pixels decoded once (auto-oriented, sRGB, 8-bit, no metadata at all): every output starts from these. */
export interface DecodedImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
  /** Some pixel is not fully opaque: outputs are PNG (and WebP keeps alpha) instead of JPEG. */
  transparent: boolean;
}

/**
 * Decodes to raw pixels. Working from raw pixels is what guarantees stripping: no EXIF, IPTC, XMP,
 * ICC or PNG text chunk (A1111 `parameters`, ComfyUI `prompt`/`workflow`) can survive, because none
 * of it is carried over into the buffer the outputs are encoded from. Animated inputs keep frame 1.
 */
export async function decodeImage(bytes: Buffer): Promise<DecodedImage> {
  let hasAlpha: boolean;
  try {
    const meta = await sharp(bytes, { failOn: 'error' }).metadata();
    hasAlpha = meta.hasAlpha;
    const pixels = (meta.autoOrient?.width ?? meta.width) * (meta.autoOrient?.height ?? meta.height);
    if (pixels > MAX_IMAGE_PIXELS) {
      throw new MediaError('unsupported_media', `image is ${Math.round(pixels / 1e6)} megapixels; the limit is ${MAX_IMAGE_PIXELS / 1e6}`);
    }
  } catch (err) {
    if (err instanceof MediaError) throw err;
    throw new MediaError('undecodable', `image does not decode: ${(err as Error).message}`, { cause: err });
  }
  try {
    let pipeline = sharp(bytes, { failOn: 'error', limitInputPixels: MAX_IMAGE_PIXELS }).autoOrient().toColourspace('srgb');
    pipeline = hasAlpha ? pipeline.ensureAlpha() : pipeline.removeAlpha();
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== (hasAlpha ? 4 : 3)) throw new Error(`unexpected channel count ${info.channels}`);
    if (!hasAlpha) return { data, width: info.width, height: info.height, channels: 3, transparent: false };
    let transparent = false;
    for (let i = 3; i < data.length; i += 4) {
      if (data[i]! !== 255) {
        transparent = true;
        break;
      }
    }
    if (transparent) return { data, width: info.width, height: info.height, channels: 4, transparent };
    // An alpha band that is opaque everywhere: drop it once here rather than in every output pipeline.
    const rgb = Buffer.allocUnsafe(info.width * info.height * 3);
    for (let s = 0, d = 0; s < data.length; s += 4, d += 3) {
      rgb[d] = data[s]!;
      rgb[d + 1] = data[s + 1]!;
      rgb[d + 2] = data[s + 2]!;
    }
    return { data: rgb, width: info.width, height: info.height, channels: 3, transparent };
  } catch (err) {
    throw new MediaError('undecodable', `image does not decode: ${(err as Error).message}`, { cause: err });
  }
}

function fromDecoded(img: DecodedImage): Sharp {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });
}

/**
 * A semi-transparent text strip for the bottom-right corner, as wide as the image. The font size
 * follows the image width (≈3.2 %) and shrinks for long texts so the text always fits.
 */
export function watermarkSvg(width: number, text: string): { svg: Buffer; height: number } {
  const clean = text.replace(/\s+/g, ' ').trim();
  const margin = Math.max(6, Math.round(width * 0.025));
  const bySize = Math.round(width * 0.032);
  const byLength = Math.floor((width - 2 * margin) / Math.max(1, clean.length * 0.62));
  const fontSize = Math.max(8, Math.min(bySize, byLength, 120));
  const height = Math.round(fontSize * 1.4 + margin);
  const stroke = Math.max(1, Math.round(fontSize * 0.08));
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<text x="${width - margin}" y="${height - margin - Math.round(fontSize * 0.22)}" text-anchor="end" ` +
    `font-family="DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif" font-weight="bold" font-size="${fontSize}" ` +
    `fill="#ffffff" fill-opacity="0.6" stroke="#000000" stroke-opacity="0.35" stroke-width="${stroke}" paint-order="stroke">` +
    `${escapeXml(clean)}</text></svg>`;
  return { svg: Buffer.from(svg), height };
}

export interface EncodeOptions {
  xmp: string;
  watermark?: string | null | undefined;
}

interface Overlay {
  data: Buffer;
  width: number;
  height: number;
}

const overlays = new Map<string, Promise<Overlay>>();
const OVERLAY_CACHE_SIZE = 32;

/** The watermark strip rendered once per (width, text) to unpremultiplied RGBA. */
function watermarkOverlay(width: number, text: string): Promise<Overlay> {
  const key = `${width}\0${text}`;
  let overlay = overlays.get(key);
  if (!overlay) {
    const { svg } = watermarkSvg(width, text);
    overlay = sharp(svg)
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true })
      .then(({ data, info }) => {
        // librsvg draws nothing, silently, when fontconfig finds no font at all: refuse rather than
        // publish without the watermark the persona's settings ask for.
        let drawn = false;
        for (let i = 3; i < data.length && !drawn; i += 4) drawn = data[i]! > 0;
        if (!drawn) throw new MediaError('tool_missing', 'the watermark rendered empty: no system font (install fonts-dejavu-core)');
        return { data, width: info.width, height: info.height };
      });
    overlay.catch(() => overlays.delete(key));
    overlays.set(key, overlay);
    if (overlays.size > OVERLAY_CACHE_SIZE) overlays.delete(overlays.keys().next().value!);
  }
  return overlay;
}

/**
 * Alpha-blends the overlay onto the bottom rows of raw pixels, in place. Done here rather than with
 * sharp's composite, which re-runs the whole frame through float compositing (≈2× the variant's cost).
 */
export function blendBottom(pixels: Buffer, width: number, height: number, channels: 3 | 4, overlay: Overlay): void {
  if (overlay.width !== width || overlay.height > height) return;
  const o = overlay.data;
  let p = (height - overlay.height) * width * channels;
  for (let i = 0; i < o.length; i += 4, p += channels) {
    const a = o[i + 3]! / 255;
    if (a === 0) continue;
    if (channels === 3) {
      pixels[p] = pixels[p]! + (o[i]! - pixels[p]!) * a + 0.5;
      pixels[p + 1] = pixels[p + 1]! + (o[i + 1]! - pixels[p + 1]!) * a + 0.5;
      pixels[p + 2] = pixels[p + 2]! + (o[i + 2]! - pixels[p + 2]!) * a + 0.5;
    } else {
      const b = pixels[p + 3]! / 255;
      const out = a + b * (1 - a);
      for (let c = 0; c < 3; c++) pixels[p + c] = (o[i + c]! * a + pixels[p + c]! * b * (1 - a)) / out + 0.5;
      pixels[p + 3] = out * 255 + 0.5;
    }
  }
}

/** One output at a target size (cover, attention crop) or at the source size for `original`. */
export async function encodeVariant(img: DecodedImage, name: VariantName, opts: EncodeOptions): Promise<EncodedImage> {
  let pipeline = fromDecoded(img);
  let width = img.width;
  let height = img.height;
  if (name !== 'original') {
    ({ width, height } = VARIANT_SIZES[name]);
    pipeline = pipeline.resize(width, height, { fit: 'cover', position: sharp.strategy.attention });
  }
  const text = opts.watermark?.replace(/\s+/g, ' ').trim();
  if (text) {
    const overlay = await watermarkOverlay(width, text);
    // The original shares the decoded buffer with every other output: blend into a copy.
    const pixels = name === 'original' ? Buffer.from(img.data) : await pipeline.raw().toBuffer();
    blendBottom(pixels, width, height, img.channels, overlay);
    pipeline = sharp(pixels, { raw: { width, height, channels: img.channels } });
  }
  // PNG gets its packet afterwards (see png-xmp.ts); JPEG's APP1 from libvips is as the spec says.
  const { data, info } = img.transparent
    ? await pipeline.png({ compressionLevel: 6 }).toBuffer({ resolveWithObject: true })
    : await pipeline.withXmp(opts.xmp).jpeg({ quality: JPEG_QUALITY, chromaSubsampling: '4:2:0' }).toBuffer({ resolveWithObject: true });
  return {
    name,
    bytes: img.transparent ? writePngXmp(data, opts.xmp) : data,
    width: info.width,
    height: info.height,
    mimeType: img.transparent ? 'image/png' : 'image/jpeg',
    extension: img.transparent ? '.png' : '.jpg',
  };
}

/** 320 px wide WebP (aspect kept, no watermark: it is the dashboard's own preview), with the XMP. */
export async function encodeThumbnail(img: DecodedImage, xmp: string): Promise<EncodedImage> {
  const { data, info } = await fromDecoded(img)
    .resize({ width: THUMBNAIL_WIDTH })
    .withXmp(xmp)
    .webp({ quality: THUMBNAIL_WEBP_QUALITY, alphaQuality: 90 })
    .toBuffer({ resolveWithObject: true });
  return { name: 'thumbnail', bytes: data, width: info.width, height: info.height, mimeType: 'image/webp', extension: '.webp' };
}

export function decodedToSharp(img: DecodedImage): Sharp {
  return fromDecoded(img);
}
