/**
 * One entry point for the studio: an ImageProvider from an org's provider settings.
 */
import type { ImageProvider } from '../types.ts';
import { A1111Provider } from './a1111.ts';
import { ComfyUIPool } from './comfyui-pool.ts';
import { ComfyUIProvider } from './comfyui.ts';
import { ReplicateProvider } from './replicate.ts';
import { StabilityProvider } from './stability.ts';

export interface ImageProviderConfig {
  type: 'comfyui' | 'a1111' | 'replicate' | 'stability';
  baseUrl?: string;
  /** ComfyUI only: several instances → a pool that picks the shortest queue. */
  baseUrls?: string[];
  apiKey?: string;
  username?: string;
  password?: string;
  /** ComfyUI workflow templates by name. */
  workflows?: Record<string, unknown>;
  /** Replicate model (owner/name[:version]) or Stability model (core, ultra, sd3.5-large…). */
  model?: string;
  /** Replicate: model used for video requests. */
  videoModel?: string;
  /** Per-request timeout for small calls; the studio's signal carries the overall deadline. */
  timeoutMs?: number;
}

export function createImageProvider(config: ImageProviderConfig): ImageProvider {
  const requestTimeoutMs = config.timeoutMs;
  switch (config.type) {
    case 'comfyui': {
      const urls = [...(config.baseUrls ?? []), ...(config.baseUrl && !config.baseUrls?.includes(config.baseUrl) ? [config.baseUrl] : [])];
      const shared = { workflows: config.workflows ?? {}, apiKey: config.apiKey, username: config.username, password: config.password, requestTimeoutMs };
      if (urls.length > 1) return new ComfyUIPool({ ...shared, baseUrls: urls });
      return new ComfyUIProvider({ ...shared, baseUrl: urls[0] });
    }
    case 'a1111':
      return new A1111Provider({ baseUrl: config.baseUrl, username: config.username, password: config.password, requestTimeoutMs });
    case 'replicate':
      if (!config.apiKey) throw new Error('Replicate needs an API token');
      return new ReplicateProvider({ apiKey: config.apiKey, baseUrl: config.baseUrl, model: config.model, videoModel: config.videoModel, requestTimeoutMs });
    case 'stability':
      if (!config.apiKey) throw new Error('Stability needs an API key');
      return new StabilityProvider({ apiKey: config.apiKey, baseUrl: config.baseUrl, model: config.model, requestTimeoutMs });
    default: {
      const unknown: never = config.type;
      throw new Error(`Unknown image provider type: ${String(unknown)}`);
    }
  }
}

export { A1111Provider, type A1111Options, withLoraTag } from './a1111.ts';
export { ComfyUIPool, type ComfyUIPoolOptions } from './comfyui-pool.ts';
export { ComfyUIProvider, type ComfyUIOptions, type ComfyNodeErrorDetail, bindPlaceholders, findPlaceholders, parseNodeErrors, COMFY_PLACEHOLDERS, COMFY_DEFAULTS } from './comfyui.ts';
export { ReplicateProvider, type ReplicateOptions, type VerifyReplicateWebhookOptions, verifyReplicateWebhook, defaultReplicateInput, parseReplicateModel, progressFromLogs, outputUrls } from './replicate.ts';
export { StabilityProvider, type StabilityOptions, nearestAspectRatio, STABILITY_ASPECT_RATIOS } from './stability.ts';
