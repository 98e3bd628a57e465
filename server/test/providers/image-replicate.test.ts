import { afterEach, describe, expect, it } from 'vitest';
import { ReplicateProvider, outputUrls, parseReplicateModel, progressFromLogs, verifyReplicateWebhook } from '../../src/generation/providers/image/replicate.ts';
import { ProviderError, type ImageRequest } from '../../src/generation/providers/types.ts';
import { signReplicateWebhook, startFakeReplicate, type FakeReplicate } from '../fakes/replicate.ts';
import { closedPortUrl, makePng, testContext } from '../fakes/util.ts';

const REQUEST: ImageRequest = {
  prompt: 'a lighthouse at dusk',
  negativePrompt: 'blurry',
  width: 64,
  height: 64,
  seed: 99,
  steps: 20,
  lora: { name: 'https://example.invalid/persona.safetensors', weight: 0.9 },
};
const TOKEN = 'r8_test_token';

const fakes: FakeReplicate[] = [];
async function fake(behaviour?: Parameters<typeof startFakeReplicate>[0]): Promise<FakeReplicate> {
  const f = await startFakeReplicate({ ...behaviour, behaviour: { token: TOKEN, ...behaviour?.behaviour } });
  fakes.push(f);
  return f;
}
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

function provider(apiUrl: string, extra: Partial<ConstructorParameters<typeof ReplicateProvider>[0]> = {}) {
  return new ReplicateProvider({ apiKey: TOKEN, baseUrl: apiUrl, model: 'acme/sdxl-persona', pollIntervalMs: 10, maxPollIntervalMs: 20, ...extra });
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

describe('helpers', () => {
  it('parses model identifiers, logs and outputs', () => {
    expect(parseReplicateModel('acme/sdxl')).toEqual({ model: 'acme/sdxl' });
    expect(parseReplicateModel('acme/sdxl:5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa')).toEqual({ version: '5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa' });
    expect(parseReplicateModel('5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa')).toHaveProperty('version');
    expect(() => parseReplicateModel('not a model')).toThrow(ProviderError);
    expect(progressFromLogs('Using seed: 1\n 10%|█ | 2/20\n 45%|████▌ | 9/20 [00:01<00:01]')).toBe(0.45);
    expect(progressFromLogs('no bars here')).toBeUndefined();
    expect(outputUrls({ video: 'https://x/a.mp4', frames: ['https://x/1.png', 7] })).toEqual(['https://x/a.mp4', 'https://x/1.png']);
  });
});

describe('ReplicateProvider against the fake', () => {
  it('creates by model, polls with progress from the logs, downloads the outputs', async () => {
    const f = await fake({ behaviour: { pollsToFinish: 4 } });
    const t = testContext();
    const files = await provider(f.apiUrl).generate({ ...REQUEST, batchSize: 2 }, t.ctx);

    const create = f.callsTo('/v1/models/acme/sdxl-persona/predictions', 'POST')[0]!;
    expect(create.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(create.body).toEqual({
      input: { prompt: 'a lighthouse at dusk', negative_prompt: 'blurry', width: 64, height: 64, seed: 99, num_inference_steps: 20, num_outputs: 2, lora_weights: 'https://example.invalid/persona.safetensors', lora_scale: 0.9 },
    });
    expect(f.callsTo(/^\/v1\/predictions\/[a-z0-9]+$/, 'GET').length).toBe(4);
    const percents = t.progress.filter((p) => p.message?.startsWith('processing ') && p.message.endsWith('%'));
    expect(percents.length).toBeGreaterThan(1);
    expect(percents.map((p) => p.fraction)).toEqual([...percents.map((p) => p.fraction)].sort((a, b) => a - b));
    expect(t.progress[0]).toEqual({ fraction: 0.05, message: 'starting' });
    expect(t.progress.at(-1)).toEqual({ fraction: 1, message: 'done' });

    expect(files).toHaveLength(2);
    expect(files.map((file) => file.mimeType)).toEqual(['image/png', 'image/png']);
    expect(files[0]!.seed).toBe(99);
    expect(files[0]!.filename).toBe('out-0.png');
    const id = [...f.predictions.keys()][0]!;
    expect(files[0]!.meta).toMatchObject({ prediction_id: id, model: 'acme/sdxl-persona' });
    // Downloads carry no token to a foreign origin; here the files sit on the API origin, so they do.
    expect(f.callsTo(`/files/${id}/out-0.png`).map((c) => c.headers.authorization)).toEqual([`Bearer ${TOKEN}`]);
  });

  it('creates by version, sends the reference image as a data URI, honours Prefer: wait', async () => {
    const f = await fake();
    const reference = await makePng({ width: 16, height: 16 });
    const version = 'acme/sdxl:5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa';
    const files = await provider(f.apiUrl, { waitSeconds: 5 }).generate({ ...REQUEST, workflow: version, referenceImages: [{ name: 'r.png', bytes: reference, mimeType: 'image/png' }] }, testContext().ctx);
    expect(files).toHaveLength(1);
    const create = f.callsTo('/v1/predictions', 'POST')[0]!;
    expect(create.headers.prefer).toBe('wait=5');
    const body = create.body as { version: string; input: Record<string, unknown> };
    expect(body.version).toBe('5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa');
    expect(body.input.image).toBe(`data:image/png;base64,${reference.toString('base64')}`);
    expect(f.callsTo(/^\/v1\/predictions\/[a-z0-9]+$/, 'GET')).toHaveLength(0);
  });

  it('reads a video model’s single URL output', async () => {
    const f = await fake({ behaviour: { media: 'video', output: 'single', logs: false } });
    const t = testContext();
    const files = await provider(f.apiUrl, { videoModel: 'acme/clip-maker' }).generate({ ...REQUEST, output: 'video', durationSeconds: 3 }, t.ctx);
    expect(files).toHaveLength(1);
    expect(files[0]!.mimeType).toBe('video/mp4');
    expect(f.callsTo('/v1/models/acme/clip-maker/predictions', 'POST')[0]!.body).toMatchObject({ input: { duration: 3 } });
    expect(t.progress.some((p) => p.message === 'processing' && p.fraction === 0.2)).toBe(true);
  });

  it('turns a failed prediction into a rejection with its error', async () => {
    const f = await fake({ behaviour: { mode: 'fail' } });
    const error = await failure(provider(f.apiUrl).generate(REQUEST, testContext().ctx));
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('NSFW content detected');
    expect(error.details).toMatchObject({ error: expect.stringContaining('NSFW') });
  });

  it('maps 422, 401, 429 and 500', async () => {
    const f = await fake({ behaviour: { mode: 'invalid422' } });
    const invalid = await failure(provider(f.apiUrl).generate(REQUEST, testContext().ctx));
    expect(invalid.kind).toBe('rejected');
    expect(invalid.message).toContain('Input validation failed: - input.width');

    f.set({ mode: 'succeed' });
    const auth = await failure(provider(f.apiUrl, { apiKey: 'wrong' }).generate(REQUEST, testContext().ctx));
    expect(auth.kind).toBe('rejected');
    expect(auth.message).toContain('401');

    f.set({ mode: 'http429' });
    const throttled = await failure(provider(f.apiUrl).generate(REQUEST, testContext().ctx));
    expect(throttled.kind).toBe('unavailable');
    expect(throttled.message).toContain('throttled');

    f.set({ mode: 'http500' });
    const broken = await failure(provider(f.apiUrl).generate(REQUEST, testContext().ctx));
    expect(broken.kind).toBe('unavailable');
  });

  it('is unavailable when nothing listens, and times out on a silent server', async () => {
    const down = await failure(provider(`${await closedPortUrl()}/v1`).generate(REQUEST, testContext().ctx));
    expect(down.kind).toBe('unavailable');

    const f = await fake({ behaviour: { mode: 'hang' } });
    const started = Date.now();
    const hung = await failure(provider(f.apiUrl).generate(REQUEST, testContext({ timeoutMs: 300 }).ctx));
    expect(hung.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
    const own = await failure(provider(f.apiUrl, { requestTimeoutMs: 200 }).generate(REQUEST, testContext().ctx));
    expect(own.kind).toBe('timeout');
  });

  it('cancels the prediction when the caller aborts', async () => {
    const f = await fake({ behaviour: { pollsToFinish: 50 } });
    const t = testContext({ onProgress: (_fraction, message, controller) => message?.startsWith('processing') && controller.abort() });
    const error = await failure(provider(f.apiUrl).generate(REQUEST, t.ctx));
    expect(error.kind).toBe('cancelled');
    const id = [...f.predictions.keys()][0]!;
    expect(f.callsTo(`/v1/predictions/${id}/cancel`, 'POST')).toHaveLength(1);
    expect(f.predictions.get(id)!.status).toBe('canceled');
  });

  it('reports health from the account', async () => {
    const f = await fake();
    expect(await provider(f.apiUrl).health()).toEqual({ ok: true, detail: 'account atelier-test' });
    expect((await provider(f.apiUrl, { apiKey: 'wrong' }).health()).ok).toBe(false);
  });
});

describe('verifyReplicateWebhook', () => {
  const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
  const body = JSON.stringify({ id: 'abc', status: 'succeeded', output: ['https://x/out-0.png'] });
  const now = 1_750_000_000;
  const headers = signReplicateWebhook({ secret, id: 'msg_1', timestamp: now, body });

  it('accepts a valid signature (Headers or a plain object, string or Buffer body)', () => {
    expect(verifyReplicateWebhook({ secret, headers, rawBody: body, now })).toBe(true);
    expect(verifyReplicateWebhook({ secret, headers: new Headers(headers), rawBody: Buffer.from(body), now: now + 60 })).toBe(true);
    // Any one matching entry of several is enough (key rotation).
    const rotated = { ...headers, 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} ${headers['webhook-signature']}` };
    expect(verifyReplicateWebhook({ secret, headers: rotated, rawBody: body, now })).toBe(true);
  });

  it('refuses a tampered body, a wrong secret, a stale or future timestamp, missing headers', () => {
    expect(verifyReplicateWebhook({ secret, headers, rawBody: body.replace('succeeded', 'failed'), now })).toBe(false);
    const other = `whsec_${Buffer.from('another-secret-another-secret-xx').toString('base64')}`;
    expect(verifyReplicateWebhook({ secret: other, headers, rawBody: body, now })).toBe(false);
    expect(verifyReplicateWebhook({ secret, headers, rawBody: body, now: now + 301 })).toBe(false);
    expect(verifyReplicateWebhook({ secret, headers, rawBody: body, now: now - 301 })).toBe(false);
    expect(verifyReplicateWebhook({ secret, headers, rawBody: body, now: now + 1_000, toleranceSeconds: 2_000 })).toBe(true);
    expect(verifyReplicateWebhook({ secret, headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': String(now) }, rawBody: body, now })).toBe(false);
    expect(verifyReplicateWebhook({ secret, headers: { ...headers, 'webhook-id': 'msg_2' }, rawBody: body, now })).toBe(false);
  });
});
