/**
 * A pack's media in the creator's Fanvue vault: each Atelier asset is uploaded once per channel (the connector's
 * multipart upload) and its Fanvue media uuid kept in `channel_cache` (`fanvue.vault:<assetId>`), so every later
 * pay-to-view message of it just names the uuid.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Platform } from '../../../platform/platform.ts';
import { channelCache, mediaAssets } from '../../../platform/db/schema/index.ts';
import { ConnectorError, type ChannelAccount, type PublishMedia } from '../../../publishing/connectors/types.ts';
import type { FanvueMessenger } from '../../../publishing/connectors/fanvue/messages.ts';

const key = (assetId: string) => `fanvue.vault:${assetId}`;

export class FanvueVault {
  readonly #platform: Platform;
  constructor(platform: Platform) {
    this.#platform = platform;
  }

  /** Fanvue media uuids of the assets, in order, uploading those not in the vault yet; `reused`: some came from the vault. */
  async mediaUuids(account: ChannelAccount, assetIds: string[], messenger: FanvueMessenger): Promise<{ uuids: string[]; reused: boolean }> {
    const db = this.#platform.db;
    const known = await db.withOrg(account.orgId, async (tx) => {
      const rows = await tx
        .select({ key: channelCache.key, value: channelCache.value })
        .from(channelCache)
        .where(and(eq(channelCache.channelId, account.id), inArray(channelCache.key, assetIds.map(key))));
      return new Map(rows.map((r) => [r.key, (r.value as { mediaUuid?: string }).mediaUuid]));
    });
    const missing = assetIds.filter((id) => !known.get(key(id)));
    if (missing.length) {
      const media = await this.#media(account.orgId, missing);
      const uuids = await messenger.upload(media);
      await db.withOrg(account.orgId, async (tx) => {
        for (const [i, assetId] of missing.entries()) {
          known.set(key(assetId), uuids[i]);
          await tx
            .insert(channelCache)
            .values({ orgId: account.orgId, channelId: account.id, key: key(assetId), value: { mediaUuid: uuids[i] } })
            .onConflictDoUpdate({ target: [channelCache.channelId, channelCache.key], set: { value: sql`excluded.value`, fetchedAt: sql`now()` } });
        }
      });
    }
    return { uuids: assetIds.map((id) => known.get(key(id))!), reused: missing.length < assetIds.length };
  }

  /** Forgets vault uuids (Fanvue no longer knows them): the next message uploads again. */
  async forget(account: ChannelAccount, assetIds: string[]) {
    await this.#platform.db.withOrg(account.orgId, (tx) => tx.delete(channelCache).where(and(eq(channelCache.channelId, account.id), inArray(channelCache.key, assetIds.map(key)))));
  }

  /** The assets' bytes; only approved ones may be sold. */
  async #media(orgId: string, assetIds: string[]): Promise<PublishMedia[]> {
    const rows = await this.#platform.db.withOrg(orgId, (tx) => tx.select().from(mediaAssets).where(inArray(mediaAssets.id, assetIds)));
    const media: PublishMedia[] = [];
    for (const id of assetIds) {
      const a = rows.find((r) => r.id === id);
      if (!a) throw new ConnectorError('fanvue', 'rejected', `Media ${id} of this pack no longer exists`);
      if (a.status !== 'approved') throw new ConnectorError('fanvue', 'rejected', `Media ${id} of this pack is not approved`);
      if (a.kind === 'audio') throw new ConnectorError('fanvue', 'rejected', `Media ${id} is audio: pay-to-view messages carry images and videos`);
      media.push({
        kind: a.kind === 'video' ? 'video' : 'image',
        mimeType: a.mimeType,
        bytes: await this.#platform.storage.get(a.storageKey),
        filename: a.storageKey.split('/').at(-1)!,
        width: a.width,
        height: a.height,
        rating: a.rating === 'unrated' ? 'explicit' : a.rating,
      });
    }
    return media;
  }
}
