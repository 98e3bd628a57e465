/**
 * A fake Stability AI REST API: `POST /v2beta/stable-image/generate/{core,ultra,sd3}` (multipart) answering
 * image bytes with `seed`/`finish-reason` headers for `Accept: image/*`, or `{image, seed, finish_reason}`
 * for `Accept: application/json`; errors `{id, name, errors: [...]}`; `GET /v1/user/balance`.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import sharp from 'sharp';
import { colorFromSeed, listen, makePng, recordRequest, sendBytes, sendJson, type Multipart, type RecordedCall } from './util.ts';

export interface StabilityBehaviour {
  /**
   * succeed; filtered: 200 with finish-reason CONTENT_FILTERED (a blurred image); moderated: 403
   * content_moderation; http500 / http429: that status; hang: never answer.
   */
  mode: 'succeed' | 'filtered' | 'moderated' | 'http500' | 'http429' | 'hang';
  /** Required bearer key (null: any non-empty). */
  apiKey: string | null;
  credits: number;
}

const DEFAULT_BEHAVIOUR: StabilityBehaviour = { mode: 'succeed', apiKey: null, credits: 42.5 };

export interface FakeStability {
  url: string;
  calls: RecordedCall[];
  behaviour: StabilityBehaviour;
  set(patch: Partial<StabilityBehaviour>): void;
  callsTo(path: string, method?: string): RecordedCall[];
  close(): Promise<void>;
}

const ASPECTS: Record<string, [number, number]> = { '21:9': [84, 36], '16:9': [80, 45], '3:2': [72, 48], '5:4': [70, 56], '1:1': [64, 64], '4:5': [56, 70], '2:3': [48, 72], '9:16': [45, 80], '9:21': [36, 84] };
const FORMATS: Record<string, string[]> = { core: ['png', 'jpeg', 'webp'], ultra: ['png', 'jpeg', 'webp'], sd3: ['png', 'jpeg'] };

function errorBody(res: http.ServerResponse, status: number, name: string, errors: string[]) {
  sendJson(res, status, { id: randomBytes(16).toString('hex'), name, errors });
}

export async function startFakeStability(options: { behaviour?: Partial<StabilityBehaviour> } = {}): Promise<FakeStability> {
  const behaviour: StabilityBehaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  const calls: RecordedCall[] = [];

  const server = http.createServer((req, res) => {
    void (async () => {
      const call = await recordRequest(req, calls);
      if (behaviour.mode === 'hang') return;
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer ') || auth === 'Bearer ' || (behaviour.apiKey !== null && auth !== `Bearer ${behaviour.apiKey}`)) {
        return errorBody(res, 401, 'unauthorized', ['authorization: invalid or missing API key']);
      }
      if (req.method === 'GET' && call.path === '/v1/user/balance') return sendJson(res, 200, { credits: behaviour.credits });
      const generate = /^\/v2beta\/stable-image\/generate\/(core|ultra|sd3)$/.exec(call.path);
      if (req.method !== 'POST' || !generate) return errorBody(res, 404, 'not_found', [`${call.path} not found`]);
      if (behaviour.mode === 'http500') return errorBody(res, 500, 'internal_error', ['An unexpected server error has occurred, please try again later.']);
      if (behaviour.mode === 'http429') return errorBody(res, 429, 'rate_limit_exceeded', ['You have exceeded the rate limit of 150 requests within a 10 second period.']);
      const endpoint = generate[1]!;
      const form = call.body as Multipart | undefined;
      if (!form || !('fields' in form)) return errorBody(res, 400, 'bad_request', ['body: must be multipart/form-data']);
      const f = form.fields;
      const errors: string[] = [];
      if (!f.prompt || f.prompt.trim() === '') errors.push('prompt: cannot be empty');
      else if (f.prompt.length > 10_000) errors.push('prompt: must be at most 10000 characters');
      const aspect = f.aspect_ratio ?? '1:1';
      if (!ASPECTS[aspect]) errors.push(`aspect_ratio: must be one of ${Object.keys(ASPECTS).join(', ')}`);
      const format = f.output_format ?? 'png';
      if (!FORMATS[endpoint]!.includes(format)) errors.push(`output_format: must be one of ${FORMATS[endpoint]!.join(', ')}`);
      const seedField = f.seed === undefined ? 0 : Number(f.seed);
      if (!Number.isInteger(seedField) || seedField < 0 || seedField > 4_294_967_294) errors.push('seed: must be an integer between 0 and 4294967294');
      const hasImage = form.files.some((file) => file.name === 'image');
      if (endpoint === 'core' && hasImage) errors.push('image: not accepted by this endpoint');
      if (hasImage && f.strength === undefined) errors.push('strength: required when image is provided');
      if (errors.length > 0) return errorBody(res, 400, 'bad_request', errors);
      if (behaviour.mode === 'moderated') {
        return errorBody(res, 403, 'content_moderation', ['Your request was flagged by our content moderation system, as a result your request was denied and you were not charged.']);
      }
      const seed = seedField === 0 ? Math.floor(Math.random() * 4_294_967_294) + 1 : seedField;
      const [width, height] = ASPECTS[aspect]!;
      let image = await makePng({ width, height, color: colorFromSeed(seed) });
      const filtered = behaviour.mode === 'filtered';
      if (filtered) image = await sharp(image).blur(8).png().toBuffer();
      const mime = format === 'png' ? 'image/png' : format === 'jpeg' ? 'image/jpeg' : 'image/webp';
      if (format === 'jpeg') image = await sharp(image).jpeg().toBuffer();
      if (format === 'webp') image = await sharp(image).webp().toBuffer();
      const finishReason = filtered ? 'CONTENT_FILTERED' : 'SUCCESS';
      const accept = String(req.headers.accept ?? 'image/*');
      if (accept.includes('application/json')) return sendJson(res, 200, { image: image.toString('base64'), seed, finish_reason: finishReason });
      if (!accept.includes('image/') && !accept.includes('*/*')) return errorBody(res, 400, 'bad_request', ['accept: must be image/* or application/json']);
      return sendBytes(res, 200, image, mime, { seed: String(seed), 'finish-reason': finishReason });
    })().catch((error: unknown) => {
      if (!res.headersSent) errorBody(res, 500, 'internal_error', [String(error)]);
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
    close: () => listening.close(),
  };
}
