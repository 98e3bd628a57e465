import type { Database, Tx } from '../../platform/db/database.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { HttpError } from '../../platform/http/problem.ts';
import type { PersonasService } from '../../personas/index.ts';
import type { ChannelsService } from '../../channels/index.ts';
import type { Connectors } from '../../publishing/connectors/registry.ts';
import type { PlatformName } from '../../publishing/connectors/types.ts';
import { fanInSegment } from '../crm/segments.ts';
import { effectivePrice, segmentsOf, type EffectivePrice } from './pricing.ts';
import * as repo from './catalogue.repository.ts';

export interface CatalogueQuery {
  platform: string;
  channelId?: string | null | undefined;
  /** Known fan: promotions limited to a segment apply when the fan is in it. */
  fanId?: string | null | undefined;
  at: Date;
  /** Ratings the channel accepts (its connector policy); absent: every rating. */
  accepts?: readonly repo.Rating[] | undefined;
}

export interface CatalogueEntry {
  packId: string;
  kind: 'pack' | 'bundle';
  title: string;
  description: string;
  rating: repo.Rating;
  /** Media in a pack; packs in a bundle. */
  itemCount: number;
  assetIds: string[];
  packIds: string[];
  price: EffectivePrice;
}

/**
 * What a persona can offer right now on one platform (and channel, to one fan): her active packs that have a
 * price there on the default price list, each at its effective price. The chatbot grounds its offers on this
 * and nothing else, so it never quotes a pack that is not for sale or a price that is not the real one.
 */
export async function catalogueFor(tx: Tx, personaId: string, q: CatalogueQuery): Promise<CatalogueEntry[]> {
  const defaultList = (await repo.defaultListsOf(tx, [personaId]))[0];
  if (!defaultList) return [];
  const rows = (await repo.packsOf(tx, [personaId], 'active')).filter((r) => !q.accepts || q.accepts.includes(r.rating));
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const prices = await repo.pricesOf(tx, ids, defaultList.id);
  const items = await repo.itemsOf(tx, ids);
  const members = await repo.bundleItemsOf(tx, ids);
  const promos = await repo.livePromotions(tx, personaId, q.at);
  const segmentIds: string[] = [];
  if (q.fanId) for (const segmentId of segmentsOf(promos)) if (await fanInSegment(tx, segmentId, q.fanId)) segmentIds.push(segmentId);
  const entries: CatalogueEntry[] = [];
  for (const row of rows) {
    const price = prices.find((x) => x.packId === row.id && x.platform === q.platform);
    if (!price) continue;
    const assetIds = items.filter((i) => i.packId === row.id).map((i) => i.assetId);
    const packIds = members.filter((m) => m.bundleId === row.id).map((m) => m.packId);
    entries.push({
      packId: row.id,
      kind: row.kind,
      title: row.title,
      description: row.description,
      rating: row.rating,
      itemCount: row.kind === 'pack' ? assetIds.length : packIds.length,
      assetIds,
      packIds,
      price: effectivePrice(price, promos, { platform: q.platform, packId: row.id, channelId: q.channelId ?? null, segmentIds: q.fanId ? segmentIds : null, at: q.at }),
    });
  }
  return entries;
}

/** The HTTP face of `catalogueFor`: checks who may look, and takes the channel's platform and policy. */
export class CatalogueService {
  readonly #db: Database;
  readonly #personas: PersonasService;
  readonly #channels: ChannelsService;
  readonly #connectors: Connectors;
  constructor(db: Database, deps: { personas: PersonasService; channels: ChannelsService; connectors: Connectors }) {
    this.#db = db;
    this.#personas = deps.personas;
    this.#channels = deps.channels;
    this.#connectors = deps.connectors;
  }

  async forPersona(p: Principal, personaId: string, q: { platform?: string | undefined; channelId?: string | undefined; at?: Date | undefined }) {
    await this.#personas.get(p, personaId);
    let platform = q.platform;
    let accepts: repo.Rating[] | undefined;
    if (q.channelId) {
      const channel = await this.#channels.get(p, q.channelId);
      if (channel.personaId !== personaId) throw new HttpError(422, 'channel_not_own', `Channel ${channel.handle} belongs to another persona`);
      if (platform && platform !== channel.platform) throw new HttpError(422, 'platform_mismatch', `Channel ${channel.handle} is on ${channel.platform}`);
      platform = channel.platform;
      // Offer only what the channel may show: no explicit pack where the platform refuses explicit media.
      if (this.#connectors.has(channel.platform as PlatformName)) accepts = [...this.#connectors.get(channel.platform as PlatformName).policy({ settings: channel.settings }).accepts];
    }
    if (!platform) throw new HttpError(400, 'platform_required', 'Name a platform or a channel');
    const at = q.at ?? new Date();
    const items = await this.#db.withOrg(p.orgId, (tx) => catalogueFor(tx, personaId, { platform: platform!, channelId: q.channelId ?? null, at, accepts }));
    return { personaId, platform, channelId: q.channelId ?? null, at: at.toISOString(), items };
  }
}
