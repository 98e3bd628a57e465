import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { startFakeComfyUI, type FakeComfyUI } from '../fakes/comfyui.ts';
import { startFakeA1111, type FakeA1111 } from '../fakes/a1111.ts';
import { startFakeReplicate, type FakeReplicate } from '../fakes/replicate.ts';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.ts';
import { startFakeElevenLabs, type FakeElevenLabs } from '../fakes/elevenlabs.ts';
import { closedPortUrl } from '../fakes/util.ts';
import { TXT2IMG, expectMarkedAndClean, waitForJob } from './support.ts';

/**
 * The studio end to end against protocol-faithful fakes: request → queue → provider → media pipeline →
 * library, on the embedded database with in-process workers.
 */
describe('content studio against the fakes', () => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let personaId: string;
  let comfy: FakeComfyUI;
  let a1111: FakeA1111;
  let replicate: FakeReplicate;
  let ollama: FakeOllama;
  let eleven: FakeElevenLabs;
  const providers: Record<string, string> = {};
  const events: { type: string; data: any }[] = [];

  const addProvider = async (body: Record<string, unknown>) => {
    const res = await owner.post('/api/v1/providers', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(JSON.stringify(res.body)).not.toContain('fake-secret');
    return res.body.id as string;
  };
  const useProviders = async (settings: Record<string, unknown>) => {
    const res = await owner.call('PUT', `/api/v1/personas/${personaId}/studio`, { appearancePrompt: 'a fictional adult woman, 27, freckles', ...settings });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };
  const generate = async (body: Record<string, unknown>) => {
    const res = await owner.post('/api/v1/studio/jobs', { personaId, ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.id as string;
  };
  const assetOf = async (id: string) => (await owner.get(`/api/v1/media/${id}`)).body;
  const allKeys = (asset: any) => asset.variants.map((v: any) => v.key) as string[];

  beforeAll(async () => {
    [comfy, a1111, replicate, ollama, eleven] = await Promise.all([
      startFakeComfyUI(),
      startFakeA1111(),
      startFakeReplicate({ behaviour: { token: 'fake-secret-replicate', pollsToFinish: 2 } }),
      startFakeOllama({ reply: '{"variants":["Golden hour at the café ☕ #paris","Slow mornings, warm light #coffee"]}', tokenDelayMs: 1 }),
      startFakeElevenLabs({ apiKey: 'fake-secret-eleven' }),
    ]);
    rt = await testRuntime('pglite', { STUDIO_RETRY_LIMIT: '1', STUDIO_RETRY_DELAY_SECONDS: '1', STUDIO_IMAGE_TIMEOUT_SECONDS: '4' }, { workers: true });
    const o = await ownerClient(rt.app, rt.platform, 'Studio org');
    owner = o.client;
    rt.platform.events.subscribe(o.orgId, (e) => events.push({ type: e.type, data: e.data }));
    personaId = (await owner.post('/api/v1/personas', personaBody('Studio'))).body.id;
    providers.comfy = await addProvider({ type: 'comfyui', name: 'Local ComfyUI', config: { baseUrls: [comfy.url], workflows: { default: TXT2IMG } } });
    providers.a1111 = await addProvider({ type: 'a1111', name: 'Forge', config: { baseUrl: a1111.url } });
    providers.replicate = await addProvider({ type: 'replicate', name: 'Replicate', config: { baseUrl: replicate.apiUrl, model: 'acme/flux-dev' }, credentials: { apiKey: 'fake-secret-replicate' } });
    providers.ollama = await addProvider({ type: 'ollama', name: 'Ollama', config: { baseUrl: ollama.url, model: 'llama3.2' } });
    providers.eleven = await addProvider({ type: 'elevenlabs', name: 'ElevenLabs', config: { baseUrl: eleven.url }, credentials: { apiKey: 'fake-secret-eleven' } });
  }, 120_000);

  afterAll(async () => {
    await rt?.stop();
    await Promise.all([comfy?.close(), a1111?.close(), replicate?.close(), ollama?.close(), eleven?.close()]);
  });

  it('ComfyUI: progress over the websocket, then a stored, rated, marked image without the workflow metadata', async () => {
    await useProviders({ imageProviderId: providers.comfy, watermark: { text: '@studio · AI' } });
    const jobId = await generate({ kind: 'image', prompt: 'reading in a sunny café', tags: ['cafe'] });
    const job = await waitForJob(owner, jobId);
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(events.some((e) => e.type === 'generation.progress' && e.data.jobId === jobId && e.data.progress > 0 && e.data.progress < 1)).toBe(true);
    const asset = await assetOf(job.resultAssetIds[0]!);
    expect(asset.kind).toBe('image');
    expect(['sfw', 'suggestive', 'explicit']).toContain(asset.rating);
    expect(Object.keys(asset.ratingScores ?? {})).toContain('Neutral');
    expect(asset.origin).toMatchObject({ generator: 'comfyui:default', seed: expect.any(Number) });
    expect(asset.variants.map((v: any) => v.name)).toEqual(expect.arrayContaining(['original', 'portrait', 'story', 'landscape']));
    await expectMarkedAndClean(rt.platform.storage, asset, allKeys(asset));
    const sent = JSON.stringify([...comfy.prompts.values()].at(-1));
    expect(sent).toContain('a fictional adult woman, 27, freckles, reading in a sunny café');
  });

  it('ComfyUI node_errors: the failing node and its message reach the user, without retries', async () => {
    comfy.set({ mode: 'node_errors' });
    try {
      const job = await waitForJob(owner, await generate({ kind: 'image', prompt: 'a walk by the river' }));
      expect(job.status).toBe('failed');
      expect(job.attempts).toBe(1);
      expect(job.error?.kind).toBe('rejected');
      expect(job.error?.message).toMatch(/KSampler|node 3/i);
      expect(JSON.stringify(job.error?.details)).toMatch(/"node":"3"/);
    } finally {
      comfy.set({ mode: 'succeed' });
    }
  });

  it('A1111 and Replicate jobs end as marked assets too', async () => {
    for (const [provider, fake] of [
      [providers.a1111, 'a1111'],
      [providers.replicate, 'replicate'],
    ] as const) {
      await useProviders({ imageProviderId: provider, lora: { name: 'studio_face', weight: 0.8 } });
      const job = await waitForJob(owner, await generate({ kind: 'image', prompt: 'a rooftop garden' }));
      expect(job.status, `${fake}: ${JSON.stringify(job.error)}`).toBe('succeeded');
      const asset = await assetOf(job.resultAssetIds[0]!);
      expect(asset.origin.generator).toMatch(new RegExp(`^${fake}:`));
      await expectMarkedAndClean(rt.platform.storage, asset, allKeys(asset));
    }
  });

  it('provider down: retried with backoff, then failed with a readable reason', async () => {
    const down = await addProvider({ type: 'a1111', name: 'Down', config: { baseUrl: await closedPortUrl() } });
    await useProviders({ imageProviderId: down });
    const job = await waitForJob(owner, await generate({ kind: 'image', prompt: 'a quiet library' }));
    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(2);
    expect(job.error?.kind).toBe('unavailable');
    expect(job.error?.message).toMatch(/unreachable|refused|down/i);
  });

  it('hung provider: the attempt times out; cancel stops a running job', async () => {
    comfy.set({ mode: 'hang' });
    try {
      await useProviders({ imageProviderId: providers.comfy });
      const hung = await waitForJob(owner, await generate({ kind: 'image', prompt: 'a mountain lake' }));
      expect(hung.status).toBe('failed');
      expect(hung.error?.kind).toBe('timeout');

      const running = await generate({ kind: 'image', prompt: 'a forest trail' });
      await expect.poll(async () => (await owner.get(`/api/v1/studio/jobs/${running}`)).body.status, { timeout: 10_000 }).toBe('running');
      const cancelled = await owner.post(`/api/v1/studio/jobs/${running}/cancel`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status).toBe('cancelled');
      expect((await owner.post(`/api/v1/studio/jobs/${running}/cancel`)).status).toBe(409);
    } finally {
      comfy.set({ mode: 'succeed' });
    }
  });

  it('Ollama writes streamed captions, with the disclosure, per platform', async () => {
    await useProviders({ textProviderId: providers.ollama, imageProviderId: providers.comfy });
    const job = await waitForJob(owner, await generate({ kind: 'caption', brief: 'coffee at golden hour', platforms: ['instagram', 'x'], languages: ['fr'], variants: 2 }));
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const list = await owner.get(`/api/v1/captions?personaId=${personaId}`);
    const written = list.body.items.filter((c: any) => job.resultCaptionIds.includes(c.id));
    expect(written).toHaveLength(4);
    for (const c of written) {
      expect(c.disclosureAdded).toBe(true);
      expect(c.text).toContain('AI-generated persona');
      if (c.platform === 'x') expect(c.text.length).toBeLessThanOrEqual(280);
    }
    const chat = ollama.calls.find((c: any) => c.path === '/api/chat');
    expect(chat?.body?.stream).toBe(true);
  });

  it('ElevenLabs and espeak-ng voice files are stored as marked audio', async () => {
    await useProviders({ voiceProviderId: providers.eleven, voice: { voiceId: 'voice-1' } });
    const eleven1 = await waitForJob(owner, await generate({ kind: 'voice', text: 'Bonjour et bienvenue', language: 'fr' }));
    await useProviders({ voiceProviderId: null });
    const espeak = await waitForJob(owner, await generate({ kind: 'voice', text: 'Hello and welcome', language: 'en' }));
    for (const job of [eleven1, espeak]) {
      expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
      const asset = await assetOf(job.resultAssetIds[0]!);
      expect(asset.kind).toBe('audio');
      expect(asset.mimeType).toBe('audio/mp4');
      await expectMarkedAndClean(rt.platform.storage, asset, allKeys(asset));
    }
    expect(eleven.calls.some((c: any) => c.apiKey === 'fake-secret-eleven' || c.headers?.['xi-api-key'] === 'fake-secret-eleven')).toBe(true);
  });

  it('an ffmpeg montage of her images with a voice-over is a marked 9:16 clip', async () => {
    await useProviders({ imageProviderId: providers.comfy });
    const images = (await owner.get(`/api/v1/media?personaId=${personaId}&kind=image&status=approved`)).body.items.slice(0, 2).map((a: any) => a.id);
    expect(images.length).toBe(2);
    const job = await waitForJob(owner, await generate({ kind: 'montage', assetIds: images, durationSeconds: 5, voiceText: 'Un petit tour', captionText: 'Paris mornings', language: 'fr' }), 120_000);
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const asset = await assetOf(job.resultAssetIds[0]!);
    expect(asset).toMatchObject({ kind: 'video', width: 1080, height: 1920 });
    expect(asset.durationSeconds).toBeGreaterThan(4.4);
    await expectMarkedAndClean(rt.platform.storage, asset, allKeys(asset));
  }, 150_000);

  it('regenerate replays the same request and seed', async () => {
    await useProviders({ imageProviderId: providers.comfy });
    const first = await waitForJob(owner, await generate({ kind: 'image', prompt: 'a bakery window', seed: 4242 }));
    const regen = await owner.post(`/api/v1/media/${first.resultAssetIds[0]}/regenerate`);
    expect(regen.status).toBe(202);
    const second = await waitForJob(owner, regen.body.id);
    expect(second.status).toBe('succeeded');
    expect((await assetOf(second.resultAssetIds[0]!)).origin.seed).toBe(4242);
  });
});
