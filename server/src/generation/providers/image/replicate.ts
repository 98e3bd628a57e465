/**
 * Replicate client, on the official `replicate` package (its `baseUrl` and `fetch` options let us
 * point it at our fake and layer timeouts; it retries 429 — and 5xx on GETs — by itself, a few times).
 *
 * A prediction is created (optionally holding with `Prefer: wait=N`), polled with backoff until
 * succeeded/failed/canceled, and its output URLs (string, array or nested object) are downloaded.
 * Progress comes from tqdm-style percentages in `logs` when the model prints them. Cancelling posts
 * `/predictions/{id}/cancel`. `verifyReplicateWebhook` checks webhook signatures (Standard Webhooks).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import Replicate from 'replicate';
import type { Prediction } from 'replicate';
import { ProviderError, errorFromFetch, errorFromStatus } from '../types.ts';
import type { ImageProvider, ImageRequest, ProducedFile, ProviderContext } from '../types.ts';
import {
  CLEANUP_GRACE_MS,
  CLEANUP_TIMEOUT_MS,
  DEFAULT_DOWNLOAD_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type FetchLike,
  isRecord,
  parseJsonLoose,
  pickMime,
  settleWithin,
  sleep,
  trimBase,
  truncate,
  withTimeout,
} from './shared.ts';

const PROVIDER = 'replicate';

export interface ReplicateOptions {
  apiKey: string;
  /** Default https://api.replicate.com/v1. */
  baseUrl?: string;
  /** Default model: `owner/name`, `owner/name:version` or a bare version id. `request.workflow` overrides. */
  model?: string;
  /** Model for `output: 'video'` requests that name no workflow. */
  videoModel?: string;
  /** Small calls (create without wait, get, cancel). Default 30 s. */
  requestTimeoutMs?: number;
  /** Each output download. Default 120 s. */
  downloadTimeoutMs?: number;
  /** `Prefer: wait=N` on create (1–60); 0/undefined = answer at once and poll. */
  waitSeconds?: number;
  /** First poll delay; grows ×1.5 per poll up to maxPollIntervalMs. Default 500 ms. */
  pollIntervalMs?: number;
  /** Default 5 s. */
  maxPollIntervalMs?: number;
  /** Turns the request into the model's `input`; default: common SD/Flux-style names (see defaultReplicateInput). */
  inputMapper?: (request: ImageRequest) => Record<string, unknown>;
  /** Merged into every input (model-specific knobs). */
  extraInput?: Record<string, unknown>;
  /** Webhook URL for completion events (verify them with verifyReplicateWebhook). */
  webhook?: string;
  webhookEventsFilter?: ('start' | 'output' | 'logs' | 'completed')[];
  fetch?: FetchLike;
}

/**
 * The usual input names of Replicate image/video models. Models ignore or reject names they don't know
 * (schemas differ per model): configure `inputMapper`/`extraInput` for anything unusual.
 */
export function defaultReplicateInput(request: ImageRequest): Record<string, unknown> {
  const input: Record<string, unknown> = { prompt: request.prompt };
  if (request.negativePrompt) input.negative_prompt = request.negativePrompt;
  input.width = request.width;
  input.height = request.height;
  if (request.seed !== undefined) input.seed = request.seed;
  if (request.steps !== undefined) input.num_inference_steps = request.steps;
  if (request.cfgScale !== undefined) input.guidance_scale = request.cfgScale;
  if (request.batchSize !== undefined && request.batchSize > 1) input.num_outputs = request.batchSize;
  if (request.lora) {
    input.lora_weights = request.lora.name;
    input.lora_scale = request.lora.weight;
  }
  const reference = request.referenceImages?.[0];
  if (reference) input.image = `data:${reference.mimeType};base64,${reference.bytes.toString('base64')}`;
  if (request.output === 'video' && request.durationSeconds !== undefined) input.duration = request.durationSeconds;
  return input;
}

/** `owner/name` → model; `owner/name:version` or a bare 64-hex id → version. */
export function parseReplicateModel(identifier: string): { model: string } | { version: string } {
  const trimmed = identifier.trim();
  const colon = trimmed.indexOf(':');
  if (colon > 0) return { version: trimmed.slice(colon + 1) };
  if (/^[0-9a-f]{32,}$/i.test(trimmed)) return { version: trimmed };
  if (/^[^/\s]+\/[^/\s]+$/.test(trimmed)) return { model: trimmed };
  throw new ProviderError(PROVIDER, 'rejected', `Replicate model "${identifier}" is neither owner/name, owner/name:version nor a version id`);
}

/** The last `NN%|` (tqdm) percentage in the logs, 0..1. */
export function progressFromLogs(logs: unknown): number | undefined {
  if (typeof logs !== 'string') return undefined;
  const matches = [...logs.matchAll(/(\d{1,3}(?:\.\d+)?)%\s*\|/g)];
  const last = matches.at(-1);
  if (!last) return undefined;
  const value = Number(last[1]) / 100;
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : undefined;
}

/** Every URL in a prediction's output (string, array, or object of those), in order. */
export function outputUrls(output: unknown): string[] {
  if (typeof output === 'string') return /^(https?:|data:)/i.test(output) ? [output] : [];
  if (Array.isArray(output)) return output.flatMap(outputUrls);
  if (isRecord(output)) return Object.values(output).flatMap(outputUrls);
  return [];
}

interface ApiErrorLike {
  response: Response;
}

function isApiError(error: unknown): error is ApiErrorLike & Error {
  return error instanceof Error && error.name === 'ApiError' && (error as Partial<ApiErrorLike>).response instanceof Response;
}

export class ReplicateProvider implements ImageProvider {
  readonly type = 'replicate' as const;
  readonly baseUrl: string;
  readonly client: Replicate;
  private readonly model: string | undefined;
  private readonly videoModel: string | undefined;
  private readonly requestTimeoutMs: number;
  private readonly downloadTimeoutMs: number;
  private readonly waitSeconds: number;
  private readonly pollIntervalMs: number;
  private readonly maxPollIntervalMs: number;
  private readonly inputMapper: (request: ImageRequest) => Record<string, unknown>;
  private readonly extraInput: Record<string, unknown>;
  private readonly webhook: string | undefined;
  private readonly webhookEventsFilter: ReplicateOptions['webhookEventsFilter'];
  private readonly fetchImpl: FetchLike;
  private readonly apiKey: string;
  /** Error bodies, kept by response: the client consumes them before throwing. */
  private readonly errorBodies = new WeakMap<Response, string>();

  constructor(options: ReplicateOptions) {
    this.baseUrl = trimBase(options.baseUrl ?? 'https://api.replicate.com/v1');
    this.apiKey = options.apiKey;
    this.model = options.model;
    this.videoModel = options.videoModel;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.downloadTimeoutMs = options.downloadTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
    this.waitSeconds = Math.min(60, Math.max(0, Math.round(options.waitSeconds ?? 0)));
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.maxPollIntervalMs = options.maxPollIntervalMs ?? 5_000;
    this.inputMapper = options.inputMapper ?? defaultReplicateInput;
    this.extraInput = options.extraInput ?? {};
    this.webhook = options.webhook;
    this.webhookEventsFilter = options.webhookEventsFilter;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    const errorBodies = this.errorBodies;
    const fetchImpl = this.fetchImpl;
    this.client = new Replicate({
      auth: options.apiKey,
      baseUrl: this.baseUrl,
      useFileOutput: false,
      userAgent: 'atelier-studio',
      fetch: async (input, init) => {
        const response = await fetchImpl(input, init);
        if (!response.ok) errorBodies.set(response, await response.clone().text().catch(() => ''));
        return response;
      },
    });
  }

  /** Maps whatever the client threw (ApiError with a response, network error, abort) to a ProviderError. */
  private mapError(error: unknown, signal: AbortSignal, what: string): ProviderError {
    if (error instanceof ProviderError) return error;
    if (isApiError(error)) {
      const status = error.response.status;
      const text = this.errorBodies.get(error.response) ?? '';
      const body = parseJsonLoose(text);
      let message = truncate(text, 300) || error.response.statusText;
      if (isRecord(body)) {
        const parts = [body.title, body.detail].filter((p) => typeof p === 'string' && p.trim() !== '') as string[];
        if (parts.length > 0) message = parts.map((p) => p.trim()).join(': ');
      }
      return errorFromStatus(PROVIDER, status, `Replicate ${what} failed with ${status}: ${message}`, body ?? (text || undefined));
    }
    return errorFromFetch(PROVIDER, error, signal);
  }

  async health(signal?: AbortSignal): Promise<{ ok: boolean; detail?: string }> {
    const timeout = withTimeout(signal, Math.min(this.requestTimeoutMs, 10_000));
    try {
      const account = await this.client.accounts.current({ signal: timeout });
      return { ok: true, detail: `account ${account.username}` };
    } catch (error) {
      return { ok: false, detail: this.mapError(error, timeout, 'account check').message };
    }
  }

  async generate(request: ImageRequest, ctx: ProviderContext): Promise<ProducedFile[]> {
    const { signal } = ctx;
    const identifier = request.workflow ?? (request.output === 'video' ? (this.videoModel ?? this.model) : this.model);
    if (!identifier) throw new ProviderError(PROVIDER, 'rejected', 'No Replicate model configured (set the provider model or the request workflow)');
    const target = parseReplicateModel(identifier);
    const input = { ...this.inputMapper(request), ...this.extraInput };

    let prediction: Prediction;
    const createSignal = withTimeout(signal, this.requestTimeoutMs + this.waitSeconds * 1_000);
    try {
      prediction = await this.client.predictions.create({
        ...target,
        input,
        ...(this.waitSeconds > 0 ? { wait: this.waitSeconds } : {}),
        ...(this.webhook ? { webhook: this.webhook } : {}),
        ...(this.webhook && this.webhookEventsFilter ? { webhook_events_filter: this.webhookEventsFilter } : {}),
        signal: createSignal,
      } as Parameters<Replicate['predictions']['create']>[0]);
    } catch (error) {
      throw this.mapError(error, createSignal, 'create prediction');
    }
    if (!isRecord(prediction) || typeof prediction.id !== 'string') throw new ProviderError(PROVIDER, 'unavailable', 'Replicate answered without a prediction id');

    try {
      prediction = await this.waitForPrediction(prediction, ctx);
      if (prediction.status === 'failed') {
        const reason = typeof prediction.error === 'string' ? prediction.error : JSON.stringify(prediction.error ?? 'unknown error');
        throw new ProviderError(PROVIDER, 'rejected', `Replicate prediction ${prediction.id} failed: ${truncate(reason, 500)}`, {
          error: prediction.error,
          logs: typeof prediction.logs === 'string' ? prediction.logs.slice(-2_000) : undefined,
        });
      }
      if (prediction.status === 'canceled' || prediction.status === 'aborted') {
        throw new ProviderError(PROVIDER, 'cancelled', `Replicate prediction ${prediction.id} was ${prediction.status}`);
      }
      const urls = outputUrls(prediction.output);
      if (urls.length === 0) throw new ProviderError(PROVIDER, 'rejected', `Replicate prediction ${prediction.id} succeeded without file outputs`, { output: prediction.output });
      const seed = seedFromLogs(prediction.logs) ?? (typeof (prediction.input as Record<string, unknown>)?.seed === 'number' ? ((prediction.input as Record<string, unknown>).seed as number) : request.seed);
      const files: ProducedFile[] = [];
      for (const [index, url] of urls.entries()) {
        ctx.onProgress(0.95, `downloading ${index + 1}/${urls.length}`);
        const { bytes, contentType } = await this.download(url, signal);
        const filename = url.startsWith('data:') ? undefined : decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '') || undefined;
        files.push({
          bytes,
          mimeType: pickMime(bytes, filename, contentType),
          filename,
          seed,
          meta: {
            prediction_id: prediction.id,
            model: prediction.model ?? identifier,
            version: prediction.version,
            predict_time: prediction.metrics?.predict_time,
            source_url: url.startsWith('data:') ? undefined : url,
          },
        });
      }
      ctx.onProgress(1, 'done');
      return files;
    } catch (error) {
      if (signal.aborted && !isTerminal(prediction.status)) await settleWithin(this.cancel(prediction.id), CLEANUP_GRACE_MS);
      throw error instanceof ProviderError ? error : this.mapError(error, signal, 'prediction');
    }
  }

  private async waitForPrediction(initial: Prediction, ctx: ProviderContext): Promise<Prediction> {
    const { signal } = ctx;
    let prediction = initial;
    let delay = this.pollIntervalMs;
    let failures = 0;
    for (;;) {
      this.reportProgress(prediction, ctx);
      if (isTerminal(prediction.status)) return prediction;
      await sleep(delay, signal);
      delay = Math.min(this.maxPollIntervalMs, Math.round(delay * 1.5));
      const pollSignal = withTimeout(signal, this.requestTimeoutMs);
      try {
        prediction = await this.client.predictions.get(prediction.id, { signal: pollSignal });
        failures = 0;
      } catch (error) {
        const mapped = this.mapError(error, pollSignal, 'poll');
        // The client already retried 5xx/429 on GET; a timed-out poll alone is not fatal.
        if (signal.aborted || mapped.kind === 'rejected' || ++failures >= 3) throw mapped;
      }
    }
  }

  private reportProgress(prediction: Prediction, ctx: ProviderContext) {
    if (prediction.status === 'starting') ctx.onProgress(0.05, 'starting');
    else if (prediction.status === 'processing') {
      const fromLogs = progressFromLogs(prediction.logs);
      if (fromLogs === undefined) ctx.onProgress(0.2, 'processing');
      else ctx.onProgress(0.2 + 0.75 * fromLogs, `processing ${Math.round(fromLogs * 100)}%`);
    }
  }

  private async download(url: string, signal: AbortSignal): Promise<{ bytes: Buffer; contentType: string | null }> {
    if (url.startsWith('data:')) {
      const match = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(url);
      if (!match) throw new ProviderError(PROVIDER, 'unavailable', 'Replicate output is a malformed data URI');
      const bytes = match[2] ? Buffer.from(match[3]!, 'base64') : Buffer.from(decodeURIComponent(match[3]!), 'utf8');
      return { bytes, contentType: match[1] || null };
    }
    const downloadSignal = withTimeout(signal, this.downloadTimeoutMs);
    try {
      // Our token goes only to the API's own origin, never to the file CDN.
      const sameOrigin = new URL(url).origin === new URL(this.baseUrl).origin;
      const response = await this.fetchImpl(url, { signal: downloadSignal, headers: sameOrigin ? { Authorization: `Bearer ${this.apiKey}` } : {} });
      if (!response.ok) throw errorFromStatus(PROVIDER, response.status, `Replicate output download answered ${response.status}`, { url });
      return { bytes: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') };
    } catch (error) {
      throw errorFromFetch(PROVIDER, error, downloadSignal);
    }
  }

  private async cancel(id: string): Promise<void> {
    try {
      await this.client.predictions.cancel(id, { signal: AbortSignal.timeout(CLEANUP_TIMEOUT_MS) });
    } catch {
      // best effort
    }
  }
}

function isTerminal(status: string | undefined): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'canceled' || status === 'aborted';
}

function seedFromLogs(logs: unknown): number | undefined {
  if (typeof logs !== 'string') return undefined;
  const match = /\bseed\b\s*(?:[:=]|is|used)?\s*:?\s*(\d{1,20})\b/i.exec(logs);
  if (!match) return undefined;
  const seed = Number(match[1]);
  return Number.isSafeInteger(seed) ? seed : undefined;
}

export interface VerifyReplicateWebhookOptions {
  /** `whsec_<base64>` as shown by Replicate (GET /v1/webhooks/default/secret). */
  secret: string;
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The body exactly as received: do not re-serialise parsed JSON. */
  rawBody: string | Buffer;
  toleranceSeconds?: number;
  /** Unix seconds; default now. */
  now?: number;
}

function header(headers: VerifyReplicateWebhookOptions['headers'], name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Replicate webhook signature check: HMAC-SHA256 over `${webhook-id}.${webhook-timestamp}.${body}` with the
 * base64 key after `whsec_`, compared in constant time against each `v1,<base64>` entry of
 * `webhook-signature`. Stale or future timestamps beyond the tolerance are refused.
 */
export function verifyReplicateWebhook(options: VerifyReplicateWebhookOptions): boolean {
  const { secret, headers, rawBody, toleranceSeconds = 300 } = options;
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures || !secret) return false;
  if (!/^\d+$/.test(timestamp.trim())) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > toleranceSeconds) return false;
  const key = Buffer.from(secret.slice(secret.lastIndexOf('_') + 1), 'base64');
  if (key.length === 0) return false;
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  const expected = createHmac('sha256', key)
    .update(`${id}.${timestamp.trim()}.`)
    .update(body)
    .digest();
  let matched = false;
  for (const entry of signatures.split(' ')) {
    const [version, signature] = entry.split(',', 2);
    if (version !== 'v1' || !signature) continue;
    const candidate = Buffer.from(signature, 'base64');
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
  }
  return matched;
}
