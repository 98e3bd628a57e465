/**
 * Text models: build the configured client. Every base URL is configurable; Ollama on this machine is the default.
 */
import type { TextModel } from '../types.ts';
import { OllamaTextModel, type OllamaTextModelOptions } from './ollama.ts';
import { OpenAICompatibleTextModel, type OpenAICompatibleTextModelOptions } from './openai.ts';

export { OllamaTextModel, OLLAMA_DEFAULT_URL, type OllamaTextModelOptions } from './ollama.ts';
export { OpenAICompatibleTextModel, type OpenAICompatibleTextModelOptions } from './openai.ts';

export type TextModelConfig =
  | ({ type: 'ollama' } & OllamaTextModelOptions)
  | ({ type: 'openai' } & OpenAICompatibleTextModelOptions);

export function createTextModel(config: TextModelConfig = { type: 'ollama' }): TextModel {
  switch (config.type) {
    case 'ollama': {
      const { type: _type, ...options } = config;
      return new OllamaTextModel(options);
    }
    case 'openai': {
      const { type: _type, ...options } = config;
      if (!options.baseUrl) throw new Error('An OpenAI-compatible text model needs a baseUrl (e.g. http://127.0.0.1:8000/v1)');
      return new OpenAICompatibleTextModel(options);
    }
    default: {
      const unknown: never = config;
      throw new Error(`Unknown text model type: ${(unknown as { type?: string }).type}`);
    }
  }
}
