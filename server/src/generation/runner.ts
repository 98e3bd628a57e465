import type { Platform } from '../platform/platform.ts';
import type { Tx } from '../platform/db/database.ts';
import { eq } from 'drizzle-orm';
import { captions as captionsTable, personas as personasTable } from '../platform/db/schema/index.ts';
import type { JobContext, JobPayload } from '../platform/jobs/jobs.ts';
import type { Rater } from '../safety/types.ts';
import { processMedia, type ProcessedMedia } from './media/pipeline.ts';
import { makeMontage } from './video/montage.ts';
import { writeCaptions } from './captions/index.ts';
import type { ProvidersService } from './providers/providers.service.ts';
import { ProviderError, type ProducedFile, type ProviderContext } from './providers/types.ts';
import type { ResolvedRequest } from './requests.ts';
import { GENERATE_JOB, jobView, loadStudio } from './studio.service.ts';
import type { StudioSettings } from './identity.ts';
import * as repo from './studio.repository.ts';
import { bookStudioSpend } from '../sales/ledger/studio-spend.ts';

interface GeneratePayload extends JobPayload {
  orgId: string;
  jobId: string;
}

/** A failure that retrying cannot fix (bad request, provider refused): the job fails at once. */
class FinalFailure extends Error {}

const PROGRESS_WRITE_MS = 1_000;

/**
 * Runs one generation job: provider call with timeout and cancel, then the media pipeline, then the
 * library rows. Long calls hold no transaction; progress goes to the dashboard over live events.
 */
export class GenerationRunner {
  readonly #platform: Platform;
  readonly #providers: ProvidersService;
  readonly #rater: Rater;
  constructor(platform: Platform, providers: ProvidersService, rater: Rater) {
    this.#platform = platform;
    this.#providers = providers;
    this.#rater = rater;
  }

  register() {
    const { env } = this.#platform;
    this.#platform.jobs.register<GeneratePayload>({
      name: GENERATE_JOB,
      concurrency: 2,
      options: {
        retryLimit: env.STUDIO_RETRY_LIMIT,
        retryDelay: env.STUDIO_RETRY_DELAY_SECONDS,
        retryBackoff: true,
        expireInSeconds: env.STUDIO_VIDEO_TIMEOUT_SECONDS + 60,
      },
      handler: (job) => this.run(job),
    });
  }

  async run(job: JobContext<GeneratePayload>) {
    const { orgId, jobId } = job.data;
    const { db, events, env } = this.#platform;
    const started = await db.withOrg(orgId, async (tx) => {
      const row = await repo.job(tx, jobId);
      if (!row || row.status === 'cancelled' || row.status === 'succeeded' || row.status === 'failed') return null;
      return repo.updateJob(tx, jobId, { status: 'running', attempts: row.attempts + 1, startedAt: row.startedAt ?? new Date(), error: null, progressMessage: null });
    });
    if (!started) return;
    await this.#publish(orgId, started);

    const request = started.request as ResolvedRequest;
    const timeoutSeconds =
      request.kind === 'video' || request.kind === 'montage' ? env.STUDIO_VIDEO_TIMEOUT_SECONDS : request.kind === 'caption' ? env.STUDIO_TEXT_TIMEOUT_SECONDS : env.STUDIO_IMAGE_TIMEOUT_SECONDS;
    const cancel = new AbortController();
    const signal = AbortSignal.any([cancel.signal, AbortSignal.timeout(timeoutSeconds * 1000), job.signal]);
    const stopListening = events.subscribe(orgId, (event) => {
      if (event.type === 'generation.cancel' && (event.data as { jobId?: string }).jobId === jobId) cancel.abort(new DOMException('Cancelled', 'AbortError'));
    });
    let lastWrite = 0;
    const ctx: ProviderContext = {
      signal,
      onProgress: (fraction, message) => {
        const progress = Math.max(0, Math.min(1, fraction));
        void events.publish({ type: 'generation.progress', orgId, personaId: started.personaId, data: { jobId, progress, message: message ?? null } });
        if (Date.now() - lastWrite < PROGRESS_WRITE_MS) return;
        lastWrite = Date.now();
        void db.withOrg(orgId, (tx) => repo.updateJob(tx, jobId, { progress, progressMessage: message ?? null })).catch(() => undefined);
      },
    };

    try {
      const result = await this.#produce(orgId, started.personaId, jobId, request, ctx);
      const finished = await db.withOrg(orgId, (tx) =>
        repo.finishJob(tx, jobId, { status: 'succeeded', progress: 1, progressMessage: null, resultAssetIds: result.assetIds, resultCaptionIds: result.captionIds }),
      );
      if (finished) await this.#publish(orgId, finished);
      if (finished) await bookStudioSpend(this.#platform, orgId, finished);
      if (finished && request.kind === 'image' && request.captionPlatforms.length) await this.#followWithCaptions(orgId, started, request, result.assetIds);
    } catch (error) {
      const cancelled = cancel.signal.aborted;
      const providerError = error instanceof ProviderError ? error : null;
      const retryable = !cancelled && !(error instanceof FinalFailure) && (providerError?.retryable ?? !providerError);
      const lastAttempt = job.retryCount >= env.STUDIO_RETRY_LIMIT;
      const reason = describe(error, signal, cancelled);
      if (cancelled) return; // the cancel already wrote the final state
      if (retryable && !lastAttempt) {
        const row = await db.withOrg(orgId, (tx) =>
          repo.updateJob(tx, jobId, { status: 'queued', progressMessage: `Retrying after: ${reason.message}`, error: reason }),
        );
        if (row) await this.#publish(orgId, row);
        throw error; // pg-boss schedules the retry with backoff
      }
      const failed = await db.withOrg(orgId, (tx) => repo.finishJob(tx, jobId, { status: 'failed', error: reason, progressMessage: null }));
      if (failed) await this.#publish(orgId, failed);
    } finally {
      stopListening();
    }
  }

  async #produce(orgId: string, personaId: string, jobId: string, request: ResolvedRequest, ctx: ProviderContext) {
    const { db } = this.#platform;
    const { persona, studio } = await db.withOrg(orgId, async (tx) => ({ persona: await personaOf(tx, personaId), studio: await loadStudio(tx, personaId) }));
    const store = (files: ProducedFile[], generator: string, tags: string[]) => this.#store(orgId, persona, studio, jobId, request, files, generator, tags);

    switch (request.kind) {
      case 'image':
      case 'video': {
        const provider = await this.#providers.imageProvider(orgId, request.resolved.providerId!);
        const references = await this.#references(orgId, request.resolved.referenceAssetIds ?? []);
        const files = await provider.generate(
          {
            prompt: request.resolved.prompt!,
            negativePrompt: request.resolved.negativePrompt ?? '',
            width: request.resolved.width!,
            height: request.resolved.height!,
            ...(request.resolved.seed !== undefined ? { seed: request.resolved.seed } : {}),
            ...(request.kind === 'image' ? { batchSize: request.count } : { durationSeconds: request.durationSeconds }),
            ...(studio.settings.imageDefaults.steps ? { steps: studio.settings.imageDefaults.steps } : {}),
            ...(studio.settings.imageDefaults.cfgScale ? { cfgScale: studio.settings.imageDefaults.cfgScale } : {}),
            lora: request.resolved.lora ?? null,
            referenceImages: references,
            ...(request.resolved.workflow ? { workflow: request.resolved.workflow } : {}),
            output: request.kind,
          },
          ctx,
        );
        if (!files.length) throw new FinalFailure(`${provider.type} returned no file`);
        return { assetIds: await store(files, `${provider.type}:${request.resolved.workflow ?? (request.kind === 'video' ? 'video' : 'default')}`, request.tags), captionIds: [] };
      }
      case 'voice': {
        const voice = await this.#providers.voiceProvider(orgId, request.resolved.providerId ?? null);
        const file = await voice.synthesize(
          { text: request.text, language: request.resolved.languages?.[0] ?? 'en', ...voiceOptions(studio.settings) },
          ctx,
        );
        return { assetIds: await store([file], `${voice.type}:voice`, request.tags), captionIds: [] };
      }
      case 'montage': {
        const images = await this.#montageImages(orgId, personaId, request.assetIds);
        let voiceOver: Buffer | undefined;
        if (request.voiceText) {
          const voice = await this.#providers.voiceProvider(orgId, request.resolved.providerId ?? null);
          voiceOver = (await voice.synthesize({ text: request.voiceText, language: request.resolved.languages?.[0] ?? 'en', ...voiceOptions(studio.settings) }, ctx)).bytes;
          ctx.onProgress(0.2, 'voice-over ready');
        }
        const bytes = await makeMontage(
          {
            images,
            ...(voiceOver ? { voiceOver } : {}),
            ...(request.captionText ? { captions: request.captionText } : {}),
            durationSeconds: request.durationSeconds,
            onProgress: (f: number) => ctx.onProgress(0.2 + 0.7 * f, 'rendering clip'),
          },
          ctx.signal,
        );
        return { assetIds: await store([{ bytes, mimeType: 'video/mp4' }], 'ffmpeg:montage', request.tags), captionIds: [] };
      }
      case 'caption': {
        const { model, modelName } = await this.#providers.textModel(orgId, request.resolved.providerId!);
        const rows: (typeof captionsTable.$inferInsert)[] = [];
        const languages = request.resolved.languages ?? ['en'];
        const steps = request.platforms.length * languages.length;
        let done = 0;
        for (const platform of request.platforms) {
          for (const language of languages) {
            const written = await writeCaptions(
              {
                model,
                modelName: studio.settings.caption.model ?? modelName,
                persona: { name: persona.name, bio: persona.bio, tone: studio.settings.caption.tone, languages },
                brief: request.brief,
                platform,
                language,
                variants: request.variants,
                disclosure: { text: studio.settings.disclosureText, required: true },
              },
              ctx,
            );
            written.variants.forEach((v, i) =>
              rows.push({
                orgId,
                personaId,
                assetId: request.assetId ?? null,
                jobId,
                platform,
                language,
                variant: i + 1,
                text: v.text,
                hashtags: v.hashtags,
                disclosureAdded: v.disclosureAdded,
              }),
            );
            ctx.onProgress(++done / steps, `${platform} · ${language}`);
          }
        }
        const inserted = await db.withOrg(orgId, (tx) => repo.insertCaptions(tx, rows));
        return { assetIds: [], captionIds: inserted.map((r) => r.id) };
      }
    }
  }

  /** Every produced file goes through the pipeline (strip, variants, marking, rating) before the library. */
  async #store(
    orgId: string,
    persona: { id: string; name: string },
    studio: Awaited<ReturnType<typeof loadStudio>>,
    jobId: string,
    request: ResolvedRequest,
    files: ProducedFile[],
    generator: string,
    tags: string[],
  ): Promise<string[]> {
    const processed: { media: ProcessedMedia; file: ProducedFile }[] = [];
    for (const file of files) {
      const media = await processMedia(
        { orgId, personaId: persona.id, personaName: persona.name, generator, file: { bytes: file.bytes, mimeType: file.mimeType }, watermark: studio.settings.watermark },
        { storage: this.#platform.storage, rater: this.#rater },
      );
      processed.push({ media, file });
    }
    return this.#platform.db.withOrg(orgId, async (tx) => {
      const ids: string[] = [];
      for (const { media, file } of processed) {
        const row = await repo.insertAsset(
          tx,
          repo.assetRow(media, {
            orgId,
            personaId: persona.id,
            autoApproveExplicit: studio.autoApproveExplicit,
            tags,
            jobId,
            origin: {
              generator,
              kind: request.kind,
              prompt: request.resolved.prompt ?? null,
              negativePrompt: request.resolved.negativePrompt ?? null,
              seed: file.seed ?? request.resolved.seed ?? null,
              width: request.resolved.width ?? null,
              height: request.resolved.height ?? null,
              workflow: request.resolved.workflow ?? null,
              lora: request.resolved.lora ?? null,
              providerId: request.resolved.providerId ?? null,
              providerMeta: file.meta ?? {},
            },
          }),
        );
        ids.push(row.id);
      }
      return ids;
    });
  }

  async #references(orgId: string, ids: string[]) {
    if (!ids.length) return [];
    const rows = await this.#platform.db.withOrg(orgId, (tx) => repo.assets(tx, ids));
    return Promise.all(rows.map(async (r) => ({ name: `${r.id}.jpg`, bytes: await this.#platform.storage.get(r.storageKey), mimeType: r.mimeType })));
  }

  async #montageImages(orgId: string, personaId: string, ids: string[]) {
    const rows = await this.#platform.db.withOrg(orgId, async (tx) => (ids.length ? repo.assets(tx, ids) : repo.latestApprovedImages(tx, personaId, 5)));
    const ordered = ids.length ? ids.map((id) => rows.find((r) => r.id === id)!).filter(Boolean) : rows;
    if (!ordered.length) throw new FinalFailure('A montage needs at least one approved image of this persona');
    return Promise.all(ordered.map((r) => this.#platform.storage.get(r.storageKey)));
  }

  /** Captions for what an image job produced, as a follow-up job so a caption failure never loses images. */
  async #followWithCaptions(orgId: string, source: repo.JobRow, request: Extract<ResolvedRequest, { kind: 'image' }>, assetIds: string[]) {
    const studio = await this.#platform.db.withOrg(orgId, (tx) => loadStudio(tx, source.personaId));
    if (!studio.settings.textProviderId) return;
    await this.#platform.db.withOrg(orgId, async (tx) => {
      for (const assetId of assetIds) {
        const row = await repo.insertJob(tx, {
          orgId,
          personaId: source.personaId,
          kind: 'caption',
          providerId: studio.settings.textProviderId,
          createdBy: source.createdBy,
          planDate: source.planDate,
          request: {
            kind: 'caption',
            personaId: source.personaId,
            brief: request.prompt,
            assetId,
            platforms: request.captionPlatforms,
            variants: 2,
            resolved: { providerId: studio.settings.textProviderId, languages: studio.settings.caption.languages },
          } satisfies ResolvedRequest,
        });
        await this.#platform.jobs.enqueue(tx, GENERATE_JOB, { orgId, jobId: row.id });
      }
    });
  }

  async #publish(orgId: string, row: repo.JobRow) {
    await this.#platform.events.publish({ type: 'generation.updated', orgId, personaId: row.personaId, data: jobView(row) });
  }
}

async function personaOf(tx: Tx, id: string) {
  const row = (await tx.select({ id: personasTable.id, name: personasTable.name, bio: personasTable.bio }).from(personasTable).where(eq(personasTable.id, id)))[0];
  if (!row) throw new FinalFailure('The persona no longer exists');
  return row;
}

function voiceOptions(s: StudioSettings) {
  return { ...(s.voice.voiceId ? { voiceId: s.voice.voiceId } : {}), ...(s.voice.speed ? { speed: s.voice.speed } : {}) };
}

/** A reason a person can read, with the provider's details (e.g. ComfyUI's failing node). */
function describe(error: unknown, signal: AbortSignal, cancelled: boolean): { message: string; kind: string; details?: unknown } {
  if (cancelled) return { message: 'Cancelled', kind: 'cancelled' };
  if (error instanceof ProviderError) return { message: error.message, kind: error.kind, ...(error.details !== undefined ? { details: error.details } : {}) };
  if (signal.aborted) return { message: 'The provider did not answer in time', kind: 'timeout' };
  return { message: error instanceof Error ? error.message : String(error), kind: error instanceof FinalFailure ? 'rejected' : 'error' };
}
