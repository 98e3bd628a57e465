/**
 * Prompt gate: refuses text (generation prompts, persona bios) that pairs sexual content with minors
 * or childlike traits, and text that names a denied real person. English, French, Spanish, German.
 *
 * How it decides:
 * - The text is normalised (normalize.ts): accents, case, leetspeak, separators, zero-width characters,
 *   look-alike letters and stretched letters are undone; several variants are searched at once.
 * - Refused as `minor_sexual` when the text has BOTH a sexual term and a minor indicator (a minor or
 *   childlike term, a stated age under 18, a school grade), or one term that is both by itself
 *   ("lolicon", "Kinderpornografie"). Either alone is allowed: "a mother with her kid at the park" and
 *   "boudoir photo of a 30-year-old woman" both pass. The pairing is over the WHOLE text, not a window:
 *   padding cannot split the two apart, at the price of refusing a bio that mentions a child in one
 *   sentence and lingerie in another (the user rewords; for this product that is the right side to err on).
 * - A minor term right after a negation ("no kids", "not a teen", "sans enfants", "ohne Kinder") does
 *   not count, nor "child-free"/"teen-free": such wording asserts the opposite. Ages and grades are
 *   never negated.
 * - Refused as `real_person` when a name of `denyNames` appears as whole words after the same
 *   normalisation, or concatenated ("TaylorSwift", "#taylorswiftlookalike" for names of 2+ words and
 *   8+ letters).
 * Lexicons (lexicon/*.ts) document their sources and tradeoffs. Regexes are compiled once at load;
 * denyNames lists are compiled on first use and cached.
 */
import { collectMatches, compileTerms, stretch } from './gate-patterns.ts';
import { lexicons, type Lexicon } from './lexicon/index.ts';
import { normalizeForGate, prepareText, type PreparedText } from './normalize.ts';

export { normalizeForGate } from './normalize.ts';

export type PromptRefusalReason = 'minor_sexual' | 'real_person';

export type PromptCheckResult =
  | { ok: true }
  | { ok: false; reason: PromptRefusalReason; matched: string[]; message: string };

export interface PromptCheckOptions {
  /** Real people whose likeness is refused (configurable; matched after normalisation). */
  denyNames?: readonly string[];
}

export const MINOR_SEXUAL_MESSAGE = 'Refused: this prompt pairs sexual content with a minor or childlike traits.';
export const REAL_PERSON_MESSAGE =
  "Refused: this prompt names a real person; personas must not use a real person's likeness.";

type TermList = 'minor' | 'sexual' | 'inherent' | 'compactMinor' | 'compactSexual' | 'rawMinor' | 'negations';
const all = (key: TermList): string[] => lexicons.flatMap((l) => [...l[key]]);

/** Articles allowed between a negation and the negated term ("not a teen", "sans des enfants"). */
const NEGATION_ARTICLES =
  'a|an|any|the|des|les|de|d|un|une|una|uno|unos|unas|los|las|ein|eine|einen|einem|einer';
const NEGATION = `(?<!\\b(?:${all('negations').join('|')})(?: (?:${NEGATION_ARTICLES}))? )`;

const MINOR_RE = compileTerms(all('minor'), { before: NEGATION, after: '(?! ?free\\b)' });
const SEXUAL_RE = compileTerms(all('sexual'));
const INHERENT_RE = compileTerms(all('inherent'));
const COMPACT_MINOR_RE = compileTerms(all('compactMinor'), { bounded: false });
const COMPACT_SEXUAL_RE = compileTerms(all('compactSexual'), { bounded: false });
const RAW_MINOR_SOURCES = all('rawMinor');
const RAW_MINOR_RE =
  RAW_MINOR_SOURCES.length > 0 ? new RegExp(`(?<!\\p{L})(?:${RAW_MINOR_SOURCES.join('|')})(?!\\p{L})`, 'gu') : null;

interface CompiledAgeRule {
  re: RegExp;
  maxMinor: number;
  words: Readonly<Record<string, number>>;
}

function compileAges(lexicon: Lexicon): CompiledAgeRule[] {
  const words = Object.keys(lexicon.numberWords).sort((a, b) => b.length - a.length);
  const number = `(?<n>\\d{1,3}${words.map((w) => `|${w}`).join('')})`;
  return lexicon.ages.map((rule) => ({
    re: new RegExp(rule.pattern.replaceAll('{N}', number), 'g'),
    maxMinor: rule.maxMinor,
    words: lexicon.numberWords,
  }));
}

const AGE_RULES: CompiledAgeRule[] = lexicons.flatMap(compileAges);

function ageMatches(plain: string, into: Set<string>): void {
  for (const rule of AGE_RULES) {
    rule.re.lastIndex = 0;
    for (let m = rule.re.exec(plain); m !== null; m = rule.re.exec(plain)) {
      const raw = m.groups?.n ?? '';
      const n = /^\d+$/.test(raw) ? Number(raw) : rule.words[raw];
      if (n !== undefined && n >= 0 && n <= rule.maxMinor) into.add(m[0].trim());
    }
  }
}

function minorMatches(p: PreparedText): Set<string> {
  const found = new Set<string>();
  collectMatches(MINOR_RE, p.search, found);
  collectMatches(COMPACT_MINOR_RE, p.compact, found);
  collectMatches(RAW_MINOR_RE, p.raw, found);
  ageMatches(p.plain, found);
  return found;
}

// ── Real-person deny list ─────────────────────────────────────────────────────────────────────────

interface DenyEntry {
  name: string;
  words: RegExp;
  compact: RegExp | null;
}

const DENY_CACHE_MAX = 64;
const denyCache = new Map<string, DenyEntry[]>();

function compileDenyNames(names: readonly string[]): DenyEntry[] {
  const key = names.join('\u0000');
  const cached = denyCache.get(key);
  if (cached) return cached;
  const entries: DenyEntry[] = [];
  for (const name of names) {
    const norm = normalizeForGate(name);
    if (norm === '') continue;
    // Normalised names hold only [a-z0-9 ], so they are valid DSL as they are.
    const words = new RegExp(`\\b${stretch(norm)}\\b`);
    const squashed = norm.replace(/ /g, '');
    const compact = norm.includes(' ') && squashed.length >= 8 ? new RegExp(stretch(squashed)) : null;
    entries.push({ name, words, compact });
  }
  if (denyCache.size >= DENY_CACHE_MAX) {
    const oldest = denyCache.keys().next().value;
    if (oldest !== undefined) denyCache.delete(oldest);
  }
  denyCache.set(key, entries);
  return entries;
}

// ── Gate ──────────────────────────────────────────────────────────────────────────────────────────

export function checkPrompt(text: string, opts: PromptCheckOptions = {}): PromptCheckResult {
  const p = prepareText(text);

  const inherent = new Set<string>();
  collectMatches(INHERENT_RE, p.search, inherent);
  const sexual = new Set<string>();
  collectMatches(SEXUAL_RE, p.search, sexual);
  collectMatches(COMPACT_SEXUAL_RE, p.compact, sexual);

  if (inherent.size > 0 || sexual.size > 0) {
    const minors = minorMatches(p);
    if (inherent.size > 0 || minors.size > 0) {
      return {
        ok: false,
        reason: 'minor_sexual',
        matched: [...new Set([...inherent, ...sexual, ...minors])],
        message: MINOR_SEXUAL_MESSAGE,
      };
    }
  }

  if (opts.denyNames && opts.denyNames.length > 0) {
    const hits = compileDenyNames(opts.denyNames)
      .filter((e) => e.words.test(p.search) || (e.compact?.test(p.compact) ?? false))
      .map((e) => e.name);
    if (hits.length > 0) {
      return { ok: false, reason: 'real_person', matched: [...new Set(hits)], message: REAL_PERSON_MESSAGE };
    }
  }

  return { ok: true };
}
