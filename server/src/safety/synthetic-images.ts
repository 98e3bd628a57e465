/**
 * Deterministic, safe-for-work synthetic images (solid colours, geometric shapes) for tests and the
 * rating bench. Never photographs.
 */
import type { Sharp } from 'sharp';

const PALETTE = ['#1f4e79', '#2e8b57', '#c0392b', '#f1c40f', '#8e44ad', '#16a085', '#2c3e50', '#d35400', '#7f8c8d', '#27ae60'];

function colour(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}

async function sharpModule(): Promise<(typeof import('sharp'))['default']> {
  return (await import('sharp')).default;
}

/** A solid-colour image. */
export async function solidImage(
  rgb: { r: number; g: number; b: number },
  opts: { width?: number; height?: number; format?: 'png' | 'jpeg' | 'webp' } = {},
): Promise<Buffer> {
  const sharp = await sharpModule();
  const img = sharp({ create: { width: opts.width ?? 256, height: opts.height ?? 256, channels: 3, background: rgb } });
  return encode(img, opts.format ?? 'png');
}

/** Image number `i` of a family of geometric compositions (circles, squares, stripes, triangles). */
export async function shapesImage(i: number, opts: { size?: number; format?: 'png' | 'jpeg' | 'webp' } = {}): Promise<Buffer> {
  const size = opts.size ?? 512;
  const s = size / 8;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
  <rect width="100%" height="100%" fill="${colour(i)}"/>
  ${Array.from({ length: 6 }, (_, k) => `<rect x="0" y="${k * 1.3 * s}" width="${size}" height="${s * 0.4}" fill="${colour(i + k + 3)}" opacity="0.6"/>`).join('')}
  <circle cx="${size / 2}" cy="${size / 2}" r="${(1.5 + (i % 3)) * s}" fill="${colour(i + 1)}"/>
  <rect x="${s}" y="${s}" width="${2 * s}" height="${2 * s}" fill="${colour(i + 2)}" transform="rotate(${(i * 17) % 90} ${2 * s} ${2 * s})"/>
  <polygon points="${size - s},${size - s} ${size - 3 * s},${size - s} ${size - 2 * s},${size - 3 * s}" fill="${colour(i + 5)}"/>
</svg>`;
  const sharp = await sharpModule();
  return encode(sharp(Buffer.from(svg)), opts.format ?? 'png');
}

function encode(img: Sharp, format: 'png' | 'jpeg' | 'webp'): Promise<Buffer> {
  if (format === 'jpeg') return img.jpeg({ quality: 85 }).toBuffer();
  if (format === 'webp') return img.webp().toBuffer();
  return img.png().toBuffer();
}
