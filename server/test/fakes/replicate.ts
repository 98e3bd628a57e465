/**
 * A fake Replicate HTTP API (`/v1`): predictions created by version or by model (`Prefer: wait`
 * honoured), advanced one step per GET (starting → processing with tqdm logs → succeeded/failed),
 * cancel, account, the default webhook secret; output files served from the fake itself (like
 * replicate.delivery, no auth). Errors are RFC 7807 `{type?, title, status, detail}`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import { colorFromSeed, fakeMp4, listen, makePng, recordRequest, sendBytes, sendJson, type RecordedCall } from './util.ts';

export interface ReplicateBehaviour {
  /** succeed; fail: the prediction ends `failed`; invalid422: create answers 422; http500/http429: every API route; hang: never answer. */
  mode: 'succeed' | 'fail' | 'invalid422' | 'http500' | 'http429' | 'hang';
  /** GETs of a prediction before it is terminal. */
  pollsToFinish: number;
  /** Output as one URL string or as an array of URLs. */
  output: 'single' | 'array';
  media: 'image' | 'video';
  /** tqdm progress lines in `logs`. */
  logs: boolean;
  /** Required bearer token (null: any). */
  token: string | null;
  /** Error text of a failed prediction. */
  failError: string;
}

const DEFAULT_BEHAVIOUR: ReplicateBehaviour = {
  mode: 'succeed',
  pollsToFinish: 3,
  output: 'array',
  media: 'image',
  logs: true,
  token: null,
  failError: 'NSFW content detected. Try running it again, or try a different prompt.',
};

export interface FakePrediction {
  id: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  logs: string;
  output: unknown;
  data_removed: boolean;
  error: string | null;
  status: 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';
  source: 'api';
  created_at: string;
  started_at?: string;
  completed_at?: string;
  metrics?: { predict_time?: number };
  webhook?: string;
  urls: { get: string; cancel: string; stream?: string; web: string };
}

export interface FakeReplicate {
  url: string;
  /** The API base to give the client: `${url}/v1`. */
  apiUrl: string;
  calls: RecordedCall[];
  behaviour: ReplicateBehaviour;
  set(patch: Partial<ReplicateBehaviour>): void;
  predictions: Map<string, FakePrediction>;
  /** `whsec_…` served by GET /v1/webhooks/default/secret. */
  webhookSecret: string;
  callsTo(path: string | RegExp, method?: string): RecordedCall[];
  close(): Promise<void>;
}

/** Signs a webhook body the way Replicate does; returns the three headers. */
export function signReplicateWebhook(options: { secret: string; id: string; timestamp: number; body: string }): Record<string, string> {
  const key = Buffer.from(options.secret.slice(options.secret.lastIndexOf('_') + 1), 'base64');
  const signature = createHmac('sha256', key).update(`${options.id}.${options.timestamp}.${options.body}`).digest('base64');
  return { 'webhook-id': options.id, 'webhook-timestamp': String(options.timestamp), 'webhook-signature': `v1,${signature}` };
}

function predictionId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(26), (b) => alphabet[b % alphabet.length]).join('');
}

function problem(res: http.ServerResponse, status: number, title: string, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  sendJson(res, status, { title, detail, status, ...extra }, { 'Content-Type': 'application/problem+json', ...headers });
}

export async function startFakeReplicate(options: { behaviour?: Partial<ReplicateBehaviour> } = {}): Promise<FakeReplicate> {
  const behaviour: ReplicateBehaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  const calls: RecordedCall[] = [];
  const predictions = new Map<string, FakePrediction>();
  const polls = new Map<string, number>();
  const files = new Map<string, { bytes: Buffer; type: string }>();
  const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
  let base = '';

  const seedOf = (p: FakePrediction) => (typeof p.input.seed === 'number' ? p.input.seed : 4242);

  const finish = async (p: FakePrediction) => {
    const steps = typeof p.input.num_inference_steps === 'number' ? p.input.num_inference_steps : 28;
    p.completed_at = new Date().toISOString();
    p.metrics = { predict_time: 1.234 };
    if (behaviour.mode === 'fail') {
      p.status = 'failed';
      p.error = behaviour.failError;
      p.logs += `Traceback (most recent call last):\n  File "predict.py", line 88, in predict\nException: ${behaviour.failError}\n`;
      return;
    }
    const count = typeof p.input.num_outputs === 'number' ? Math.min(p.input.num_outputs, 4) : 1;
    const urls: string[] = [];
    for (let i = 0; i < count; i++) {
      const video = behaviour.media === 'video';
      const name = `${p.id}/out-${i}.${video ? 'mp4' : 'png'}`;
      const width = typeof p.input.width === 'number' ? p.input.width : 64;
      const height = typeof p.input.height === 'number' ? p.input.height : 64;
      files.set(name, video ? { bytes: fakeMp4(), type: 'video/mp4' } : { bytes: await makePng({ width, height, color: colorFromSeed(seedOf(p) + i) }), type: 'image/png' });
      urls.push(`${base}/files/${name}`);
    }
    if (behaviour.logs) p.logs += `100%|██████████| ${steps}/${steps} [00:01<00:00, 18.50it/s]\n`;
    p.status = 'succeeded';
    p.output = behaviour.output === 'single' ? urls[0] : urls;
  };

  const advance = async (p: FakePrediction) => {
    if (p.status === 'succeeded' || p.status === 'failed' || p.status === 'canceled') return;
    const n = (polls.get(p.id) ?? 0) + 1;
    polls.set(p.id, n);
    if (n >= behaviour.pollsToFinish) return finish(p);
    const steps = typeof p.input.num_inference_steps === 'number' ? p.input.num_inference_steps : 28;
    if (p.status === 'starting') {
      p.status = 'processing';
      p.started_at = new Date().toISOString();
      p.logs = `Using seed: ${seedOf(p)}\n`;
    }
    if (behaviour.logs) {
      const pct = Math.floor((n / behaviour.pollsToFinish) * 100);
      const done = Math.floor((pct / 100) * steps);
      p.logs += `${String(pct).padStart(3)}%|${'█'.repeat(Math.floor(pct / 10)).padEnd(10)}| ${done}/${steps} [00:00<00:01, 18.50it/s]\n`;
    }
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const call = await recordRequest(req, calls);
      if (behaviour.mode === 'hang') return;
      const fileMatch = /^\/files\/(.+)$/.exec(call.path);
      if (req.method === 'GET' && fileMatch) {
        const file = files.get(decodeURIComponent(fileMatch[1]!));
        return file ? sendBytes(res, 200, file.bytes, file.type) : sendJson(res, 404, { detail: 'not found' });
      }
      if (behaviour.token !== null && req.headers.authorization !== `Bearer ${behaviour.token}`) {
        return problem(res, 401, 'Unauthenticated', 'You did not pass a valid authentication token');
      }
      if (behaviour.mode === 'http500') return problem(res, 500, 'Internal Server Error', 'An unexpected error occurred');
      if (behaviour.mode === 'http429') return problem(res, 429, 'Request was throttled', 'Request was throttled. Expected available in 1 second.', {}, { 'Retry-After': '1' });
      const body = (call.body ?? {}) as Record<string, unknown>;

      if (req.method === 'GET' && call.path === '/v1/account') return sendJson(res, 200, { type: 'user', username: 'atelier-test', name: 'Atelier Test', github_url: null });
      if (req.method === 'GET' && call.path === '/v1/webhooks/default/secret') return sendJson(res, 200, { key: webhookSecret });

      const byModel = /^\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/.exec(call.path);
      if (req.method === 'POST' && (call.path === '/v1/predictions' || byModel)) {
        const input = body.input;
        if (typeof input !== 'object' || input === null) {
          return problem(res, 422, 'Input validation failed', '- input: Invalid type. Expected: object, given: null\n', { invalid_fields: [{ type: 'invalid_type', field: 'input', description: 'Invalid type. Expected: object, given: null' }] });
        }
        if (!byModel && (typeof body.version !== 'string' || body.version === '')) {
          return problem(res, 422, 'Input validation failed', '- version: Invalid type. Expected: string, given: null\n', { invalid_fields: [{ type: 'invalid_type', field: 'version', description: 'Invalid type. Expected: string, given: null' }] });
        }
        const width = (input as Record<string, unknown>).width;
        if (behaviour.mode === 'invalid422' || (typeof width === 'number' && width > 1440)) {
          return problem(res, 422, 'Input validation failed', '- input.width: Must be less than or equal to 1440\n', { invalid_fields: [{ type: 'less_than_or_equal', field: 'input.width', description: 'Must be less than or equal to 1440' }] });
        }
        const id = predictionId();
        const version = typeof body.version === 'string' ? body.version.split(':').pop()! : 'dp-fake-version';
        const prediction: FakePrediction = {
          id,
          model: byModel ? `${byModel[1]}/${byModel[2]}` : typeof body.version === 'string' && body.version.includes(':') ? body.version.split(':')[0]! : 'fake/model',
          version,
          input: input as Record<string, unknown>,
          logs: '',
          output: null,
          data_removed: false,
          error: null,
          status: 'starting',
          source: 'api',
          created_at: new Date().toISOString(),
          ...(typeof body.webhook === 'string' ? { webhook: body.webhook } : {}),
          urls: { get: `${base}/v1/predictions/${id}`, cancel: `${base}/v1/predictions/${id}/cancel`, stream: `${base}/v1/stream/${id}`, web: `https://replicate.com/p/${id}` },
        };
        predictions.set(id, prediction);
        const prefer = String(req.headers.prefer ?? '');
        if (/\bwait\b/.test(prefer) && behaviour.mode === 'succeed') await finish(prediction);
        return sendJson(res, 201, prediction);
      }
      const get = /^\/v1\/predictions\/([^/]+)$/.exec(call.path);
      if (req.method === 'GET' && get) {
        const prediction = predictions.get(get[1]!);
        if (!prediction) return problem(res, 404, 'Not found', 'The requested resource could not be found.');
        await advance(prediction);
        return sendJson(res, 200, prediction);
      }
      const cancel = /^\/v1\/predictions\/([^/]+)\/cancel$/.exec(call.path);
      if (req.method === 'POST' && cancel) {
        const prediction = predictions.get(cancel[1]!);
        if (!prediction) return problem(res, 404, 'Not found', 'The requested resource could not be found.');
        if (prediction.status === 'starting' || prediction.status === 'processing') {
          prediction.status = 'canceled';
          prediction.completed_at = new Date().toISOString();
        }
        return sendJson(res, 200, prediction);
      }
      return problem(res, 404, 'Not found', 'The requested resource could not be found.');
    })().catch((error: unknown) => {
      if (!res.headersSent) problem(res, 500, 'Internal Server Error', String(error));
    });
  });

  const listening = await listen(server);
  base = listening.url;
  return {
    url: listening.url,
    apiUrl: `${listening.url}/v1`,
    calls,
    behaviour,
    set(patch) {
      Object.assign(behaviour, patch);
    },
    predictions,
    webhookSecret,
    callsTo(path, method) {
      return calls.filter((call) => (typeof path === 'string' ? call.path === path : path.test(call.path)) && (method === undefined || call.method === method));
    },
    close: () => listening.close(),
  };
}
