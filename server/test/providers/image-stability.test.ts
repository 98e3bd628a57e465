import { afterEach, describe, expect, it } from 'vitest';
import { StabilityProvider, nearestAspectRatio } from '../../src/generation/providers/image/stability.ts';
import { ProviderError, type ImageRequest } from '../../src/generation/providers/types.ts';
import { startFakeStability, type FakeStability } from '../fakes/stability.ts';
import { closedPortUrl, makePng, testContext, type Multipart } from '../fakes/util.ts';

const REQUEST: ImageRequest = { prompt: 'a lighthouse at dusk', negativePrompt: 'blurry', width: 1216, height: 832, seed: 31337 };
const KEY = 'sk-test-key';

const fakes: FakeStability[] = [];
async function fake(behaviour?: Parameters<typeof startFakeStability>[0]): Promise<FakeStability> {
  const f = await startFakeStability({ behaviour: { apiKey: KEY, ...behaviour?.behaviour } });
  fakes.push(f);
  return f;
}
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

const provider = (url: string, extra: Partial<ConstructorParameters<typeof StabilityProvider>[0]> = {}) => new StabilityProvider({ apiKey: KEY, baseUrl: url, ...extra });

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

describe('nearestAspectRatio', () => {
  it('maps sizes to the supported ratios', () => {
    expect(nearestAspectRatio(64, 64)).toBe('1:1');
    expect(nearestAspectRatio(1216, 832)).toBe('3:2');
    expect(nearestAspectRatio(832, 1216)).toBe('2:3');
    expect(nearestAspectRatio(1344, 768)).toBe('16:9');
    expect(nearestAspectRatio(768, 1344)).toBe('9:16');
    expect(nearestAspectRatio(896, 1120)).toBe('4:5');
  });
});

describe('StabilityProvider against the fake', () => {
  it('posts multipart to /generate/core and reads image bytes with seed and finish-reason headers', async () => {
    const f = await fake();
    const t = testContext();
    const files = await provider(f.url).generate(REQUEST, t.ctx);
    const call = f.callsTo('/v2beta/stable-image/generate/core', 'POST')[0]!;
    expect(call.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(call.headers.accept).toBe('image/*');
    expect(call.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect((call.body as Multipart).fields).toEqual({ prompt: 'a lighthouse at dusk', negative_prompt: 'blurry', seed: '31337', output_format: 'png', aspect_ratio: '3:2' });
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ mimeType: 'image/png', seed: 31337, meta: { model: 'core', finish_reason: 'SUCCESS' } });
    expect(t.progress.at(-1)).toEqual({ fraction: 1, message: 'done' });
  });

  it('understands JSON answers, random seeds and batches', async () => {
    const f = await fake();
    const files = await provider(f.url, { json: true, outputFormat: 'jpeg' }).generate({ ...REQUEST, seed: undefined, batchSize: 2 }, testContext().ctx);
    expect(files).toHaveLength(2);
    expect(files.every((file) => file.mimeType === 'image/jpeg' && typeof file.seed === 'number' && file.seed > 0)).toBe(true);
    const calls = f.callsTo('/v2beta/stable-image/generate/core');
    expect(calls).toHaveLength(2);
    expect(calls.every((c) => c.headers.accept === 'application/json' && !('seed' in (c.body as Multipart).fields))).toBe(true);
  });

  it('routes SD3.5 models to /sd3 with model, and reference images to image-to-image', async () => {
    const f = await fake();
    const reference = await makePng({ width: 16, height: 16 });
    await provider(f.url).generate({ ...REQUEST, workflow: 'sd3.5-large', cfgScale: 4, referenceImages: [{ name: 'ref.png', bytes: reference, mimeType: 'image/png' }] }, testContext().ctx);
    const form = f.callsTo('/v2beta/stable-image/generate/sd3')[0]!.body as Multipart;
    expect(form.fields).toMatchObject({ model: 'sd3.5-large', mode: 'image-to-image', strength: '0.55', cfg_scale: '4' });
    expect(form.fields.aspect_ratio).toBeUndefined();
    expect(form.files[0]).toMatchObject({ name: 'image', filename: 'ref.png', contentType: 'image/png' });
    expect(form.files[0]!.data.equals(reference)).toBe(true);
  });

  it('rejects filtered output and moderated prompts', async () => {
    const f = await fake({ behaviour: { mode: 'filtered' } });
    const filtered = await failure(provider(f.url).generate(REQUEST, testContext().ctx));
    expect(filtered.kind).toBe('rejected');
    expect(filtered.details).toEqual({ finishReason: 'CONTENT_FILTERED' });
    f.set({ mode: 'moderated' });
    const moderated = await failure(provider(f.url).generate(REQUEST, testContext().ctx));
    expect(moderated.kind).toBe('rejected');
    expect(moderated.message).toContain('403: content_moderation');
  });

  it('maps 400 errors with their messages, 401, and 429/500 to unavailable', async () => {
    const f = await fake();
    const bad = await failure(provider(f.url).generate({ ...REQUEST, prompt: '  ' }, testContext().ctx));
    expect(bad.kind).toBe('rejected');
    expect(bad.message).toBe('Stability answered 400: bad_request: prompt: cannot be empty');
    expect(bad.details).toMatchObject({ name: 'bad_request', errors: ['prompt: cannot be empty'] });
    const auth = await failure(provider(f.url, { apiKey: 'wrong' }).generate(REQUEST, testContext().ctx));
    expect(auth.kind).toBe('rejected');
    f.set({ mode: 'http429' });
    expect((await failure(provider(f.url).generate(REQUEST, testContext().ctx))).kind).toBe('unavailable');
    f.set({ mode: 'http500' });
    expect((await failure(provider(f.url).generate(REQUEST, testContext().ctx))).kind).toBe('unavailable');
  });

  it('is unavailable when down, times out when silent, refuses video', async () => {
    expect((await failure(provider(await closedPortUrl()).generate(REQUEST, testContext().ctx))).kind).toBe('unavailable');
    const f = await fake({ behaviour: { mode: 'hang' } });
    expect((await failure(provider(f.url).generate(REQUEST, testContext({ timeoutMs: 300 }).ctx))).kind).toBe('timeout');
    expect((await failure(provider(f.url, { generateTimeoutMs: 200 }).generate(REQUEST, testContext().ctx))).kind).toBe('timeout');
    const video = await failure(provider(f.url).generate({ ...REQUEST, output: 'video' }, testContext().ctx));
    expect(video.kind).toBe('unsupported');
  });

  it('cancels when the caller aborts', async () => {
    const f = await fake({ behaviour: { mode: 'hang' } });
    const t = testContext();
    setTimeout(() => t.controller.abort(), 100);
    expect((await failure(provider(f.url).generate(REQUEST, t.ctx))).kind).toBe('cancelled');
  });

  it('reports health from the balance', async () => {
    const f = await fake();
    expect(await provider(f.url).health()).toEqual({ ok: true, detail: '42.5 credits' });
    expect((await provider(f.url, { apiKey: 'wrong' }).health()).ok).toBe(false);
  });
});
