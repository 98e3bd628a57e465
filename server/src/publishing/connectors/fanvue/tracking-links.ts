/**
 * Fanvue tracking links (API 2025-06-26, api.fanvue.com/docs, "Tracking links"):
 *
 * - `POST /tracking-links {name (≥ 1 char), externalSocialPlatform: facebook|instagram|other|reddit|snapchat|
 *   tiktok|twitter|youtube}` → `{uuid, name, linkUrl ("fv-123"), externalSocialPlatform, createdAt, clicks,
 *   engagement: {acquiredSubscribers, acquiredFollowers, totalSubscribers, totalFollowers}, earnings|null}`;
 *   scope `write:tracking_links` (agency tokens: `/creators/{creatorUserUuid}/tracking-links`, plus `write:creator`);
 * - `GET /tracking-links?limit=&cursor=` → `{data: [same shape], nextCursor|null}`; scope `read:tracking_links`.
 *
 * The reference documents no single-link read, so a refresh pages through the list until it meets the uuid.
 * `linkUrl` is the link's code on the creator's profile; the shareable address is composed from the handle.
 */
import { ConnectorError, type ChannelAccount, type ConnectorContext } from '../types.ts';
import type { FanvueConnector } from './index.ts';

export const FANVUE_LINK_PLATFORMS = ['facebook', 'instagram', 'other', 'reddit', 'snapchat', 'tiktok', 'twitter', 'youtube'] as const;
export type FanvueLinkPlatform = (typeof FANVUE_LINK_PLATFORMS)[number];

const PAGE_SIZE = 50;
const MAX_PAGES = 20;

export interface FanvueTrackingLinkStats {
  remoteId: string;
  name: string;
  url: string;
  clicks: number;
  /** Subscribers this link brought in (`engagement.acquiredSubscribers`). */
  subscribers: number;
  followers: number;
}

type RawLink = {
  uuid?: unknown;
  name?: unknown;
  linkUrl?: unknown;
  clicks?: unknown;
  engagement?: { acquiredSubscribers?: unknown; acquiredFollowers?: unknown } | null;
};

const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0);

/** The public address of a link: Fanvue answers with its code, or (should it change) a whole URL. */
export function trackingLinkUrl(handle: string, linkUrl: string): string {
  if (/^https?:\/\//i.test(linkUrl)) return linkUrl;
  return `https://www.fanvue.com/${encodeURIComponent(handle.replace(/^@/, ''))}/${encodeURIComponent(linkUrl)}`;
}

function statsOf(account: ChannelAccount, raw: RawLink): FanvueTrackingLinkStats {
  if (typeof raw.uuid !== 'string' || typeof raw.linkUrl !== 'string') throw new ConnectorError('fanvue', 'unavailable', 'Fanvue answered a tracking link without uuid or linkUrl', { details: raw });
  return {
    remoteId: raw.uuid,
    name: typeof raw.name === 'string' ? raw.name : '',
    url: trackingLinkUrl(account.handle, raw.linkUrl),
    clicks: count(raw.clicks),
    subscribers: count(raw.engagement?.acquiredSubscribers),
    followers: count(raw.engagement?.acquiredFollowers),
  };
}

export async function createFanvueTrackingLink(
  connector: FanvueConnector,
  account: ChannelAccount,
  input: { name: string; externalSocialPlatform: FanvueLinkPlatform },
  ctx: ConnectorContext,
): Promise<FanvueTrackingLinkStats> {
  const created = await connector.postJson<RawLink>(account, '/tracking-links', { name: input.name, externalSocialPlatform: input.externalSocialPlatform }, ctx);
  return statsOf(account, created ?? {});
}

/** The link's current counters, or null when Fanvue no longer lists it (deleted there). */
export async function fetchFanvueTrackingLink(connector: FanvueConnector, account: ChannelAccount, remoteId: string, ctx: ConnectorContext): Promise<FanvueTrackingLinkStats | null> {
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer: { data?: RawLink[]; nextCursor?: string | null } = await connector.getJson(account, '/tracking-links', { limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) }, ctx);
    const hit = (Array.isArray(answer?.data) ? answer.data : []).find((l) => l.uuid === remoteId);
    if (hit) return statsOf(account, hit);
    cursor = typeof answer?.nextCursor === 'string' && answer.nextCursor ? answer.nextCursor : null;
    if (!cursor) return null;
  }
  return null;
}
