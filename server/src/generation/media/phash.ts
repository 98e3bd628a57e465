import sharp, { type Sharp } from 'sharp';

/**
 * dHash ("difference hash"), 64 bits as 16 lowercase hex characters: the image is flattened on white,
 * reduced to 9×8 grey pixels, and each bit says whether a pixel is brighter than its right neighbour.
 * Robust to re-encoding, resizing, small edits and watermarks; cheap enough to run on every asset.
 */
export async function dHash(image: Buffer | Sharp): Promise<string> {
  const pipeline = Buffer.isBuffer(image) ? sharp(image) : image.clone();
  const pixels = await pipeline
    .flatten({ background: '#ffffff' })
    .greyscale()
    .resize(9, 8, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  let hash = 0n;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      hash <<= 1n;
      if (pixels[y * 9 + x]! > pixels[y * 9 + x + 1]!) hash |= 1n;
    }
  }
  return hash.toString(16).padStart(16, '0');
}

const HASH = /^[0-9a-f]{16}$/i;

/** Number of differing bits between two 64-bit hex hashes (0..64). */
export function hammingDistance(a: string, b: string): number {
  if (!HASH.test(a) || !HASH.test(b)) throw new TypeError('hammingDistance: expected two 16-character hex hashes');
  let diff = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let count = 0;
  while (diff) {
    diff &= diff - 1n;
    count++;
  }
  return count;
}

/** Same picture for practical purposes (re-encode, resize, watermark, light edits). */
export function isNearDuplicate(a: string, b: string, threshold = 6): boolean {
  return hammingDistance(a, b) <= threshold;
}
