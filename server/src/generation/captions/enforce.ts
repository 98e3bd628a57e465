/**
 * Makes one model-written caption publishable on one platform — in code, whatever the model did:
 *  1. removes links (the model invents them; X also bills posts with links more), @mentions where the platform rule
 *     says so, and any sentence or hashtag claiming the persona is a real human (human-claims.ts);
 *  2. hashtags: the model's list plus any trailing `#tag #tag` block, normalised (`#` + letters/digits/_),
 *     de-duplicated, capped at the platform's recommended count (inline ones count first; extra inline ones lose
 *     their `#`); none at all where the platform has no hashtags (Reddit titles, Discord);
 *  3. the disclosure, when required, is appended after the body (any copy the model wrote is moved there, so
 *     trimming can never cut it), then the hashtags;
 *  4. the whole text is fitted to the platform's limit in the platform's unit: hashtags go first (one at a time,
 *     while the body would get less than a minimum), then the body is cut at a sentence end, or else at a word
 *     boundary with "…". The disclosure is never cut: if it alone exceeds the limit the caption is refused.
 */
import { ProviderError } from '../providers/types.ts';
import { claimsHuman, foldForMatch, isHumanClaimTag, stripHumanClaims } from './human-claims.ts';
import { findUrls, graphemes, measure, type LengthUnit } from './measure.ts';
import { hashtagCap, PLATFORM_RULES, type CaptionPlatform } from './platform-rules.ts';
import type { RawCaption } from './parse.ts';

export interface CaptionVariant {
  /** Ready to publish: body, disclosure and hashtags, within the platform's limit. */
  text: string;
  /** Every hashtag that is in `text`, with its `#`. */
  hashtags: string[];
  /** The disclosure text is in `text` (appended by us; any copy the model wrote was moved to the end). */
  disclosureAdded: boolean;
  /** The caption without disclosure and appended hashtags. */
  body: string;
  /** `text` measured the platform's way, and the limit. */
  length: number;
  maxLength: number;
  /** The body was shortened to fit. */
  trimmed: boolean;
}

export interface EnforceOptions {
  platform: CaptionPlatform;
  disclosure: { text: string; required: boolean };
  /** Override the platform's hashtag cap (never above the platform's maximum). */
  maxHashtags?: number;
}

const TAG_CHARS = /[^\p{L}\p{N}_]/gu;
const INLINE_TAG = /#[\p{L}\p{N}_]+/gu;
const TRAILING_TAGS = /(?:[ \t\n]*#[\p{L}\p{N}_]+[,]?)+[ \t\n]*$/u;
const ELLIPSIS = '…';

export function normalizeHashtag(raw: string): string | undefined {
  const tag = raw.trim().replace(/^#+/, '').replace(TAG_CHARS, '');
  if (!tag || !/\p{L}/u.test(tag) || tag.length > 100) return undefined;
  return `#${tag}`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function tidy(text: string, singleLine: boolean): string {
  let t = text.replace(/\r\n?/g, '\n');
  if (singleLine) t = t.replace(/\s*\n+\s*/g, ' ');
  return t
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/[ \t]+([,.])(?=\s|$)/g, '$1') // left by removals; French spaces before ! ? : ; stay
    .trim();
}

/**
 * The longest start of `text` that fits `budget`: whole sentences when that keeps at least half the budget,
 * otherwise whole words plus "…", otherwise (one giant word) whole graphemes plus "…".
 */
export function fitText(text: string, budget: number, unit: LengthUnit): string {
  if (measure(text, unit) <= budget) return text;
  if (budget <= 0) return '';
  const sentenceEnds = [...text.matchAll(/[.!?…]+["'”»)]*(?=\s|$)/g)].map((m) => m.index + m[0].length);
  for (let i = sentenceEnds.length - 1; i >= 0; i--) {
    const candidate = text.slice(0, sentenceEnds[i]).trimEnd();
    const len = measure(candidate, unit);
    if (len <= budget) {
      if (len >= budget / 2) return candidate;
      break;
    }
  }
  const ellipsisLen = measure(ELLIPSIS, unit);
  const pieces = text.split(/(\s+)/);
  let out = '';
  let best = '';
  for (const piece of pieces) {
    out += piece;
    if (/^\s*$/.test(piece)) continue;
    const candidate = out.trimEnd().replace(/[\s,;:–—-]+$/u, '');
    if (measure(candidate, unit) + ellipsisLen > budget) break;
    best = candidate;
  }
  if (!best) {
    for (const g of graphemes(text)) {
      if (measure(best + g, unit) + ellipsisLen > budget) break;
      best += g;
    }
    best = best.trimEnd();
  }
  return best ? best + ELLIPSIS : '';
}

export function dedupeKey(text: string): string {
  return foldForMatch(text)
    .replace(INLINE_TAG, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Returns undefined when nothing publishable is left (empty, or only human claims). */
export function enforceCaption(raw: RawCaption, options: EnforceOptions): CaptionVariant | undefined {
  const rule = PLATFORM_RULES[options.platform];
  const unit = rule.unit;
  const max = rule.maxLength;
  const cap = Math.max(0, Math.min(options.maxHashtags ?? hashtagCap(options.platform), rule.maxHashtags));
  const disclosure = options.disclosure.required ? tidy(options.disclosure.text, rule.singleLine) : '';
  if (disclosure && measure(disclosure, unit) > max) {
    throw new ProviderError('captions', 'rejected', `The disclosure text is longer than a ${rule.label} allows (${measure(disclosure, unit)} > ${max})`);
  }

  let body = raw.text.replace(/\r\n?/g, '\n');
  for (const url of findUrls(body)) body = body.replace(url, ' ');
  if (rule.stripMentions) body = body.replace(/(^|[\s(])@[A-Za-z0-9_.]+/g, '$1');
  if (disclosure) body = body.replace(new RegExp(escapeRegExp(disclosure), 'gi'), ' ');
  body = stripHumanClaims(body).text;

  // Hashtags: the model's list + a trailing block in the text.
  const trailing = TRAILING_TAGS.exec(body);
  const candidates = [...raw.hashtags];
  if (trailing && trailing.index > 0) {
    candidates.push(...(trailing[0].match(INLINE_TAG) ?? []));
    body = body.slice(0, trailing.index);
  }
  // Inline hashtags: drop claim tags, keep the first `cap`, un-tag the rest.
  let inlineKept = 0;
  const inlineSeen = new Set<string>();
  body = body.replace(INLINE_TAG, (tag) => {
    if (isHumanClaimTag(tag)) return '';
    const key = tag.toLowerCase();
    if (inlineKept < cap && !inlineSeen.has(key)) {
      inlineKept++;
      inlineSeen.add(key);
      return tag;
    }
    return tag.slice(1);
  });
  body = tidy(body, rule.singleLine);
  if (!body || !/[\p{L}\p{N}]/u.test(body) || claimsHuman(body)) return undefined;

  const appended: string[] = [];
  const seen = new Set(inlineSeen);
  for (const c of candidates) {
    const tag = normalizeHashtag(c);
    if (!tag || isHumanClaimTag(tag) || seen.has(tag.toLowerCase())) continue;
    if (inlineKept + appended.length >= cap) break;
    seen.add(tag.toLowerCase());
    appended.push(tag);
  }

  // Fit: hashtags give way first, then the body is cut; the disclosure stays whole.
  const sep = rule.separator;
  const minBody = Math.min(60, Math.floor(max / 4));
  const tags = [...appended];
  const tailOf = () => [disclosure, tags.join(' ')].filter(Boolean).join(sep);
  let fitted = body;
  let text = '';
  for (let guard = 0; guard < 200; guard++) {
    const tail = tailOf();
    const budget = max - (tail ? measure(sep + tail, unit) : 0);
    if (budget < minBody && tags.length) {
      tags.pop();
      continue;
    }
    fitted = fitText(body, budget, unit);
    text = tail ? (fitted ? fitted + sep + tail : tail) : fitted;
    // Joining can change grapheme/URL counts by a hair: shave until it really fits.
    let shave = 1;
    while (measure(text, unit) > max && fitted) {
      fitted = fitText(fitted.replace(/…$/, ''), budget - shave++, unit);
      text = tail ? (fitted ? fitted + sep + tail : tail) : fitted;
    }
    break;
  }
  if (!fitted || !/[\p{L}\p{N}]/u.test(fitted)) return undefined;

  const hashtags = [...(fitted.match(INLINE_TAG) ?? []).filter((t) => inlineSeen.has(t.toLowerCase())), ...tags];
  return {
    text,
    hashtags,
    disclosureAdded: disclosure !== '' && text.includes(disclosure),
    body: fitted,
    length: measure(text, unit),
    maxLength: max,
    trimmed: fitted !== body,
  };
}
