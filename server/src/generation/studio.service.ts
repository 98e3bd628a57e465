import { randomInt } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type { Platform } from '../platform/platform.ts';
import type { Tx } from '../platform/db/database.ts';
import { mediaAssets } from '../platform/db/schema/index.ts';
import type { Origin, Principal } from '../platform/auth/principal.ts';
import { canSeePersona } from '../platform/auth/principal.ts';
import { auditBy, recordAudit } from '../platform/audit/audit.ts';
import { HttpError, notFound } from '../platform/http/problem.ts';
import type { PersonasService } from '../personas/index.ts';
import { defaultStudioSettings, identityTexts, studioSettingsSchema, type StudioSettings } from './identity.ts';
import type { GenerationInput, GenerationRequest, ResolvedRequest } from './requests.ts';
import { generationRequestSchema } from './requests.ts';
import type { PromptGate } from './safety-gate.ts';
import * as repo from './studio.repository.ts';

export const GENERATE_JOB = 'studio.generate';

export interface StudioView {
  personaId: string;
  settings: StudioSettings;
  autoApproveExplicit: boolean;
}

/** Persona identity settings, and turning requests into durable generation jobs. */
export class StudioService {
  readonly #platform: Platform;
  readonly #personas: PersonasService;
  readonly #gate: PromptGate;
  constructor(platform: Platform, personas: PersonasService, gate: PromptGate) {
    this.#platform = platform;
    this.#personas = personas;
    this.#gate = gate;
  }

  async settings(p: Principal, personaId: string): Promise<StudioView> {
    await this.#personas.get(p, personaId);
    return this.#platform.db.withOrg(p.orgId, (tx) => loadStudio(tx, personaId));
  }

  async saveSettings(p: Principal, personaId: string, input: unknown, origin: Origin): Promise<StudioView> {
    const persona = await this.#personas.get(p, personaId);
    const settings = studioSettingsSchema.parse(input);
    await this.#gate.assert(
      p,
      origin,
      [{ field: 'bio', text: persona.bio }, ...identityTexts(settings).map((text) => ({ field: 'settings', text }))],
      { personaId, purpose: 'identity' },
    );
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      // Identity references must be her own generated assets, never anyone else's face.
      if (settings.referenceAssetIds.length) {
        const own = await tx
          .select({ id: mediaAssets.id })
          .from(mediaAssets)
          .where(and(inArray(mediaAssets.id, settings.referenceAssetIds), eq(mediaAssets.personaId, personaId), eq(mediaAssets.kind, 'image')));
        if (own.length !== new Set(settings.referenceAssetIds).size) {
          throw new HttpError(422, 'reference_not_own', 'Reference images must be images of this persona from her own library');
        }
      }
      await repo.upsertStudio(tx, p.orgId, personaId, { settings });
      await recordAudit(tx, auditBy(p), origin, { action: 'studio.settings_updated', targetType: 'persona', targetId: personaId });
      return loadStudio(tx, personaId);
    });
  }

  /** Explicit media skips the approval queue only when an admin says so; the choice is audited. */
  async setAutoApprove(p: Principal, personaId: string, enabled: boolean, origin: Origin): Promise<StudioView> {
    await this.#personas.get(p, personaId);
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      const current = await loadStudio(tx, personaId);
      await repo.upsertStudio(tx, p.orgId, personaId, { settings: current.settings, autoApproveExplicit: enabled });
      await recordAudit(tx, auditBy(p), origin, {
        action: enabled ? 'studio.auto_approve_enabled' : 'studio.auto_approve_disabled',
        targetType: 'persona',
        targetId: personaId,
      });
      return { ...current, autoApproveExplicit: enabled };
    });
  }

  /** Validates and resolves a request against the persona's identity, then enqueues it. */
  async request(p: Principal, input: GenerationInput, origin: Origin, opts: { planDate?: string } = {}) {
    const request = generationRequestSchema.parse(input);
    const studio = await this.settings(p, request.personaId);
    return this.#enqueue(p, resolve(request, studio.settings), origin, opts);
  }

  /** Same request, same seed: the stored request already holds everything resolved at the time. */
  async regenerate(p: Principal, assetId: string, origin: Origin) {
    const source = await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const asset = (await repo.assets(tx, [assetId]))[0];
      if (!asset || !canSeePersona(p, asset.personaId)) throw notFound('asset');
      const job = asset.jobId ? await repo.job(tx, asset.jobId) : undefined;
      if (!job) throw new HttpError(409, 'not_generated', 'This asset was uploaded, not generated: there is nothing to regenerate');
      return job;
    });
    return this.#enqueue(p, source.request as ResolvedRequest, origin);
  }

  /** Gates every text that will reach a model, then writes the job row and its queue entry together. */
  async #enqueue(p: Principal, resolved: ResolvedRequest, origin: Origin, opts: { planDate?: string } = {}) {
    const persona = await this.#personas.get(p, resolved.personaId);
    await this.#gate.assert(p, origin, gatedTexts(resolved, persona.bio), { personaId: resolved.personaId, purpose: resolved.kind });
    return this.#platform.db.withOrg(p.orgId, async (tx) => {
      if (resolved.kind === 'montage' && resolved.assetIds.length) await assertOwnAssets(tx, resolved.personaId, resolved.assetIds);
      if (resolved.kind === 'caption' && resolved.assetId) await assertOwnAssets(tx, resolved.personaId, [resolved.assetId]);
      const row = await repo.insertJob(tx, {
        orgId: p.orgId,
        personaId: resolved.personaId,
        kind: resolved.kind,
        providerId: resolved.resolved.providerId ?? null,
        request: resolved,
        createdBy: p.userId,
        planDate: opts.planDate ?? null,
      });
      await this.#platform.jobs.enqueue(tx, GENERATE_JOB, { orgId: p.orgId, jobId: row.id });
      await recordAudit(tx, auditBy(p), origin, {
        action: 'studio.generation_requested',
        targetType: 'generation_job',
        targetId: row.id,
        details: { kind: resolved.kind },
      });
      return jobView(row);
    });
  }

  async cancel(p: Principal, jobId: string, origin: Origin) {
    const row = await this.#platform.db.withOrg(p.orgId, async (tx) => {
      const current = await repo.job(tx, jobId);
      if (!current || !canSeePersona(p, current.personaId)) throw notFound('generation job');
      const cancelled = await repo.finishJob(tx, jobId, { status: 'cancelled', progressMessage: 'Cancelled' });
      if (!cancelled) throw new HttpError(409, 'job_finished', `This job is already ${current.status}`);
      await recordAudit(tx, auditBy(p), origin, { action: 'studio.generation_cancelled', targetType: 'generation_job', targetId: jobId });
      return cancelled;
    });
    // A worker in any process running it aborts on this event (see runner.ts).
    await this.#platform.events.publish({ type: 'generation.cancel', orgId: p.orgId, personaId: row.personaId, data: { jobId } });
    await this.#platform.events.publish({ type: 'generation.updated', orgId: p.orgId, personaId: row.personaId, data: jobView(row) });
    return jobView(row);
  }

  async jobs(p: Principal, query: { personaId?: string | undefined; status?: string | undefined; limit: number; before?: Date | undefined }) {
    if (query.personaId && !canSeePersona(p, query.personaId)) throw notFound('persona');
    const personaIds = query.personaId ? [query.personaId] : p.personaScope;
    const rows = await this.#platform.db.withOrg(p.orgId, (tx) => repo.listJobs(tx, { ...query, personaIds }));
    return rows.map(jobView);
  }

  async job(p: Principal, id: string) {
    const row = await this.#platform.db.withOrg(p.orgId, (tx) => repo.job(tx, id));
    if (!row || !canSeePersona(p, row.personaId)) throw notFound('generation job');
    return jobView(row);
  }
}

export async function loadStudio(tx: Tx, personaId: string): Promise<StudioView> {
  const row = await repo.studioRow(tx, personaId);
  return {
    personaId,
    settings: row ? studioSettingsSchema.parse(row.settings) : defaultStudioSettings(),
    autoApproveExplicit: row?.autoApproveExplicit ?? false,
  };
}

async function assertOwnAssets(tx: Tx, personaId: string, ids: string[]) {
  const rows = await repo.assets(tx, ids);
  if (rows.length !== new Set(ids).size || rows.some((r) => r.personaId !== personaId)) {
    throw new HttpError(422, 'asset_not_own', 'Every asset must belong to this persona');
  }
}

function resolve(request: GenerationRequest, s: StudioSettings): ResolvedRequest {
  const seed = (r: { seed?: number | undefined }) => r.seed ?? (s.seedPolicy === 'fixed' && s.fixedSeed !== undefined ? s.fixedSeed : randomInt(0, 2 ** 32 - 1));
  switch (request.kind) {
    case 'image': {
      const preset = request.stylePreset ? s.stylePresets.find((x) => x.name === request.stylePreset) : undefined;
      if (request.stylePreset && !preset) throw new HttpError(422, 'unknown_style_preset', `No style preset named "${request.stylePreset}"`);
      if (!s.imageProviderId) throw new HttpError(409, 'no_image_provider', 'Choose an image provider in the persona’s studio settings first');
      return {
        ...request,
        resolved: {
          prompt: join(s.appearancePrompt, preset?.prompt, request.prompt),
          negativePrompt: join(s.negativePrompt, preset?.negativePrompt, request.negativePrompt),
          seed: seed(request),
          width: request.width ?? s.imageDefaults.width,
          height: request.height ?? s.imageDefaults.height,
          lora: s.lora,
          referenceAssetIds: s.referenceAssetIds,
          providerId: s.imageProviderId,
          ...optional('workflow', request.workflow ?? s.imageDefaults.workflow),
        },
      };
    }
    case 'video': {
      const providerId = s.videoProviderId ?? s.imageProviderId;
      if (!providerId) throw new HttpError(409, 'no_video_provider', 'Choose a video-capable provider in the persona’s studio settings, or make a montage');
      return {
        ...request,
        resolved: {
          prompt: join(s.appearancePrompt, request.prompt),
          negativePrompt: join(s.negativePrompt, request.negativePrompt),
          seed: seed(request),
          width: 1080,
          height: 1920,
          lora: s.lora,
          referenceAssetIds: s.referenceAssetIds,
          providerId,
          ...optional('workflow', request.workflow ?? s.imageDefaults.videoWorkflow),
        },
      };
    }
    case 'montage':
      return { ...request, resolved: { providerId: s.voiceProviderId, languages: [request.language ?? s.caption.languages[0] ?? 'en'] } };
    case 'caption':
      if (!s.textProviderId) throw new HttpError(409, 'no_text_provider', 'Choose a text model in the persona’s studio settings first');
      return { ...request, resolved: { providerId: s.textProviderId, languages: request.languages ?? s.caption.languages } };
    case 'voice':
      return { ...request, resolved: { providerId: s.voiceProviderId, languages: [request.language ?? s.caption.languages[0] ?? 'en'] } };
  }
}

function gatedTexts(request: ResolvedRequest, bio: string) {
  const texts = [{ field: 'bio', text: bio }];
  if (request.resolved.prompt) texts.push({ field: 'prompt', text: request.resolved.prompt });
  if (request.kind === 'caption') texts.push({ field: 'brief', text: request.brief });
  if (request.kind === 'voice') texts.push({ field: 'text', text: request.text });
  if (request.kind === 'montage') texts.push({ field: 'voiceText', text: request.voiceText ?? '' }, { field: 'captionText', text: request.captionText ?? '' });
  return texts;
}

/** Each provider has its own default workflow/model: only pass one when someone chose it. */
const optional = <K extends string>(key: K, value: string | undefined) => (value ? ({ [key]: value } as Record<K, string>) : {});

const join = (...parts: (string | undefined)[]) => parts.filter((x) => x && x.trim()).join(', ');

export function jobView(row: repo.JobRow) {
  return {
    id: row.id,
    personaId: row.personaId,
    kind: row.kind,
    status: row.status,
    progress: row.progress,
    progressMessage: row.progressMessage,
    request: row.request as Record<string, unknown>,
    error: (row.error as { message: string; kind?: string; details?: unknown } | null) ?? null,
    resultAssetIds: row.resultAssetIds,
    resultCaptionIds: row.resultCaptionIds,
    attempts: row.attempts,
    planDate: row.planDate,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
