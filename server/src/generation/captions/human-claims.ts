/**
 * A persona is AI and says so: no caption may claim she is a real human. The model is told; this is the check.
 *
 * Simple, documented patterns in English, French, Spanish and German, matched case-insensitively on a copy of the
 * text with accents removed ("réelle" → "reelle", "Mädchen" → "madchen"):
 *   - claims of being real/human: "I'm a real person/girl/woman", "I'm real.", "100% real", "real person",
 *     "je suis une vraie personne", "je suis réelle", "soy una persona real", "soy real", "ich bin ein echter Mensch",
 *     "ich bin echt", "100% echt";
 *   - denials of being a bot/AI: "not a bot", "not an AI", "no bots here", "pas un bot", "pas une IA",
 *     "no soy un bot", "no soy una IA", "kein Bot", "keine KI".
 * Positive claims preceded by a negation ("not a real person", "pas une vraie personne", "kein echter Mensch") are
 * honest and kept. A sentence with a claim is dropped whole (cutting a phrase out of a sentence reads badly); a
 * hashtag with one (#notabot, #realgirl…) is dropped. Deliberately not exhaustive: a backstop, not a classifier.
 */

/** Claims that are dishonest on their own. */
const DENIALS: RegExp[] = [
  /\b(?:not|never|no)\s+(?:an?\s+)?(?:bot|robot|ai|a\.i\.|chatbot|fake\s+account|catfish)\b/,
  /\bno\s+(?:bots?|ai|a\.i\.)\s+(?:here|involved|used)\b/,
  /\bpas\s+(?:un|une|de)\s+(?:bot|robot|ia|chatbot|faux\s+compte)\b/,
  /\bpas\s+(?:de\s+l'?\s*)?ia\b/,
  /\bno\s+soy\s+(?:un|una)\s+(?:bot|robot|ia|chatbot)\b/,
  /\bnada\s+de\s+(?:ia|bots?)\b/,
  /\bkein(?:e|en)?\s+(?:bot|roboter|ki|chatbot|fake)\b/,
  /\bnicht\s+(?:ein(?:e)?\s+)?(?:bot|roboter|ki)\b/,
];

/** Claims of being real or human; honest when negated just before. */
const CLAIMS: RegExp[] = [
  /\b(?:i'?m|i\s+am|im)\s+(?:a\s+|an\s+)?(?:real|actual|genuine|living)\s+(?:person|human(?:\s+being)?|girl|woman|guy|man|lady|model)\b/,
  /\b(?:i'?m|i\s+am|im)\s+(?:so\s+|totally\s+|really\s+|100\s*%\s+|very\s+much\s+)?(?:real|human)\s*(?:[.!?,;)]|$)/,
  /\b(?:a\s+)?real\s+(?:person|human(?:\s+being)?)\b/,
  /\b100\s*%\s*(?:real|human|authentic)\b/,
  /\bje\s+suis\s+(?:une?\s+)?(?:vraie?|reelle?|veritable|authentique)\s+(?:personne|humaine?|fille|femme|meuf)\b/,
  /\bje\s+suis\s+(?:bien\s+|vraiment\s+|100\s*%\s+)?(?:reelle?|humaine?|vraie?)\s*(?:[.!?,;)]|$)/,
  /\b(?:vraie|veritable)\s+personne\b|\bpersonne\s+reelle\b/,
  /\b100\s*%\s*(?:reelle?|humaine?|vraie?)\b/,
  /\bsoy\s+(?:una?\s+)?(?:persona|chica|mujer|humana?|chico|hombre)\s+(?:real|de\s+verdad|de\s+carne\s+y\s+hueso)\b/,
  /\bsoy\s+(?:muy\s+|totalmente\s+|100\s*%\s+)?(?:real|humana?)\s*(?:[.!?,;)]|$)/,
  /\bpersona\s+real\b/,
  /\bich\s+bin\s+(?:ein(?:e)?\s+)?(?:echte[rs]?|reale[rs]?|wirkliche[rs]?)\s+(?:mensch|person|frau|madchen|mann)\b/,
  /\bich\s+bin\s+(?:wirklich\s+|total\s+|100\s*%\s+)?(?:echt|real|ein\s+mensch)\s*(?:[.!?,;)]|$)/,
  /\bechte[rn]?\s+mensch(?:en)?\b/,
  /\b100\s*%\s*echt\b/,
];

const NEGATION_BEFORE = /(?:\b(?:not|never|no|ni|pas|jamais|nunca|kein(?:e|en|er)?|nicht)|n't)\s+(?:\S+\s+){0,2}$/;

const CLAIM_TAG = /^(?:not?a?bot|nobots?|notai|noai|realperson|realhuman|realgirl|realwoman|100real|100percentreal|humannotbot|pasunbot|pasdia|vraiepersonne|noesia|nosoyunbot|personareal|keinbot|keineki|echtermensch|100echt)$/;

export function foldForMatch(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[’`´]/g, "'");
}

export function claimsHuman(text: string): boolean {
  const folded = foldForMatch(text);
  if (DENIALS.some((re) => re.test(folded))) return true;
  for (const re of CLAIMS) {
    const m = re.exec(folded);
    if (!m) continue;
    const before = folded.slice(Math.max(0, m.index - 30), m.index);
    if (!NEGATION_BEFORE.test(before)) return true;
  }
  return false;
}

/** Splits one line into sentences, keeping every character, so join('') gives the line back. */
function sentences(line: string): string[] {
  return line.match(/[^.!?…]*[.!?…]+["'”»)\]]*[ \t]*|[^.!?…]+/g) ?? [];
}

/**
 * Drops every sentence that claims the persona is human; a line left empty by that goes too (blank lines the
 * author wrote stay). Returns the cleaned text and what was removed.
 */
export function stripHumanClaims(text: string): { text: string; removed: string[] } {
  const removed: string[] = [];
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) {
      lines.push(line);
      continue;
    }
    const kept = sentences(line).filter((s) => {
      if (!claimsHuman(s)) return true;
      removed.push(s.trim());
      return false;
    });
    const joined = kept.join('').replace(/[ \t]{2,}/g, ' ').trim();
    if (joined) lines.push(joined);
  }
  const cleaned = lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text: cleaned, removed };
}

export function isHumanClaimTag(tag: string): boolean {
  return CLAIM_TAG.test(foldForMatch(tag.replace(/^#/, '')).replace(/[^a-z0-9]/g, ''));
}
