import type { Rating } from '../safety/types.ts';
import type { ChannelPolicy, PlatformName, PublishMedia } from './connectors/types.ts';

export interface RoutedText {
  text: string;
  disclosureAdded: boolean;
}

export type RouteVerdict = { ok: true; text: string; disclosureAdded: boolean } | { ok: false; code: string; message: string };

const PLATFORM_NAMES: Record<PlatformName, string> = {
  x: 'X',
  instagram: 'Instagram',
  reddit: 'Reddit',
  telegram: 'Telegram',
  discord: 'Discord',
  bluesky: 'Bluesky',
  fanvue: 'Fanvue',
  onlyfans_export: 'OnlyFans (export)',
  sandbox: 'Sandbox',
};

/**
 * The channel policy router: may this content go to this channel, and with which final text? Runs when
 * a target is scheduled (before anything is sent) and again just before sending, since a channel's
 * settings can change in between.
 */
export function route(input: {
  platform: PlatformName;
  handle: string;
  policy: ChannelPolicy;
  rating: Rating;
  mediaCount: number;
  /** Kinds of the media going out (absent: not known, not checked). */
  mediaKinds?: readonly PublishMedia['kind'][];
  text: string;
  disclosure: string;
}): RouteVerdict {
  const where = `${PLATFORM_NAMES[input.platform]} (${input.handle})`;
  if (!input.policy.accepts.includes(input.rating)) {
    const allowed = input.policy.accepts.join(', ');
    return { ok: false, code: 'rating_not_allowed', message: `${where} accepts ${allowed} content only; this media is rated ${input.rating}` };
  }
  const refusedKind = input.policy.mediaKinds && input.mediaKinds?.find((k) => !input.policy.mediaKinds!.includes(k));
  if (refusedKind) {
    const takes = input.policy.mediaKinds!.map((k) => `${k}s`).join(' and ') || 'no media';
    return { ok: false, code: 'media_kind_not_allowed', message: `${where} takes ${takes} only; this media is a ${refusedKind}` };
  }
  if (input.mediaCount > input.policy.maxMedia) {
    return { ok: false, code: 'too_many_media', message: `${where} takes at most ${input.policy.maxMedia} media per post` };
  }
  let text = input.text.trim();
  let disclosureAdded = false;
  if (input.policy.disclosureRequired && input.disclosure && !text.includes(input.disclosure)) {
    text = text ? `${text}\n\n${input.disclosure}` : input.disclosure;
    disclosureAdded = true;
  }
  if ([...new Intl.Segmenter().segment(text)].length > input.policy.maxTextLength) {
    return { ok: false, code: 'text_too_long', message: `${where} takes at most ${input.policy.maxTextLength} characters (the AI disclosure included)` };
  }
  return { ok: true, text, disclosureAdded };
}

/** What the router needs to know about a subreddit (Reddit's /about, /about/rules and post requirements). */
export interface SubredditFacts {
  over18?: boolean | undefined;
  flairRequired: boolean;
  rules: { shortName: string; description: string; violationReason?: string | undefined }[];
}

const AI_WORDS = String.raw`(?:\bai\b|\ba\.i\.|artificial intelligence|\bgenerative\b|midjourney|stable diffusion|dall[- ]?e)`;
const BAN_BEFORE = String.raw`(?:\bno\b|\bban(?:ned|s)?\b|prohibit|forbid|\bdon'?t\b|\bdo not\b|\bnever\b|\bnot (?:allowed|permitted)\b)`;
const BAN_AFTER = String.raw`(?:not (?:allowed|permitted|welcome)|\bbanned\b|prohibited|forbidden|will be banned)`;
// Within one sentence: "No AI art", "AI-generated content is not allowed", "Don't post AI images".
const AI_BANNED = [new RegExp(`${BAN_BEFORE}[^.!?\\n]{0,60}?${AI_WORDS}`, 'i'), new RegExp(`${AI_WORDS}[^.!?\\n]{0,60}?${BAN_AFTER}`, 'i')];

/**
 * The subreddit rule that forbids AI-generated content, if any. A plain-text match on each rule's name,
 * description and violation reason: a ban word and an AI word in the same sentence. It errs on the side
 * of refusing; an operator who checked with the moderators sets `aiAllowed: true` for that subreddit in
 * the channel's settings to overrule it. Rules that only ask to label AI content do not match.
 */
export function aiForbiddingRule(rules: SubredditFacts['rules']): string | null {
  for (const r of rules) {
    const text = [r.shortName, r.description, r.violationReason].filter(Boolean).join('. ');
    if (AI_BANNED.some((re) => re.test(text))) return r.shortName || r.description.slice(0, 80);
  }
  return null;
}

/**
 * Per-target rules of a Reddit post (a channel is one account; each target names its subreddit):
 * AI content where the rules (or the channel's settings) forbid it is refused; non-sfw media goes out
 * flagged NSFW and only where the subreddit is NSFW (Reddit's over18) or the channel's settings allow it;
 * a subreddit that requires flair needs `options.flairId`. The posting frequency is checked when the
 * target gets its time (calendar), not here.
 */
export function routeSubreddit(input: {
  subreddit: string;
  /** channel.settings.subreddits[name] as stored (explicit `aiAllowed: true` overrules the rule text). */
  config: Record<string, unknown> | undefined;
  facts: SubredditFacts;
  rating: Rating;
  flairId: string | undefined;
}): { ok: true } | { ok: false; code: string; message: string } {
  const where = `r/${input.subreddit}`;
  const config = input.config ?? {};
  if (config.aiAllowed === false) return { ok: false, code: 'reddit_ai_not_allowed', message: `${where} does not allow AI-generated content (channel settings)` };
  const banned = config.aiAllowed === true ? null : aiForbiddingRule(input.facts.rules);
  if (banned) return { ok: false, code: 'reddit_ai_not_allowed', message: `${where} does not allow AI-generated content (rule “${banned}”)` };
  if (input.rating !== 'sfw') {
    const nsfwSubreddit = input.facts.over18 === true;
    const allowed = config.nsfwAllowed === true || (nsfwSubreddit && input.rating === 'suggestive');
    if (!allowed) {
      const why = nsfwSubreddit ? 'allow nsfwAllowed for it in the channel’s settings to post explicit media there' : 'it is not an NSFW subreddit';
      return { ok: false, code: 'reddit_nsfw_not_allowed', message: `${where} does not take ${input.rating} media (posted flagged NSFW): ${why}` };
    }
  }
  if ((input.facts.flairRequired || config.flairRequired === true) && !input.flairId) {
    return { ok: false, code: 'reddit_flair_required', message: `${where} requires a post flair: choose one (flairId in the target’s options)` };
  }
  return { ok: true };
}
