import type { Rating } from '../studio/types';
import type { Channel, ChannelPlatform, Variant } from './types';

/**
 * What each platform takes, mirrored from the server's connectors (`policy()`), for hints and
 * live previews while writing. The server's policy router stays the authority: it refuses on create.
 */
export interface Policy {
  accepts: Rating[];
  /** Characters (graphemes) the platform takes, the AI disclosure included. */
  limit: number;
  /** Reddit counts its title (the first line unless one is given); the others count the whole text. */
  counts: 'text' | 'title';
  /** Kinds of media the channel takes (the server's `mediaKinds`); absent: images and videos. */
  mediaKinds?: MediaKind[];
}

export type MediaKind = 'image' | 'video';

/** What the server makes of an asset's kind when it routes it (null: no media). */
export const mediaKindOf = (asset: { kind: string } | null | undefined): MediaKind | null => (asset ? (asset.kind === 'video' ? 'video' : 'image') : null);

/** Whether the channel takes this kind of media (null: no media). */
export const takesMedia = (policy: Pick<Policy, 'mediaKinds'>, kind: MediaKind | null) => kind === null || !policy.mediaKinds || policy.mediaKinds.includes(kind);

const ALL: Rating[] = ['sfw', 'suggestive', 'explicit'];
const LIMITS: Record<ChannelPlatform, number> = {
  x: 280,
  bluesky: 300,
  instagram: 2200,
  telegram: 1024,
  discord: 2000,
  reddit: 300,
  fanvue: 5000,
  onlyfans_export: 1000,
  sandbox: 5000,
};

function redditTakesAdult(settings: Record<string, unknown>): boolean {
  const subs = settings.subreddits;
  if (!subs || typeof subs !== 'object') return false;
  return Object.values(subs as Record<string, unknown>).some((s) => !!s && typeof s === 'object' && (s as { nsfwAllowed?: unknown }).nsfwAllowed === true && (s as { aiAllowed?: unknown }).aiAllowed !== false);
}

export function policyOf(channel: Pick<Channel, 'platform' | 'settings'>): Policy {
  const ageRestricted = channel.settings.ageRestricted === true;
  const limit = LIMITS[channel.platform];
  switch (channel.platform) {
    case 'instagram':
      return { accepts: ['sfw'], limit, counts: 'text' };
    case 'discord':
      return { accepts: ageRestricted ? ALL : ['sfw'], limit, counts: 'text' };
    case 'telegram':
      return { accepts: ageRestricted ? ALL : ['sfw', 'suggestive'], limit, counts: 'text' };
    case 'reddit':
      return { accepts: redditTakesAdult(channel.settings) ? ALL : ['sfw', 'suggestive'], limit, counts: 'title', mediaKinds: ['image'] };
    case 'bluesky':
      return { accepts: ALL, limit, counts: 'text', mediaKinds: ['image'] };
    default:
      return { accepts: ALL, limit, counts: 'text' };
  }
}

/** "sfw" → only SFW, two ratings → SFW and suggestive, all three → adult allowed. */
export type AcceptsLabel = 'sfwOnly' | 'noExplicit' | 'all';
export const acceptsLabel = (accepts: readonly Rating[]): AcceptsLabel => (accepts.includes('explicit') ? 'all' : accepts.includes('suggestive') ? 'noExplicit' : 'sfwOnly');

const segmenter = typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter() : null;
/** Characters as people (and the server's router) count them: grapheme clusters. */
export const countChars = (text: string) => (segmenter ? [...segmenter.segment(text)].length : [...text].length);

/** What the server will make of a text before it answers: trimmed, with the disclosure appended when absent. */
export function estimateFinalText(text: string, disclosure: string | undefined): string {
  const trimmed = text.trim();
  if (!disclosure || trimmed.includes(disclosure)) return trimmed;
  return trimmed ? `${trimmed}\n\n${disclosure}` : disclosure;
}

/** Reddit's title: the one given, else the first non-empty line (as the connector does). */
export function redditTitle(text: string, title?: string): string {
  if (title?.trim()) return title.trim();
  return text.split(/\r?\n/).find((line) => line.trim() !== '')?.trim() ?? '';
}

/** Width / height of each cut the studio makes; `original` keeps the image's own. */
export function variantRatio(variant: Variant, original?: { width: number | null; height: number | null }): number {
  switch (variant) {
    case 'portrait':
      return 4 / 5;
    case 'story':
      return 9 / 16;
    case 'landscape':
      return 16 / 9;
    case 'square':
      return 1;
    default:
      return original?.width && original.height ? original.width / original.height : 4 / 5;
  }
}
