/**
 * Ollama behind the TextModel contract, through the official `ollama` JS client.
 *
 * Cancellation: the client only aborts a stream once its headers have arrived (`abort()` on the iterator), and
 * never aborts its non-streamed calls. So each call gets its own `Ollama` instance whose `fetch` carries the
 * caller's signal: a hung server (no headers), a stalled stream and the embed/health calls all stop when it fires.
 *
 * Errors: HTTP errors come back from the client as `ResponseError` (`status_code`); a mid-stream `{"error": …}` line
 * (HTTP still 200) comes back as a plain `Error` thrown while iterating: both are mapped to ProviderError here.
 */
import { Ollama, type ChatResponse, type Message } from 'ollama';
import {
  errorFromFetch,
  errorFromStatus,
  ProviderError,
  type ChatMessage,
  type ChatOptions,
  type ProviderContext,
  type TextModel,
} from '../types.ts';
import { healthSignal, signalledFetch } from './shared.ts';

export const OLLAMA_DEFAULT_URL = 'http://127.0.0.1:11434';
const PROVIDER = 'ollama';
/** What ollama-js throws when a stream ends without a `done` line. */
const EARLY_END = 'Did not receive done or success response in stream.';

export interface OllamaTextModelOptions {
  /** Default http://127.0.0.1:11434. */
  baseUrl?: string;
  /** Extra headers on every request (e.g. a reverse proxy's `Authorization`). */
  headers?: Record<string, string>;
  /** Ollama's `keep_alive` (how long the model stays loaded), e.g. '5m' or -1. */
  keepAlive?: string | number;
  /** Context window (`options.num_ctx`); Ollama's default when absent. */
  numCtx?: number;
  /** For tests and proxies; default the global fetch. */
  fetch?: typeof fetch;
}

export class OllamaTextModel implements TextModel {
  readonly type = 'ollama' as const;
  readonly baseUrl: string;
  readonly #options: OllamaTextModelOptions;

  constructor(options: OllamaTextModelOptions = {}) {
    this.baseUrl = (options.baseUrl ?? OLLAMA_DEFAULT_URL).replace(/\/+$/, '');
    this.#options = options;
  }

  /** A client bound to one call's signal (cheap: it is a config object around fetch). */
  #client(signal: AbortSignal | undefined): Ollama {
    return new Ollama({
      host: this.baseUrl,
      ...(this.#options.headers ? { headers: this.#options.headers } : {}),
      fetch: signalledFetch(this.#options.fetch ?? fetch, signal),
    });
  }

  async chat(messages: ChatMessage[], options: ChatOptions, ctx: ProviderContext): Promise<{ text: string; meta?: Record<string, unknown> }> {
    const client = this.#client(ctx.signal);
    const onAbort = () => client.abort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    let text = '';
    try {
      ctx.signal.throwIfAborted();
      const modelOptions: Record<string, number> = {};
      if (options.temperature !== undefined) modelOptions.temperature = options.temperature;
      if (options.maxTokens !== undefined) modelOptions.num_predict = options.maxTokens;
      if (this.#options.numCtx !== undefined) modelOptions.num_ctx = this.#options.numCtx;
      const stream = await client.chat({
        model: options.model,
        messages: messages.map((m): Message => ({ role: m.role, content: m.content })),
        stream: true,
        ...(options.json ? { format: 'json' } : {}),
        ...(Object.keys(modelOptions).length ? { options: modelOptions } : {}),
        ...(this.#options.keepAlive !== undefined ? { keep_alive: this.#options.keepAlive } : {}),
      });
      let last: ChatResponse | undefined;
      for await (const part of stream) {
        const token = part.message?.content ?? '';
        if (token) {
          text += token;
          options.onToken?.(token);
        }
        last = part;
      }
      // Stopping the iterator by abort() ends the loop quietly on some paths: make sure a fired signal wins.
      ctx.signal.throwIfAborted();
      return {
        text,
        meta: {
          provider: PROVIDER,
          model: last?.model ?? options.model,
          doneReason: last?.done_reason,
          promptTokens: last?.prompt_eval_count,
          completionTokens: last?.eval_count,
          totalDurationMs: last?.total_duration !== undefined ? Math.round(last.total_duration / 1e6) : undefined,
        },
      };
    } catch (error) {
      throw this.#mapError(error, ctx.signal, options.model, text);
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  async embed(texts: string[], model: string, signal?: AbortSignal): Promise<number[][]> {
    const s = signal ?? new AbortController().signal;
    try {
      if (texts.length === 0) return [];
      const response = await this.#client(s).embed({ model, input: texts });
      if (!Array.isArray(response.embeddings) || response.embeddings.length !== texts.length) {
        throw new ProviderError(PROVIDER, 'unavailable', `Ollama returned ${response.embeddings?.length ?? 0} embeddings for ${texts.length} texts`);
      }
      return response.embeddings;
    } catch (error) {
      const mapped = this.#mapError(error, s, model, '');
      // A 404 that is not about the model means an Ollama without /api/embed (older than 0.3.4).
      if (mapped.kind === 'rejected' && (mapped.details as { status?: number } | undefined)?.status === 404 && !/model/i.test(mapped.message)) {
        throw new ProviderError(PROVIDER, 'unsupported', 'This Ollama has no /api/embed endpoint; upgrade Ollama to embed texts', mapped.details, { cause: mapped });
      }
      throw mapped;
    }
  }

  async health(signal?: AbortSignal): Promise<{ ok: boolean; detail?: string }> {
    const s = healthSignal(signal);
    try {
      const { version } = await this.#client(s).version();
      return { ok: true, detail: `Ollama ${version} at ${this.baseUrl}` };
    } catch (error) {
      return { ok: false, detail: this.#mapError(error, s, '', '').message };
    }
  }

  #mapError(error: unknown, signal: AbortSignal, model: string, partialText: string): ProviderError {
    if (error instanceof ProviderError) return error;
    if (signal.aborted) return errorFromFetch(PROVIDER, error, signal);
    const e = error as { name?: string; message?: string; status_code?: number } | undefined;
    const message = e?.message ?? String(error);
    if (e?.name === 'ResponseError' && typeof e.status_code === 'number') {
      const status = e.status_code;
      if (status === 404 && /model/i.test(message) && /not found/i.test(message)) {
        return new ProviderError(
          PROVIDER,
          'rejected',
          `Ollama at ${this.baseUrl} does not have the model "${model}" (${message}). Run \`ollama pull ${model}\` on that machine, or pick a model listed by \`ollama list\`.`,
          { status, error: message, model },
          { cause: error },
        );
      }
      return errorFromStatus(PROVIDER, status, `Ollama answered ${status}: ${message}`, { status, error: message });
    }
    if (message === EARLY_END) {
      return new ProviderError(PROVIDER, 'unavailable', 'Ollama closed the stream before it finished', { partialText }, { cause: error });
    }
    // ollama-js turns a `{"error": …}` line into `new Error(message)`; network failures are TypeErrors
    // ("fetch failed", "terminated") or DOMExceptions, never a plain Error.
    if (e?.name === 'Error' && !(error instanceof TypeError)) {
      return new ProviderError(PROVIDER, 'unavailable', `Ollama failed while generating: ${message}`, { midStream: true, error: message, partialText }, { cause: error });
    }
    return errorFromFetch(PROVIDER, error, signal);
  }
}
