/**
 * Offers are grounded: every price and pack a reply names must be in the catalogue, at that price.
 *
 * - Prices: a currency symbol or code/word next to an amount ("€9.99", "9,99 €", "12 EUR", "10 dollars",
 *   "USD 15"), and bare two-decimal amounts ("9.99"), which count as prices in any currency. An amount is
 *   grounded when it equals the effective price (or, during a promotion, the list price) of a pack named in the
 *   same sentence, or of any pack when the sentence names none. Currencies must match when the text gives one.
 * - Packs: catalogue titles found in the text are offers; a name shaped like a product ("the Sunset Pack",
 *   "pack « Golden Hour »", a quoted title near "pack/bundle/set") that matches no title is an invented pack.
 * - When no offer is allowed right now (selling off, limits reached, fan flagged), any price or pack is a problem.
 */
import { fold, sentences } from './text.ts';

export interface GroundingItem {
  packId: string;
  title: string;
  effectiveMinor: number;
  listMinor: number;
  currency: string;
}

export interface FoundPrice {
  raw: string;
  minor: number;
  currency: string | null;
}

export interface GroundingProblem {
  kind: 'unknown_price' | 'unknown_pack' | 'offer_not_allowed';
  sentence: string;
  detail: string;
}

const SYMBOLS: Record<string, string> = { '€': 'EUR', $: 'USD', '£': 'GBP' };
const WORDS: [RegExp, string][] = [
  [/^(?:eur|euros?)$/i, 'EUR'],
  [/^(?:usd|dollars?|bucks|dolares|dolar|dollari|dolares)$/i, 'USD'],
  [/^(?:gbp|pounds?|quid)$/i, 'GBP'],
  [/^(?:chf|francs?)$/i, 'CHF'],
  [/^cad$/i, 'CAD'],
  [/^aud$/i, 'AUD'],
];
const CODE_WORDS = 'eur|euros?|usd|dollars?|bucks|dolares|dolar|dollari|gbp|pounds?|quid|chf|francs?|cad|aud';
const INT = String.raw`(\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+|\d+)`;
const DEC = String.raw`(?:[.,](\d{1,2}))?(?!\d)`;

const PATTERNS: { re: RegExp; cur: (m: RegExpExecArray) => string | null; int: number; dec: number }[] = [
  { re: new RegExp(String.raw`([€$£])\s?${INT}${DEC}`, 'g'), cur: (m) => SYMBOLS[m[1]!] ?? null, int: 2, dec: 3 },
  { re: new RegExp(String.raw`${INT}${DEC}\s?([€$£])`, 'g'), cur: (m) => SYMBOLS[m[3]!] ?? null, int: 1, dec: 2 },
  { re: new RegExp(String.raw`\b(eur|usd|gbp|chf|cad|aud)\s?${INT}${DEC}`, 'gi'), cur: (m) => currencyOfWord(m[1]!), int: 2, dec: 3 },
  // The amount starts a word ("4 CAD", "4CAD", "(12eur)"): inside a token such as "n48dc4cad" it is no price.
  { re: new RegExp(String.raw`(?<![\p{L}\p{N}_])${INT}${DEC}\s?(${CODE_WORDS})\b`, 'giu'), cur: (m) => currencyOfWord(m[3]!), int: 1, dec: 2 },
  { re: new RegExp(String.raw`(?<![\d€$£.,])(\d+)[.,](\d{2})(?![\d%])`, 'g'), cur: () => null, int: 1, dec: 2 },
];

function currencyOfWord(word: string): string | null {
  for (const [re, code] of WORDS) if (re.test(word)) return code;
  return null;
}

function toMinor(int: string, dec: string | undefined): number {
  const units = Number(int.replace(/[^\d]/g, ''));
  const cents = dec === undefined ? 0 : dec.length === 1 ? Number(dec) * 10 : Number(dec);
  return units * 100 + cents;
}

/** Every price-looking amount in a text, each span counted once (the most specific pattern wins). */
export function findPrices(text: string): FoundPrice[] {
  const taken: [number, number][] = [];
  const out: FoundPrice[] = [];
  for (const p of PATTERNS) {
    p.re.lastIndex = 0;
    for (let m = p.re.exec(text); m; m = p.re.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      if (taken.some(([a, b]) => start < b && end > a)) continue;
      taken.push([start, end]);
      out.push({ raw: m[0].trim(), minor: toMinor(m[p.int]!, m[p.dec]), currency: p.cur(m) });
    }
  }
  return out;
}

const norm = (t: string) => fold(t).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/** Catalogue packs whose title appears in the text. */
export function mentionedPacks(text: string, items: readonly GroundingItem[]): GroundingItem[] {
  const t = ` ${norm(text)} `;
  return items.filter((i) => {
    const title = norm(i.title);
    return title.length > 0 && t.includes(` ${title} `);
  });
}

const PACK_WORD = '(?:pack|bundle|set|collection|lot|paquete|paquet|paket|pacchetto|pacote|colecao|coleccion)';
const PRODUCT_NAMES: RegExp[] = [
  // "the Sunset Dreams pack", "Golden Hour bundle"
  new RegExp(String.raw`((?:[A-ZÀ-Ý][\p{L}'’-]*\s+){1,4})(?i:${PACK_WORD})s?\b`, 'gu'),
  // "pack « Golden Hour »", "le pack Sunset", "el paquete Verano"
  new RegExp(String.raw`\b(?i:${PACK_WORD})\s+(?:["“«„]\s*([^"”»“]{2,60}?)\s*["”»“]|((?:[A-ZÀ-Ý][\p{L}'’-]*)(?:\s+[A-ZÀ-Ý][\p{L}'’-]*){0,3}))`, 'gu'),
  // a quoted title in a sentence that talks about packs
  new RegExp(String.raw`["“«„]\s*([^"”»“]{2,60}?)\s*["”»“](?=[^.!?\n]*\b(?i:${PACK_WORD}))`, 'gu'),
];
const NOT_NAMES = /^(?:the|my|a|an|this|that|our|your|le|la|les|mon|ma|el|los|las|mi|der|die|das|mein|il|lo|o|os|i|new|special|exclusive|photo|video|private|vip)$/i;

function productNames(sentence: string): string[] {
  const names: string[] = [];
  for (const re of PRODUCT_NAMES) {
    re.lastIndex = 0;
    for (let m = re.exec(sentence); m; m = re.exec(sentence)) {
      const name = (m[1] ?? m[2] ?? '').trim();
      const words = name.split(/\s+/).filter((w) => !NOT_NAMES.test(w));
      if (words.length) names.push(words.join(' '));
    }
  }
  return names;
}

function titleMatches(name: string, items: readonly GroundingItem[]): boolean {
  const n = norm(name);
  if (!n) return true;
  return items.some((i) => {
    const title = norm(i.title);
    return title === n || title.includes(n) || n.includes(title);
  });
}

export interface GroundingResult {
  problems: GroundingProblem[];
  /** Catalogue packs the reply offers (to count against selling limits). */
  offered: GroundingItem[];
  prices: FoundPrice[];
}

export function checkGrounding(reply: string, items: readonly GroundingItem[], opts: { offersAllowed: boolean }): GroundingResult {
  const problems: GroundingProblem[] = [];
  const offered = new Map<string, GroundingItem>();
  const allPrices: FoundPrice[] = [];
  for (const sentence of sentences(reply)) {
    if (!sentence.trim()) continue;
    const prices = findPrices(sentence);
    allPrices.push(...prices);
    const packs = mentionedPacks(sentence, items);
    for (const p of packs) offered.set(p.packId, p);
    if (!opts.offersAllowed && (prices.length || packs.length)) {
      problems.push({ kind: 'offer_not_allowed', sentence: sentence.trim(), detail: [...prices.map((p) => p.raw), ...packs.map((p) => p.title)].join(', ') });
      continue;
    }
    for (const name of productNames(sentence)) {
      if (!titleMatches(name, items)) problems.push({ kind: 'unknown_pack', sentence: sentence.trim(), detail: name });
    }
    const pool = packs.length ? packs : items;
    for (const price of prices) {
      const ok = pool.some(
        (i) => (price.currency === null || price.currency === i.currency) && (price.minor === i.effectiveMinor || (i.listMinor !== i.effectiveMinor && price.minor === i.listMinor)),
      );
      if (!ok) problems.push({ kind: 'unknown_price', sentence: sentence.trim(), detail: price.raw });
    }
  }
  return { problems, offered: [...offered.values()], prices: allPrices };
}
