/**
 * Stability AI REST client (v2beta Stable Image generate: core, ultra, sd3/sd3.5). One image per call
 * (a batch is several calls); multipart/form-data in, image bytes out (`Accept: image/*`, with `seed`
 * and `finish-reason` headers) — a JSON answer (`{image, seed, finish_reason}`) is understood too.
 * No progress events exist; no LoRA; reference images become image-to-image on ultra and sd3.
 */
import { ProviderError, errorFromStatus } from '../types.ts';
import type { ImageProvider, ImageRequest, ProducedFile, ProviderContext } from '../types.ts';
import { DEFAULT_GENERATE_TIMEOUT_MS, Http, type FetchLike, extensionFromMime, isRecord, pickMime, truncate } from './shared.ts';

const PROVIDER = 'stability';

export const STABILITY_ASPECT_RATIOS = ['21:9', '16:9', '3:2', '5:4', '1:1', '4:5', '2:3', '9:16', '9:21'] as const;

export interface StabilityOptions {
  apiKey: string;
  /** Default https://api.stability.ai. */
  baseUrl?: string;
  /** 'core' (default), 'ultra', 'sd3', or an SD3 family model name ('sd3.5-large', 'sd3.5-medium'…). `request.workflow` overrides. */
  model?: string;
  outputFormat?: 'png' | 'jpeg' | 'webp';
  /** Ask for JSON (base64) instead of raw bytes. Default false. */
  json?: boolean;
  /** Image-to-image strength when a reference image is given (ultra, sd3). Default 0.55. */
  strength?: number;
  /** Extra form fields (e.g. `{ style_preset: 'photographic' }`). */
  extraFields?: Record<string, string | number>;
  /** Health/balance calls. Default 30 s. */
  requestTimeoutMs?: number;
  /** Each generate call. Default 15 min. */
  generateTimeoutMs?: number;
  /** Organization / client headers, if used. */
  headers?: Record<string, string>;
  fetch?: FetchLike;
}

/** The supported aspect ratio closest to width:height (compared on a log scale). */
export function nearestAspectRatio(width: number, height: number): (typeof STABILITY_ASPECT_RATIOS)[number] {
  const target = Math.log(width / height);
  let best: (typeof STABILITY_ASPECT_RATIOS)[number] = '1:1';
  let distance = Infinity;
  for (const ratio of STABILITY_ASPECT_RATIOS) {
    const [w, h] = ratio.split(':').map(Number) as [number, number];
    const d = Math.abs(Math.log(w / h) - target);
    if (d < distance) {
      distance = d;
      best = ratio;
    }
  }
  return best;
}

/** `{id, name, errors: [...]}` (also tolerates `{message}` and RFC 7807 shapes). */
function describeStabilityError(status: number, body: unknown, text: string): ProviderError {
  let message = truncate(text, 300) || 'no body';
  if (isRecord(body)) {
    const errors = Array.isArray(body.errors) ? body.errors.map(String) : [];
    const name = typeof body.name === 'string' ? body.name : typeof body.title === 'string' ? body.title : undefined;
    const detail = errors.length > 0 ? errors.join('; ') : typeof body.message === 'string' ? body.message : typeof body.detail === 'string' ? body.detail : undefined;
    if (name || detail) message = [name, detail].filter(Boolean).join(': ');
  }
  return errorFromStatus(PROVIDER, status, `Stability answered ${status}: ${message}`, body ?? (text || undefined));
}

export class StabilityProvider implements ImageProvider {
  readonly type = 'stability' as const;
  readonly baseUrl: string;
  private readonly http: Http;
  private readonly model: string;
  private readonly outputFormat: 'png' | 'jpeg' | 'webp';
  private readonly json: boolean;
  private readonly strength: number;
  private readonly extraFields: Record<string, string | number>;
  private readonly generateTimeoutMs: number;

  constructor(options: StabilityOptions) {
    this.http = new Http({
      provider: PROVIDER,
      baseUrl: options.baseUrl ?? 'https://api.stability.ai',
      headers: { ...options.headers, Authorization: `Bearer ${options.apiKey}` },
      timeoutMs: options.requestTimeoutMs,
      fetch: options.fetch,
      describeError: describeStabilityError,
    });
    this.baseUrl = this.http.baseUrl;
    this.model = options.model ?? 'core';
    this.outputFormat = options.outputFormat ?? 'png';
    this.json = options.json ?? false;
    this.strength = options.strength ?? 0.55;
    this.extraFields = options.extraFields ?? {};
    this.generateTimeoutMs = options.generateTimeoutMs ?? DEFAULT_GENERATE_TIMEOUT_MS;
  }

  async health(signal?: AbortSignal): Promise<{ ok: boolean; detail?: string }> {
    try {
      const balance = await this.http.json<{ credits?: number }>('/v1/user/balance', { signal, timeoutMs: Math.min(this.http.timeoutMs, 10_000) });
      return { ok: true, detail: typeof balance?.credits === 'number' ? `${balance.credits} credits` : undefined };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  /** Endpoint path and the `model` field for a model name. */
  static route(model: string): { path: string; model?: string } {
    const name = model.replace(/^stable-image-/, '');
    if (name === 'core' || name === 'ultra' || name === 'sd3') return { path: `/v2beta/stable-image/generate/${name}` };
    if (/^sd3/.test(name)) return { path: '/v2beta/stable-image/generate/sd3', model: name };
    throw new ProviderError(PROVIDER, 'rejected', `Unknown Stability model "${model}" (core, ultra, sd3, sd3.5-large, sd3.5-medium…)`);
  }

  buildForm(request: ImageRequest, model: string, seed: number | undefined): FormData {
    const route = StabilityProvider.route(model);
    const form = new FormData();
    form.append('prompt', request.prompt);
    if (request.negativePrompt) form.append('negative_prompt', request.negativePrompt);
    if (seed !== undefined) form.append('seed', String(seed));
    form.append('output_format', route.model !== undefined || route.path.endsWith('/sd3') ? (this.outputFormat === 'webp' ? 'png' : this.outputFormat) : this.outputFormat);
    if (route.model) form.append('model', route.model);
    const isSd3 = route.path.endsWith('/sd3');
    if (isSd3 && request.cfgScale !== undefined) form.append('cfg_scale', String(request.cfgScale));
    const reference = request.referenceImages?.[0];
    const canImageToImage = route.path.endsWith('/ultra') || isSd3;
    if (reference && canImageToImage) {
      if (isSd3) form.append('mode', 'image-to-image');
      form.append('image', new Blob([new Uint8Array(reference.bytes)], { type: reference.mimeType }), reference.name || `reference.${extensionFromMime(reference.mimeType)}`);
      form.append('strength', String(this.strength));
    } else {
      form.append('aspect_ratio', nearestAspectRatio(request.width, request.height));
    }
    for (const [key, value] of Object.entries(this.extraFields)) form.append(key, String(value));
    return form;
  }

  async generate(request: ImageRequest, ctx: ProviderContext): Promise<ProducedFile[]> {
    if (request.output === 'video') throw new ProviderError(PROVIDER, 'unsupported', 'Stability image generation makes still images only');
    const model = request.workflow ?? this.model;
    const route = StabilityProvider.route(model);
    const count = Math.max(1, Math.min(request.batchSize ?? 1, 4));
    const files: ProducedFile[] = [];
    for (let i = 0; i < count; i++) {
      ctx.onProgress(i / count, count > 1 ? `generating ${i + 1}/${count}` : 'generating');
      // Seed 0 means random to Stability: send ours only when the request fixed one.
      const seed = request.seed !== undefined ? (request.seed + i) % 4_294_967_295 : undefined;
      const form = this.buildForm(request, model, seed);
      const answer = await this.http.send(
        route.path,
        { method: 'POST', body: form, headers: { Accept: this.json ? 'application/json' : 'image/*' }, signal: ctx.signal, timeoutMs: this.generateTimeoutMs },
        async (response) => {
          const contentType = response.headers.get('content-type');
          if (contentType?.includes('application/json')) {
            const body = (await response.json()) as { image?: string; seed?: number | string; finish_reason?: string };
            if (typeof body?.image !== 'string') throw new ProviderError(PROVIDER, 'unavailable', 'Stability answered JSON without an image');
            const bytes = Buffer.from(body.image, 'base64');
            return { bytes, contentType: null, seed: body.seed, finishReason: body.finish_reason };
          }
          return {
            bytes: Buffer.from(await response.arrayBuffer()),
            contentType,
            seed: response.headers.get('seed') ?? undefined,
            finishReason: response.headers.get('finish-reason') ?? undefined,
          };
        },
      );
      const finishReason = answer.finishReason?.toUpperCase();
      if (finishReason === 'CONTENT_FILTERED') {
        throw new ProviderError(PROVIDER, 'rejected', 'Stability filtered the output (finish_reason CONTENT_FILTERED)', { finishReason: 'CONTENT_FILTERED' });
      }
      if (finishReason && finishReason !== 'SUCCESS') {
        throw new ProviderError(PROVIDER, 'rejected', `Stability finished with ${finishReason}`, { finishReason });
      }
      const usedSeed = answer.seed === undefined || answer.seed === '' ? seed : Number(answer.seed);
      const mimeType = pickMime(answer.bytes, undefined, answer.contentType);
      files.push({
        bytes: answer.bytes,
        mimeType,
        filename: `stability_${usedSeed ?? 'random'}.${extensionFromMime(mimeType)}`,
        seed: Number.isFinite(usedSeed) ? usedSeed : undefined,
        meta: {
          model,
          finish_reason: finishReason ?? 'SUCCESS',
          ...(request.referenceImages?.length && !(route.path.endsWith('/ultra') || route.path.endsWith('/sd3')) ? { reference_images_ignored: true } : {}),
          ...(request.lora ? { lora_ignored: request.lora.name } : {}),
        },
      });
    }
    ctx.onProgress(1, 'done');
    return files;
  }
}
