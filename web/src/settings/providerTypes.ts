import type { paths } from '../api/schema';

export type Provider = paths['/api/v1/providers']['get']['responses'][200]['content']['application/json']['items'][number];
export type ProviderType = Provider['type'];
export type CredentialName = 'apiKey' | 'password';

export const providerTypes: ProviderType[] = ['comfyui', 'a1111', 'replicate', 'stability', 'ollama', 'openai', 'elevenlabs', 'piper', 'espeak'];

/** One config field of a provider type; `urls` is a list (one per line), `workflows` ComfyUI's templates. */
export interface ConfigField {
  name: 'baseUrls' | 'workflows' | 'baseUrl' | 'username' | 'model' | 'videoModel' | 'modelId';
  kind: 'url' | 'text' | 'urls' | 'workflows';
  required?: boolean;
  placeholder?: string;
}

// Mirrors server/src/generation/providers/configs.ts (optional fields fall back to the server's defaults).
export const configFields: Record<ProviderType, ConfigField[]> = {
  comfyui: [
    { name: 'baseUrls', kind: 'urls', required: true, placeholder: 'http://127.0.0.1:8188' },
    { name: 'workflows', kind: 'workflows', required: true },
  ],
  a1111: [
    { name: 'baseUrl', kind: 'url', required: true, placeholder: 'http://127.0.0.1:7860' },
    { name: 'username', kind: 'text' },
  ],
  replicate: [
    { name: 'baseUrl', kind: 'url', placeholder: 'https://api.replicate.com/v1' },
    { name: 'model', kind: 'text', required: true, placeholder: 'black-forest-labs/flux-dev' },
    { name: 'videoModel', kind: 'text' },
  ],
  stability: [
    { name: 'baseUrl', kind: 'url', placeholder: 'https://api.stability.ai' },
    { name: 'model', kind: 'text', placeholder: 'core' },
  ],
  ollama: [
    { name: 'baseUrl', kind: 'url', placeholder: 'http://127.0.0.1:11434' },
    { name: 'model', kind: 'text', required: true, placeholder: 'llama3.2' },
  ],
  openai: [
    { name: 'baseUrl', kind: 'url', required: true, placeholder: 'https://api.openai.com/v1' },
    { name: 'model', kind: 'text', required: true },
  ],
  elevenlabs: [
    { name: 'baseUrl', kind: 'url', placeholder: 'https://api.elevenlabs.io' },
    { name: 'modelId', kind: 'text' },
  ],
  piper: [{ name: 'baseUrl', kind: 'url', required: true, placeholder: 'http://127.0.0.1:5000' }],
  espeak: [],
};

export const credentialFields: Record<ProviderType, CredentialName[]> = {
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

/** ComfyUI template placeholders the server binds (see COMFY_PLACEHOLDERS on the server). */
export const COMFY_PLACEHOLDERS = ['prompt', 'negative_prompt', 'seed', 'width', 'height', 'steps', 'cfg', 'sampler', 'batch_size', 'lora_name', 'lora_weight', 'reference_image', 'duration_seconds'];

export type WorkflowCheck = { ok: true; value: Record<string, unknown> } | { ok: false; reason: 'json' | 'notObject' | 'uiFormat' | 'noNodes'; detail?: string };

/**
 * A pasted workflow must be ComfyUI's API format: an object of node id → {class_type, inputs}
 * (or that object under `prompt`). The UI format (nodes + links arrays) is refused with a hint.
 */
export function checkWorkflow(text: string): WorkflowCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: 'json', detail: (error as Error).message };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, reason: 'notObject' };
  const record = parsed as Record<string, unknown>;
  if (Array.isArray(record.nodes) && Array.isArray(record.links)) return { ok: false, reason: 'uiFormat' };
  const graph = record.prompt && typeof record.prompt === 'object' && !('class_type' in record.prompt) ? (record.prompt as Record<string, unknown>) : record;
  const nodes = Object.values(graph).filter((n) => !!n && typeof n === 'object' && typeof (n as { class_type?: unknown }).class_type === 'string');
  if (nodes.length === 0) return { ok: false, reason: 'noNodes' };
  return { ok: true, value: record };
}
