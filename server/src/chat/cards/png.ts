/**
 * Cards inside PNG images: a `tEXt` chunk whose keyword is `chara` (V2) or `ccv3` (V3) and whose value is the
 * card JSON in base64 (UTF-8). Reading: keywords case-insensitively, `ccv3` wins. Writing: both chunks are
 * replaced and the new ones go right before IEND, so the image itself is untouched.
 */
import extractChunks from 'png-chunks-extract';
import encodeChunks from 'png-chunks-encode';
import pngText from 'png-chunk-text';
import { CardFormatError } from './card.ts';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const KEYWORDS = new Set(['chara', 'ccv3']);

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length > 8 && Buffer.from(bytes.subarray(0, 8)).equals(SIGNATURE);
}

function chunksOf(png: Uint8Array) {
  if (!isPng(png)) throw new CardFormatError('Not a PNG image');
  try {
    return extractChunks(png);
  } catch (error) {
    throw new CardFormatError(`The PNG could not be read: ${(error as Error).message}`);
  }
}

/** The card JSON embedded in a PNG (the V3 one when both are there). */
export function readPngCard(png: Uint8Array): unknown {
  const found = new Map<string, string>();
  for (const chunk of chunksOf(png)) {
    if (chunk.name !== 'tEXt') continue;
    const { keyword, text } = pngText.decode(chunk.data);
    const key = keyword.toLowerCase();
    if (KEYWORDS.has(key) && !found.has(key)) found.set(key, text);
  }
  const encoded = found.get('ccv3') ?? found.get('chara');
  if (encoded === undefined) throw new CardFormatError('This PNG carries no character card (no chara/ccv3 text chunk)');
  try {
    return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch {
    throw new CardFormatError('The card chunk of this PNG is not base64 JSON');
  }
}

/** A copy of `png` carrying `v2` in `chara` and `v3` in `ccv3`, any older card chunks removed. */
export function writePngCard(png: Uint8Array, cards: { v2: unknown; v3: unknown }): Buffer {
  const kept = chunksOf(png).filter((c) => c.name !== 'tEXt' || !KEYWORDS.has(pngText.decode(c.data).keyword.toLowerCase()));
  const end = kept.findIndex((c) => c.name === 'IEND');
  if (end === -1) throw new CardFormatError('The PNG has no IEND chunk');
  const b64 = (card: unknown) => Buffer.from(JSON.stringify(card), 'utf8').toString('base64');
  kept.splice(end, 0, pngText.encode('chara', b64(cards.v2)), pngText.encode('ccv3', b64(cards.v3)));
  return Buffer.from(encodeChunks(kept));
}
