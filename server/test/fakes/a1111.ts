/**
 * A fake AUTOMATIC1111/Forge API (`--api`): txt2img/img2img one job at a time with a live
 * `/sdapi/v1/progress`, `/sdapi/v1/interrupt` (the job stops and still answers 200 with what it has, as
 * the real server does), optional HTTP Basic (`--api-auth`), the API middleware's error shape
 * `{error, detail, body, errors}` and FastAPI's 422 `{detail: [...]}`; output PNGs carry a `parameters`
 * text chunk with the infotext.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { colorFromSeed, delay, listen, makePng, recordRequest, sendJson, type RecordedCall } from './util.ts';

export interface A1111Behaviour {
  /** succeed; error422: body validation failure; http500: every route 500; hang: never answer. */
  mode: 'succeed' | 'error422' | 'http500' | 'hang';
  /** Progress ticks per job (default: the request's steps, at most 10). */
  progressSteps?: number;
  stepDelayMs: number;
  /** When set, every route needs this HTTP Basic pair (like `--api-auth user:pass`). */
  auth: { username: string; password: string } | null;
  /** Batches answer a grid first (index_of_first_image = 1), as with the default `return_grid`. */
  returnGrid: boolean;
  samplers: string[];
}

const DEFAULT_BEHAVIOUR: A1111Behaviour = {
  mode: 'succeed',
  stepDelayMs: 10,
  auth: null,
  returnGrid: true,
  samplers: ['Euler a', 'Euler', 'DPM++ 2M', 'DPM++ SDE', 'DDIM', 'UniPC'],
};

export interface FakeA1111 {
  url: string;
  calls: RecordedCall[];
  behaviour: A1111Behaviour;
  set(patch: Partial<A1111Behaviour>): void;
  callsTo(path: string, method?: string): RecordedCall[];
  close(): Promise<void>;
}

const MODEL = { name: 'fake_model_v1', hash: 'c0ffee12', title: 'fake_model_v1.safetensors [c0ffee12]' };

function infotext(body: Record<string, unknown>, seed: number, sampler: string, steps: number): string {
  const negative = typeof body.negative_prompt === 'string' && body.negative_prompt !== '' ? `\nNegative prompt: ${body.negative_prompt}` : '';
  const denoise = typeof body.denoising_strength === 'number' && Array.isArray(body.init_images) ? `, Denoising strength: ${body.denoising_strength}` : '';
  return `${String(body.prompt ?? '')}${negative}\nSteps: ${steps}, Sampler: ${sampler}, Schedule type: Automatic, CFG scale: ${Number(body.cfg_scale ?? 7)}, Seed: ${seed}, Size: ${Number(body.width ?? 512)}x${Number(body.height ?? 512)}, Model hash: ${MODEL.hash}, Model: ${MODEL.name}${denoise}, Version: v1.10.1`;
}

export async function startFakeA1111(options: { behaviour?: Partial<A1111Behaviour> } = {}): Promise<FakeA1111> {
  const behaviour: A1111Behaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  const calls: RecordedCall[] = [];
  const state = { job: '', job_count: 0, job_no: 0, job_timestamp: '0', sampling_step: 0, sampling_steps: 0, interrupted: false, skipped: false, stopping_generation: false };
  let lock: Promise<void> = Promise.resolve();

  const runJob = async (endpoint: 'txt2img' | 'img2img', body: Record<string, unknown>) => {
    const steps = typeof body.steps === 'number' ? body.steps : 50;
    const batch = Math.min(typeof body.batch_size === 'number' ? body.batch_size : 1, 8) * Math.min(typeof body.n_iter === 'number' ? body.n_iter : 1, 4);
    const seed = typeof body.seed === 'number' && body.seed >= 0 ? body.seed : Math.floor(Math.random() * 4_294_967_294);
    const sampler = typeof body.sampler_name === 'string' ? body.sampler_name : 'Euler a';
    const ticks = behaviour.progressSteps ?? Math.min(steps, 10);
    Object.assign(state, { job: `${endpoint}`, job_count: 1, job_no: 0, job_timestamp: new Date().toISOString().replace(/\D/g, '').slice(0, 14), sampling_step: 0, sampling_steps: ticks, interrupted: false });
    for (let step = 1; step <= ticks; step++) {
      await delay(behaviour.stepDelayMs);
      if (state.interrupted) break;
      state.sampling_step = step;
    }
    const seeds = Array.from({ length: batch }, (_, i) => seed + i);
    const texts = seeds.map((s) => infotext(body, s, sampler, steps));
    const width = typeof body.width === 'number' ? body.width : 512;
    const height = typeof body.height === 'number' ? body.height : 512;
    const images: string[] = [];
    for (const [i, s] of seeds.entries()) images.push((await makePng({ width, height, color: colorFromSeed(s), text: { parameters: texts[i]! } })).toString('base64'));
    const grid = behaviour.returnGrid && batch > 1;
    if (grid) images.unshift((await makePng({ width, height, color: { r: 200, g: 200, b: 200 }, text: { parameters: texts[0]! } })).toString('base64'));
    const info = {
      prompt: body.prompt ?? '',
      all_prompts: seeds.map(() => body.prompt ?? ''),
      negative_prompt: body.negative_prompt ?? '',
      all_negative_prompts: seeds.map(() => body.negative_prompt ?? ''),
      seed,
      all_seeds: seeds,
      subseed: 1234,
      all_subseeds: seeds.map((_, i) => 1234 + i),
      subseed_strength: 0,
      width,
      height,
      sampler_name: sampler,
      cfg_scale: body.cfg_scale ?? 7,
      steps,
      batch_size: body.batch_size ?? 1,
      restore_faces: false,
      sd_model_name: MODEL.name,
      sd_model_hash: MODEL.hash,
      sd_vae_name: null,
      denoising_strength: endpoint === 'img2img' ? (body.denoising_strength ?? 0.75) : null,
      extra_generation_params: {},
      index_of_first_image: grid ? 1 : 0,
      infotexts: grid ? [texts[0], ...texts] : texts,
      styles: [],
      job_timestamp: state.job_timestamp,
      clip_skip: 1,
      version: 'v1.10.1',
    };
    Object.assign(state, { job: '', job_count: 0, sampling_step: 0, sampling_steps: 0 });
    const { init_images: _omit, ...parameters } = body;
    return { images, parameters: { ...parameters, ...(endpoint === 'img2img' ? { init_images: null } : {}) }, info: JSON.stringify(info) };
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const call = await recordRequest(req, calls);
      if (behaviour.mode === 'hang') return;
      if (behaviour.auth) {
        const expected = `Basic ${Buffer.from(`${behaviour.auth.username}:${behaviour.auth.password}`).toString('base64')}`;
        const given = req.headers.authorization ?? '';
        const ok = given.length === expected.length && createHash('sha256').update(given).digest().equals(createHash('sha256').update(expected).digest());
        if (!ok) return sendJson(res, 401, { detail: 'Incorrect username or password' }, { 'WWW-Authenticate': 'Basic' });
      }
      if (behaviour.mode === 'http500') return sendJson(res, 500, { error: 'RuntimeError', detail: '', body: '', errors: 'CUDA error: an illegal memory access was encountered' });
      const body = (call.body ?? {}) as Record<string, unknown>;

      if (req.method === 'GET' && call.path === '/sdapi/v1/progress') {
        const progress = state.sampling_steps > 0 ? state.sampling_step / state.sampling_steps : 0;
        return sendJson(res, 200, { progress, eta_relative: state.sampling_steps > 0 ? (state.sampling_steps - state.sampling_step) * (behaviour.stepDelayMs / 1000) : 0, state, current_image: null, textinfo: null });
      }
      if (req.method === 'POST' && call.path === '/sdapi/v1/interrupt') {
        if (state.job_count > 0) state.interrupted = true;
        return sendJson(res, 200, null);
      }
      if (req.method === 'GET' && call.path === '/sdapi/v1/sd-models') return sendJson(res, 200, [{ title: MODEL.title, model_name: MODEL.name, hash: MODEL.hash, sha256: null, filename: `/models/Stable-diffusion/${MODEL.name}.safetensors`, config: null }]);
      if (req.method === 'GET' && call.path === '/sdapi/v1/samplers') return sendJson(res, 200, behaviour.samplers.map((name) => ({ name, aliases: [], options: {} })));
      if (req.method === 'GET' && call.path === '/sdapi/v1/loras') return sendJson(res, 200, [{ name: 'persona_a', alias: 'persona_a', path: '/models/Lora/persona_a.safetensors', metadata: {} }]);
      const generate = /^\/sdapi\/v1\/(txt2img|img2img)$/.exec(call.path);
      if (req.method === 'POST' && generate) {
        const endpoint = generate[1] as 'txt2img' | 'img2img';
        if (behaviour.mode === 'error422' || (body.steps !== undefined && !Number.isInteger(body.steps)) || (body.width !== undefined && !Number.isInteger(body.width))) {
          const field = body.width !== undefined && !Number.isInteger(body.width) ? 'width' : 'steps';
          return sendJson(res, 422, { detail: [{ loc: ['body', field], msg: 'value is not a valid integer', type: 'type_error.integer' }] });
        }
        if (typeof body.sampler_name === 'string' && !behaviour.samplers.includes(body.sampler_name)) {
          return sendJson(res, 404, { error: 'HTTPException', detail: 'Sampler not found', body: '', errors: '404: Sampler not found' });
        }
        if (typeof body.script_name === 'string' && body.script_name !== '') {
          return sendJson(res, 422, { error: 'HTTPException', detail: `Script '${body.script_name}' not found`, body: '', errors: `422: Script '${body.script_name}' not found` });
        }
        if (endpoint === 'img2img' && (!Array.isArray(body.init_images) || body.init_images.length === 0)) {
          return sendJson(res, 404, { error: 'HTTPException', detail: 'Init image not found', body: '', errors: '404: Init image not found' });
        }
        // One job at a time, like the real queue lock.
        const previous = lock;
        let release!: () => void;
        lock = new Promise((resolve) => (release = resolve));
        await previous;
        try {
          const answer = await runJob(endpoint, body);
          if (!res.destroyed) sendJson(res, 200, answer);
        } finally {
          release();
        }
        return;
      }
      return sendJson(res, 404, { detail: 'Not Found' });
    })().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'Exception', detail: String(error), body: '', errors: String(error) });
    });
  });

  const listening = await listen(server);
  return {
    url: listening.url,
    calls,
    behaviour,
    set(patch) {
      Object.assign(behaviour, patch);
    },
    callsTo(path, method) {
      return calls.filter((call) => call.path === path && (method === undefined || call.method === method));
    },
    close: async () => {
      state.interrupted = true;
      await listening.close();
    },
  };
}
