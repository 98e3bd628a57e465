// Everything held about one fan, part by part. GDPR export collects every part; erase runs every part's
// eraser in the one erase transaction, then blanks the profile itself. A capability that stores more about
// fans (the chatbot: messages, memory) adds one entry with `registerFanDataPart` and both stay complete.
import { createHash } from 'node:crypto';
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.ts';
import type { Storage } from '../../platform/storage/index.ts';
import { channels, engagements, fans, ledgerImports, mediaAssets, packItems, ppvCampaigns, ppvRecipients, transactions } from '../../platform/db/schema/index.ts';
import { rememberErasedAuthor } from '../../publishing/engagement/erased-authors.ts';

export type FanRow = typeof fans.$inferSelect;

export interface FanDataContext {
  storage: Storage;
  /** Media the export points at; parts add asset ids here and the export signs URLs for them once. */
  mediaIds: Set<string>;
}

export interface FanDataPart {
  /** Key of this part in the export document. */
  name: string;
  collect(tx: Tx, fan: FanRow, ctx: FanDataContext): Promise<unknown>;
  /** Deletes or anonymises; runs inside the erase transaction, before the profile is blanked. Returns rows touched. */
  erase(tx: Tx, fan: FanRow, scrub: Scrubber): Promise<number>;
}

/** Removes a fan's identifiers (handle, display name, platform id) from free text and platform records. */
export interface Scrubber {
  contains(text: string): boolean;
  text(text: string): string;
  json(value: unknown): unknown;
}

const PERSONAL_KEYS = /^(handle|user_?name|display_?name|name|nickname|email|e_?mail|avatar|profile|user|fan|fan_?(id|uuid|handle|name)|user_?(id|uuid)|sender|from|buyer|subscriber|message|text|note|notes|comment)$/i;

export function scrubberFor(fan: Pick<FanRow, 'handle' | 'displayName' | 'platformFanId'>): Scrubber {
  const ids = [fan.handle, fan.handle?.replace(/^@/, ''), fan.displayName, fan.platformFanId]
    .filter((v): v is string => typeof v === 'string' && v.trim().length >= 2)
    .map((v) => v.trim());
  const pattern = ids.length ? new RegExp(ids.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi') : null;
  const contains = (text: string) => (pattern ? new RegExp(pattern.source, 'i').test(text) : false);
  const text = (t: string) => (pattern ? t.replace(pattern, '[erased]') : t);
  const json = (value: unknown): unknown => {
    if (typeof value === 'string') return contains(value) ? '[erased]' : value;
    if (Array.isArray(value)) return value.map(json);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, PERSONAL_KEYS.test(k) && v !== null && typeof v !== 'number' && typeof v !== 'boolean' ? '[erased]' : json(v)]));
    }
    return value;
  };
  return { contains, text, json };
}

/** What an erase puts in place of a source id that named the fan: still unique, and found again by a re-import. */
export function erasedSourceId(sourceId: string): string {
  return `erased:${createHash('sha256').update(sourceId).digest('hex').slice(0, 40)}`;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** Ledger rows stay (totals must not move) but lose whatever names the fan. */
const ledgerPart: FanDataPart = {
  name: 'transactions',
  async collect(tx, fan, ctx) {
    const rows = await tx.select().from(transactions).where(eq(transactions.fanId, fan.id)).orderBy(transactions.occurredAt);
    const packIds = [...new Set(rows.map((r) => r.packId).filter((id): id is string => !!id))];
    if (packIds.length) for (const item of await tx.select({ assetId: packItems.assetId }).from(packItems).where(inArray(packItems.packId, packIds))) ctx.mediaIds.add(item.assetId);
    return rows.map((r) => ({
      id: r.id,
      platform: r.platform,
      kind: r.kind,
      grossMinor: r.grossMinor,
      feeMinor: r.feeMinor,
      netMinor: r.netMinor,
      currency: r.currency,
      occurredAt: r.occurredAt.toISOString(),
      source: r.source,
      packId: r.packId,
      campaignId: r.campaignId,
      description: r.description,
      raw: r.raw,
    }));
  },
  async erase(tx, fan, scrub) {
    const rows = await tx.select().from(transactions).where(eq(transactions.fanId, fan.id));
    for (const r of rows) {
      await tx
        .update(transactions)
        .set({
          description: scrub.text(r.description),
          raw: scrub.json(r.raw) as Record<string, unknown>,
          // The import key must stay unique and be found again by a re-import (ledger/erased-rows.ts), but may carry the handle.
          ...(scrub.contains(r.sourceId) ? { sourceId: erasedSourceId(r.sourceId) } : {}),
          updatedAt: new Date(),
        })
        .where(eq(transactions.id, r.id));
    }
    // Refused statement lines can quote the fan in their error messages.
    let imports = 0;
    for (const imp of await tx.select({ id: ledgerImports.id, errors: ledgerImports.errors }).from(ledgerImports)) {
      if (!scrub.contains(JSON.stringify(imp.errors))) continue;
      await tx.update(ledgerImports).set({ errors: scrub.json(imp.errors) }).where(eq(ledgerImports.id, imp.id));
      imports++;
    }
    return rows.length + imports;
  },
};

/** Deliveries stay for the campaign's counts, without the platform's message id or error text. */
const ppvPart: FanDataPart = {
  name: 'ppvDeliveries',
  async collect(tx, fan, ctx) {
    const rows = await tx
      .select({ r: ppvRecipients, c: ppvCampaigns })
      .from(ppvRecipients)
      .innerJoin(ppvCampaigns, eq(ppvCampaigns.id, ppvRecipients.campaignId))
      .where(eq(ppvRecipients.fanId, fan.id));
    for (const { r, c } of rows) if (r.status !== 'pending') for (const id of c.assetIds) ctx.mediaIds.add(id);
    return rows.map(({ r, c }) => ({
      campaignId: c.id,
      status: r.status,
      sentAt: iso(r.sentAt),
      remoteMessageId: r.remoteMessageId,
      error: r.error,
      message: c.message,
      priceMinor: c.priceMinor,
      currency: c.currency,
      assetIds: c.assetIds,
    }));
  },
  async erase(tx, fan) {
    const rows = await tx.update(ppvRecipients).set({ remoteMessageId: null, error: null }).where(eq(ppvRecipients.fanId, fan.id)).returning({ c: ppvRecipients.campaignId });
    return rows.length;
  },
};

/** Comments and mentions the fan wrote on the persona's channels of the fan's platform. */
function engagementsOf(fan: FanRow) {
  const handle = fan.handle?.replace(/^@/, '').toLowerCase();
  const byAuthor = or(
    eq(engagements.authorRemoteId, fan.platformFanId),
    handle ? sql`lower(ltrim(${engagements.authorHandle}, '@')) = ${handle}` : undefined,
  );
  const channelsOfFan = sql`${engagements.channelId} in (select ${channels.id} from ${channels} where ${channels.personaId} = ${fan.personaId} and ${channels.platform} = ${fan.platform})`;
  return and(eq(engagements.personaId, fan.personaId), channelsOfFan, byAuthor);
}

const engagementsPart: FanDataPart = {
  name: 'engagements',
  async collect(tx, fan) {
    const rows = await tx.select().from(engagements).where(engagementsOf(fan)).orderBy(engagements.receivedAt);
    return rows.map((e) => ({ id: e.id, channelId: e.channelId, kind: e.kind, authorHandle: e.authorHandle, text: e.text, receivedAt: e.receivedAt.toISOString(), status: e.status }));
  },
  async erase(tx, fan) {
    // Marks first (they lock the channels): a pull running now cannot put back what is deleted here, and a
    // later pull that reads these comments again leaves them out (publishing/engagement/erased-authors.ts).
    const channelIds = (await tx.select({ id: channels.id }).from(channels).where(and(eq(channels.personaId, fan.personaId), eq(channels.platform, fan.platform)))).map((c) => c.id);
    await rememberErasedAuthor(tx, fan.orgId, channelIds, { authorRemoteId: fan.platformFanId, authorHandle: fan.handle });
    return (await tx.delete(engagements).where(engagementsOf(fan)).returning({ id: engagements.id })).length;
  },
};

const parts: FanDataPart[] = [ledgerPart, ppvPart, engagementsPart];

export function registerFanDataPart(part: FanDataPart): void {
  if (parts.some((p) => p.name === part.name)) throw new Error(`fan data part ${part.name} registered twice`);
  parts.push(part);
}

export function fanDataParts(): readonly FanDataPart[] {
  return parts;
}

/** Signed links for the media an export refers to (only this org's assets: RLS applies). */
export async function mediaReferences(tx: Tx, ctx: FanDataContext) {
  if (!ctx.mediaIds.size) return [];
  const rows = await tx.select({ id: mediaAssets.id, key: mediaAssets.storageKey, mimeType: mediaAssets.mimeType }).from(mediaAssets).where(inArray(mediaAssets.id, [...ctx.mediaIds]));
  return Promise.all(rows.map(async (r) => ({ assetId: r.id, mimeType: r.mimeType, url: await ctx.storage.signedUrl(r.key) })));
}
