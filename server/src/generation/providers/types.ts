/**
 * The contracts between the studio and the outside systems that make content. One interface per kind;
 * one class per system behind it (ComfyUI, A1111/Forge, Replicate, Stability; Ollama, OpenAI-compatible;
 * ElevenLabs, Piper, espeak-ng). The studio never knows which one it talks to.
 */

/** What every provider call receives: cancellation, progress reporting, a deadline already armed. */
export interface ProviderContext {
  /** Aborted on cancel or timeout; pass it to every fetch/WebSocket. */
  signal: AbortSignal;
  /** 0..1, with an optional human message ("sampling 12/30"). Cheap to call often. */
  onProgress(fraction: number, message?: string): void;
}

/** A file as a provider produced it, before the media pipeline strips, marks and stores it. */
export interface ProducedFile {
  bytes: Buffer;
  mimeType: string;
  /** What the provider called it, if anything (e.g. ComfyUI's filename). */
  filename?: string;
  /** The seed actually used, when the provider reports it (enough to regenerate). */
  seed?: number;
  /** Provider-specific facts worth keeping in the asset's origin (model, sampler, prompt id…). */
  meta?: Record<string, unknown>;
}

export interface ImageRequest {
  prompt: string;
  negativePrompt: string;
  width: number;
  height: number;
  /** Absent = provider picks (random); the produced file reports the one used. */
  seed?: number;
  steps?: number;
  cfgScale?: number;
  sampler?: string;
  batchSize?: number;
  /** Persona identity: LoRA by name and weight. */
  lora?: { name: string; weight: number } | null;
  /** Persona identity: reference images (her own earlier assets), for img2img / face adapters. */
  referenceImages?: { name: string; bytes: Buffer; mimeType: string }[];
  /** Template/workflow/model id as configured for the provider (ComfyUI workflow name, Replicate model…). */
  workflow?: string;
  /** 'video' asks a video-capable workflow/model (ComfyUI video workflows, Replicate video models). */
  output?: 'image' | 'video';
  /** Video only. */
  durationSeconds?: number;
}

export interface ImageProvider {
  readonly type: 'comfyui' | 'a1111' | 'replicate' | 'stability';
  generate(request: ImageRequest, ctx: ProviderContext): Promise<ProducedFile[]>;
  /** Reachability, for provider-down alerts and the settings page. */
  health(signal?: AbortSignal): Promise<{ ok: boolean; detail?: string }>;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatOptions {
  model: string;
  temperature?: number;
  maxTokens?: number;
  /** Streaming: called with each piece of text as it arrives. */
  onToken?: (token: string) => void;
  /** Ask for a JSON object answer where the server supports it. */
  json?: boolean;
}

export interface TextModel {
  readonly type: 'ollama' | 'openai';
  chat(messages: ChatMessage[], options: ChatOptions, ctx: ProviderContext): Promise<{ text: string; meta?: Record<string, unknown> }>;
  /** Embeddings; providers without an embedding model throw ProviderError('unsupported'). */
  embed(texts: string[], model: string, signal?: AbortSignal): Promise<number[][]>;
  health(signal?: AbortSignal): Promise<{ ok: boolean; detail?: string }>;
}

export interface VoiceRequest {
  text: string;
  voiceId?: string;
  /** BCP 47, e.g. 'fr' or 'en-GB'. */
  language: string;
  speed?: number;
}

export interface VoiceProvider {
  readonly type: 'elevenlabs' | 'piper' | 'espeak';
  synthesize(request: VoiceRequest, ctx: ProviderContext): Promise<ProducedFile>;
  health(signal?: AbortSignal): Promise<{ ok: boolean; detail?: string }>;
}

/**
 * Why a provider call failed, in terms the studio acts on:
 * - unavailable: network error, 5xx, 429 → retry with backoff;
 * - rejected: the request itself is wrong (ComfyUI node_errors, 4xx) → fail now, show `details`;
 * - timeout / cancelled: the signal fired;
 * - unsupported: the provider cannot do this (e.g. video on a text-to-image model).
 */
export type ProviderErrorKind = 'unavailable' | 'rejected' | 'timeout' | 'cancelled' | 'unsupported';

export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly provider: string;
  /** Shown to the user: e.g. `[{ node: '3', classType: 'KSampler', message: 'Value 0 smaller than min of 1' }]`. */
  readonly details: unknown;
  constructor(provider: string, kind: ProviderErrorKind, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderError';
    this.provider = provider;
    this.kind = kind;
    this.details = details;
  }

  get retryable() {
    return this.kind === 'unavailable' || this.kind === 'timeout';
  }
}

/** Maps a fetch failure or HTTP status to a ProviderError, for the clients' shared plumbing. */
export function errorFromStatus(provider: string, status: number, message: string, details?: unknown): ProviderError {
  if (status === 408 || status === 429 || status >= 500) return new ProviderError(provider, 'unavailable', message, details);
  return new ProviderError(provider, 'rejected', message, details);
}

export function errorFromFetch(provider: string, error: unknown, signal: AbortSignal): ProviderError {
  if (error instanceof ProviderError) return error;
  if (signal.aborted) {
    const reason = signal.reason as { name?: string } | undefined;
    return new ProviderError(provider, reason?.name === 'TimeoutError' ? 'timeout' : 'cancelled', `${provider}: ${reason?.name === 'TimeoutError' ? 'timed out' : 'cancelled'}`, undefined, { cause: error });
  }
  return new ProviderError(provider, 'unavailable', `${provider} is unreachable: ${(error as Error)?.message ?? error}`, undefined, { cause: error });
}
