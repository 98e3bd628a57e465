/**
 * AUTOMATIC1111 / Forge client (`--api`). txt2img, or img2img from the first reference image; LoRA as
 * `<lora:name:weight>` in the prompt; optional HTTP Basic (`--api-auth`). While the generate call is in
 * flight, `/sdapi/v1/progress` is polled for progress. Cancelling posts `/sdapi/v1/interrupt` — note the
 * server runs one job at a time and interrupt stops whatever job is current.
 */
import { ProviderError, errorFromFetch, errorFromStatus } from '../types.ts';
import type { ImageProvider, ImageRequest, ProducedFile, ProviderContext } from '../types.ts';
import {
  CLEANUP_GRACE_MS,
  CLEANUP_TIMEOUT_MS,
  DEFAULT_GENERATE_TIMEOUT_MS,
  Http,
  type FetchLike,
  basicAuth,
  isRecord,
  settleWithin,
  sniffMime,
  truncate,
} from './shared.ts';

const PROVIDER = 'a1111';

export interface A1111Options {
  /** Default http://127.0.0.1:7860. */
  baseUrl?: string;
  /** HTTP Basic credentials for `--api-auth user:pass`. */
  username?: string;
  password?: string;
  /** Small calls (progress, interrupt, health). Default 30 s. */
  requestTimeoutMs?: number;
  /** The txt2img/img2img call itself, which holds the connection until the images are done. Default 15 min. */
  generateTimeoutMs?: number;
  /** Progress polling interval while generating. Default 500 ms. */
  progressIntervalMs?: number;
  /** img2img strength when reference images are given. Default 0.55. */
  denoisingStrength?: number;
  /** Checkpoint to switch to (`override_settings.sd_model_checkpoint`), if any. */
  checkpoint?: string;
  /** Merged into every request body (e.g. `{ scheduler: 'Karras', alwayson_scripts: {...} }`). */
  extraParams?: Record<string, unknown>;
  fetch?: FetchLike;
}

interface A1111Response {
  images?: string[];
  parameters?: Record<string, unknown>;
  info?: string | Record<string, unknown>;
}

/** Appends `<lora:name:weight>` unless the prompt already carries that LoRA tag. */
export function withLoraTag(prompt: string, lora: { name: string; weight: number } | null | undefined): string {
  if (!lora) return prompt;
  const escaped = lora.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (new RegExp(`<lora:${escaped}(:[^>]*)?>`, 'i').test(prompt)) return prompt;
  const tag = `<lora:${lora.name}:${Number(lora.weight.toFixed(3))}>`;
  return prompt.trim() === '' ? tag : `${prompt.trimEnd()} ${tag}`;
}

/** Error body shapes: `{error, detail, body, errors}` (API middleware) or FastAPI's `{detail: [...]}`. */
function describeA1111Error(status: number, body: unknown, text: string): ProviderError {
  let message = truncate(text, 300) || 'no body';
  if (isRecord(body)) {
    if (Array.isArray(body.detail)) {
      message = body.detail
        .map((d) => (isRecord(d) ? `${Array.isArray(d.loc) ? d.loc.join('.') : ''}: ${String(d.msg ?? '')}` : String(d)))
        .join('; ');
    } else {
      const parts = [body.error, body.detail, body.errors].filter((p) => typeof p === 'string' && p !== '') as string[];
      if (parts.length > 0) message = [...new Set(parts)].join(': ');
    }
  }
  return errorFromStatus(PROVIDER, status, `A1111 answered ${status}: ${message}`, body ?? (text || undefined));
}

export class A1111Provider implements ImageProvider {
  readonly type = 'a1111' as const;
  readonly baseUrl: string;
  private readonly http: Http;
  private readonly generateTimeoutMs: number;
  private readonly progressIntervalMs: number;
  private readonly denoisingStrength: number;
  private readonly checkpoint: string | undefined;
  private readonly extraParams: Record<string, unknown>;

  constructor(options: A1111Options = {}) {
    const headers: Record<string, string> = {};
    if (options.username !== undefined && options.password !== undefined) headers.Authorization = basicAuth(options.username, options.password);
    this.http = new Http({ provider: PROVIDER, baseUrl: options.baseUrl ?? 'http://127.0.0.1:7860', headers, timeoutMs: options.requestTimeoutMs, fetch: options.fetch, describeError: describeA1111Error });
    this.baseUrl = this.http.baseUrl;
    this.generateTimeoutMs = options.generateTimeoutMs ?? DEFAULT_GENERATE_TIMEOUT_MS;
    this.progressIntervalMs = options.progressIntervalMs ?? 500;
    this.denoisingStrength = options.denoisingStrength ?? 0.55;
    this.checkpoint = options.checkpoint;
    this.extraParams = options.extraParams ?? {};
  }

  async health(signal?: AbortSignal): Promise<{ ok: boolean; detail?: string }> {
    try {
      const progress = await this.http.json<{ state?: { job_count?: number } }>('/sdapi/v1/progress', { signal, query: { skip_current_image: 'true' }, timeoutMs: Math.min(this.http.timeoutMs, 10_000) });
      const jobs = progress?.state?.job_count ?? 0;
      return { ok: true, detail: jobs > 0 ? `busy (${jobs} job${jobs === 1 ? '' : 's'})` : 'idle' };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  /** The body for txt2img/img2img, and which of the two. */
  buildPayload(request: ImageRequest): { endpoint: 'txt2img' | 'img2img'; body: Record<string, unknown> } {
    const body: Record<string, unknown> = {
      prompt: withLoraTag(request.prompt, request.lora),
      negative_prompt: request.negativePrompt ?? '',
      seed: request.seed ?? -1,
      width: request.width,
      height: request.height,
      batch_size: request.batchSize ?? 1,
      n_iter: 1,
      send_images: true,
      save_images: false,
    };
    if (request.steps !== undefined) body.steps = request.steps;
    if (request.cfgScale !== undefined) body.cfg_scale = request.cfgScale;
    if (request.sampler !== undefined) body.sampler_name = request.sampler;
    if (this.checkpoint) body.override_settings = { sd_model_checkpoint: this.checkpoint };
    Object.assign(body, this.extraParams);
    const reference = request.referenceImages?.[0];
    if (!reference) return { endpoint: 'txt2img', body };
    body.init_images = [reference.bytes.toString('base64')];
    body.denoising_strength = this.denoisingStrength;
    return { endpoint: 'img2img', body };
  }

  async generate(request: ImageRequest, ctx: ProviderContext): Promise<ProducedFile[]> {
    if (request.output === 'video') throw new ProviderError(PROVIDER, 'unsupported', 'A1111/Forge makes still images only');
    const { signal } = ctx;
    const { endpoint, body } = this.buildPayload(request);
    const stopPolling = new AbortController();
    let sent = false;
    try {
      ctx.onProgress(0, 'submitted');
      sent = true;
      const generation = this.http.json<A1111Response>(`/sdapi/v1/${endpoint}`, { method: 'POST', json: body, signal, timeoutMs: this.generateTimeoutMs });
      const polling = this.pollProgress(ctx, AbortSignal.any([signal, stopPolling.signal]));
      const answer = await generation.finally(() => stopPolling.abort());
      await polling;
      if (signal.aborted) throw signal.reason;
      const files = this.toFiles(answer, request, endpoint);
      if (files.length === 0) throw new ProviderError(PROVIDER, 'rejected', 'A1111 answered without images');
      ctx.onProgress(1, 'done');
      return files;
    } catch (error) {
      stopPolling.abort();
      if (signal.aborted && sent) await settleWithin(this.interrupt(), CLEANUP_GRACE_MS);
      throw errorFromFetch(PROVIDER, error, signal);
    }
  }

  private async pollProgress(ctx: ProviderContext, signal: AbortSignal): Promise<void> {
    let last = -1;
    while (!signal.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.progressIntervalMs);
        signal.addEventListener('abort', done, { once: true });
        function done() {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
      });
      if (signal.aborted) return;
      try {
        const progress = await this.http.json<{ progress?: number; eta_relative?: number; state?: { sampling_step?: number; sampling_steps?: number; job_count?: number } }>('/sdapi/v1/progress', {
          signal,
          query: { skip_current_image: 'true' },
          timeoutMs: Math.max(this.progressIntervalMs * 4, 2_000),
        });
        const fraction = typeof progress?.progress === 'number' ? Math.min(1, Math.max(0, progress.progress)) : undefined;
        if (fraction === undefined || signal.aborted) continue;
        const state = progress?.state;
        const message = state?.sampling_steps ? `step ${state.sampling_step ?? 0}/${state.sampling_steps}` : undefined;
        if (fraction !== last || message) ctx.onProgress(fraction, message);
        last = fraction;
      } catch {
        // progress is best effort; the generate call reports the real failure
      }
    }
  }

  private toFiles(answer: A1111Response, request: ImageRequest, endpoint: string): ProducedFile[] {
    let info: Record<string, unknown> = {};
    if (typeof answer?.info === 'string') {
      try {
        const parsed = JSON.parse(answer.info) as unknown;
        if (isRecord(parsed)) info = parsed;
      } catch {
        // some extensions return plain text
      }
    } else if (isRecord(answer?.info)) info = answer.info;
    const images = Array.isArray(answer?.images) ? answer.images.filter((i): i is string => typeof i === 'string') : [];
    // A grid comes first when a batch returns one; extensions (ControlNet…) append maps after the batch.
    const first = typeof info.index_of_first_image === 'number' ? info.index_of_first_image : 0;
    const seeds = Array.isArray(info.all_seeds) ? info.all_seeds.filter((s): s is number => typeof s === 'number') : [];
    const count = seeds.length > 0 ? seeds.length : images.length - first;
    const baseSeed = typeof info.seed === 'number' ? info.seed : request.seed;
    const infotexts = Array.isArray(info.infotexts) ? info.infotexts : [];
    return images.slice(first, first + count).map((b64, i) => {
      const bytes = Buffer.from(b64.replace(/^data:[^,]*,/, ''), 'base64');
      const seed = seeds[i] ?? (baseSeed !== undefined && baseSeed >= 0 ? baseSeed + i : undefined);
      return {
        bytes,
        mimeType: sniffMime(bytes) ?? 'image/png',
        seed,
        meta: {
          endpoint,
          sd_model_name: info.sd_model_name,
          sd_model_hash: info.sd_model_hash,
          sampler_name: info.sampler_name,
          steps: info.steps,
          cfg_scale: info.cfg_scale,
          ...(typeof infotexts[i] === 'string' ? { infotext: infotexts[i] } : {}),
        },
      };
    });
  }

  /** Best effort: A1111 stops the current job (its answer carries whatever was made so far). */
  private async interrupt(): Promise<void> {
    try {
      await this.http.send('/sdapi/v1/interrupt', { method: 'POST', timeoutMs: CLEANUP_TIMEOUT_MS }, async () => undefined);
    } catch {
      // gone already
    }
  }
}
