/**
 * Text normalisation for the prompt gate. Every lexicon pattern is written against this form.
 *
 * Steps, in order:
 * 1. lowercase, Unicode NFKD (fullwidth / math-styled letters become ASCII), drop combining marks
 *    (accents: "désnudà" → "desnuda") and format characters (zero-width spaces/joiners, soft hyphens,
 *    bidi controls, tag characters), map a few non-decomposing letters (ß→ss, æ→ae, œ→oe, ø→o, ł→l)
 *    and common Cyrillic/Greek look-alikes (Cyrillic "е" in "tееn") to Latin;
 * 2. separators: inside a whitespace-delimited word, any run of non [a-z0-9@$] characters is a
 *    separator. Single characters separated that way are JOINED ("t.e.e.n", "y/o", "n-u-d-e" → "teen",
 *    "yo", "nude"); longer parts become separate words ("nude-teen" → "nude teen");
 * 3. whitespace: a run of 3+ single-character words separated by single spaces is joined
 *    ("t e e n" → "teen"); a gap of 2+ spaces ends the run ("t e e n   n u d e" → "teen nude");
 * 4. leetspeak, only inside words that also contain a letter (so "15 years" keeps its number):
 *    0→o 1→i 3→e 4→a 5→s 7→t @→a $→s ("t33n" → "teen", "$ex" → "sex"). A second variant maps 1→l;
 * 5. runs of 3+ identical letters are cut to 2 ("teeeeen" → "teen", "nuuude" → "nuude"); the lexicon
 *    regexes accept repeated letters, so "nuude" still matches "nude" while "teen" never matches "ten".
 *    "x" is exempt so "xxx" survives.
 *
 * Known gaps (documented, accepted): words split inside themselves by a multi-letter part ("te.en"),
 * two words spelled out as one run of letters ("n.u.d.e.t.e.e.n"), look-alikes outside the small map.
 */

const LOOKALIKES: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  ı: 'i',
  þ: 'th',
  ŀ: 'l',
  // Cyrillic
  а: 'a',
  е: 'e',
  ё: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  к: 'k',
  м: 'm',
  н: 'h',
  т: 't',
  в: 'b',
  ԁ: 'd',
  ɡ: 'g',
  // Greek
  α: 'a',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ε: 'e',
  χ: 'x',
};
const LOOKALIKE_RE = new RegExp(`[${Object.keys(LOOKALIKES).join('')}]`, 'g');
const MARKS_AND_FORMAT_RE = /[\p{M}\p{Cf}]/gu;
const PART_SEPARATOR_RE = /[^a-z0-9@$]+/;
const LEET_CHARS_RE = /[013457@$]/g;
const HAS_LETTER_RE = /[a-z]/;
const HAS_LEET_RE = /[013457@$]/;
/** Punctuation between two letters, dropped from the raw form ("n.i.ñ.a" → "niña"). */
const RAW_SEPARATOR_RE = /(?<=\p{L})[^\p{L}\p{N}\s]+(?=\p{L})/gu;
const REPEAT_RE = /([a-wyz])\1{2,}/g;
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };
/** One-letter words (en/fr/es) that may start a spelled-out run: "a t e e n" is also read as "a teen". */
const ONE_LETTER_WORDS = new Set(['a', 'i', 'y', 'o', 'e', 'u']);

export interface PreparedText {
  /** The normalised text (with leetspeak), as returned by normalizeForGate. */
  normalized: string;
  /** Every variant the term lexicons search, one per line (phrase patterns never cross a line). */
  search: string;
  /** Variants without leetspeak, for number-bearing rules (ages, grades). */
  plain: string;
  /** `search` with all spaces removed, for compact terms and concatenated names. */
  compact: string;
  /** Lowercased original text (NFC), format characters and punctuation between letters removed. */
  raw: string;
}

function clean(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(MARKS_AND_FORMAT_RE, '')
    .replace(LOOKALIKE_RE, (c) => LOOKALIKES[c] ?? c);
}

/** Steps 2–3: tokens, with spelled-out single characters joined. Returns one or two token lists. */
function tokenize(cleaned: string): { tokens: string[]; alt: string[] | null } {
  const tokens: string[] = [];
  const alt: string[] = [];
  let hasAlt = false;
  let run: string[] = [];
  const flush = (): void => {
    if (run.length >= 3) {
      const joined = run.join('');
      tokens.push(joined);
      if (run.length >= 4 && ONE_LETTER_WORDS.has(run[0]!)) {
        alt.push(run[0]!, run.slice(1).join(''));
        hasAlt = true;
      } else {
        alt.push(joined);
      }
    } else {
      tokens.push(...run);
      alt.push(...run);
    }
    run = [];
  };

  // Split on whitespace, keeping the gaps to know where a spelled-out run ends.
  const pieces = cleaned.split(/(\s+)/);
  for (const piece of pieces) {
    if (piece === '') continue;
    if (/^\s+$/.test(piece)) {
      if (piece.length >= 2) flush();
      continue;
    }
    // Inside one word: join single characters separated by punctuation, keep longer parts apart.
    const parts = piece.split(PART_SEPARATOR_RE).filter((p) => p !== '');
    if (parts.length === 0) continue; // lone punctuation ("t . e . e . n") does not end a run
    const words: string[] = [];
    let singles = '';
    for (const part of parts) {
      if (part.length === 1) {
        singles += part;
      } else {
        if (singles) words.push(singles);
        singles = '';
        words.push(part);
      }
    }
    if (singles) words.push(singles);
    if (words.length === 1 && words[0]!.length === 1) {
      run.push(words[0]!);
      continue;
    }
    flush();
    tokens.push(...words);
    alt.push(...words);
  }
  flush();
  return { tokens, alt: hasAlt ? alt : null };
}

function leetToken(token: string, one: 'i' | 'l'): string {
  if (!HAS_LETTER_RE.test(token) || !HAS_LEET_RE.test(token)) return token;
  return token.replace(LEET_CHARS_RE, (c) => (c === '1' ? one : (LEET[c] ?? c)));
}

function finish(tokens: string[]): string {
  return tokens
    .join(' ')
    .replace(/[@$]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim()
    .replace(REPEAT_RE, '$1$1');
}

function variants(tokens: string[]): { plain: string; leet: string; leetL: string | null } {
  const plain = finish(tokens);
  const leet = finish(tokens.map((t) => leetToken(t, 'i')));
  const hasOne = tokens.some((t) => t.includes('1') && HAS_LETTER_RE.test(t));
  const leetL = hasOne ? finish(tokens.map((t) => leetToken(t, 'l'))) : null;
  return { plain, leet, leetL };
}

export function prepareText(text: string): PreparedText {
  const { tokens, alt } = tokenize(clean(text));
  const main = variants(tokens);
  const searchLines = new Set<string>([main.leet, main.plain]);
  const plainLines = new Set<string>([main.plain]);
  if (main.leetL) searchLines.add(main.leetL);
  if (alt) {
    const a = variants(alt);
    searchLines.add(a.leet).add(a.plain);
    plainLines.add(a.plain);
    if (a.leetL) searchLines.add(a.leetL);
  }
  const search = [...searchLines].join('\n');
  return {
    normalized: main.leet,
    search,
    plain: [...plainLines].join('\n'),
    compact: search.replace(/ /g, ''),
    raw: text
      .toLowerCase()
      .normalize('NFC')
      .replace(/\p{Cf}/gu, '')
      .replace(RAW_SEPARATOR_RE, ''),
  };
}

/**
 * The gate's normal form of a text: lowercase ASCII words separated by single spaces, accents and
 * zero-width characters gone, leetspeak mapped, spelled-out letters joined, letter runs cut to 2.
 */
export function normalizeForGate(text: string): string {
  return prepareText(text).normalized;
}
