/**
 * The persona is an AI and says so whenever asked, in any of the six languages, whatever the model wrote.
 *
 * - `asksIfAI`: questions and challenges about being real, human, a person, a bot, an AI or fake
 *   ("are you real?", "t'es une IA ?", "¿eres un bot?", "bist du echt?", "sei un bot?", "você é real?",
 *   "is this a bot", "am I talking to a human"). Matched on folded text (accents gone, lowercase).
 * - `saysAI`: the reply itself states it is an AI/bot/virtual ("I'm an AI", "je suis une IA", …).
 * - `claimsHuman`: the caption guard's patterns (EN/FR/ES/DE) plus Italian and Portuguese ones.
 * - `enforceDisclosure`: human claims are cut out of every reply; when the fan asked, a reply that does not
 *   say it is an AI gets the fixed disclosure sentence first.
 */
import { claimsHuman as claimsHumanEfsd } from '../../generation/captions/human-claims.ts';
import { AI_DISCLOSURE } from './messages.ts';
import { dropSentences, fold, type Lang } from './text.ts';

const BEING = '(?:real|human|a\\s+human|a\\s+person|a\\s+real\\s+person|a\\s+bot|an?\\s+ai|an?\\s+a\\.i\\.?|a\\s+robot|a\\s+machine|a\\s+chatbot|a\\s+program|fake|an\\s+actual\\s+person|a\\s+computer|artificial|automated)';

const ASKS: RegExp[] = [
  // English
  new RegExp(`\\b(?:are|r)\\s+(?:you|u|ya)\\s+(?:really\\s+|actually\\s+|even\\s+|just\\s+)?${BEING}\\b`),
  new RegExp(`\\b(?:you|u)\\s+(?:are\\s+|r\\s+)?(?:really\\s+|actually\\s+)?${BEING}\\s*\\?`),
  /\b(?:is\s+this|am\s+i\s+(?:talking|chatting|speaking)\s+(?:to|with))\s+(?:a\s+|an\s+)?(?:real|human|person|bot|ai|robot|machine|chatbot|computer|program)/,
  /\b(?:is\s+(?:this|it)\s+(?:an?\s+)?(?:ai|bot|chatbot|automated))\b/,
  /\bare\s+you\s+(?:a\s+)?(?:real|human|person)\b/,
  /\b(?:human|real\s+person|bot|ai)\s+or\s+(?:a\s+)?(?:bot|ai|human|real|not)\b/,
  // French
  /\bc'?est\s+(?:une?\s+)?(?:ia|bot|robot|chatbot)\b/,
  /\b(?:t'?es|tu\s+es|es[\s-]+tu|vous\s+etes|etes[\s-]+vous)\s+(?:vraiment\s+|bien\s+|juste\s+)?(?:une?\s+)?(?:ia|i\.a\.?|bot|robot|chatbot|vraie?|reelle?|humaine?|vraie\s+personne|personne\s+reelle|intelligence\s+artificielle|programme|machine|fake)\b/,
  /\bje\s+(?:parle|discute)\s+(?:a|avec)\s+(?:une?\s+)?(?:ia|bot|robot|humain|vraie\s+personne|machine)\b/,
  // Spanish
  /\b(?:eres|es\s+usted|estoy\s+hablando\s+con)\s+(?:de\s+verdad\s+|realmente\s+)?(?:una?\s+)?(?:ia|i\.a\.?|bot|robot|chatbot|real|humana?|persona\s+real|persona|maquina|programa|inteligencia\s+artificial)\b/,
  // German
  /\b(?:bist\s+du|sind\s+sie|ist\s+das)\s+(?:wirklich\s+|echt\s+|eigentlich\s+)?(?:eine?\s+)?(?:ki|k\.i\.?|bot|roboter|chatbot|echt|real|mensch|echter\s+mensch|maschine|programm|kunstliche\s+intelligenz)\b/,
  /\b(?:rede|schreibe|spreche)\s+ich\s+mit\s+(?:einem?\s+)?(?:ki|bot|mensch|maschine|roboter)\b/,
  // Italian
  /\bsei\s+(?:davvero\s+|veramente\s+)?(?:una?\s+|un'\s*)?(?:ia|i\.a\.?|bot|robot|chatbot|vera|vero|reale|umana?|persona\s+reale|intelligenza\s+artificiale|macchina|programma)\b/,
  /\bsto\s+parlando\s+con\s+(?:una?\s+|un'\s*)?(?:ia|bot|robot|umano|persona\s+reale|macchina)\b/,
  // Portuguese
  /\b(?:voce\s+e|tu\s+es|vc\s+e|es)\s+(?:mesmo\s+|realmente\s+|de\s+verdade\s+)?(?:uma?\s+)?(?:ia|i\.a\.?|bot|robo|chatbot|real|humana?|pessoa\s+real|maquina|programa|inteligencia\s+artificial)\b/,
  /\bestou\s+(?:falando|a\s+falar)\s+com\s+(?:uma?\s+)?(?:ia|bot|robo|humano|pessoa\s+real|maquina)\b/,
];

/** A short message that is only the word ("bot?", "IA ?", "real?") is a question too. */
const BARE = /^\s*(?:ai|a\.i\.|ia|ki|bot|robot|human|real|fake|echt|humain|humana|humano|reale|vrai|vraie)\s*\?+\s*$/;

export function asksIfAI(fanText: string): boolean {
  const t = fold(fanText);
  return BARE.test(t) || ASKS.some((re) => re.test(t));
}

const SAYS_AI: RegExp[] = [
  /\b(?:i'?m|i\s+am|im)\s+(?:an?\s+|just\s+an?\s+|actually\s+an?\s+|really\s+an?\s+)?(?:ai|a\.i\.|artificial\s+intelligence|bot|chatbot|virtual|digital|ai[-\s]generated|computer[-\s]generated)\b/,
  /\bje\s+suis\s+(?:une?\s+)?(?:ia|i\.a\.|intelligence\s+artificielle|bot|chatbot|personnage\s+virtuel|persona\s+(?:ia|virtuelle)|virtuelle?)\b/,
  /\bsoy\s+(?:una?\s+)?(?:ia|i\.a\.|inteligencia\s+artificial|bot|chatbot|personaje\s+virtual|virtual)\b/,
  /\bich\s+bin\s+(?:eine?\s+)?(?:ki|k\.i\.|kunstliche\s+intelligenz|bot|chatbot|virtuelle?|ki-persona)\b/,
  /\bsono\s+(?:una?\s+|un'\s*)?(?:ia|i\.a\.|intelligenza\s+artificiale|bot|chatbot|virtuale)\b/,
  /\bsou\s+(?:uma?\s+)?(?:ia|i\.a\.|inteligencia\s+artificial|bot|chatbot|virtual)\b/,
];

export function saysAI(reply: string): boolean {
  const t = fold(reply);
  return SAYS_AI.some((re) => re.test(t));
}

const HUMAN_CLAIMS_IT_PT: RegExp[] = [
  /\bsono\s+(?:una?\s+)?(?:persona|ragazza|donna|umana?)\s+(?:vera|reale|in\s+carne\s+e\s+ossa)\b/,
  /\bsono\s+(?:davvero\s+|proprio\s+)?(?:reale|umana?|vera)\s*(?:[.!?,;)]|$)/,
  /\bnon\s+sono\s+(?:una?\s+|un'\s*)?(?:ia|bot|robot|intelligenza\s+artificiale|macchina)\b/,
  /\bsou\s+(?:uma?\s+)?(?:pessoa|garota|mulher|rapariga|humana?)\s+(?:real|de\s+verdade|de\s+carne\s+e\s+osso)\b/,
  /\bsou\s+(?:mesmo\s+|totalmente\s+)?(?:real|humana?)\s*(?:[.!?,;)]|$)/,
  /\bnao\s+sou\s+(?:uma?\s+)?(?:ia|bot|robo|inteligencia\s+artificial|maquina)\b/,
];
const NEGATED = /\b(?:non|nao|not|pas|no|kein\w*|nicht)\s+(?:\S+\s+){0,2}$/;

export function claimsHuman(text: string): boolean {
  if (claimsHumanEfsd(text)) return true;
  const t = fold(text);
  return HUMAN_CLAIMS_IT_PT.some((re) => {
    const m = re.exec(t);
    if (!m) return false;
    // "non sono un bot" is a denial whatever precedes; positive claims may be negated just before.
    if (/^(?:non|nao)\s/.test(m[0])) return true;
    return !NEGATED.test(t.slice(Math.max(0, m.index - 30), m.index));
  });
}

export interface DisclosureResult {
  text: string;
  /** Sentences removed because they claimed the persona is human. */
  removedClaims: string[];
  /** The fixed disclosure sentence was added. */
  added: boolean;
}

/** Applied to every reply: no human claim ever goes out; when asked, the reply says it is an AI. */
export function enforceDisclosure(reply: string, opts: { asked: boolean; lang: Lang }): DisclosureResult {
  const { text, removed } = dropSentences(reply, claimsHuman);
  if (!opts.asked || saysAI(text)) return { text, removedClaims: removed, added: false };
  const disclosure = AI_DISCLOSURE[opts.lang];
  return { text: text ? `${disclosure} ${text}` : disclosure, removedClaims: removed, added: true };
}
