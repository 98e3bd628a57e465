/**
 * The persona never recites her instructions. A reply leaks when it repeats a long run of the system prompt
 * word for word (8 words or more in a row), or talks about its own prompt/instructions in the usual phrasings.
 */
import { fold } from './text.ts';

const RUN = 8;
const TALKS_ABOUT_PROMPT = [
  /\b(?:my|the)\s+(?:system\s+prompt|instructions\s+(?:say|are|tell)|initial\s+prompt|hidden\s+prompt|prompt\s+says)\b/,
  /\bi\s+(?:was|am|have\s+been)\s+(?:instructed|programmed|told)\s+to\b/,
  /\b(?:mon|le)\s+prompt\s+systeme\b|\bmes\s+instructions\s+(?:sont|disent)\b/,
  /\b(?:mi|el)\s+prompt\s+del\s+sistema\b|\bmis\s+instrucciones\s+(?:son|dicen)\b/,
  /\bmein(?:e)?\s+(?:systemprompt|anweisungen\s+(?:sind|lauten))\b/,
  /\b(?:il\s+mio|il)\s+prompt\s+di\s+sistema\b|\bo\s+meu\s+prompt\s+de\s+sistema\b/,
];

const words = (t: string) => fold(t).split(/[^\p{L}\p{N}]+/u).filter(Boolean);

export function leaksInstructions(reply: string, instructions: readonly string[]): boolean {
  const r = fold(reply);
  if (TALKS_ABOUT_PROMPT.some((re) => re.test(r))) return true;
  const replyWords = words(reply);
  if (replyWords.length < RUN) return false;
  const runs = new Set<string>();
  for (let i = 0; i + RUN <= replyWords.length; i++) runs.add(replyWords.slice(i, i + RUN).join(' '));
  for (const source of instructions) {
    const w = words(source);
    for (let i = 0; i + RUN <= w.length; i++) if (runs.has(w.slice(i, i + RUN).join(' '))) return true;
  }
  return false;
}

/** Fan messages that try to get the instructions out; the model is reminded, the guard above decides. */
export function probesInstructions(fanText: string): boolean {
  const t = fold(fanText);
  return /\b(?:system\s+prompt|your\s+(?:instructions|prompt|rules)|ignore\s+(?:all\s+)?(?:previous|prior|above)\s+instructions|repeat\s+(?:the\s+)?(?:text|words)\s+above|prompt\s+systeme|tes\s+instructions|tus\s+instrucciones|deine\s+anweisungen|le\s+tue\s+istruzioni|suas\s+instrucoes)\b/.test(t);
}
