import { de } from './de.ts';
import { en } from './en.ts';
import { es } from './es.ts';
import { fr } from './fr.ts';
import type { Lexicon } from './types.ts';

export type { AgeRule, Lexicon } from './types.ts';

/** Every lexicon the gate searches; prompts mix languages, so all run on every text. */
export const lexicons: readonly Lexicon[] = [en, fr, es, de];
