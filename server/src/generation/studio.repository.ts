import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Tx } from '../platform/db/database.ts';
import { captions, generationJobs, mediaAssets, personaStudio } from '../platform/db/schema/index.ts';
import { hammingDistance } from './media/phash.ts';
import type { ProcessedMedia } from './media/pipeline.ts';

export type JobRow = typeof generationJobs.$inferSelect;
export type AssetRow = typeof mediaAssets.$inferSelect;
export type CaptionRow = typeof captions.$inferSelect;

export function studioRow(tx: Tx, personaId: string) {
  return tx.select().from(personaStudio).where(eq(personaStudio.personaId, personaId)).then((r) => r[0]);
}

export function upsertStudio(tx: Tx, orgId: string, personaId: string, set: { settings?: unknown; autoApproveExplicit?: boolean }) {
  return tx
    .insert(personaStudio)
    .values({ orgId, personaId, settings: set.settings ?? {}, autoApproveExplicit: set.autoApproveExplicit ?? false })
    .onConflictDoUpdate({ target: personaStudio.personaId, set: { ...set, updatedAt: new Date() } });
}

export function insertJob(tx: Tx, row: typeof generationJobs.$inferInsert) {
  return tx.insert(generationJobs).values(row).returning().then((r) => r[0]!);
}

export function job(tx: Tx, id: string) {
  return tx.select().from(generationJobs).where(eq(generationJobs.id, id)).then((r) => r[0]);
}

export function updateJob(tx: Tx, id: string, set: Partial<typeof generationJobs.$inferInsert>) {
  return tx.update(generationJobs).set(set).where(eq(generationJobs.id, id)).returning().then((r) => r[0]);
}

/** Moves a job to a final state only if it is not final already (a cancel and a finish can race). */
export function finishJob(tx: Tx, id: string, set: Partial<typeof generationJobs.$inferInsert>) {
  return tx
    .update(generationJobs)
    .set({ ...set, finishedAt: new Date() })
    .where(and(eq(generationJobs.id, id), inArray(generationJobs.status, ['queued', 'running'])))
    .returning()
    .then((r) => r[0]);
}

export function listJobs(tx: Tx, opts: { personaIds: string[] | null; status?: string | undefined; limit: number; before?: Date | undefined }) {
  const filters = [
    opts.personaIds ? inArray(generationJobs.personaId, opts.personaIds.length ? opts.personaIds : ['00000000-0000-0000-0000-000000000000']) : undefined,
    opts.status ? eq(generationJobs.status, opts.status as JobRow['status']) : undefined,
    opts.before ? lt(generationJobs.createdAt, opts.before) : undefined,
  ];
  return tx.select().from(generationJobs).where(and(...filters)).orderBy(desc(generationJobs.createdAt)).limit(opts.limit);
}

export function insertAsset(tx: Tx, row: typeof mediaAssets.$inferInsert) {
  return tx.insert(mediaAssets).values(row).returning().then((r) => r[0]!);
}

export function assets(tx: Tx, ids: string[]) {
  if (!ids.length) return Promise.resolve([] as AssetRow[]);
  return tx.select().from(mediaAssets).where(inArray(mediaAssets.id, ids));
}

export function insertCaptions(tx: Tx, rows: (typeof captions.$inferInsert)[]) {
  if (!rows.length) return Promise.resolve([] as CaptionRow[]);
  return tx.insert(captions).values(rows).returning();
}

export function captionsOf(tx: Tx, ids: string[]) {
  if (!ids.length) return Promise.resolve([] as CaptionRow[]);
  return tx.select().from(captions).where(inArray(captions.id, ids));
}

/** Assets of one persona whose perceptual hash is close to `phash` (Hamming distance over 64 bits). */
export async function nearDuplicates(tx: Tx, personaId: string, phash: string, maxDistance: number) {
  const rows = await tx
    .select({ id: mediaAssets.id, phash: mediaAssets.phash })
    .from(mediaAssets)
    .where(and(eq(mediaAssets.personaId, personaId), sql`${mediaAssets.phash} is not null`));
  return rows.filter((r) => hammingDistance(r.phash!, phash) <= maxDistance).map((r) => r.id);
}

export function latestApprovedImages(tx: Tx, personaId: string, limit: number) {
  return tx
    .select()
    .from(mediaAssets)
    .where(and(eq(mediaAssets.personaId, personaId), eq(mediaAssets.kind, 'image'), eq(mediaAssets.status, 'approved')))
    .orderBy(desc(mediaAssets.createdAt))
    .limit(limit);
}

/**
 * The library row of a file that went through the media pipeline. Explicit media waits for approval
 * unless the persona auto-approves (an audited admin choice); generated and uploaded files alike.
 */
export function assetRow(
  media: ProcessedMedia,
  at: { orgId: string; personaId: string; autoApproveExplicit: boolean; tags: string[]; origin: Record<string, unknown>; jobId?: string | null },
): typeof mediaAssets.$inferInsert {
  return {
    orgId: at.orgId,
    personaId: at.personaId,
    storageKey: media.storageKey,
    sha256: media.sha256,
    mimeType: media.mimeType,
    bytes: media.bytes,
    width: media.width ?? null,
    height: media.height ?? null,
    durationSeconds: media.durationSeconds ?? null,
    kind: media.kind,
    rating: media.rating.rating,
    ratingScores: media.rating.scores,
    ratingMethod: media.rating.method,
    status: media.rating.rating === 'explicit' && !at.autoApproveExplicit ? 'pending_approval' : 'approved',
    phash: media.phash ?? null,
    variants: media.variants,
    thumbnailKey: media.thumbnailKey ?? null,
    tags: at.tags,
    jobId: at.jobId ?? null,
    origin: at.origin,
  };
}
