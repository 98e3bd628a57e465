import { afterEach, describe, expect, it } from 'vitest';
import { A1111Provider, ComfyUIPool, ComfyUIProvider, ReplicateProvider, StabilityProvider, createImageProvider } from '../../src/generation/providers/image/index.ts';
import { startFakeComfyUI, type FakeComfyUI } from '../fakes/comfyui.ts';
import { testContext } from '../fakes/util.ts';

const WORKFLOW = {
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'fake.safetensors' } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: '{{prompt}}', clip: ['4', 1] } },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: '{{negative_prompt}}', clip: ['4', 1] } },
  '5': { class_type: 'EmptyLatentImage', inputs: { width: '{{width}}', height: '{{height}}', batch_size: 1 } },
  '3': { class_type: 'KSampler', inputs: { model: ['4', 0], seed: '{{seed}}', steps: 4, cfg: 7, sampler_name: 'euler', scheduler: 'normal', positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0], denoise: 1 } },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  '9': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'ComfyUI' } },
};

const fakes: FakeComfyUI[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

describe('createImageProvider', () => {
  it('builds each client from settings', () => {
    expect(createImageProvider({ type: 'comfyui', baseUrls: ['http://127.0.0.1:1'], workflows: {} })).toBeInstanceOf(ComfyUIProvider);
    expect(createImageProvider({ type: 'comfyui', baseUrls: ['http://127.0.0.1:1', 'http://127.0.0.1:2'], workflows: {} })).toBeInstanceOf(ComfyUIPool);
    expect(createImageProvider({ type: 'a1111', baseUrl: 'http://127.0.0.1:1', username: 'u', password: 'p' })).toBeInstanceOf(A1111Provider);
    expect(createImageProvider({ type: 'replicate', apiKey: 'r8_x', model: 'acme/m' })).toBeInstanceOf(ReplicateProvider);
    expect(createImageProvider({ type: 'stability', apiKey: 'sk' })).toBeInstanceOf(StabilityProvider);
    expect(() => createImageProvider({ type: 'replicate' })).toThrow(/token/);
  });

  it('gives a working ComfyUI client with the default workflow', async () => {
    const f = await startFakeComfyUI();
    fakes.push(f);
    const provider = createImageProvider({ type: 'comfyui', baseUrl: f.url, workflows: { default: WORKFLOW }, timeoutMs: 2_000 });
    const files = await provider.generate({ prompt: 'a red kite', negativePrompt: '', width: 64, height: 64 }, testContext().ctx);
    expect(files).toHaveLength(1);
    expect(typeof files[0]!.seed).toBe('number');
    const prompt = (f.callsTo('/prompt', 'POST')[0]!.body as { prompt: Record<string, { inputs: Record<string, unknown> }> }).prompt;
    expect(prompt['3']!.inputs.seed).toBe(files[0]!.seed);
    expect(await provider.health()).toMatchObject({ ok: true });
  });
});
