/**
 * Piper's HTTP server (`python3 -m piper.http_server -m <voice>`, port 5000): `POST /` with JSON
 * `{text, voice?, speaker_id?, length_scale?}` answers a WAV. Older servers read the raw body as the text: when the
 * JSON request is refused with 400 or 415 we retry once with `text/plain` (voice and speed are then the server's).
 * No official JS client exists; this is plain fetch.
 *
 * Voices: `voiceId` is a Piper voice name (`fr_FR-siwis-medium`); `name#3` also picks speaker 3 of a
 * multi-speaker voice. Speed maps to `length_scale = 1 / speed`.
 */
import { errorFromFetch, errorFromStatus, ProviderError, type ProducedFile, type ProviderContext, type VoiceProvider, type VoiceRequest } from '../types.ts';
import { healthSignal, isWav } from './shared.ts';

const PROVIDER = 'piper';
export const PIPER_DEFAULT_URL = 'http://127.0.0.1:5000';

export interface PiperVoiceOptions {
  /** Default http://127.0.0.1:5000. */
  baseUrl?: string;
  /** Used when a request names no voice; absent = the server's loaded voice. */
  defaultVoice?: string;
  /** Piper voices by language, used when a request names no voice: `{ fr: 'fr_FR-siwis-medium' }`. */
  voicesByLanguage?: Record<string, string>;
  fetch?: typeof fetch;
}

export function parsePiperVoice(voiceId: string | undefined): { voice?: string; speakerId?: number } {
  if (!voiceId) return {};
  const m = /^(.*?)#(\d+)$/.exec(voiceId);
  if (m) return { ...(m[1] ? { voice: m[1] } : {}), speakerId: Number(m[2]) };
  return { voice: voiceId };
}

export class PiperVoice implements VoiceProvider {
  readonly type = 'piper' as const;
  readonly baseUrl: string;
  readonly #options: PiperVoiceOptions;
  readonly #fetch: typeof fetch;

  constructor(options: PiperVoiceOptions = {}) {
    this.baseUrl = (options.baseUrl ?? PIPER_DEFAULT_URL).replace(/\/+$/, '');
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
  }

  #voiceFor(request: VoiceRequest): string | undefined {
    if (request.voiceId) return request.voiceId;
    const byLang = this.#options.voicesByLanguage;
    if (byLang) {
      const tag = request.language.toLowerCase();
      const hit = Object.entries(byLang).find(([k]) => k.toLowerCase() === tag) ?? Object.entries(byLang).find(([k]) => k.toLowerCase() === tag.split(/[-_]/)[0]);
      if (hit) return hit[1];
    }
    return this.#options.defaultVoice;
  }

  async synthesize(request: VoiceRequest, ctx: ProviderContext): Promise<ProducedFile> {
    if (!request.text.trim()) throw new ProviderError(PROVIDER, 'rejected', 'Nothing to say: the text is empty');
    const { voice, speakerId } = parsePiperVoice(this.#voiceFor(request));
    const lengthScale = request.speed && Number.isFinite(request.speed) && request.speed > 0 ? Math.min(4, Math.max(0.25, 1 / request.speed)) : undefined;
    const body = {
      text: request.text,
      ...(voice ? { voice } : {}),
      ...(speakerId !== undefined ? { speaker_id: speakerId } : {}),
      ...(lengthScale !== undefined && lengthScale !== 1 ? { length_scale: lengthScale } : {}),
    };
    try {
      ctx.signal.throwIfAborted();
      ctx.onProgress(0.05, 'sending text to Piper');
      let legacy = false;
      let response = await this.#post(JSON.stringify(body), 'application/json', ctx.signal);
      if (response.status === 400 || response.status === 415) {
        await response.body?.cancel().catch(() => {});
        legacy = true;
        response = await this.#post(request.text, 'text/plain; charset=utf-8', ctx.signal);
      }
      if (!response.ok) {
        const text = (await response.text().catch(() => '')).slice(0, 500);
        throw errorFromStatus(PROVIDER, response.status, `Piper answered ${response.status}: ${text || response.statusText}`, { status: response.status, body: text });
      }
      const bytes = Buffer.from(await response.arrayBuffer());
      if (!isWav(bytes)) {
        throw new ProviderError(PROVIDER, 'unavailable', `Piper answered something that is not a WAV (${response.headers.get('content-type') ?? 'no content-type'}, ${bytes.length} bytes)`);
      }
      ctx.onProgress(1, 'audio received');
      return { bytes, mimeType: 'audio/wav', meta: { provider: PROVIDER, voice, speakerId, lengthScale, legacy } };
    } catch (error) {
      throw errorFromFetch(PROVIDER, error, ctx.signal);
    }
  }

  #post(body: string, contentType: string, signal: AbortSignal): Promise<Response> {
    return this.#fetch(`${this.baseUrl}/`, { method: 'POST', headers: { 'content-type': contentType, accept: 'audio/wav' }, body, signal });
  }

  async health(signal?: AbortSignal): Promise<{ ok: boolean; detail?: string }> {
    const s = healthSignal(signal);
    try {
      const response = await this.#fetch(`${this.baseUrl}/voices`, { signal: s });
      if (response.ok) {
        const voices = (await response.json().catch(() => ({}))) as Record<string, unknown>;
        return { ok: true, detail: `Piper at ${this.baseUrl}: ${Object.keys(voices).join(', ') || 'voices not listed'}` };
      }
      await response.body?.cancel().catch(() => {});
      // Older servers have no /voices; any answer below 500 still means the server is up.
      if (response.status < 500) return { ok: true, detail: `Piper at ${this.baseUrl} (older server without /voices)` };
      return { ok: false, detail: `Piper answered ${response.status}` };
    } catch (error) {
      return { ok: false, detail: errorFromFetch(PROVIDER, error, s).message };
    }
  }
}
