/**
 * ElevenLabs text-to-speech through the official `@elevenlabs/elevenlabs-js` SDK.
 *
 * Base URL: the SDK's `baseUrl` option ("Specify a custom URL to connect the client to") replaces the environment
 * (https://api.elevenlabs.io); paths such as `v1/text-to-speech/{voice_id}` are joined onto it. Tests point it at
 * the fake; residency hosts (api.eu.residency.elevenlabs.io…) work the same way.
 * The SDK's retries are off (`maxRetries: 0`) — the job queue retries.
 *
 * `language_code` (ISO 639-1, the request's primary subtag) is always sent. ElevenLabs applies it on models that
 * support it (flash/turbo v2.5) and, per its support, ignores it on multilingual_v2; older API versions answered 400
 * instead, so a 400/422 that mentions the language is retried once without it.
 */
import { ElevenLabsClient, ElevenLabsError, ElevenLabsTimeoutError, type ElevenLabs } from '@elevenlabs/elevenlabs-js';
import { errorFromFetch, errorFromStatus, ProviderError, type ProducedFile, type ProviderContext, type VoiceProvider, type VoiceRequest } from '../types.ts';
import { healthSignal, mimeForOutputFormat, primaryLanguage, readAll } from './shared.ts';

const PROVIDER = 'elevenlabs';
export const ELEVENLABS_DEFAULT_URL = 'https://api.elevenlabs.io';

export interface ElevenLabsVoiceOptions {
  apiKey: string;
  /** Default https://api.elevenlabs.io (no `/v1`). */
  baseUrl?: string;
  /** Default 'eleven_multilingual_v2'. */
  modelId?: string;
  /** Used when a request names no voice. */
  defaultVoiceId?: string;
  /** Default 'mp3_44100_128'. */
  outputFormat?: string;
  /** Stored voice settings to override on every request (speed comes from the request). */
  voiceSettings?: { stability?: number; similarityBoost?: number; style?: number; useSpeakerBoost?: boolean };
  /** SDK ceiling per request, seconds (our ctx.signal normally fires first). Default 240. */
  timeoutInSeconds?: number;
  fetch?: typeof fetch;
}

/** ElevenLabs accepts speed 0.7–1.2 (1 = normal). */
export function elevenLabsSpeed(speed: number | undefined): number | undefined {
  if (speed === undefined || !Number.isFinite(speed)) return undefined;
  return Math.min(1.2, Math.max(0.7, speed));
}

export class ElevenLabsVoice implements VoiceProvider {
  readonly type = 'elevenlabs' as const;
  readonly baseUrl: string;
  readonly client: ElevenLabsClient;
  readonly #options: ElevenLabsVoiceOptions;

  constructor(options: ElevenLabsVoiceOptions) {
    if (!options.apiKey) throw new ProviderError(PROVIDER, 'rejected', 'ElevenLabs needs an API key');
    this.#options = options;
    this.baseUrl = (options.baseUrl ?? ELEVENLABS_DEFAULT_URL).replace(/\/+$/, '');
    this.client = new ElevenLabsClient({
      apiKey: options.apiKey,
      baseUrl: this.baseUrl,
      maxRetries: 0,
      timeoutInSeconds: options.timeoutInSeconds ?? 240,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  async synthesize(request: VoiceRequest, ctx: ProviderContext): Promise<ProducedFile> {
    const voiceId = request.voiceId || this.#options.defaultVoiceId;
    if (!voiceId) throw new ProviderError(PROVIDER, 'rejected', 'ElevenLabs needs a voice id: set one on the persona or a default on the provider');
    if (!request.text.trim()) throw new ProviderError(PROVIDER, 'rejected', 'Nothing to say: the text is empty');
    const outputFormat = this.#options.outputFormat ?? 'mp3_44100_128';
    const modelId = this.#options.modelId ?? 'eleven_multilingual_v2';
    const languageCode = primaryLanguage(request.language) || undefined;
    const speed = elevenLabsSpeed(request.speed);
    const voiceSettings: ElevenLabs.VoiceSettings = { ...this.#options.voiceSettings, ...(speed !== undefined ? { speed } : {}) };
    try {
      ctx.signal.throwIfAborted();
      ctx.onProgress(0.05, 'sending text to ElevenLabs');
      const convert = (withLanguage: boolean) =>
        this.client.textToSpeech.convert(
          voiceId,
          {
            text: request.text,
            modelId,
            outputFormat: outputFormat as ElevenLabs.TextToSpeechConvertRequestOutputFormat,
            ...(withLanguage && languageCode ? { languageCode } : {}),
            ...(Object.keys(voiceSettings).length ? { voiceSettings } : {}),
          },
          { abortSignal: ctx.signal, maxRetries: 0 },
        );
      let languageApplied = !!languageCode;
      let stream: ReadableStream<Uint8Array>;
      try {
        stream = await convert(true);
      } catch (error) {
        // Models without language_code support ignore it today; older API versions answered 400. Retry once without.
        if (!languageCode || !isLanguageCodeRejection(error)) throw error;
        languageApplied = false;
        stream = await convert(false);
      }
      const bytes = await readAll(stream, ctx.signal);
      if (bytes.length === 0) throw new ProviderError(PROVIDER, 'unavailable', 'ElevenLabs returned no audio');
      ctx.onProgress(1, 'audio received');
      return {
        bytes,
        mimeType: mimeForOutputFormat(outputFormat),
        meta: { provider: PROVIDER, voiceId, modelId, outputFormat, languageCode: languageApplied ? languageCode : undefined, speed },
      };
    } catch (error) {
      throw this.#mapError(error, ctx.signal);
    }
  }

  async health(signal?: AbortSignal): Promise<{ ok: boolean; detail?: string }> {
    const s = healthSignal(signal);
    try {
      const models = await this.client.models.list({ abortSignal: s, maxRetries: 0 });
      return { ok: true, detail: `ElevenLabs at ${this.baseUrl}: ${models.length} models` };
    } catch (error) {
      return { ok: false, detail: this.#mapError(error, s).message };
    }
  }

  #mapError(error: unknown, signal: AbortSignal): ProviderError {
    if (error instanceof ProviderError) return error;
    if (signal.aborted) return errorFromFetch(PROVIDER, error, signal);
    if (error instanceof ElevenLabsTimeoutError) return new ProviderError(PROVIDER, 'timeout', `ElevenLabs timed out`, undefined, { cause: error });
    if (error instanceof ElevenLabsError) {
      if (error.statusCode === undefined) {
        return new ProviderError(PROVIDER, 'unavailable', `ElevenLabs at ${this.baseUrl} is unreachable: ${error.message}`, undefined, { cause: error });
      }
      const detail = describeBody(error.body);
      let message = `ElevenLabs answered ${error.statusCode}: ${detail}`;
      if (error.statusCode === 401) message += ' (check the API key)';
      const mapped = errorFromStatus(PROVIDER, error.statusCode, message, { status: error.statusCode, body: error.body });
      return new ProviderError(PROVIDER, mapped.kind, mapped.message, mapped.details, { cause: error });
    }
    return errorFromFetch(PROVIDER, error, signal);
  }
}

function isLanguageCodeRejection(error: unknown): boolean {
  return error instanceof ElevenLabsError && (error.statusCode === 400 || error.statusCode === 422) && /language/i.test(JSON.stringify(error.body ?? ''));
}

/** ElevenLabs errors: `{detail: {status, message}}` or FastAPI's `{detail: [{loc, msg, type}]}`. */
function describeBody(body: unknown): string {
  const detail = (body as { detail?: unknown } | undefined)?.detail;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) return detail.map((d: { loc?: unknown[]; msg?: string }) => `${(d.loc ?? []).join('.')}: ${d.msg ?? ''}`).join('; ');
  if (detail && typeof detail === 'object') {
    const d = detail as { message?: string; status?: string };
    return d.message ?? d.status ?? JSON.stringify(detail);
  }
  if (typeof body === 'string') return body.slice(0, 300);
  return body === undefined ? 'no details' : JSON.stringify(body).slice(0, 300);
}
