import type { ProviderType } from './configs.ts';
import { createImageProvider } from './image/index.ts';
import { createTextModel } from './text/index.ts';
import { createVoiceProvider } from './voice/index.ts';
import type { ImageProvider, TextModel, VoiceProvider } from './types.ts';

/** A provider's stored configuration with its credentials opened (only ever inside a job or a check). */
export interface ProviderRecord {
  id: string;
  kind: 'image' | 'text' | 'voice';
  type: ProviderType;
  name: string;
  config: Record<string, unknown>;
  credentials: Record<string, string>;
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

export function buildImageProvider(r: ProviderRecord): ImageProvider {
  if (r.kind !== 'image') throw new Error(`Provider "${r.name}" makes ${r.kind}, not images`);
  return createImageProvider({
    type: r.type as 'comfyui' | 'a1111' | 'replicate' | 'stability',
    baseUrl: str(r.config.baseUrl),
    baseUrls: Array.isArray(r.config.baseUrls) ? (r.config.baseUrls as string[]) : undefined,
    workflows: (r.config.workflows as Record<string, unknown> | undefined) ?? {},
    model: str(r.config.model),
    videoModel: str(r.config.videoModel),
    username: str(r.config.username),
    password: r.credentials.password,
    apiKey: r.credentials.apiKey,
  });
}

export function buildTextModel(r: ProviderRecord): TextModel {
  if (r.kind !== 'text') throw new Error(`Provider "${r.name}" makes ${r.kind}, not text`);
  if (r.type === 'openai') return createTextModel({ type: 'openai', baseUrl: str(r.config.baseUrl)!, apiKey: r.credentials.apiKey });
  return createTextModel({ type: 'ollama', baseUrl: str(r.config.baseUrl) });
}

export function buildVoiceProvider(r: ProviderRecord): VoiceProvider {
  if (r.kind !== 'voice') throw new Error(`Provider "${r.name}" makes ${r.kind}, not voice`);
  switch (r.type) {
    case 'elevenlabs':
      return createVoiceProvider({ type: 'elevenlabs', apiKey: r.credentials.apiKey ?? '', baseUrl: str(r.config.baseUrl), modelId: str(r.config.modelId) });
    case 'piper':
      return createVoiceProvider({ type: 'piper', baseUrl: str(r.config.baseUrl) });
    default:
      return createVoiceProvider({ type: 'espeak' });
  }
}
