/** What the guards read in a fan's message before anything is generated. */
import { asksIfAI } from './disclosure.ts';
import { probesInstructions } from './leak.ts';
import { statesUnder18, type MinorStatement } from './minors.ts';
import { selfHarmSignal } from './self-harm.ts';
import { detectLanguage, type Lang } from './text.ts';

export interface InboundScreen {
  lang: Lang | null;
  asksIfAI: boolean;
  minor: MinorStatement | null;
  selfHarm: { matched: string } | null;
  probesInstructions: boolean;
}

export function screenInbound(text: string): InboundScreen {
  return {
    lang: detectLanguage(text),
    asksIfAI: asksIfAI(text),
    minor: statesUnder18(text),
    selfHarm: selfHarmSignal(text),
    probesInstructions: probesInstructions(text),
  };
}
