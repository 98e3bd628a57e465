/**
 * Signals that a fan may hurt themselves: explicit statements of suicidal intent or self-harm in the six
 * languages. A signal gets a fixed caring reply with help resources and an operator alert; the model is not
 * asked. Deliberately phrase-based (no single words like "die"), so song lyrics and jokes about a boring day
 * rarely trip it; when one does, a caring message costs little.
 */
import { fold } from './text.ts';

const SIGNALS: RegExp[] = [
  // English
  /\b(?:i\s+(?:want|wanna|am\s+going|'m\s+going|plan|need)\s+to\s+(?:kill\s+myself|die|end\s+(?:it\s+all|my\s+life|it)|hurt\s+myself|cut\s+myself))\b/,
  /\b(?:kill(?:ing)?\s+myself|suicid(?:e|al)|self[-\s]?harm(?:ing)?|cutting\s+myself|end\s+my\s+life|take\s+my\s+(?:own\s+)?life|don'?t\s+want\s+to\s+(?:live|be\s+alive|wake\s+up)|no\s+reason\s+to\s+live|better\s+off\s+dead|overdose)\b/,
  // French
  /\b(?:me\s+suicider|suicidaire|me\s+tuer|en\s+finir\s+avec\s+(?:la\s+vie|ma\s+vie|tout)|mettre\s+fin\s+a\s+(?:mes\s+jours|ma\s+vie)|me\s+faire\s+du\s+mal|me\s+scarifier|envie\s+de\s+mourir|veux\s+mourir|plus\s+envie\s+de\s+vivre)\b/,
  // Spanish
  /\b(?:suicidarme|suicida|matarme|quitarme\s+la\s+vida|hacerme\s+dano|cortarme|quiero\s+morir(?:me)?|no\s+quiero\s+vivir|acabar\s+con\s+(?:mi\s+vida|todo))\b/,
  // German
  /\b(?:mich\s+umbringen|suizid\w*|selbstmord\w*|mir\s+das\s+leben\s+nehmen|mich\s+ritzen|mir\s+weh\s+tun|will\s+sterben|nicht\s+mehr\s+leben)\b/,
  // Italian
  /\b(?:suicidarmi|uccidermi|togliermi\s+la\s+vita|farmi\s+del\s+male|tagliarmi|voglio\s+morire|non\s+voglio\s+(?:piu\s+)?vivere|farla\s+finita)\b/,
  // Portuguese
  /\b(?:me\s+matar|suicidar|suicida|tirar\s+a\s+minha\s+(?:propria\s+)?vida|me\s+machucar|me\s+cortar|quero\s+morrer|nao\s+quero\s+(?:mais\s+)?viver|acabar\s+com\s+(?:a\s+minha\s+vida|tudo))\b/,
];

export function selfHarmSignal(fanText: string): { matched: string } | null {
  const t = fold(fanText);
  for (const re of SIGNALS) {
    const m = re.exec(t);
    if (m) return { matched: m[0] };
  }
  return null;
}
