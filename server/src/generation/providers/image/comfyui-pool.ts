/**
 * Several ComfyUI instances behind one ImageProvider: each job goes to the reachable instance with the
 * shortest queue (`GET /queue`: running + pending); ties rotate round-robin; no reachable instance →
 * ProviderError('unavailable').
 */
import { ProviderError } from '../types.ts';
import type { ImageProvider, ImageRequest, ProducedFile, ProviderContext } from '../types.ts';
import { ComfyUIProvider, type ComfyUIOptions } from './comfyui.ts';

export interface ComfyUIPoolOptions extends Omit<ComfyUIOptions, 'baseUrl'> {
  baseUrls: string[];
  /** Deadline for each instance's `/queue` answer when choosing. Default 3 s. */
  queueTimeoutMs?: number;
}

export class ComfyUIPool implements ImageProvider {
  readonly type = 'comfyui' as const;
  readonly instances: ComfyUIProvider[];
  private readonly queueTimeoutMs: number;
  private turn = 0;

  constructor(options: ComfyUIPoolOptions) {
    if (options.baseUrls.length === 0) throw new Error('ComfyUIPool needs at least one base URL');
    const { baseUrls, queueTimeoutMs, ...shared } = options;
    this.instances = baseUrls.map((baseUrl) => new ComfyUIProvider({ ...shared, baseUrl }));
    this.queueTimeoutMs = queueTimeoutMs ?? 3_000;
  }

  /** The instance to use now, with every instance's queue length (null = unreachable). */
  async pick(signal?: AbortSignal): Promise<{ instance: ComfyUIProvider; loads: (number | null)[] }> {
    const loads = await Promise.all(
      this.instances.map((instance) => instance.queueLength(signal, this.queueTimeoutMs).catch(() => null)),
    );
    if (signal?.aborted) throw signal.reason;
    const reachable = loads.flatMap((load, index) => (load === null ? [] : [{ index, load }]));
    if (reachable.length === 0) {
      throw new ProviderError('comfyui', 'unavailable', `No ComfyUI instance is reachable (${this.instances.map((i) => i.baseUrl).join(', ')})`);
    }
    const shortest = Math.min(...reachable.map((r) => r.load));
    const tied = reachable.filter((r) => r.load === shortest);
    const chosen = tied[this.turn++ % tied.length]!;
    return { instance: this.instances[chosen.index]!, loads };
  }

  async generate(request: ImageRequest, ctx: ProviderContext): Promise<ProducedFile[]> {
    const { instance, loads } = await this.pick(ctx.signal);
    const files = await instance.generate(request, ctx);
    return files.map((file) => ({ ...file, meta: { ...file.meta, instance: instance.baseUrl, pool_loads: loads } }));
  }

  async health(signal?: AbortSignal): Promise<{ ok: boolean; detail?: string }> {
    const results = await Promise.all(this.instances.map((instance) => instance.health(signal)));
    const up = results.filter((r) => r.ok).length;
    const detail = this.instances.map((instance, i) => `${instance.baseUrl}: ${results[i]!.ok ? 'up' : 'down'}${results[i]!.detail ? ` (${results[i]!.detail})` : ''}`).join('; ');
    return { ok: up > 0, detail: `${up}/${this.instances.length} instances up — ${detail}` };
  }
}
