/**
 * How platforms count a caption's length.
 *
 * X ("weighted length", simplified from twitter-text v3's config): the text is NFC-normalised; every URL counts 23
 * whatever its length; every emoji grapheme (including ZWJ sequences, flags, skin tones) counts 2; any other code point
 * counts 1 inside U+0000–U+10FF and the few punctuation ranges U+2000–U+200D, U+2010–U+201F, U+2032–U+2037, and 2
 * elsewhere (CJK, most symbols). Limit 280. URL detection is deliberately simple: `http(s)://…` up to whitespace, or a
 * bare `name.tld[/path]` for a short list of common TLDs — slightly stricter than X, which is the safe direction.
 *
 * Bluesky counts graphemes (Intl.Segmenter); Telegram counts UTF-16 code units; others count code points.
 */
export type LengthUnit = 'x-weighted' | 'graphemes' | 'code-points' | 'utf16';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

export function graphemeLength(text: string): number {
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

export const X_URL_LENGTH = 23;
const URL_PATTERN =
  /\bhttps?:\/\/[^\s]+|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|net|org|io|co|ai|app|me|ly|fr|de|es|it|uk|us|tv|gg|link|xyz|info|biz|page|site|fans|club)\b(?:\/[^\s]*)?/gi;
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;

function xCodePointWeight(cp: number): number {
  if (cp <= 0x10ff) return 1;
  if (cp >= 0x2000 && cp <= 0x200d) return 1;
  if (cp >= 0x2010 && cp <= 0x201f) return 1;
  if (cp >= 0x2032 && cp <= 0x2037) return 1;
  return 2;
}

export function findUrls(text: string): string[] {
  return text.match(URL_PATTERN) ?? [];
}

export function xWeightedLength(input: string): number {
  const text = input.normalize('NFC');
  let total = 0;
  let last = 0;
  const parts: string[] = [];
  for (const m of text.matchAll(URL_PATTERN)) {
    parts.push(text.slice(last, m.index));
    total += X_URL_LENGTH;
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  for (const part of parts) {
    for (const g of segmenter.segment(part)) {
      if (EMOJI.test(g.segment)) {
        total += 2;
        continue;
      }
      for (const ch of g.segment) total += xCodePointWeight(ch.codePointAt(0)!);
    }
  }
  return total;
}

export function measure(text: string, unit: LengthUnit): number {
  switch (unit) {
    case 'x-weighted':
      return xWeightedLength(text);
    case 'graphemes':
      return graphemeLength(text);
    case 'utf16':
      return text.length;
    case 'code-points':
      return [...text].length;
  }
}
