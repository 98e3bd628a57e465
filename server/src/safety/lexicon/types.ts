/**
 * Shape of one language's prompt-gate lexicon.
 *
 * Patterns are written in a tiny DSL on top of JavaScript regex source, against NORMALISED text
 * (see normalize.ts: lowercase ASCII, accents stripped, leetspeak mapped, separators turned into single
 * spaces, runs of 3+ identical letters cut to 2):
 * - a letter matches one or more of itself ("nude" also matches "nuude"), a doubled letter two or more
 *   ("teen" matches "teeen" but never "ten"); a letter followed by ?, *, + or {…} keeps that quantifier;
 * - a space matches an optional space ("school girl" also matches "schoolgirl");
 * - everything else is plain regex (groups, alternation, lookarounds, \w, character classes).
 * Terms are joined into one alternation per category and wrapped in word boundaries.
 */
export interface AgeRule {
  /**
   * Regex source (NOT stretched) run on the normalised text before leetspeak mapping, so digits survive.
   * `{N}` stands for the number: digits or one of the lexicon's number words.
   */
  pattern: string;
  /** The match is a minor indicator when the number is between 0 and this value (ages: 17; "under N": 18). */
  maxMinor: number;
}

export interface Lexicon {
  lang: 'en' | 'fr' | 'es' | 'de';
  /** Minors and childlike traits. */
  minor: readonly string[];
  /** Sexual content: nudity, sex acts, explicit/NSFW/porn terms, lingerie-level erotic terms. */
  sexual: readonly string[];
  /** Terms that by themselves denote sexual content involving minors (refused without a second term). */
  inherent: readonly string[];
  /** Long, distinctive words also searched with every space removed ("s chool girl", "#nsfwart"). */
  compactMinor: readonly string[];
  compactSexual: readonly string[];
  /** Regex sources matched on the lowercased ORIGINAL text (NFC), for signals that accent stripping erases. */
  rawMinor: readonly string[];
  /** Words that, right before a minor term, negate it ("no kids", "sans enfants", "ohne Kinder"). */
  negations: readonly string[];
  /** Number words this language's age rules accept in place of digits. */
  numberWords: Readonly<Record<string, number>>;
  ages: readonly AgeRule[];
}
