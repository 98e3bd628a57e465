/** Text plumbing shared by the chat guards. */
export { foldForMatch as fold } from '../../generation/captions/human-claims.ts';

export type Lang = 'en' | 'fr' | 'es' | 'de' | 'it' | 'pt';
export const langs: readonly Lang[] = ['en', 'fr', 'es', 'de', 'it', 'pt'];

/** Splits text into sentences, keeping every character, so join('') gives the text back. */
export function sentences(text: string): string[] {
  // A point between digits ("9.99") is part of a number, not the end of a sentence.
  return text.match(/(?:[^.!?…\n]|\.(?=\d))*(?:[.!?…]+["'”»)\]]*|\n)[ \t]*|(?:[^.!?…\n]|\.(?=\d))+/g) ?? [];
}

/** The text without the sentences `drop` selects; blank runs collapsed. */
export function dropSentences(text: string, drop: (sentence: string) => boolean): { text: string; removed: string[] } {
  const removed: string[] = [];
  const kept = sentences(text).filter((s) => {
    if (!s.trim() || !drop(s)) return true;
    removed.push(s.trim());
    return false;
  });
  return {
    text: kept
      .join('')
      .replace(/[ \t]{2,}/g, ' ')
      .replace(/\n{3,}/g, '\n\n')
      .trim(),
    removed,
  };
}

const STOPWORDS: Record<Lang, string[]> = {
  en: ['the', 'and', 'you', 'are', 'is', 'what', 'how', 'i', 'my', 'to', 'it', 'do', 'have', 'this', 'with', 'hello', 'hi', 'hey', 'real', 'thanks', 'your', 'me', 'be', 'not'],
  fr: ['le', 'la', 'les', 'et', 'tu', 'es', 'est', 'je', 'suis', 'vous', 'pas', 'une', 'un', 'de', 'des', 'que', 'quoi', 'comment', 'bonjour', 'salut', 'merci', 'ca', 'moi', 't', 'j', 'c', 'oui', 'mais', 'avec', 'ia'],
  es: ['el', 'la', 'los', 'las', 'y', 'eres', 'es', 'yo', 'soy', 'tu', 'que', 'como', 'hola', 'gracias', 'una', 'un', 'de', 'no', 'estas', 'tengo', 'pero', 'con', 'muy', 'por', 'bot'],
  de: ['der', 'die', 'das', 'und', 'du', 'bist', 'ist', 'ich', 'bin', 'nicht', 'ein', 'eine', 'wie', 'was', 'hallo', 'danke', 'mit', 'mein', 'ja', 'aber', 'echt', 'wirklich', 'ki'],
  it: ['il', 'lo', 'la', 'gli', 'e', 'sei', 'io', 'sono', 'non', 'che', 'come', 'ciao', 'grazie', 'una', 'un', 'di', 'per', 'ho', 'ma', 'vero', 'davvero', 'anni'],
  pt: ['o', 'os', 'as', 'e', 'voce', 'eu', 'sou', 'nao', 'que', 'como', 'ola', 'obrigado', 'obrigada', 'uma', 'um', 'de', 'tenho', 'mas', 'com', 'muito', 'real', 'anos', 'tudo', 'bem'],
};
const STOP_SETS = Object.fromEntries(langs.map((l) => [l, new Set(STOPWORDS[l])])) as Record<Lang, Set<string>>;

/** A best guess among the six languages the guards speak; null when the text gives too little to go on. */
export function detectLanguage(text: string): Lang | null {
  const raw = text.toLowerCase();
  const words = raw
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .split(/[^a-z]+/)
    .filter(Boolean);
  if (!words.length) return null;
  const score: Record<Lang, number> = { en: 0, fr: 0, es: 0, de: 0, it: 0, pt: 0 };
  for (const w of words) for (const l of langs) if (STOP_SETS[l].has(w)) score[l] += 1;
  // Letters and marks only one language uses weigh more than shared short words.
  if (/[¿¡ñ]/.test(raw)) score.es += 2;
  if (/[ßäöü]/.test(raw)) score.de += 2;
  if (/[ãõç]/.test(raw) && !/[èêëîï]/.test(raw)) score.pt += 1.5;
  if (/[èêëàùœç]|\b(?:t'|j'|c'|qu')/.test(raw)) score.fr += 1.5;
  let best: Lang | null = null;
  for (const l of langs) if (score[l] > 0 && (best === null || score[l] > score[best])) best = l;
  return best;
}
