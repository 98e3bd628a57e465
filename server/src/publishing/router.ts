import type { Rating } from '../safety/types.ts';
import type { ChannelPolicy, PlatformName } from './connectors/types.ts';

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
  text: string;
  disclosure: string;
}): RouteVerdict {
  const where = `${PLATFORM_NAMES[input.platform]} (${input.handle})`;
  if (!input.policy.accepts.includes(input.rating)) {
    const allowed = input.policy.accepts.join(', ');
    return { ok: false, code: 'rating_not_allowed', message: `${where} accepts ${allowed} content only; this media is rated ${input.rating}` };
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
