/**
 * One table of what each platform allows in a caption. The writer asks the model to follow these and then enforces
 * them in code. Sources: /work/shared/reference/PLATFORMS.md and the platforms' docs; values we could not confirm
 * are marked (default) — they are deliberately conservative and easy to change here.
 */
import type { LengthUnit } from './measure.ts';

export const captionPlatforms = ['x', 'instagram', 'reddit', 'bluesky', 'fanvue', 'telegram', 'discord', 'onlyfans'] as const;
export type CaptionPlatform = (typeof captionPlatforms)[number];

export interface PlatformRule {
  label: string;
  /** Hard limit for the whole published text (body + hashtags + disclosure), in `unit`. */
  maxLength: number;
  unit: LengthUnit;
  /** The platform's own ceiling on hashtags (0 = hashtags do not work / do not belong there). */
  maxHashtags: number;
  /** How many we actually keep (≤ maxHashtags): what performs, not what is allowed. */
  recommendedHashtags: number;
  /** Reddit titles: one line, newlines become spaces. */
  singleLine: boolean;
  /** Remove @mentions the model invents (X forbids unsolicited mentions; Bluesky turns them into notifications). */
  stripMentions: boolean;
  /** Between the body, the hashtags and the disclosure. */
  separator: string;
  /** One line for the prompt about style on this platform. */
  style: string;
}

export const PLATFORM_RULES: Record<CaptionPlatform, PlatformRule> = {
  x: {
    label: 'X (Twitter) post',
    maxLength: 280, // weighted: URLs 23, emoji 2, CJK 2 (see measure.ts)
    unit: 'x-weighted',
    maxHashtags: 280,
    recommendedHashtags: 2,
    singleLine: false,
    stripMentions: true,
    separator: '\n\n',
    style: 'short and punchy, one or two sentences; no @mentions, no trending-topic hijacking',
  },
  instagram: {
    label: 'Instagram caption',
    maxLength: 2200,
    unit: 'code-points',
    maxHashtags: 30, // Instagram's hard cap
    recommendedHashtags: 5, // Instagram's own advice: 3–5 relevant hashtags
    singleLine: false,
    stripMentions: false,
    separator: '\n\n',
    style: 'a strong first line (only ~125 characters show before "more"), then one or two short lines; emoji welcome',
  },
  reddit: {
    label: 'Reddit post title',
    maxLength: 300,
    unit: 'code-points',
    maxHashtags: 0, // hashtags mean nothing on Reddit and look like spam in titles
    recommendedHashtags: 0,
    singleLine: true,
    stripMentions: false,
    separator: ' ',
    style: 'a descriptive, natural title on one line, no hashtags, little or no emoji, no clickbait',
  },
  bluesky: {
    label: 'Bluesky post',
    maxLength: 300, // graphemes
    unit: 'graphemes',
    maxHashtags: 300,
    recommendedHashtags: 3,
    singleLine: false,
    stripMentions: true,
    separator: '\n\n',
    style: 'conversational and short; no @mentions',
  },
  fanvue: {
    label: 'Fanvue post',
    maxLength: 1500, // (default) no documented limit in our references; a comfortable post length
    unit: 'code-points',
    maxHashtags: 5, // (default)
    recommendedHashtags: 3,
    singleLine: false,
    stripMentions: false,
    separator: '\n\n',
    style: 'personal and teasing, speaking to subscribers; invite them to chat',
  },
  telegram: {
    label: 'Telegram channel post caption',
    maxLength: 1024, // Bot API: media captions 0–1024 characters (UTF-16) after entity parsing
    unit: 'utf16',
    maxHashtags: 5, // (default) hashtags are clickable in Telegram
    recommendedHashtags: 3,
    singleLine: false,
    stripMentions: false,
    separator: '\n\n',
    style: 'friendly channel post, a few lines at most',
  },
  discord: {
    label: 'Discord message',
    maxLength: 2000, // message content limit (without Nitro)
    unit: 'code-points',
    maxHashtags: 0, // hashtags are plain text on Discord
    recommendedHashtags: 0,
    singleLine: false,
    stripMentions: true, // never @everyone/@here or a user by accident
    separator: '\n\n',
    style: 'casual community message, no hashtags',
  },
  onlyfans: {
    label: 'OnlyFans post (exported, posted by hand)',
    maxLength: 1000, // (default) no public API or documented limit
    unit: 'code-points',
    maxHashtags: 5, // (default)
    recommendedHashtags: 3,
    singleLine: false,
    stripMentions: false,
    separator: '\n\n',
    style: 'personal and teasing, speaking to subscribers',
  },
};

export function hashtagCap(platform: CaptionPlatform): number {
  const rule = PLATFORM_RULES[platform];
  return Math.min(rule.maxHashtags, rule.recommendedHashtags);
}
