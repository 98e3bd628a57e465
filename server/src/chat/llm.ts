/**
 * The chat's text model: the persona's configured text provider (generation/providers: Ollama's /api/chat
 * streamed through the official client, or any OpenAI-compatible server streamed through the SDK), with the
 * persona's model and parameters. Nothing here speaks a wire protocol: the provider clients do.
 */
import type { ProvidersService } from '../generation/providers/providers.service.ts';
import type { ChatMessage, TextModel } from '../generation/providers/types.ts';
import type { ChatParams } from './profile.ts';

export interface ChatLlm {
  /** Streams the reply (onToken per piece) and returns the whole text. */
  complete(messages: ChatMessage[], opts: { signal: AbortSignal; onToken?: (token: string) => void; json?: boolean; maxTokens?: number }): Promise<string>;
  /** Embeddings with the configured embedding model; null when none is configured (lexical fallback then). */
  embed(texts: string[], signal: AbortSignal): Promise<number[][] | null>;
  readonly embeddingModel: string | null;
}

interface Cached {
  model: TextModel;
  modelName: string;
  embeddingModel: string | null;
  at: number;
}

/** Built clients live briefly, so a burst of messages does not re-read and re-open the provider each time. */
const TTL_MS = 15_000;

export class ChatModels {
  readonly #providers: ProvidersService;
  readonly #cache = new Map<string, Cached>();
  constructor(providers: ProvidersService) {
    this.#providers = providers;
  }

  async for(orgId: string, profile: { providerId: string | null; model: string | null; params: ChatParams }): Promise<ChatLlm | null> {
    if (!profile.providerId) return null;
    const key = `${orgId}:${profile.providerId}`;
    let c = this.#cache.get(key);
    if (!c || Date.now() - c.at > TTL_MS) {
      // Through the providers service, so chat calls count in the provider-latency metric like the studio's.
      c = { ...(await this.#providers.textModel(orgId, profile.providerId)), at: Date.now() };
      this.#cache.set(key, c);
    }
    const { model } = c;
    const modelName = profile.model || c.modelName;
    const embeddingModel = profile.params.embeddingModel || c.embeddingModel;
    const params = profile.params;
    return {
      embeddingModel,
      async complete(messages, opts) {
        const result = await model.chat(
          messages,
          {
            model: modelName,
            ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
            maxTokens: opts.maxTokens ?? params.maxTokens,
            ...(opts.onToken ? { onToken: opts.onToken } : {}),
            ...(opts.json ? { json: true } : {}),
          },
          { signal: opts.signal, onProgress: () => {} },
        );
        return result.text;
      },
      async embed(texts, signal) {
        if (!embeddingModel) return null;
        return model.embed(texts, embeddingModel, signal);
      },
    };
  }

  forget(orgId: string, providerId: string) {
    this.#cache.delete(`${orgId}:${providerId}`);
  }
}
