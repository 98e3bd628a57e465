import { and, arrayContains, desc, eq, ilike, inArray, lt, or, sql } from 'drizzle-orm';
import type { Platform } from '../platform/platform.ts';
import { mediaAssets } from '../platform/db/schema/index.ts';
import type { Origin, Principal } from '../platform/auth/principal.ts';
import { canSeePersona } from '../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../platform/audit/audit.ts';
import { HttpError, notFound } from '../platform/http/problem.ts';
import type { Rater } from '../safety/types.ts';
import type { PersonasService } from '../personas/index.ts';
import { processMedia, MediaError } from './media/pipeline.ts';
import { loadStudio } from './studio.service.ts';
import type { AssetRow } from './studio.repository.ts';
import * as repo from './studio.repository.ts';

export interface LibraryQuery {
  personaId?: string | undefined;
  kind?: AssetRow['kind'] | undefined;
  rating?: AssetRow['rating'] | undefined;
  status?: AssetRow['status'] | undefined;
  tag?: string | undefined;
  /** Free text over tags and the generation prompt. */
  q?: string | undefined;
  limit: number;
  before?: Date | undefined;
}

const NEAR_DUPLICATE_BITS = 6;

/** The media library: every stored asset of the organization's personas, rated and marked. */
export class LibraryService {
  readonly #platform: Platform;
  readonly #personas: PersonasService;
  readonly #rater: Rater;
  constructor(platform: Platform, personas: PersonasService, rater: Rater) {
    this.#platform = platform;
    this.#personas = personas;
    this.#rater = rater;
  }

  async list(p: Principal, q: LibraryQuery) {
    if (q.personaId && !canSeePersona(p, q.personaId)) throw notFound('persona');
    const scope = q.personaId ? [q.personaId] : p.personaScope;
    const text = q.q ? `%${q.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%` : null;
    const rows = await this.#platform.db.withOrg(p.orgId, (tx) =>
      tx
        .select()
        .from(mediaAssets)
        .where(
          and(
            scope ? inArray(mediaAssets.personaId, scope.length ? scope : ['00000000-0000-0000-0000-000000000000']) : undefined,
            q.kind ? eq(mediaAssets.kind, q.kind) : undefined,
            q.rating ? eq(mediaAssets.rating, q.rating) : undefined,
            q.status ? eq(mediaAssets.status, q.status) : undefined,
            q.tag ? arrayContains(mediaAssets.tags, [q.tag]) : undefined,
            text ? or(ilike(sql`${mediaAssets.origin}->>'prompt'`, text), sql`array_to_string(${mediaAssets.tags}, ' ') ilike ${text}`) : undefined,
            q.before ? lt(mediaAssets.createdAt, q.before) : undefined,
          ),
        )
        .orderBy(desc(mediaAssets.createdAt))
        .limit(q.limit),
    );
    return Promise.all(rows.map((r) => this.#view(r, false)));
  }

  async get(p: Principal, id: string) {
    return this.#view(await this.#row(p, id), true);
  }

  async tag(p: Principal, id: string, tags: string[], origin: Origin) {
    await this.#row(p, id);
    const row = await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const [updated] = await tx.update(mediaAssets).set({ tags: [...new Set(tags)], updatedAt: new Date() }).where(eq(mediaAssets.id, id)).returning();
      await recordAudit(tx, auditBy(p), origin, { action: 'media.tagged', targetType: 'media', targetId: id });
      return updated!;
    });
    return this.#view(row, true);
  }

  async review(p: Principal, id: string, decision: 'approved' | 'rejected', origin: Origin) {
    await this.#row(p, id);
    const row = await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const [updated] = await tx.update(mediaAssets).set({ status: decision, updatedAt: new Date() }).where(eq(mediaAssets.id, id)).returning();
      await recordAudit(tx, auditBy(p), origin, { action: decision === 'approved' ? 'media.approved' : 'media.rejected', targetType: 'media', targetId: id, details: { rating: updated!.rating } });
      return updated!;
    });
    await this.#platform.events.publish({ type: 'media.updated', orgId: p.orgId, personaId: row.personaId, data: { id, status: row.status } });
    return this.#view(row, true);
  }

  /**
   * Uploads (and Midjourney imports — it has no API) take the same road as generated files: stripped,
   * marked, rated, and explicit ones wait for approval.
   */
  async upload(p: Principal, input: { personaId: string; bytes: Buffer; mimeType: string; source: 'upload' | 'midjourney'; tags: string[] }, origin: Origin) {
    const persona = await this.#personas.get(p, input.personaId);
    const studio = await this.#platform.db.withOrg(p.orgId, (tx) => loadStudio(tx, input.personaId));
    let media;
    try {
      media = await processMedia(
        { orgId: p.orgId, personaId: persona.id, personaName: persona.name, generator: input.source === 'midjourney' ? 'midjourney:import' : 'upload', file: { bytes: input.bytes, mimeType: input.mimeType }, watermark: studio.settings.watermark },
        { storage: this.#platform.storage, rater: this.#rater },
      );
    } catch (error) {
      // Only a file we cannot read is the client's problem; a missing or failing ffmpeg is ours (500).
      if (error instanceof MediaError && (error.code === 'unsupported_media' || error.code === 'undecodable' || error.code === 'invalid_input')) {
        throw new HttpError(415, 'unsupported_media', error.message);
      }
      throw error;
    }
    const row = await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const duplicates = media.phash ? await repo.nearDuplicates(tx, persona.id, media.phash, NEAR_DUPLICATE_BITS) : [];
      const created = await repo.insertAsset(
        tx,
        repo.assetRow(media, {
          orgId: p.orgId,
          personaId: persona.id,
          autoApproveExplicit: studio.autoApproveExplicit,
          tags: input.tags,
          origin: { generator: input.source, uploadedBy: p.userId, nearDuplicates: duplicates },
        }),
      );
      await recordAudit(tx, auditBy(p), origin, { action: 'media.uploaded', targetType: 'media', targetId: created.id, details: { source: input.source, rating: created.rating } });
      return created;
    });
    return this.#view(row, true);
  }

  async #row(p: Principal, id: string) {
    const row = (await this.#platform.db.withOrg(p.orgId, (tx) => repo.assets(tx, [id])))[0];
    if (!row || !canSeePersona(p, row.personaId)) throw notFound('asset');
    return row;
  }

  async #view(row: AssetRow, withVariants: boolean) {
    const { storage } = this.#platform;
    const variants = row.variants as { name: string; key: string; width: number | null; height: number | null; bytes: number; mimeType: string }[];
    return {
      id: row.id,
      personaId: row.personaId,
      kind: row.kind,
      mimeType: row.mimeType,
      width: row.width,
      height: row.height,
      durationSeconds: row.durationSeconds,
      bytes: row.bytes,
      rating: row.rating,
      ratingScores: (row.ratingScores as Record<string, number> | null) ?? null,
      status: row.status,
      tags: row.tags,
      origin: row.origin as Record<string, unknown>,
      jobId: row.jobId,
      createdAt: row.createdAt.toISOString(),
      thumbnailUrl: row.thumbnailKey ? await storage.signedUrl(row.thumbnailKey) : null,
      url: await storage.signedUrl(row.storageKey),
      variants: withVariants ? await Promise.all(variants.map(async (v) => ({ ...v, url: await storage.signedUrl(v.key) }))) : [],
    };
  }
}
