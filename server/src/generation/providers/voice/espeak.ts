/**
 * Local espeak-ng — the zero-setup voice (robotic, but always there; `apt install espeak-ng`).
 *
 * Runs `espeak-ng -v <voice> -s <wpm> -b 1 --stdout --stdin` with `spawn` and no shell: the text goes through stdin
 * (never on the command line, so a text starting with "-" cannot turn into an option), the voice is checked against
 * a strict pattern. espeak-ng streams its WAV with "unknown" sizes in the header; we write the real ones.
 * Aborting the signal kills the process.
 */
import { spawn } from 'node:child_process';
import { errorFromFetch, ProviderError, type ProducedFile, type ProviderContext, type VoiceProvider, type VoiceRequest } from '../types.ts';
import { fixWavSizes, healthSignal, isWav } from './shared.ts';

const PROVIDER = 'espeak';
/** espeak-ng's own default rate. */
export const ESPEAK_DEFAULT_WPM = 175;
const MAX_TEXT = 20_000;
const VOICE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_+\-/]{0,63}$/;

/** BCP 47 tags whose espeak-ng voice has another name. */
const LANGUAGE_ALIASES: Record<string, string> = {
  en: 'en-us',
  zh: 'cmn',
  'zh-cn': 'cmn',
  'zh-hans': 'cmn',
  'zh-tw': 'cmn',
  'zh-hant': 'cmn',
  no: 'nb',
  'pt-pt': 'pt',
  'es-mx': 'es-419',
  'es-ar': 'es-419',
  'es-co': 'es-419',
  'es-us': 'es-419',
};

export interface EspeakVoiceOptions {
  /** Path or name of the binary; default 'espeak-ng'. */
  binary?: string;
  /** Voice when the request's language has none (default: derived from the language). */
  defaultVoice?: string;
  /** Rate at speed 1; default 175 words per minute. */
  wordsPerMinute?: number;
  /** 0–99, espeak-ng's default 50. */
  pitch?: number;
}

/** speed (1 = normal) → espeak-ng `-s` words per minute, within what espeak-ng accepts (80–450). */
export function espeakRate(speed: number | undefined, base = ESPEAK_DEFAULT_WPM): number {
  const s = speed && Number.isFinite(speed) && speed > 0 ? speed : 1;
  return Math.round(Math.min(450, Math.max(80, base * s)));
}

/**
 * The espeak-ng voice for a BCP 47 tag. With the installed voice list: the exact tag, then its alias, then the
 * primary language; without it: the alias or the lower-cased tag.
 */
export function espeakVoiceFor(language: string, installed?: ReadonlySet<string>): string | undefined {
  const tag = language.trim().toLowerCase().replace(/_/g, '-');
  if (!tag) return undefined;
  const primary = tag.split('-')[0]!;
  const candidates = [tag, LANGUAGE_ALIASES[tag], LANGUAGE_ALIASES[primary], primary].filter((c): c is string => !!c);
  if (!installed) return candidates.find((c) => VOICE_PATTERN.test(c));
  // espeak-ng lists regional voices only (fr-fr, fr-be…): a bare language takes its own-country or first regional voice.
  return candidates.find((c) => installed.has(c)) ?? [`${primary}-${primary}`, ...[...installed].sort()].find((c) => installed.has(c) && c.startsWith(`${primary}-`));
}

interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export class EspeakVoice implements VoiceProvider {
  readonly type = 'espeak' as const;
  readonly binary: string;
  readonly #options: EspeakVoiceOptions;
  #voices: Promise<Set<string> | undefined> | undefined;

  constructor(options: EspeakVoiceOptions = {}) {
    this.binary = options.binary ?? 'espeak-ng';
    this.#options = options;
  }

  /** The installed voices' language names (`espeak-ng --voices`), listed once; undefined when listing fails. */
  installedVoices(): Promise<Set<string> | undefined> {
    this.#voices ??= this.#run(['--voices'], undefined, AbortSignal.timeout(10_000)).then(
      ({ code, stdout }) => {
        if (code !== 0) return undefined;
        const names = new Set<string>();
        for (const line of stdout.toString('utf8').split('\n').slice(1)) {
          const lang = line.trim().split(/\s+/)[1];
          if (lang) names.add(lang.toLowerCase());
        }
        return names.size ? names : undefined;
      },
      () => undefined,
    );
    return this.#voices;
  }

  async #voiceFor(request: VoiceRequest): Promise<string> {
    if (request.voiceId) {
      if (!VOICE_PATTERN.test(request.voiceId)) throw new ProviderError(PROVIDER, 'rejected', `Not an espeak-ng voice name: "${request.voiceId}"`);
      return request.voiceId;
    }
    const voice = espeakVoiceFor(request.language, await this.installedVoices()) ?? this.#options.defaultVoice;
    if (!voice) throw new ProviderError(PROVIDER, 'rejected', `espeak-ng has no voice for the language "${request.language}" (espeak-ng --voices lists them)`);
    return voice;
  }

  async synthesize(request: VoiceRequest, ctx: ProviderContext): Promise<ProducedFile> {
    const text = request.text.trim();
    if (!text) throw new ProviderError(PROVIDER, 'rejected', 'Nothing to say: the text is empty');
    if (text.length > MAX_TEXT) throw new ProviderError(PROVIDER, 'rejected', `Text too long for espeak-ng (${text.length} > ${MAX_TEXT} characters)`);
    try {
      ctx.signal.throwIfAborted();
      const voice = await this.#voiceFor(request);
      const wpm = espeakRate(request.speed, this.#options.wordsPerMinute);
      const args = ['-v', voice, '-s', String(wpm), '-b', '1', '--stdout', '--stdin'];
      if (this.#options.pitch !== undefined) args.push('-p', String(Math.round(Math.min(99, Math.max(0, this.#options.pitch)))));
      ctx.onProgress(0.05, 'speaking with espeak-ng');
      const { code, stdout, stderr } = await this.#run(args, text, ctx.signal);
      if (code !== 0) {
        const message = stderr.trim() || `exit code ${code}`;
        const kind = /voice does not exist|unknown|invalid/i.test(message) ? 'rejected' : 'unavailable';
        throw new ProviderError(PROVIDER, kind, `espeak-ng failed: ${message}`, { code, stderr: stderr.slice(0, 500), voice });
      }
      if (!isWav(stdout)) throw new ProviderError(PROVIDER, 'unavailable', `espeak-ng produced no WAV (${stdout.length} bytes)`, { stderr: stderr.slice(0, 500) });
      ctx.onProgress(1, 'audio ready');
      return { bytes: fixWavSizes(stdout), mimeType: 'audio/wav', meta: { provider: PROVIDER, voice, wordsPerMinute: wpm } };
    } catch (error) {
      throw errorFromFetch(PROVIDER, error, ctx.signal);
    }
  }

  async health(signal?: AbortSignal): Promise<{ ok: boolean; detail?: string }> {
    try {
      const { code, stdout, stderr } = await this.#run(['--version'], undefined, healthSignal(signal));
      if (code !== 0) return { ok: false, detail: `${this.binary} --version failed: ${stderr.trim() || code}` };
      return { ok: true, detail: stdout.toString('utf8').trim().split('\n')[0] };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  /** Runs the binary without a shell; kills it when `signal` fires. */
  #run(args: string[], stdin: string | undefined, signal: AbortSignal): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const child = spawn(this.binary, args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false, windowsHide: true });
      const out: Buffer[] = [];
      let err = '';
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = () => {
        child.kill('SIGKILL');
        finish(() => reject(signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => {
        if (err.length < 4000) err += c.toString('utf8');
      });
      child.on('error', (e: NodeJS.ErrnoException) => {
        const error =
          e.code === 'ENOENT'
            ? new ProviderError(PROVIDER, 'unavailable', `${this.binary} is not installed (apt install espeak-ng)`, undefined, { cause: e })
            : new ProviderError(PROVIDER, 'unavailable', `Could not run ${this.binary}: ${e.message}`, undefined, { cause: e });
        finish(() => reject(error));
      });
      child.on('close', (code) => finish(() => resolve({ code, stdout: Buffer.concat(out), stderr: err })));
      // The child may exit before reading everything (bad voice): ignore EPIPE, the exit code tells.
      child.stdin.on('error', () => {});
      child.stdin.end(stdin ?? '');
    });
  }
}
