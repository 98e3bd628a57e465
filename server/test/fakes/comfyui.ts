/**
 * A fake ComfyUI server, faithful to the wire protocol in PROTOCOLS.md: `/prompt` with validation and
 * `node_errors`, one worker executing prompts in order, WebSocket events in ComfyUI's order sent only to
 * the socket whose clientId is the prompt's client_id (status/execution_interrupted broadcast),
 * `/history`, `/view`, `/upload/image` (renames same-name different content), `/queue`, `/interrupt`,
 * `/system_stats`, `/object_info`. Every route also answers under `/api`.
 */
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import { acceptWebSocket, colorFromSeed, delay, fakeMp4, listen, makePng, recordRequest, sendBytes, sendJson, sendText, type FakeWebSocket, type Multipart, type RecordedCall } from './util.ts';

export interface ComfyBehaviour {
  /**
   * succeed: validate and run; node_errors: always 400 with an error on the first sampler; execution_error:
   * fail while sampling; http500: every route answers 500; hang: accept connections, never answer.
   */
  mode: 'succeed' | 'node_errors' | 'execution_error' | 'http500' | 'hang';
  /** Progress events per sampler (default: the sampler's steps, at most 8). */
  progressSteps?: number;
  /** Delay between progress events. */
  stepDelayMs: number;
  /** How long a queued prompt waits before it starts (it stays pending meanwhile). */
  startDelayMs: number;
  /** Synthetic entries in /queue (other users' work), for the pool's choice. */
  extraRunning: number;
  extraPending: number;
  /** Newer builds send execution_success; older ones only `executing node:null`. */
  sendExecutionSuccess: boolean;
  /** Newer builds use the client's prompt_id; older ones make their own. */
  honourPromptId: boolean;
  /** Drop every WebSocket abruptly at this point of the run (the client must fall back to polling). */
  dropWebSocketAt: 'execution_start' | 'first_progress' | null;
  /** Never complete WebSocket upgrades (HTTP still works). */
  refuseWebSocket: boolean;
  /** Gap between execution_success and the history entry appearing (the real server has one too). */
  historyLagMs: number;
}

const DEFAULT_BEHAVIOUR: ComfyBehaviour = {
  mode: 'succeed',
  stepDelayMs: 2,
  startDelayMs: 0,
  extraRunning: 0,
  extraPending: 0,
  sendExecutionSuccess: true,
  honourPromptId: true,
  dropWebSocketAt: null,
  refuseWebSocket: false,
  historyLagMs: 5,
};

const SAMPLERS = ['euler', 'euler_ancestral', 'heun', 'dpm_2', 'dpmpp_2m', 'dpmpp_2m_sde', 'dpmpp_sde', 'lcm', 'ddim', 'uni_pc'];
const SAMPLER_NODES = new Set(['KSampler', 'KSamplerAdvanced', 'SamplerCustom', 'SamplerCustomAdvanced']);
const OUTPUT_NODES = new Set(['SaveImage', 'PreviewImage', 'SaveAnimatedWEBP', 'SaveVideo', 'VHS_VideoCombine']);
const KNOWN_NODES = new Set([
  ...SAMPLER_NODES,
  ...OUTPUT_NODES,
  'CheckpointLoaderSimple',
  'CLIPTextEncode',
  'CLIPSetLastLayer',
  'EmptyLatentImage',
  'VAEDecode',
  'VAEEncode',
  'VAELoader',
  'LoadImage',
  'ImageScale',
  'LatentUpscale',
  'LoraLoader',
  'LoraLoaderModelOnly',
  'IPAdapterUnifiedLoaderFaceID',
  'IPAdapterFaceID',
  'PulidModelLoader',
  'PulidInsightFaceLoader',
  'PulidEvaClipLoader',
  'ApplyPulid',
  'InstantIDModelLoader',
  'InstantIDFaceAnalysis',
  'ApplyInstantID',
  'ControlNetLoader',
  'EmptyHunyuanLatentVideo',
  'CreateVideo',
]);

interface Node {
  class_type?: unknown;
  inputs?: Record<string, unknown>;
  _meta?: { title?: string };
}

interface NodeError {
  type: string;
  message: string;
  details: string;
  extra_info: Record<string, unknown>;
}

interface QueuedPrompt {
  number: number;
  id: string;
  prompt: Record<string, Node>;
  clientId: string | undefined;
  extraData: Record<string, unknown>;
  outputs: string[];
  interrupted: boolean;
}

interface StoredFile {
  bytes: Buffer;
  contentType: string;
}

export interface FakeComfyUI {
  url: string;
  /** Every HTTP request received (WebSocket upgrades appear with path /ws). */
  calls: RecordedCall[];
  behaviour: ComfyBehaviour;
  set(patch: Partial<ComfyBehaviour>): void;
  /** clientIds of WebSocket connections, in order. */
  wsClients: string[];
  /** Every event sent on a WebSocket: to whom and what. */
  sent: { clientId: string; type: string; data: Record<string, unknown> }[];
  /** Files in the input folder by `subfolder/name` (uploads). */
  inputs: Map<string, StoredFile>;
  /** Prompts accepted by /prompt, by id. */
  prompts: Map<string, QueuedPrompt>;
  history: Map<string, Record<string, unknown>>;
  /** Calls for a path (with or without the /api prefix). */
  callsTo(path: string, method?: string): RecordedCall[];
  close(): Promise<void>;
}

const EXT_TYPES: Record<string, string> = { png: 'image/png', webp: 'image/webp', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', mp4: 'video/mp4', webm: 'video/webm' };

function isLink(value: unknown): value is [string, number] {
  return Array.isArray(value) && value.length === 2 && (typeof value[0] === 'string' || typeof value[0] === 'number') && typeof value[1] === 'number';
}

function now() {
  return Date.now();
}

export async function startFakeComfyUI(options: { behaviour?: Partial<ComfyBehaviour> } = {}): Promise<FakeComfyUI> {
  const behaviour: ComfyBehaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  const calls: RecordedCall[] = [];
  const sockets = new Map<string, Set<FakeWebSocket>>();
  const wsClients: string[] = [];
  const sent: FakeComfyUI['sent'] = [];
  const inputs = new Map<string, StoredFile>();
  const outputs = new Map<string, StoredFile>(); // `${type}/${subfolder}/${filename}`
  const prompts = new Map<string, QueuedPrompt>();
  const history = new Map<string, Record<string, unknown>>();
  const pending: QueuedPrompt[] = [];
  let running: QueuedPrompt | null = null;
  let counter = 0;
  let fileCounter = 0;
  let workerBusy = false;

  const queueRemaining = () => pending.length + (running ? 1 : 0);

  const send = (clientId: string | undefined, type: string, data: Record<string, unknown>) => {
    if (!clientId) return;
    for (const socket of sockets.get(clientId) ?? []) {
      sent.push({ clientId, type, data });
      socket.sendJson({ type, data });
    }
  };
  const broadcast = (type: string, data: Record<string, unknown>) => {
    for (const clientId of sockets.keys()) send(clientId, type, data);
  };
  const broadcastStatus = () => broadcast('status', { status: { exec_info: { queue_remaining: queueRemaining() } } });
  const dropSockets = () => {
    for (const set of sockets.values()) for (const socket of set) socket.destroy();
  };

  // ------------------------------------------------------------------ validation (validate_prompt)

  const validate = (prompt: Record<string, Node>): { status: number; body: Record<string, unknown> } | null => {
    for (const [id, node] of Object.entries(prompt)) {
      if (typeof node !== 'object' || node === null || typeof node.class_type !== 'string') {
        return { status: 400, body: { error: { type: 'invalid_prompt', message: `Cannot execute because a node is missing the class_type property.`, details: `Node ID '#${id}'`, extra_info: {} }, node_errors: {} } };
      }
      if (!KNOWN_NODES.has(node.class_type)) {
        return {
          status: 400,
          body: {
            error: { type: 'missing_node_type', message: `Node '${node.class_type}' not found. The custom node may not be installed.`, details: `Node ID '#${id}'`, extra_info: { node_id: id, class_type: node.class_type, node_title: node._meta?.title ?? node.class_type } },
            node_errors: {},
          },
        };
      }
    }
    const outputIds = Object.entries(prompt).filter(([, node]) => OUTPUT_NODES.has(String(node.class_type))).map(([id]) => id);
    if (outputIds.length === 0) {
      return { status: 400, body: { error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '', extra_info: {} }, node_errors: {} } };
    }
    const nodeErrors: Record<string, { errors: NodeError[]; dependent_outputs: string[]; class_type: string }> = {};
    const addError = (id: string, error: NodeError) => {
      const classType = String(prompt[id]!.class_type);
      (nodeErrors[id] ??= { errors: [], dependent_outputs: outputIds, class_type: classType }).errors.push(error);
    };
    for (const [id, node] of Object.entries(prompt)) {
      const inputsOf = node.inputs ?? {};
      for (const [name, value] of Object.entries(inputsOf)) {
        if (isLink(value) && !prompt[String(value[0])]) {
          addError(id, { type: 'bad_linked_input', message: 'Bad linked input, must be a length-2 list of [string, int]', details: `${name}, ${JSON.stringify(value)}`, extra_info: { input_name: name, received_value: value } });
        }
      }
      if (SAMPLER_NODES.has(String(node.class_type))) {
        for (const required of ['model', 'seed', 'steps', 'cfg', 'sampler_name', 'scheduler', 'positive', 'negative', 'latent_image']) {
          if (node.class_type === 'KSampler' && !(required in inputsOf)) {
            addError(id, { type: 'required_input_missing', message: 'Required input is missing', details: required, extra_info: { input_name: required } });
          }
        }
        const steps = inputsOf.steps;
        if (steps !== undefined && !isLink(steps)) {
          if (typeof steps !== 'number' || !Number.isInteger(steps)) {
            addError(id, { type: 'invalid_input_type', message: `Failed to convert an input value to a INT value`, details: `steps, ${String(steps)}`, extra_info: { input_name: 'steps', received_value: steps } });
          } else if (steps < 1) {
            addError(id, { type: 'value_smaller_than_min', message: `Value ${steps} smaller than min of 1`, details: 'steps', extra_info: { input_name: 'steps', input_config: ['INT', { default: 20, min: 1, max: 10000 }], received_value: steps } });
          } else if (steps > 10_000) {
            addError(id, { type: 'value_bigger_than_max', message: `Value ${steps} bigger than max of 10000`, details: 'steps', extra_info: { input_name: 'steps', received_value: steps } });
          }
        }
        const seed = inputsOf.seed ?? inputsOf.noise_seed;
        if (typeof seed === 'number' && seed < 0) {
          addError(id, { type: 'value_smaller_than_min', message: `Value ${seed} smaller than min of 0`, details: 'seed', extra_info: { input_name: 'seed', received_value: seed } });
        }
        const sampler = inputsOf.sampler_name;
        if (typeof sampler === 'string' && !SAMPLERS.includes(sampler)) {
          addError(id, { type: 'value_not_in_list', message: 'Value not in list', details: `sampler_name: '${sampler}' not in ${JSON.stringify(SAMPLERS)}`, extra_info: { input_name: 'sampler_name', received_value: sampler } });
        }
      }
      if (node.class_type === 'LoadImage') {
        const image = inputsOf.image;
        if (typeof image !== 'string' || !inputs.has(image)) {
          addError(id, { type: 'custom_validation_failed', message: 'Custom validation failed for node', details: `image - Invalid image file: ${String(image)}`, extra_info: { input_name: 'image', received_value: image } });
        }
      }
      if (String(node.class_type).startsWith('LoraLoader') && typeof inputsOf.lora_name === 'string' && !/\.(safetensors|ckpt|pt)$/.test(inputsOf.lora_name)) {
        addError(id, { type: 'value_not_in_list', message: 'Value not in list', details: `lora_name: '${inputsOf.lora_name}' not in (list of length 3)`, extra_info: { input_name: 'lora_name', received_value: inputsOf.lora_name } });
      }
    }
    if (behaviour.mode === 'node_errors' && Object.keys(nodeErrors).length === 0) {
      const target = Object.keys(prompt).find((id) => SAMPLER_NODES.has(String(prompt[id]!.class_type))) ?? Object.keys(prompt)[0]!;
      addError(target, { type: 'value_smaller_than_min', message: 'Value 0 smaller than min of 1', details: 'steps', extra_info: { input_name: 'steps', received_value: 0 } });
    }
    if (Object.keys(nodeErrors).length > 0) {
      return { status: 400, body: { error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} }, node_errors: nodeErrors } };
    }
    return null;
  };

  /** Execution order: dependencies first (links point at their sources). */
  const order = (prompt: Record<string, Node>): string[] => {
    const done = new Set<string>();
    const result: string[] = [];
    const visit = (id: string, depth = 0) => {
      if (done.has(id) || depth > 256 || !prompt[id]) return;
      done.add(id);
      for (const value of Object.values(prompt[id]!.inputs ?? {})) if (isLink(value)) visit(String(value[0]), depth + 1);
      result.push(id);
    };
    Object.keys(prompt).forEach((id) => visit(id));
    return result;
  };

  const latentOf = (prompt: Record<string, Node>) => {
    const latent = Object.values(prompt).find((node) => node.class_type === 'EmptyLatentImage' || node.class_type === 'EmptyHunyuanLatentVideo');
    const num = (value: unknown, fallback: number) => (typeof value === 'number' && value > 0 ? value : fallback);
    return { width: num(latent?.inputs?.width, 64), height: num(latent?.inputs?.height, 64), batch: Math.min(num(latent?.inputs?.batch_size, 1), 8) };
  };

  const seedOf = (prompt: Record<string, Node>) => {
    const sampler = Object.values(prompt).find((node) => SAMPLER_NODES.has(String(node.class_type)));
    const seed = sampler?.inputs?.seed ?? sampler?.inputs?.noise_seed;
    return typeof seed === 'number' ? seed : 0;
  };

  /** What an output node writes, stored for /view. */
  const produce = async (job: QueuedPrompt, nodeId: string, node: Node): Promise<Record<string, unknown>> => {
    const { width, height, batch } = latentOf(job.prompt);
    const prefix = typeof node.inputs?.filename_prefix === 'string' ? node.inputs.filename_prefix : 'ComfyUI';
    const classType = String(node.class_type);
    const workflow = (job.extraData.extra_pnginfo as Record<string, unknown> | undefined)?.workflow;
    const text: Record<string, string> = { prompt: JSON.stringify(job.prompt) };
    if (workflow !== undefined) text.workflow = JSON.stringify(workflow);
    if (classType === 'VHS_VideoCombine' || classType === 'SaveVideo') {
      fileCounter += 1;
      const filename = `${prefix}_${String(fileCounter).padStart(5, '0')}.mp4`;
      outputs.set(`output//${filename}`, { bytes: fakeMp4(), contentType: 'video/mp4' });
      const item = { filename, subfolder: '', type: 'output' };
      return classType === 'VHS_VideoCombine' ? { gifs: [{ ...item, format: 'video/h264-mp4', frame_rate: 8, workflow: `${prefix}.png` }] } : { images: [item], animated: [true] };
    }
    const type = classType === 'PreviewImage' ? 'temp' : 'output';
    const images: Record<string, unknown>[] = [];
    for (let i = 0; i < batch; i++) {
      fileCounter += 1;
      const filename = type === 'temp' ? `ComfyUI_temp_${randomUUID().slice(0, 5)}_${String(fileCounter).padStart(5, '0')}_.png` : `${prefix}_${String(fileCounter).padStart(5, '0')}_.png`;
      let bytes = await makePng({ width, height, color: colorFromSeed(seedOf(job.prompt) + i), text });
      let contentType = 'image/png';
      if (classType === 'SaveAnimatedWEBP') {
        const { default: sharp } = await import('sharp');
        bytes = await sharp(bytes).webp().toBuffer();
        contentType = 'image/webp';
      }
      const name = classType === 'SaveAnimatedWEBP' ? filename.replace(/\.png$/, '.webp') : filename;
      outputs.set(`${type}//${name}`, { bytes, contentType });
      images.push({ filename: name, subfolder: '', type });
    }
    return classType === 'SaveAnimatedWEBP' ? { images, animated: [true] } : { images };
  };

  // ------------------------------------------------------------------ the worker (prompt_worker)

  const execute = async (job: QueuedPrompt) => {
    const messages: unknown[][] = [];
    const message = (type: string, data: Record<string, unknown>, broadcastIt = false) => {
      messages.push([type, data]);
      if (broadcastIt) broadcast(type, data);
      else send(job.clientId, type, data);
    };
    const nodeOutputs: Record<string, unknown> = {};
    const executed: string[] = [];
    let status: 'success' | 'error' = 'success';
    message('execution_start', { prompt_id: job.id, timestamp: now() });
    if (behaviour.dropWebSocketAt === 'execution_start') dropSockets();
    message('execution_cached', { nodes: [], prompt_id: job.id, timestamp: now() });
    let firstProgress = true;
    outer: for (const nodeId of order(job.prompt)) {
      const node = job.prompt[nodeId]!;
      const classType = String(node.class_type);
      if (job.interrupted) break;
      send(job.clientId, 'executing', { node: nodeId, display_node: nodeId, prompt_id: job.id });
      if (SAMPLER_NODES.has(classType)) {
        const steps = typeof node.inputs?.steps === 'number' ? node.inputs.steps : 20;
        const max = behaviour.progressSteps ?? Math.min(steps, 8);
        for (let value = 1; value <= max; value++) {
          await delay(behaviour.stepDelayMs);
          if (job.interrupted) break outer;
          if (behaviour.mode === 'execution_error' && value === Math.ceil(max / 2)) {
            status = 'error';
            message('execution_error', {
              prompt_id: job.id,
              node_id: nodeId,
              node_type: classType,
              executed,
              exception_message: 'Allocation on device 0 would exceed allowed memory. (out of memory)\nCurrently allocated     : 7.80 GiB',
              exception_type: 'torch.OutOfMemoryError',
              traceback: ['  File "execution.py", line 327, in execute\n'],
              current_inputs: {},
              current_outputs: {},
              timestamp: now(),
            });
            break outer;
          }
          send(job.clientId, 'progress', { value, max, prompt_id: job.id, node: nodeId });
          if (firstProgress && behaviour.dropWebSocketAt === 'first_progress') dropSockets();
          firstProgress = false;
        }
      }
      if (OUTPUT_NODES.has(classType)) {
        const output = await produce(job, nodeId, node);
        nodeOutputs[nodeId] = output;
        send(job.clientId, 'executed', { node: nodeId, display_node: nodeId, output, prompt_id: job.id });
      }
      executed.push(nodeId);
    }
    if (job.interrupted && status === 'success') {
      status = 'error';
      message('execution_interrupted', { prompt_id: job.id, node_id: executed.at(-1) ?? null, node_type: null, executed, timestamp: now() }, true);
    }
    if (status === 'success' && behaviour.sendExecutionSuccess) message('execution_success', { prompt_id: job.id, timestamp: now() });
    await delay(behaviour.historyLagMs);
    history.set(job.id, {
      prompt: [job.number, job.id, job.prompt, job.extraData, job.outputs],
      outputs: status === 'success' ? nodeOutputs : {},
      status: { status_str: status, completed: status === 'success', messages },
      meta: Object.fromEntries(Object.keys(nodeOutputs).map((id) => [id, { node_id: id, display_node: id, parent_node: null, real_node_id: id }])),
    });
    send(job.clientId, 'executing', { node: null, prompt_id: job.id });
  };

  const work = async () => {
    if (workerBusy) return;
    workerBusy = true;
    try {
      while (pending.length > 0) {
        if (behaviour.startDelayMs > 0) await delay(behaviour.startDelayMs);
        const job = pending.shift();
        if (!job) break;
        running = job;
        broadcastStatus();
        try {
          await execute(job);
        } finally {
          running = null;
          broadcastStatus();
        }
      }
    } finally {
      workerBusy = false;
    }
  };

  // ------------------------------------------------------------------ HTTP routes

  const queueItem = (job: QueuedPrompt) => [job.number, job.id, job.prompt, { client_id: job.clientId, ...job.extraData }, job.outputs];
  const synthetic = (n: number) => Array.from({ length: n }, (_, i) => [1000 + i, `other-${i}`, {}, {}, []]);

  const server = http.createServer((req, res) => {
    void (async () => {
      const call = await recordRequest(req, calls);
      if (behaviour.mode === 'hang') return; // never answer
      if (behaviour.mode === 'http500') return sendText(res, 500, '500: Internal Server Error');
      const path = call.path.replace(/^\/api(?=\/)/, '');
      const body = call.body as Record<string, unknown> | undefined;

      if (req.method === 'GET' && path === '/system_stats') {
        return sendJson(res, 200, {
          system: { os: 'posix', ram_total: 34359738368, ram_free: 20000000000, comfyui_version: '0.3.40-fake', python_version: '3.12.3', pytorch_version: '2.7.0', embedded_python: false, argv: ['main.py', '--listen'] },
          devices: [{ name: 'cuda:0 Fake GPU : cudaMallocAsync', type: 'cuda', index: 0, vram_total: 25757220864, vram_free: 24000000000, torch_vram_total: 0, torch_vram_free: 0 }],
        });
      }
      if (req.method === 'GET' && path === '/object_info') return sendJson(res, 200, Object.fromEntries([...KNOWN_NODES].map((name) => [name, { name, display_name: name, category: 'fake', output_node: OUTPUT_NODES.has(name) }])));
      if (req.method === 'GET' && path === '/prompt') return sendJson(res, 200, { exec_info: { queue_remaining: queueRemaining() } });
      if (req.method === 'POST' && path === '/prompt') {
        if (!body || typeof body !== 'object' || typeof body.prompt !== 'object' || body.prompt === null) {
          return sendJson(res, 400, { error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} }, node_errors: {} });
        }
        const prompt = body.prompt as Record<string, Node>;
        let id = typeof body.prompt_id === 'string' && behaviour.honourPromptId ? body.prompt_id : randomUUID();
        if (typeof body.prompt_id === 'string' && behaviour.honourPromptId && !/^[0-9a-f-]{36}$/.test(body.prompt_id)) {
          return sendJson(res, 400, { error: { type: 'invalid_prompt_id', message: 'Invalid prompt_id', details: body.prompt_id, extra_info: {} }, node_errors: {} });
        }
        const invalid = validate(prompt);
        if (invalid) return sendJson(res, invalid.status, invalid.body);
        if (prompts.has(id)) id = randomUUID();
        const job: QueuedPrompt = {
          number: counter++,
          id,
          prompt,
          clientId: typeof body.client_id === 'string' ? body.client_id : undefined,
          extraData: (body.extra_data as Record<string, unknown> | undefined) ?? {},
          outputs: Object.keys(prompt).filter((nodeId) => OUTPUT_NODES.has(String(prompt[nodeId]!.class_type))),
          interrupted: false,
        };
        prompts.set(id, job);
        pending.push(job);
        sendJson(res, 200, { prompt_id: id, number: job.number, node_errors: {} });
        broadcastStatus();
        void work();
        return;
      }
      if (req.method === 'GET' && path === '/queue') {
        return sendJson(res, 200, {
          queue_running: [...(running ? [queueItem(running)] : []), ...synthetic(behaviour.extraRunning)],
          queue_pending: [...pending.map(queueItem), ...synthetic(behaviour.extraPending)],
        });
      }
      if (req.method === 'POST' && path === '/queue') {
        if (body?.clear === true) pending.splice(0);
        if (Array.isArray(body?.delete)) {
          for (const id of body.delete) {
            const index = pending.findIndex((job) => job.id === id);
            if (index >= 0) pending.splice(index, 1);
          }
        }
        broadcastStatus();
        return sendJson(res, 200, {});
      }
      if (req.method === 'POST' && path === '/interrupt') {
        const target = typeof body?.prompt_id === 'string' ? body.prompt_id : undefined;
        if (running && (target === undefined || running.id === target)) running.interrupted = true;
        return sendJson(res, 200, {});
      }
      if (req.method === 'GET' && path === '/history') return sendJson(res, 200, Object.fromEntries(history));
      const historyMatch = /^\/history\/([^/]+)$/.exec(path);
      if (req.method === 'GET' && historyMatch) {
        const id = decodeURIComponent(historyMatch[1]!);
        const entry = history.get(id);
        return sendJson(res, 200, entry ? { [id]: entry } : {});
      }
      if (req.method === 'GET' && path === '/view') {
        const filename = call.query.filename ?? '';
        const subfolder = call.query.subfolder ?? '';
        const type = call.query.type ?? 'output';
        if (filename === '' || filename.includes('..') || filename.startsWith('/') || subfolder.includes('..') || subfolder.startsWith('/')) return sendText(res, 400, '400: Bad Request');
        const file = type === 'input' ? inputs.get(subfolder ? `${subfolder}/${filename}` : filename) : outputs.get(`${type}/${subfolder}/${filename}`);
        if (!file) return sendText(res, 404, '404: Not Found');
        const ext = filename.split('.').pop()?.toLowerCase() ?? '';
        return sendBytes(res, 200, file.bytes, EXT_TYPES[ext] ?? file.contentType, { 'Content-Disposition': `filename="${filename}"` });
      }
      if (req.method === 'POST' && path === '/upload/image') {
        const form = body as Multipart | undefined;
        const file = form?.files?.find((f) => f.name === 'image');
        if (!form || !file || !file.filename) return sendText(res, 400, '400: Bad Request');
        const subfolder = form.fields.subfolder ?? '';
        const type = form.fields.type ?? 'input';
        const overwrite = form.fields.overwrite === 'true' || form.fields.overwrite === '1';
        let name = file.filename.split(/[\\/]/).pop()!;
        const keyOf = (n: string) => (subfolder ? `${subfolder}/${n}` : n);
        if (!overwrite) {
          const dot = name.lastIndexOf('.');
          const stem = dot > 0 ? name.slice(0, dot) : name;
          const ext = dot > 0 ? name.slice(dot) : '';
          let i = 1;
          const same = (existing: StoredFile | undefined) => existing !== undefined && createHash('sha256').update(existing.bytes).digest('hex') === createHash('sha256').update(file.data).digest('hex');
          while (inputs.has(keyOf(name)) && !same(inputs.get(keyOf(name)))) name = `${stem} (${i++})${ext}`;
        }
        inputs.set(keyOf(name), { bytes: file.data, contentType: file.contentType ?? 'application/octet-stream' });
        return sendJson(res, 200, { name, subfolder, type });
      }
      return sendText(res, 404, '404: Not Found');
    })().catch((error: unknown) => {
      if (!res.headersSent) sendText(res, 500, String(error));
    });
  });

  server.on('upgrade', (req, socket) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    calls.push({ method: 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: undefined, at: Date.now() });
    if (behaviour.mode === 'hang' || behaviour.refuseWebSocket) return; // never answer the upgrade
    if (url.pathname !== '/ws' && url.pathname !== '/api/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const ws = acceptWebSocket(req, socket);
    if (!ws) return;
    const clientId = url.searchParams.get('clientId') ?? randomUUID().replaceAll('-', '');
    wsClients.push(clientId);
    if (!sockets.has(clientId)) sockets.set(clientId, new Set());
    sockets.get(clientId)!.add(ws);
    ws.onClose(() => {
      sockets.get(clientId)?.delete(ws);
      if (sockets.get(clientId)?.size === 0) sockets.delete(clientId);
    });
    send(clientId, 'status', { status: { exec_info: { queue_remaining: queueRemaining() } }, sid: clientId });
  });

  const listening = await listen(server);
  return {
    url: listening.url,
    calls,
    behaviour,
    set(patch) {
      Object.assign(behaviour, patch);
    },
    wsClients,
    sent,
    inputs,
    prompts,
    history,
    callsTo(path, method) {
      return calls.filter((call) => call.path.replace(/^\/api(?=\/)/, '') === path && (method === undefined || call.method === method));
    },
    close: async () => {
      for (const job of prompts.values()) job.interrupted = true;
      dropSockets();
      await listening.close();
    },
  };
}
