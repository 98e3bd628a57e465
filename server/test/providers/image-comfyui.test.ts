import { afterEach, describe, expect, it } from 'vitest';
import { ComfyUIProvider, bindPlaceholders, findPlaceholders } from '../../src/generation/providers/image/comfyui.ts';
import { ComfyUIPool } from '../../src/generation/providers/image/comfyui-pool.ts';
import { ProviderError, type ImageRequest } from '../../src/generation/providers/types.ts';
import { startFakeComfyUI, type FakeComfyUI } from '../fakes/comfyui.ts';
import { closedPortUrl, makePng, readPngText, testContext } from '../fakes/util.ts';

/** A text-to-image workflow with a LoRA, in API format, with placeholders. */
const TXT2IMG = {
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'fake_sdxl.safetensors' } },
  '10': { class_type: 'LoraLoader', inputs: { model: ['4', 0], clip: ['4', 1], lora_name: '{{lora_name}}', strength_model: '{{lora_weight}}', strength_clip: '{{lora_weight}}' } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: 'photo of {{prompt}}, seed {{seed}}', clip: ['10', 1] }, _meta: { title: 'Positive' } },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: '{{negative_prompt}}', clip: ['10', 1] } },
  '5': { class_type: 'EmptyLatentImage', inputs: { width: '{{width}}', height: '{{height}}', batch_size: '{{batch_size}}' } },
  '3': { class_type: 'KSampler', inputs: { model: ['10', 0], seed: '{{seed}}', steps: '{{steps}}', cfg: '{{cfg}}', sampler_name: '{{sampler}}', scheduler: 'normal', positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0], denoise: 1 } },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  '9': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'atelier' } },
};

/** The same plus a face reference through IP-Adapter FaceID. */
const FACE = {
  ...TXT2IMG,
  '12': { class_type: 'LoadImage', inputs: { image: '{{reference_image}}' } },
  '13': { class_type: 'IPAdapterUnifiedLoaderFaceID', inputs: { model: ['10', 0], preset: 'FACEID PLUS V2', lora_strength: 0.6, provider: 'CPU' } },
  '14': { class_type: 'IPAdapterFaceID', inputs: { model: ['13', 0], ipadapter: ['13', 1], image: ['12', 0], weight: 0.8, start_at: 0, end_at: 1 } },
  '3': { class_type: 'KSampler', inputs: { ...TXT2IMG['3'].inputs, model: ['14', 0] } },
};

const VIDEO = {
  ...TXT2IMG,
  '9': { class_type: 'VHS_VideoCombine', inputs: { images: ['8', 0], frame_rate: 8, filename_prefix: 'atelier_clip', format: 'video/h264-mp4', loop_count: 0 } },
};

const REQUEST: ImageRequest = {
  prompt: 'a lighthouse at dusk',
  negativePrompt: 'blurry',
  width: 64,
  height: 64,
  seed: 1234,
  steps: 6,
  cfgScale: 5.5,
  sampler: 'euler',
  lora: { name: 'persona_mira.safetensors', weight: 0.8 },
};

const fakes: FakeComfyUI[] = [];
async function fake(behaviour?: Parameters<typeof startFakeComfyUI>[0]): Promise<FakeComfyUI> {
  const f = await startFakeComfyUI(behaviour);
  fakes.push(f);
  return f;
}
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

function provider(url: string, extra: Partial<ConstructorParameters<typeof ComfyUIProvider>[0]> = {}) {
  return new ComfyUIProvider({ baseUrl: url, workflows: { default: TXT2IMG, face: FACE, video: VIDEO }, pollIntervalMs: 20, ...extra });
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('placeholders', () => {
  it('binds exact placeholders with their type and embedded ones as text', () => {
    const bound = bindPlaceholders({ a: '{{seed}}', b: 'x {{seed}} y', c: ['{{ width }}', 3], d: { e: '{{prompt}}' } }, { seed: 7, width: 64, prompt: 'hi' });
    expect(bound).toEqual({ a: 7, b: 'x 7 y', c: [64, 3], d: { e: 'hi' } });
    expect([...findPlaceholders(TXT2IMG)].sort()).toEqual(['batch_size', 'cfg', 'height', 'lora_name', 'lora_weight', 'negative_prompt', 'prompt', 'sampler', 'seed', 'steps', 'width']);
  });

  it('rejects unknown placeholders before touching the server', async () => {
    const f = await fake();
    const p = provider(f.url, { workflows: { default: { ...TXT2IMG, '6': { class_type: 'CLIPTextEncode', inputs: { text: '{{mood}} {{prompt}}', clip: ['10', 1] } } } } });
    const error = await failure(p.generate(REQUEST, testContext().ctx));
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('{{mood}}');
    expect(f.calls).toHaveLength(0);
  });

  it('rejects an unconfigured workflow name', async () => {
    const f = await fake();
    const error = await failure(provider(f.url).generate({ ...REQUEST, workflow: 'nope' }, testContext().ctx));
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('"nope"');
  });
});

describe('ComfyUIProvider against the fake', () => {
  it('generates: WebSocket first, bound prompt, progress from ws events, files from /view', async () => {
    const f = await fake();
    const t = testContext();
    const files = await provider(f.url).generate(REQUEST, t.ctx);

    // The socket was opened before the prompt was queued, and the prompt names that socket.
    const wsIndex = f.calls.findIndex((c) => c.path === '/ws');
    const promptIndex = f.calls.findIndex((c) => c.path === '/prompt' && c.method === 'POST');
    expect(wsIndex).toBeGreaterThanOrEqual(0);
    expect(wsIndex).toBeLessThan(promptIndex);
    const body = f.calls[promptIndex]!.body as { prompt: Record<string, { inputs: Record<string, unknown> }>; client_id: string; prompt_id: string };
    expect(body.client_id).toBe(f.wsClients[0]);
    expect(body.prompt_id).toMatch(/^[0-9a-f-]{36}$/);

    // Typed and textual binding.
    expect(body.prompt['3']!.inputs).toMatchObject({ seed: 1234, steps: 6, cfg: 5.5, sampler_name: 'euler' });
    expect(body.prompt['5']!.inputs).toEqual({ width: 64, height: 64, batch_size: 1 });
    expect(body.prompt['6']!.inputs.text).toBe('photo of a lighthouse at dusk, seed 1234');
    expect(body.prompt['7']!.inputs.text).toBe('blurry');
    expect(body.prompt['10']!.inputs).toMatchObject({ lora_name: 'persona_mira.safetensors', strength_model: 0.8, strength_clip: 0.8 });

    // Progress came from the ws `progress` events (value/max of the KSampler).
    const sampling = t.progress.filter((p) => p.message?.includes('(KSampler)') && /\d+\/\d+/.test(p.message));
    expect(sampling.length).toBe(6);
    expect(sampling.at(-1)!.fraction).toBe(1);
    expect(t.progress.at(-1)).toEqual({ fraction: 1, message: 'done' });
    const progressEvents = f.sent.filter((e) => e.type === 'progress');
    expect(progressEvents.every((e) => e.clientId === body.client_id)).toBe(true);

    // Output.
    expect(files).toHaveLength(1);
    const file = files[0]!;
    expect(file.mimeType).toBe('image/png');
    expect(file.seed).toBe(1234);
    expect(file.filename).toMatch(/^atelier_\d{5}_\.png$/);
    expect(file.meta).toMatchObject({ prompt_id: body.prompt_id, workflow: 'default', node: '9' });
    expect(JSON.parse(readPngText(file.bytes).prompt!)['3'].inputs.seed).toBe(1234);
    const view = f.callsTo('/view')[0]!;
    expect(view.query).toEqual({ filename: file.filename, subfolder: '', type: 'output' });
  });

  it('uploads the reference image and binds the name ComfyUI returned', async () => {
    const f = await fake();
    const reference = await makePng({ width: 32, height: 32, color: { r: 10, g: 200, b: 90 } });
    const files = await provider(f.url).generate({ ...REQUEST, workflow: 'face', referenceImages: [{ name: 'mira-1.png', bytes: reference, mimeType: 'image/png' }] }, testContext().ctx);
    expect(files).toHaveLength(1);
    const upload = f.callsTo('/upload/image', 'POST');
    expect(upload).toHaveLength(1);
    const uploadIndex = f.calls.indexOf(upload[0]!);
    const promptCall = f.callsTo('/prompt', 'POST')[0]!;
    expect(uploadIndex).toBeLessThan(f.calls.indexOf(promptCall));
    const [name, stored] = [...f.inputs.entries()][0]!;
    expect(stored.bytes.equals(reference)).toBe(true);
    const prompt = (promptCall.body as { prompt: Record<string, { inputs: Record<string, unknown> }> }).prompt;
    expect(prompt['12']!.inputs.image).toBe(name);
    expect(files[0]!.meta?.reference_images).toEqual([name]);
  });

  it('needs a reference image when the workflow binds one', async () => {
    const f = await fake();
    const error = await failure(provider(f.url).generate({ ...REQUEST, workflow: 'face' }, testContext().ctx));
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('reference image');
  });

  it('bypasses the LoRA loader when no LoRA is asked', async () => {
    const f = await fake();
    await provider(f.url).generate({ ...REQUEST, lora: null }, testContext().ctx);
    const prompt = (f.callsTo('/prompt', 'POST')[0]!.body as { prompt: Record<string, { inputs: Record<string, unknown> }> }).prompt;
    expect(prompt['10']).toBeUndefined();
    expect(prompt['3']!.inputs.model).toEqual(['4', 0]);
    expect(prompt['6']!.inputs.clip).toEqual(['4', 1]);
  });

  it('reports the template’s literal seed when it does not bind {{seed}}', async () => {
    const f = await fake();
    const fixed = { ...TXT2IMG, '3': { class_type: 'KSampler', inputs: { ...TXT2IMG['3'].inputs, seed: 5 } }, '6': { class_type: 'CLIPTextEncode', inputs: { text: '{{prompt}}', clip: ['10', 1] } } };
    const files = await provider(f.url, { workflows: { default: fixed } }).generate({ ...REQUEST, seed: undefined }, testContext().ctx);
    expect(files[0]!.seed).toBe(5);
  });

  it('returns a batch and video outputs with their MIME types', async () => {
    const f = await fake();
    const batch = await provider(f.url).generate({ ...REQUEST, batchSize: 2 }, testContext().ctx);
    expect(batch.map((b) => b.mimeType)).toEqual(['image/png', 'image/png']);
    const video = await provider(f.url).generate({ ...REQUEST, output: 'video' }, testContext().ctx);
    expect(video).toHaveLength(1);
    expect(video[0]!.mimeType).toBe('video/mp4');
    expect(video[0]!.meta).toMatchObject({ workflow: 'video', output_kind: 'gifs' });
  });

  it('turns a 400 with node_errors into a rejection naming the node and its error', async () => {
    const f = await fake();
    const error = await failure(provider(f.url).generate({ ...REQUEST, steps: 0 }, testContext().ctx));
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('node 3 (KSampler)');
    expect(error.message).toContain('Value 0 smaller than min of 1');
    expect(error.details).toEqual([{ node: '3', classType: 'KSampler', type: 'value_smaller_than_min', message: 'Value 0 smaller than min of 1', details: 'steps', inputName: 'steps' }]);
  });

  it('reports a missing custom node (top-level error, no node_errors)', async () => {
    const f = await fake();
    const p = provider(f.url, { workflows: { default: { ...TXT2IMG, '20': { class_type: 'NotInstalledNode', inputs: {} } } } });
    const error = await failure(p.generate(REQUEST, testContext().ctx));
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('NotInstalledNode');
    expect(error.details).toMatchObject([{ node: null, type: 'missing_node_type' }]);
  });

  it('turns execution_error into a rejection with the node and exception', async () => {
    const f = await fake({ behaviour: { mode: 'execution_error' } });
    const error = await failure(provider(f.url).generate(REQUEST, testContext().ctx));
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('node 3 (KSampler)');
    expect(error.message).toContain('out of memory');
    expect(error.details).toMatchObject([{ node: '3', classType: 'KSampler', type: 'torch.OutOfMemoryError' }]);
  });

  it('falls back to polling /history when the WebSocket is refused', async () => {
    const f = await fake({ behaviour: { refuseWebSocket: true } });
    const files = await provider(f.url, { wsConnectTimeoutMs: 150 }).generate(REQUEST, testContext().ctx);
    expect(files).toHaveLength(1);
    expect(f.callsTo(`/history/${files[0]!.meta!.prompt_id as string}`).length).toBeGreaterThan(0);
  });

  it('falls back to polling when the WebSocket drops mid-run', async () => {
    const f = await fake({ behaviour: { dropWebSocketAt: 'first_progress', stepDelayMs: 10 } });
    const t = testContext();
    const files = await provider(f.url).generate(REQUEST, t.ctx);
    expect(files).toHaveLength(1);
    expect(f.callsTo(`/history/${files[0]!.meta!.prompt_id as string}`).length).toBeGreaterThan(1);
  });

  it('works with older builds (own prompt ids, no execution_success)', async () => {
    const f = await fake({ behaviour: { honourPromptId: false, sendExecutionSuccess: false } });
    const t = testContext();
    const files = await provider(f.url).generate(REQUEST, t.ctx);
    const sentId = (f.callsTo('/prompt', 'POST')[0]!.body as { prompt_id: string }).prompt_id;
    expect(files[0]!.meta!.prompt_id).not.toBe(sentId);
    expect(f.prompts.has(files[0]!.meta!.prompt_id as string)).toBe(true);
    expect(t.progress.some((p) => p.message?.includes('6/6'))).toBe(true);
  });

  it('is unavailable when nothing listens', async () => {
    const url = await closedPortUrl();
    const error = await failure(provider(url).generate(REQUEST, testContext().ctx));
    expect(error.kind).toBe('unavailable');
    expect(error.retryable).toBe(true);
    expect((await provider(url).health()).ok).toBe(false);
  });

  it('times out on a server that never answers', async () => {
    const f = await fake({ behaviour: { mode: 'hang' } });
    const started = Date.now();
    const error = await failure(provider(f.url).generate(REQUEST, testContext({ timeoutMs: 300 }).ctx));
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('times out small calls on its own when the caller gave no deadline', async () => {
    const f = await fake({ behaviour: { mode: 'hang' } });
    const error = await failure(provider(f.url, { requestTimeoutMs: 200, wsConnectTimeoutMs: 100 }).generate(REQUEST, testContext().ctx));
    expect(error.kind).toBe('timeout');
  });

  it('maps a 500 to unavailable', async () => {
    const f = await fake({ behaviour: { mode: 'http500' } });
    const error = await failure(provider(f.url).generate(REQUEST, testContext().ctx));
    expect(error.kind).toBe('unavailable');
  });

  it('cancels a running prompt with /interrupt {prompt_id}', async () => {
    const f = await fake({ behaviour: { stepDelayMs: 50, progressSteps: 20 } });
    const t = testContext({ onProgress: (_fraction, message, controller) => message?.includes('2/20') && controller.abort() });
    const error = await failure(provider(f.url).generate(REQUEST, t.ctx));
    expect(error.kind).toBe('cancelled');
    const interrupts = f.callsTo('/interrupt', 'POST');
    expect(interrupts).toHaveLength(1);
    const promptId = (f.callsTo('/prompt', 'POST')[0]!.body as { prompt_id: string }).prompt_id;
    expect(interrupts[0]!.body).toEqual({ prompt_id: promptId });
    expect(f.callsTo('/queue', 'POST')).toHaveLength(0);
  });

  it('cancels a pending prompt by deleting it from the queue', async () => {
    const f = await fake({ behaviour: { startDelayMs: 1_000 } });
    const t = testContext({ onProgress: (_fraction, message, controller) => message === 'queued' && controller.abort() });
    const error = await failure(provider(f.url).generate(REQUEST, t.ctx));
    expect(error.kind).toBe('cancelled');
    const promptId = (f.callsTo('/prompt', 'POST')[0]!.body as { prompt_id: string }).prompt_id;
    expect(f.callsTo('/queue', 'POST').map((c) => c.body)).toEqual([{ delete: [promptId] }]);
    expect(f.callsTo('/interrupt')).toHaveLength(0);
  });

  it('reports health from /system_stats', async () => {
    const f = await fake();
    const health = await provider(f.url).health();
    expect(health.ok).toBe(true);
    expect(health.detail).toContain('Fake GPU');
  });
});

describe('ComfyUIPool', () => {
  it('picks the instance with the shorter queue and skips a dead one', async () => {
    const busy = await fake({ behaviour: { extraPending: 3, extraRunning: 1 } });
    const idle = await fake();
    const dead = await closedPortUrl();
    const pool = new ComfyUIPool({ baseUrls: [dead, busy.url, idle.url], workflows: { default: TXT2IMG }, queueTimeoutMs: 500 });
    const files = await pool.generate(REQUEST, testContext().ctx);
    expect(files[0]!.meta).toMatchObject({ instance: idle.url, pool_loads: [null, 4, 0] });
    expect(idle.callsTo('/prompt', 'POST')).toHaveLength(1);
    expect(busy.callsTo('/prompt', 'POST')).toHaveLength(0);
    const health = await pool.health();
    expect(health.ok).toBe(true);
    expect(health.detail).toContain('2/3 instances up');
  });

  it('rotates between instances with equal queues', async () => {
    const a = await fake();
    const b = await fake();
    const pool = new ComfyUIPool({ baseUrls: [a.url, b.url], workflows: { default: TXT2IMG } });
    const picks = [];
    for (let i = 0; i < 4; i++) picks.push((await pool.pick()).instance.baseUrl);
    expect(picks).toEqual([a.url, b.url, a.url, b.url]);
  });

  it('is unavailable when every instance is down', async () => {
    const pool = new ComfyUIPool({ baseUrls: [await closedPortUrl(), await closedPortUrl()], workflows: { default: TXT2IMG } });
    const error = await failure(pool.generate(REQUEST, testContext().ctx));
    expect(error.kind).toBe('unavailable');
  });
});
