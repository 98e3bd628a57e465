import { afterEach, describe, expect, it } from 'vitest';
import { A1111Provider, withLoraTag } from '../../src/generation/providers/image/a1111.ts';
import { ProviderError, type ImageRequest } from '../../src/generation/providers/types.ts';
import { startFakeA1111, type FakeA1111 } from '../fakes/a1111.ts';
import { closedPortUrl, makePng, readPngText, testContext } from '../fakes/util.ts';

const REQUEST: ImageRequest = {
  prompt: 'a lighthouse at dusk',
  negativePrompt: 'blurry',
  width: 64,
  height: 64,
  seed: 777,
  steps: 12,
  cfgScale: 6,
  sampler: 'DPM++ 2M',
  lora: { name: 'persona_mira', weight: 0.75 },
};

const fakes: FakeA1111[] = [];
async function fake(behaviour?: Parameters<typeof startFakeA1111>[0]): Promise<FakeA1111> {
  const f = await startFakeA1111(behaviour);
  fakes.push(f);
  return f;
}
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

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

describe('withLoraTag', () => {
  it('appends the tag once', () => {
    expect(withLoraTag('a cat', { name: 'x', weight: 0.5 })).toBe('a cat <lora:x:0.5>');
    expect(withLoraTag('a cat <lora:x:1>', { name: 'x', weight: 0.5 })).toBe('a cat <lora:x:1>');
    expect(withLoraTag('a cat', null)).toBe('a cat');
  });
});

describe('A1111Provider against the fake', () => {
  it('runs txt2img with the LoRA in the prompt and reports progress from /progress', async () => {
    const f = await fake({ behaviour: { stepDelayMs: 30, progressSteps: 8 } });
    const t = testContext();
    const files = await new A1111Provider({ baseUrl: f.url, progressIntervalMs: 40 }).generate(REQUEST, t.ctx);

    const call = f.callsTo('/sdapi/v1/txt2img', 'POST')[0]!;
    expect(call.body).toMatchObject({
      prompt: 'a lighthouse at dusk <lora:persona_mira:0.75>',
      negative_prompt: 'blurry',
      seed: 777,
      steps: 12,
      cfg_scale: 6,
      sampler_name: 'DPM++ 2M',
      width: 64,
      height: 64,
      batch_size: 1,
    });
    expect(f.callsTo('/sdapi/v1/progress').length).toBeGreaterThan(1);
    const mid = t.progress.filter((p) => p.fraction > 0 && p.fraction < 1);
    expect(mid.length).toBeGreaterThan(0);
    expect(mid[0]!.message).toMatch(/^step \d+\/8$/);
    expect(t.progress.at(-1)).toEqual({ fraction: 1, message: 'done' });

    expect(files).toHaveLength(1);
    expect(files[0]!.mimeType).toBe('image/png');
    expect(files[0]!.seed).toBe(777);
    expect(files[0]!.meta).toMatchObject({ endpoint: 'txt2img', sd_model_name: 'fake_model_v1' });
    expect(readPngText(files[0]!.bytes).parameters).toContain('Seed: 777');
  });

  it('switches to img2img with the reference image and the default denoising strength', async () => {
    const f = await fake();
    const reference = await makePng({ width: 32, height: 32 });
    const files = await new A1111Provider({ baseUrl: f.url }).generate({ ...REQUEST, referenceImages: [{ name: 'ref.png', bytes: reference, mimeType: 'image/png' }] }, testContext().ctx);
    expect(files).toHaveLength(1);
    const body = f.callsTo('/sdapi/v1/img2img', 'POST')[0]!.body as Record<string, unknown>;
    expect(body.init_images).toEqual([reference.toString('base64')]);
    expect(body.denoising_strength).toBe(0.55);
    expect(f.callsTo('/sdapi/v1/txt2img')).toHaveLength(0);
  });

  it('skips the grid of a batch and reports each seed', async () => {
    const f = await fake();
    const files = await new A1111Provider({ baseUrl: f.url }).generate({ ...REQUEST, batchSize: 3, seed: 10 }, testContext().ctx);
    expect(files.map((file) => file.seed)).toEqual([10, 11, 12]);
    expect(files.every((file) => readPngText(file.bytes).parameters?.includes(`Seed: ${file.seed}`))).toBe(true);
  });

  it('reports the seed the server chose for a random seed', async () => {
    const f = await fake();
    const files = await new A1111Provider({ baseUrl: f.url }).generate({ ...REQUEST, seed: undefined }, testContext().ctx);
    expect((f.callsTo('/sdapi/v1/txt2img')[0]!.body as Record<string, unknown>).seed).toBe(-1);
    expect(files[0]!.seed).toBeGreaterThanOrEqual(0);
  });

  it('sends HTTP Basic credentials; wrong ones are rejected', async () => {
    const f = await fake({ behaviour: { auth: { username: 'studio', password: 's3cret' } } });
    const ok = await new A1111Provider({ baseUrl: f.url, username: 'studio', password: 's3cret' }).generate(REQUEST, testContext().ctx);
    expect(ok).toHaveLength(1);
    const error = await failure(new A1111Provider({ baseUrl: f.url, username: 'studio', password: 'nope' }).generate(REQUEST, testContext().ctx));
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('401');
  });

  it('maps 422 validation and 404 "Sampler not found" to rejected with the detail', async () => {
    const f = await fake({ behaviour: { mode: 'error422' } });
    const invalid = await failure(new A1111Provider({ baseUrl: f.url }).generate(REQUEST, testContext().ctx));
    expect(invalid.kind).toBe('rejected');
    expect(invalid.message).toContain('body.steps: value is not a valid integer');

    f.set({ mode: 'succeed' });
    const sampler = await failure(new A1111Provider({ baseUrl: f.url }).generate({ ...REQUEST, sampler: 'Nonexistent' }, testContext().ctx));
    expect(sampler.kind).toBe('rejected');
    expect(sampler.message).toContain('Sampler not found');
  });

  it('maps 500 and a closed port to unavailable', async () => {
    const f = await fake({ behaviour: { mode: 'http500' } });
    const server = await failure(new A1111Provider({ baseUrl: f.url }).generate(REQUEST, testContext().ctx));
    expect(server.kind).toBe('unavailable');
    const down = await failure(new A1111Provider({ baseUrl: await closedPortUrl() }).generate(REQUEST, testContext().ctx));
    expect(down.kind).toBe('unavailable');
  });

  it('times out on a server that never answers', async () => {
    const f = await fake({ behaviour: { mode: 'hang' } });
    const error = await failure(new A1111Provider({ baseUrl: f.url }).generate(REQUEST, testContext({ timeoutMs: 300 }).ctx));
    expect(error.kind).toBe('timeout');
    const own = await failure(new A1111Provider({ baseUrl: f.url, generateTimeoutMs: 200 }).generate(REQUEST, testContext().ctx));
    expect(own.kind).toBe('timeout');
  });

  it('interrupts the job when cancelled', async () => {
    const f = await fake({ behaviour: { stepDelayMs: 40, progressSteps: 30 } });
    const t = testContext({ onProgress: (fraction, _message, controller) => fraction > 0 && fraction < 1 && controller.abort() });
    const error = await failure(new A1111Provider({ baseUrl: f.url, progressIntervalMs: 30 }).generate(REQUEST, t.ctx));
    expect(error.kind).toBe('cancelled');
    expect(f.callsTo('/sdapi/v1/interrupt', 'POST')).toHaveLength(1);
  });

  it('refuses video and reports health', async () => {
    const f = await fake();
    const error = await failure(new A1111Provider({ baseUrl: f.url }).generate({ ...REQUEST, output: 'video' }, testContext().ctx));
    expect(error.kind).toBe('unsupported');
    expect(await new A1111Provider({ baseUrl: f.url }).health()).toEqual({ ok: true, detail: 'idle' });
    expect((await new A1111Provider({ baseUrl: await closedPortUrl() }).health()).ok).toBe(false);
  });
});
