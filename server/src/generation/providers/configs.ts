import { z } from 'zod';

/**
 * What an organization configures for each back-end it runs. Base URLs always come from here (users
 * point them at their own ComfyUI/Ollama; tests at fakes). Credentials are separate: write-only,
 * sealed in the secret store, merged in only when a client is built.
 */
const url = z.string().url().max(500);

export const providerConfigs = {
  comfyui: z.strictObject({
    /** Several instances form a pool; each job goes to the one with the shortest queue. */
    baseUrls: z.array(url).min(1).max(16),
    /** API-format workflow templates with {{placeholders}}, by name; `default` is used when none is asked. */
    workflows: z.record(z.string().min(1).max(100), z.record(z.string(), z.unknown())),
  }),
  a1111: z.strictObject({ baseUrl: url, username: z.string().max(200).optional() }),
  replicate: z.strictObject({ baseUrl: url.default('https://api.replicate.com/v1'), model: z.string().min(1).max(300), videoModel: z.string().max(300).optional() }),
  stability: z.strictObject({ baseUrl: url.default('https://api.stability.ai'), model: z.string().min(1).max(100).default('core') }),
  ollama: z.strictObject({ baseUrl: url.default('http://127.0.0.1:11434'), model: z.string().min(1).max(200), embeddingModel: z.string().max(200).optional() }),
  openai: z.strictObject({ baseUrl: url, model: z.string().min(1).max(200), embeddingModel: z.string().max(200).optional() }),
  elevenlabs: z.strictObject({ baseUrl: url.default('https://api.elevenlabs.io'), modelId: z.string().max(200).optional() }),
  piper: z.strictObject({ baseUrl: url }),
  espeak: z.strictObject({}),
} as const;

export type ProviderType = keyof typeof providerConfigs;
export const providerTypes = Object.keys(providerConfigs) as ProviderType[];

export const kindOf: Record<ProviderType, 'image' | 'text' | 'voice'> = {
  comfyui: 'image',
  a1111: 'image',
  replicate: 'image',
  stability: 'image',
  ollama: 'text',
  openai: 'text',
  elevenlabs: 'voice',
  piper: 'voice',
  espeak: 'voice',
};

/** Which credentials each type takes (all optional at the API; the provider answers 401 otherwise). */
export const credentialNames: Record<ProviderType, string[]> = {
  comfyui: [],
  a1111: ['password'],
  replicate: ['apiKey'],
  stability: ['apiKey'],
  ollama: [],
  openai: ['apiKey'],
  elevenlabs: ['apiKey'],
  piper: [],
  espeak: [],
};

export function parseProviderConfig(type: ProviderType, config: unknown) {
  return providerConfigs[type].parse(config ?? {});
}
