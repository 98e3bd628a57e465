/** The messages that ask a text model for caption variants. */
import type { ChatMessage } from '../providers/types.ts';
import { hashtagCap, PLATFORM_RULES, type CaptionPlatform } from './platform-rules.ts';

export interface CaptionPersona {
  name: string;
  bio?: string | null;
  tone?: string | null;
  languages?: string[];
}

/** 'fr' → 'French', 'pt-BR' → 'Brazilian Portuguese'; the tag itself when unknown. */
export function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

const UNIT_WORDS = {
  'x-weighted': 'characters (emoji count double)',
  graphemes: 'characters',
  'code-points': 'characters',
  utf16: 'characters',
} as const;

export interface PromptInput {
  persona: CaptionPersona;
  brief: string;
  platform: CaptionPlatform;
  language: string;
  count: number;
  /** What the body may use once disclosure and hashtags are counted. */
  bodyBudget: number;
  /** Earlier captions the new ones must differ from (second attempt). */
  avoid?: string[];
}

export function captionMessages(input: PromptInput): ChatMessage[] {
  const rule = PLATFORM_RULES[input.platform];
  const lang = `${languageName(input.language)} (${input.language})`;
  const tags = hashtagCap(input.platform);
  const persona = input.persona;
  const system = [
    `You write social media captions for ${persona.name}, a fictional adult creator persona who is AI-generated and openly disclosed as AI.`,
    persona.bio ? `About her: ${persona.bio.trim()}` : '',
    `Tone: ${persona.tone?.trim() || 'warm, playful, concise'}.`,
    `Write every caption in ${lang} only, whatever language the instructions are in.`,
    'Rules: never claim or imply she is a real person or human, never deny being AI ("not a bot" and the like); no links; no @mentions; nothing about minors; do not write the AI disclosure yourself — it is added automatically.',
    'Answer with JSON only, no commentary.',
  ]
    .filter(Boolean)
    .join('\n');
  const user = [
    `Platform: ${rule.label} — ${rule.style}.`,
    `The post shows: ${input.brief.trim()}`,
    `Write ${input.count} clearly different caption variants in ${lang}, each at most ${Math.max(20, input.bodyBudget)} ${UNIT_WORDS[rule.unit]}${rule.singleLine ? ', on a single line' : ''}.`,
    tags > 0
      ? `Give each variant up to ${tags} relevant hashtags in "hashtags" (without them in "text").`
      : 'Use no hashtags at all: "hashtags" must be an empty list.',
    input.avoid?.length ? `They must differ from these existing captions:\n${input.avoid.map((a) => `- ${a}`).join('\n')}` : '',
    `Format: {"variants": [{"text": "…", "hashtags": [${tags > 0 ? '"tag"' : ''}]}]} with exactly ${input.count} items.`,
  ]
    .filter(Boolean)
    .join('\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}
