/**
 * Any OpenAI-compatible chat server (vLLM, llama.cpp server, LM Studio, LocalAI, Ollama's /v1, OpenAI itself)
 * behind the TextModel contract, through the official `openai` SDK pointed at `baseUrl` (its `baseURL` option).
 *
 * The SDK's own retries are off (`maxRetries: 0`): the job queue retries, with its own backoff and budget.
 * `max_tokens` is sent rather than `max_completion_tokens`, because compatible servers know the former.
 */
import OpenAI from 'openai';
import {
  errorFromFetch,
  errorFromStatus,
  ProviderError,
  type ChatMessage,
  type ChatOptions,
  type ProviderContext,
  type TextModel,
} from '../types.ts';
import { healthSignal } from './shared.ts';

const PROVIDER = 'openai';
/** Placeholder for keyless local servers: the SDK refuses to start without a key, and sends none with this one. */
const NO_KEY = 'no-key';

export interface OpenAICompatibleTextModelOptions {
  /** Base URL including the API prefix, e.g. http://127.0.0.1:8000/v1 (vLLM) or https://api.openai.com/v1. */
  baseUrl: string;
  /** Bearer key; local servers usually need none (then no Authorization header is sent). */
  apiKey?: string;
  headers?: Record<string, string>;
  /** Per-request ceiling in ms for the SDK (our ctx.signal normally fires first). Default 10 minutes. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class OpenAICompatibleTextModel implements TextModel {
  readonly type = 'openai' as const;
  readonly baseUrl: string;
  readonly client: OpenAI;

  constructor(options: OpenAICompatibleTextModelOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const apiKey = options.apiKey || undefined;
    this.client = new OpenAI({
      baseURL: this.baseUrl,
      apiKey: apiKey ?? NO_KEY,
      maxRetries: 0,
      timeout: options.timeoutMs ?? 10 * 60_000,
      // Without a key, drop the placeholder's `Authorization` header rather than send a fake bearer.
      defaultHeaders: { ...options.headers, ...(apiKey ? {} : { Authorization: null }) },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  async chat(messages: ChatMessage[], options: ChatOptions, ctx: ProviderContext): Promise<{ text: string; meta?: Record<string, unknown> }> {
    let text = '';
    try {
      ctx.signal.throwIfAborted();
      const stream = await this.client.chat.completions.create(
        {
          model: options.model,
          messages: messages.map((m) => ({ role: m.role, content: m.content })),
          stream: true,
          ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
          ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
          ...(options.json ? { response_format: { type: 'json_object' as const } } : {}),
        },
        { signal: ctx.signal },
      );
      let finishReason: string | null | undefined;
      let model: string | undefined;
      let usage: unknown;
      for await (const chunk of stream) {
        model ??= chunk.model;
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices?.[0];
        const token = choice?.delta?.content ?? '';
        if (token) {
          text += token;
          options.onToken?.(token);
        }
        if (choice?.finish_reason) finishReason = choice.finish_reason;
      }
      ctx.signal.throwIfAborted();
      return { text, meta: { provider: PROVIDER, model: model ?? options.model, finishReason, usage } };
    } catch (error) {
      throw this.#mapError(error, ctx.signal, options.model, text);
    }
  }

  async embed(texts: string[], model: string, signal?: AbortSignal): Promise<number[][]> {
    const s = signal ?? new AbortController().signal;
    try {
      if (texts.length === 0) return [];
      // `float` explicitly: the SDK otherwise asks for base64, which several compatible servers do not implement.
      const response = await this.client.embeddings.create({ model, input: texts, encoding_format: 'float' }, { signal: s });
      const rows = [...response.data].sort((a, b) => a.index - b.index);
      if (rows.length !== texts.length) {
        throw new ProviderError(PROVIDER, 'unavailable', `The server returned ${rows.length} embeddings for ${texts.length} texts`);
      }
      return rows.map((r) => r.embedding as number[]);
    } catch (error) {
      const mapped = this.#mapError(error, s, model, '');
      const status = (mapped.details as { status?: number } | undefined)?.status;
      if (status === 404 || status === 501) {
        throw new ProviderError(PROVIDER, 'unsupported', `${this.baseUrl} cannot embed with "${model}": ${mapped.message}`, mapped.details, { cause: mapped });
      }
      throw mapped;
    }
  }

  async health(signal?: AbortSignal): Promise<{ ok: boolean; detail?: string }> {
    const s = healthSignal(signal);
    try {
      const ids: string[] = [];
      for await (const m of this.client.models.list({ signal: s })) {
        ids.push(m.id);
        if (ids.length >= 50) break;
      }
      return { ok: true, detail: `${this.baseUrl}: ${ids.length ? ids.slice(0, 5).join(', ') : 'no models listed'}` };
    } catch (error) {
      return { ok: false, detail: this.#mapError(error, s, '', '').message };
    }
  }

  #mapError(error: unknown, signal: AbortSignal, model: string, partialText: string): ProviderError {
    if (error instanceof ProviderError) return error;
    if (signal.aborted) return errorFromFetch(PROVIDER, error, signal);
    if (error instanceof OpenAI.APIConnectionTimeoutError) {
      return new ProviderError(PROVIDER, 'timeout', `${this.baseUrl} timed out`, undefined, { cause: error });
    }
    if (error instanceof OpenAI.APIUserAbortError) return new ProviderError(PROVIDER, 'cancelled', `${PROVIDER}: cancelled`, undefined, { cause: error });
    if (error instanceof OpenAI.APIConnectionError) {
      return new ProviderError(PROVIDER, 'unavailable', `${this.baseUrl} is unreachable: ${error.message}`, undefined, { cause: error });
    }
    if (error instanceof OpenAI.APIError) {
      const body = error.error as { message?: string; type?: string; code?: string | null; param?: string | null } | undefined;
      const serverMessage = body?.message ?? error.message;
      if (error.status === undefined) {
        // An `{"error": …}` event inside a 200 stream.
        return new ProviderError(PROVIDER, 'unavailable', `The server failed while generating: ${serverMessage}`, { midStream: true, error: body, partialText }, { cause: error });
      }
      const details = { status: error.status, type: body?.type ?? error.type, code: body?.code ?? error.code, param: body?.param ?? error.param, error: serverMessage };
      let message = `${this.baseUrl} answered ${error.status}: ${serverMessage}`;
      if (error.status === 401 || error.status === 403) message += ' (check the API key)';
      else if (error.status === 404 && model) message += ` (is "${model}" served there? GET ${this.baseUrl}/models lists the models)`;
      const mapped = errorFromStatus(PROVIDER, error.status, message, details);
      return new ProviderError(mapped.provider, mapped.kind, mapped.message, mapped.details, { cause: error });
    }
    return errorFromFetch(PROVIDER, error, signal);
  }
}
