/**
 * ComfyUI client. Workflows are API-format JSON templates (node id → {class_type, inputs}) whose
 * string values may hold `{{placeholders}}` bound from the ImageRequest.
 *
 * Flow: open `/ws?clientId=…` first (so no event is missed), upload reference images
 * (`POST /upload/image`), `POST /prompt` with our client_id and a generated prompt_id, follow the
 * WebSocket (`progress`, `executing`, `execution_success`, `execution_error`…), fall back to polling
 * `/history/{id}` if the socket is unavailable or drops, then fetch every output through `/view`.
 * Cancelling interrupts a running prompt (`POST /interrupt {prompt_id}`) or removes a pending one
 * (`POST /queue {delete: [id]}`).
 */
import { createHash, randomUUID } from 'node:crypto';
import { ProviderError, errorFromFetch, errorFromStatus } from '../types.ts';
import type { ImageProvider, ImageRequest, ProducedFile, ProviderContext } from '../types.ts';
import {
  CLEANUP_GRACE_MS,
  CLEANUP_TIMEOUT_MS,
  DEFAULT_DOWNLOAD_TIMEOUT_MS,
  Http,
  type FetchLike,
  basicAuth,
  extensionFromMime,
  isRecord,
  pickMime,
  randomSeed,
  settleWithin,
  sleep,
  trimBase,
  truncate,
} from './shared.ts';

const PROVIDER = 'comfyui';

/** An API-format workflow: node id → node. Kept loose: templates come from the studio's database. */
export type ComfyWorkflow = Record<string, unknown>;

export interface ComfyUIOptions {
  /** Default http://127.0.0.1:8188. A reverse-proxy prefix (https://host/comfy) works too. */
  baseUrl?: string;
  /** Workflow templates by name; `request.workflow` picks one (default 'default', or 'video' for video requests). */
  workflows: Record<string, unknown>;
  /** Extra headers (e.g. for an authenticating reverse proxy); sent on HTTP calls and the WebSocket upgrade. */
  headers?: Record<string, string>;
  apiKey?: string;
  username?: string;
  password?: string;
  /** Per-request timeout for small calls (queue, upload, prompt, history). Default 30 s. */
  requestTimeoutMs?: number;
  /** Timeout for each `/view` download. Default 120 s. */
  downloadTimeoutMs?: number;
  /** How long to wait for the WebSocket to open before falling back to polling. Default 5 s. */
  wsConnectTimeoutMs?: number;
  /** History polling interval when no WebSocket is available. Default 1 s. */
  pollIntervalMs?: number;
  /** Safety-net history check while the WebSocket is up (events can be lost). Default 10 s. */
  historyCheckMs?: number;
  /** Consecutive failed history polls (without a WebSocket) before giving up as unavailable. Default 5. */
  maxPollFailures?: number;
  /** Subfolder of ComfyUI's input directory for uploaded reference images. Default '' (the root). */
  uploadSubfolder?: string;
  fetch?: FetchLike;
  /** WebSocket constructor; default the global one (Node ≥ 22). */
  WebSocket?: typeof WebSocket;
}

/** One entry of a ProviderError's `details` for a rejected workflow. */
export interface ComfyNodeErrorDetail {
  node: string | null;
  classType?: string;
  type?: string;
  message: string;
  details?: string;
  inputName?: string;
}

/** Placeholders a template may use. `reference_image_<n>` (1-based) picks the n-th reference image. */
export const COMFY_PLACEHOLDERS = [
  'prompt',
  'negative_prompt',
  'seed',
  'width',
  'height',
  'steps',
  'cfg',
  'sampler',
  'lora_name',
  'lora_weight',
  'reference_image',
  'batch_size',
  'duration_seconds',
] as const;

/** Values used when the template asks for something the request left out. */
export const COMFY_DEFAULTS = { steps: 20, cfg: 7, sampler: 'euler', batch_size: 1, duration_seconds: 2 } as const;

const PLACEHOLDER_RE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const EXACT_PLACEHOLDER_RE = /^\{\{\s*([A-Za-z0-9_]+)\s*\}\}$/;
const REFERENCE_N_RE = /^reference_image_(\d+)$/;

function isKnownPlaceholder(name: string): boolean {
  return (COMFY_PLACEHOLDERS as readonly string[]).includes(name) || REFERENCE_N_RE.test(name);
}

/** Every placeholder name used anywhere in the template's string values. */
export function findPlaceholders(template: unknown): Set<string> {
  const found = new Set<string>();
  const walk = (value: unknown) => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(PLACEHOLDER_RE)) found.add(match[1]!);
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (isRecord(value)) Object.values(value).forEach(walk);
  };
  walk(template);
  return found;
}

/**
 * Deep copy of `template` with placeholders replaced: a string that is exactly one placeholder takes the
 * typed value (numbers stay numbers); placeholders inside longer strings are substituted as text.
 * Throws ProviderError('rejected') for names missing from `values`.
 */
export function bindPlaceholders<T>(template: T, values: Record<string, string | number>): T {
  const missing = new Set<string>();
  const lookup = (name: string): string | number | undefined => {
    if (!Object.hasOwn(values, name)) {
      missing.add(name);
      return undefined;
    }
    return values[name];
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const exact = EXACT_PLACEHOLDER_RE.exec(value);
      if (exact) return lookup(exact[1]!) ?? value;
      return value.replace(PLACEHOLDER_RE, (whole, name: string) => {
        const bound = lookup(name);
        return bound === undefined ? whole : String(bound);
      });
    }
    if (Array.isArray(value)) return value.map(walk);
    if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, walk(inner)]));
    return value;
  };
  const bound = walk(template) as T;
  if (missing.size > 0) {
    throw new ProviderError(PROVIDER, 'rejected', `ComfyUI workflow has unknown placeholders: ${[...missing].map((name) => `{{${name}}}`).join(', ')}`, [...missing].map((name) => ({ node: null, type: 'unknown_placeholder', message: `unknown placeholder {{${name}}}` })));
  }
  return bound;
}

function isLink(value: unknown): value is [string, number] {
  return Array.isArray(value) && value.length === 2 && (typeof value[0] === 'string' || typeof value[0] === 'number') && typeof value[1] === 'number';
}

/**
 * Removes LoRA loader nodes whose `lora_name` is `{{lora_name}}` (no LoRA requested), rewiring their
 * consumers to the loader's own model/clip inputs. Anything else that needs a LoRA is rejected.
 */
function bypassLoraNodes(workflow: ComfyWorkflow, workflowName: string): ComfyWorkflow {
  const result: ComfyWorkflow = structuredClone(workflow);
  const bypassed = new Map<string, Record<string, unknown>>();
  for (const [id, node] of Object.entries(result)) {
    if (!isRecord(node) || !isRecord(node.inputs)) continue;
    const usesLora = Object.values(node.inputs).some((value) => typeof value === 'string' && EXACT_PLACEHOLDER_RE.exec(value)?.[1] === 'lora_name');
    if (!usesLora) continue;
    const classType = String(node.class_type ?? '');
    if (!/^LoraLoader/i.test(classType) || !isLink(node.inputs.model)) {
      throw new ProviderError(PROVIDER, 'rejected', `ComfyUI workflow "${workflowName}" needs a LoRA (node ${id} (${classType}) uses {{lora_name}}) and none was given`, [{ node: id, classType, type: 'missing_lora', message: 'no LoRA given' }]);
    }
    bypassed.set(id, node.inputs);
  }
  if (bypassed.size === 0) return result;
  for (const id of bypassed.keys()) delete result[id];
  // Follow chains (LoRA → LoRA) until reaching a node that stays.
  const resolve = (link: [string, number], depth = 0): unknown => {
    const inputs = bypassed.get(String(link[0]));
    if (!inputs || depth > 32) return link;
    const source = link[1] === 0 ? inputs.model : inputs.clip;
    return isLink(source) ? resolve(source, depth + 1) : source;
  };
  for (const node of Object.values(result)) {
    if (!isRecord(node) || !isRecord(node.inputs)) continue;
    for (const [name, value] of Object.entries(node.inputs)) if (isLink(value) && bypassed.has(String(value[0]))) node.inputs[name] = resolve(value);
  }
  return result;
}

/** The first literal sampler seed in a template that does not bind {{seed}}. */
function literalSeed(workflow: ComfyWorkflow): number | undefined {
  for (const node of Object.values(workflow)) {
    if (!isRecord(node) || !isRecord(node.inputs)) continue;
    const value = node.inputs.seed ?? node.inputs.noise_seed;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}

function classTypeOf(workflow: ComfyWorkflow, nodeId: string | null | undefined): string | undefined {
  const node = nodeId == null ? undefined : workflow[String(nodeId)];
  return isRecord(node) && typeof node.class_type === 'string' ? node.class_type : undefined;
}

/** Parses a `/prompt` 400 body into details naming each failing node. */
export function parseNodeErrors(body: unknown): { message: string; details: ComfyNodeErrorDetail[] } {
  const details: ComfyNodeErrorDetail[] = [];
  if (isRecord(body) && isRecord(body.node_errors)) {
    for (const [node, entry] of Object.entries(body.node_errors)) {
      if (!isRecord(entry)) continue;
      const classType = typeof entry.class_type === 'string' ? entry.class_type : undefined;
      const errors = Array.isArray(entry.errors) ? entry.errors : [];
      for (const error of errors) {
        if (!isRecord(error)) continue;
        const extra = isRecord(error.extra_info) ? error.extra_info : {};
        details.push({
          node,
          classType,
          type: typeof error.type === 'string' ? error.type : undefined,
          message: String(error.message ?? 'invalid'),
          details: typeof error.details === 'string' && error.details !== '' ? error.details : undefined,
          inputName: typeof extra.input_name === 'string' ? extra.input_name : undefined,
        });
      }
    }
  }
  const top = isRecord(body) && isRecord(body.error) ? body.error : isRecord(body) && typeof body.error === 'string' ? { message: body.error } : undefined;
  if (details.length === 0 && top) {
    details.push({
      node: null,
      type: typeof top.type === 'string' ? top.type : undefined,
      message: String(top.message ?? 'invalid prompt'),
      details: typeof top.details === 'string' && top.details !== '' ? top.details : undefined,
    });
  }
  const describe = (d: ComfyNodeErrorDetail) =>
    `${d.node === null ? '' : `node ${d.node}${d.classType ? ` (${d.classType})` : ''}: `}${d.message}${d.details ? ` [${d.details}]` : ''}`;
  const message = details.length > 0 ? details.map(describe).join('; ') : 'invalid prompt';
  return { message, details };
}

interface ComfyEvent {
  type: string;
  data: Record<string, unknown>;
}

/** The WebSocket, turned into a queue of parsed text events the generate loop drains. */
class EventChannel {
  readonly events: ComfyEvent[] = [];
  open = false;
  private wake: (() => void) | null = null;
  private readonly socket: WebSocket;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return; // binary previews: u32 type + image
      try {
        const parsed = JSON.parse(event.data) as unknown;
        if (isRecord(parsed) && typeof parsed.type === 'string') {
          this.events.push({ type: parsed.type, data: isRecord(parsed.data) ? parsed.data : {} });
          this.notify();
        }
      } catch {
        // not JSON: ignore
      }
    });
    const closed = () => {
      this.open = false;
      this.notify();
    };
    socket.addEventListener('close', closed);
    socket.addEventListener('error', closed);
  }

  static async connect(url: string, options: { WebSocket: typeof WebSocket; headers: Record<string, string>; timeoutMs: number; signal: AbortSignal }): Promise<EventChannel | null> {
    let socket: WebSocket;
    try {
      socket = Object.keys(options.headers).length > 0 ? new options.WebSocket(url, { headers: options.headers } as unknown as string[]) : new options.WebSocket(url);
    } catch {
      return null;
    }
    const channel = new EventChannel(socket);
    const opened = await new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        resolve(ok);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), options.timeoutMs);
      options.signal.addEventListener('abort', onAbort, { once: true });
      socket.addEventListener('open', () => done(true), { once: true });
      socket.addEventListener('close', () => done(false), { once: true });
      socket.addEventListener('error', () => done(false), { once: true });
    });
    if (!opened) {
      channel.close();
      return null;
    }
    channel.open = true;
    return channel;
  }

  private notify() {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Resolves when an event arrives, the socket closes or `ms` pass; rejects when the signal fires. */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.events.length > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const finish = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.wake = null;
        resolve();
      };
      const onAbort = () => {
        clearTimeout(timer);
        this.wake = null;
        reject(signal.reason);
      };
      const timer = setTimeout(finish, ms);
      signal.addEventListener('abort', onAbort, { once: true });
      this.wake = finish;
    });
  }

  close() {
    this.open = false;
    try {
      this.socket.close();
    } catch {
      // already closing
    }
  }
}

interface HistoryEntry {
  outputs?: Record<string, unknown>;
  status?: { status_str?: string; completed?: boolean; messages?: unknown[] };
}

interface OutputRef {
  nodeId: string;
  kind: string;
  filename: string;
  subfolder: string;
  type: string;
  format?: string;
}

/** Run state of our prompt, as far as the events told us. */
type RunState = 'submitting' | 'pending' | 'running' | 'done';

export class ComfyUIProvider implements ImageProvider {
  readonly type = 'comfyui' as const;
  readonly baseUrl: string;
  private readonly http: Http;
  private readonly workflows: Record<string, unknown>;
  private readonly headers: Record<string, string>;
  private readonly downloadTimeoutMs: number;
  private readonly wsConnectTimeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly historyCheckMs: number;
  private readonly maxPollFailures: number;
  private readonly uploadSubfolder: string;
  private readonly WebSocketImpl: typeof WebSocket | undefined;

  constructor(options: ComfyUIOptions) {
    this.baseUrl = trimBase(options.baseUrl ?? 'http://127.0.0.1:8188');
    this.workflows = options.workflows ?? {};
    const headers: Record<string, string> = { ...options.headers };
    if (options.apiKey) headers.Authorization = `Bearer ${options.apiKey}`;
    else if (options.username !== undefined && options.password !== undefined) headers.Authorization = basicAuth(options.username, options.password);
    this.headers = headers;
    this.http = new Http({ provider: PROVIDER, baseUrl: this.baseUrl, headers, timeoutMs: options.requestTimeoutMs, fetch: options.fetch });
    this.downloadTimeoutMs = options.downloadTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
    this.wsConnectTimeoutMs = options.wsConnectTimeoutMs ?? 5_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.historyCheckMs = options.historyCheckMs ?? 10_000;
    this.maxPollFailures = options.maxPollFailures ?? 5;
    this.uploadSubfolder = options.uploadSubfolder ?? '';
    this.WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
  }

  async health(signal?: AbortSignal): Promise<{ ok: boolean; detail?: string }> {
    try {
      const stats = await this.http.json<{ system?: Record<string, unknown>; devices?: Record<string, unknown>[] }>('/system_stats', { signal, timeoutMs: Math.min(this.http.timeoutMs, 10_000) });
      const device = stats?.devices?.[0];
      const version = stats?.system?.comfyui_version;
      const parts = [version ? `ComfyUI ${String(version)}` : 'ComfyUI'];
      if (device) {
        const free = typeof device.vram_free === 'number' ? ` (${Math.round(device.vram_free / 2 ** 20)} MiB VRAM free)` : '';
        parts.push(`${String(device.name ?? device.type ?? 'device')}${free}`);
      }
      return { ok: true, detail: parts.join(', ') };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  /** Running + pending prompts on this instance (for the pool). Throws ProviderError when unreachable. */
  async queueLength(signal?: AbortSignal, timeoutMs = 3_000): Promise<number> {
    const queue = await this.http.json<{ queue_running?: unknown[]; queue_pending?: unknown[] }>('/queue', { signal, timeoutMs });
    return (queue?.queue_running?.length ?? 0) + (queue?.queue_pending?.length ?? 0);
  }

  /** The template for a request, with every placeholder bound except reference images (bound after upload). */
  private prepare(request: ImageRequest): { name: string; template: ComfyWorkflow; seed: number | undefined; values: Record<string, string | number> } {
    const name = request.workflow ?? (request.output === 'video' && this.workflows.video !== undefined ? 'video' : 'default');
    const raw = this.workflows[name];
    if (!isRecord(raw)) {
      throw new ProviderError(PROVIDER, 'rejected', `ComfyUI workflow "${name}" is not configured (known: ${Object.keys(this.workflows).join(', ') || 'none'})`);
    }
    // Accept both a bare API-format prompt and a {prompt: {...}} wrapper as saved by some tools.
    const template = (isRecord(raw.prompt) && !('class_type' in raw.prompt) ? raw.prompt : raw) as ComfyWorkflow;
    const used = findPlaceholders(template);
    const unknown = [...used].filter((placeholder) => !isKnownPlaceholder(placeholder));
    if (unknown.length > 0) {
      throw new ProviderError(PROVIDER, 'rejected', `ComfyUI workflow "${name}" has unknown placeholders: ${unknown.map((p) => `{{${p}}}`).join(', ')}`, unknown.map((p) => ({ node: null, type: 'unknown_placeholder', message: `unknown placeholder {{${p}}}` })));
    }
    // The seed we report must be the one used: ours when the template binds {{seed}}, else its literal one.
    const seed = used.has('seed') ? (request.seed ?? randomSeed()) : literalSeed(template);
    const values: Record<string, string | number> = {
      prompt: request.prompt,
      negative_prompt: request.negativePrompt ?? '',
      seed: seed ?? 0,
      width: request.width,
      height: request.height,
      steps: request.steps ?? COMFY_DEFAULTS.steps,
      cfg: request.cfgScale ?? COMFY_DEFAULTS.cfg,
      sampler: request.sampler ?? COMFY_DEFAULTS.sampler,
      batch_size: request.batchSize ?? COMFY_DEFAULTS.batch_size,
      duration_seconds: request.durationSeconds ?? COMFY_DEFAULTS.duration_seconds,
    };
    let prepared = template;
    if (request.lora) {
      values.lora_name = request.lora.name;
      values.lora_weight = request.lora.weight;
    } else {
      prepared = bypassLoraNodes(template, name);
      values.lora_weight = 0;
    }
    const references = request.referenceImages ?? [];
    for (const placeholder of used) {
      const n = placeholder === 'reference_image' ? 1 : Number(REFERENCE_N_RE.exec(placeholder)?.[1] ?? 0);
      if (n > 0 && !references[n - 1]) {
        throw new ProviderError(PROVIDER, 'rejected', `ComfyUI workflow "${name}" needs reference image #${n} ({{${placeholder}}}) and the request has ${references.length}`, [{ node: null, type: 'missing_reference_image', message: `{{${placeholder}}} needs a reference image` }]);
      }
    }
    return { name, template: prepared, seed, values };
  }

  /** Uploads the reference images the template uses; returns placeholder → name as ComfyUI knows it. */
  private async uploadReferences(request: ImageRequest, template: ComfyWorkflow, signal: AbortSignal): Promise<{ values: Record<string, string>; uploaded: string[] }> {
    const used = findPlaceholders(template);
    const values: Record<string, string> = {};
    const uploaded: string[] = [];
    const references = request.referenceImages ?? [];
    const byIndex = new Map<number, string>();
    for (const placeholder of used) {
      const n = placeholder === 'reference_image' ? 1 : Number(REFERENCE_N_RE.exec(placeholder)?.[1] ?? 0);
      if (n === 0) continue;
      let bound = byIndex.get(n);
      if (bound === undefined) {
        const image = references[n - 1]!;
        // Content-addressed names: re-uploading the same image is a no-op on the server.
        const hash = createHash('sha256').update(image.bytes).digest('hex').slice(0, 16);
        const ext = extensionFromMime(image.mimeType);
        const form = new FormData();
        form.append('image', new Blob([new Uint8Array(image.bytes)], { type: image.mimeType }), `atelier_${hash}.${ext === 'bin' ? 'png' : ext}`);
        form.append('type', 'input');
        form.append('overwrite', 'true');
        if (this.uploadSubfolder) form.append('subfolder', this.uploadSubfolder);
        const answer = await this.http.json<{ name?: string; subfolder?: string; type?: string }>('/upload/image', { method: 'POST', body: form, signal });
        if (!answer?.name) throw new ProviderError(PROVIDER, 'unavailable', 'ComfyUI upload answered without a file name');
        bound = answer.subfolder ? `${answer.subfolder}/${answer.name}` : answer.name;
        byIndex.set(n, bound);
        uploaded.push(bound);
      }
      values[placeholder] = bound;
    }
    return { values, uploaded };
  }

  async generate(request: ImageRequest, ctx: ProviderContext): Promise<ProducedFile[]> {
    const { signal } = ctx;
    const prepared = this.prepare(request);
    const clientId = randomUUID();
    let promptId: string = randomUUID();
    let state: RunState = 'submitting';
    let channel: EventChannel | null = null;
    let submitted = false;
    try {
      // 1. The socket first: events for our prompt may come before POST /prompt answers.
      if (this.WebSocketImpl) {
        const wsUrl = `${this.baseUrl.replace(/^http/i, 'ws')}/ws?clientId=${encodeURIComponent(clientId)}`;
        channel = await EventChannel.connect(wsUrl, { WebSocket: this.WebSocketImpl, headers: this.headers, timeoutMs: this.wsConnectTimeoutMs, signal });
      }
      if (signal.aborted) throw signal.reason;

      // 2. Reference images.
      const references = await this.uploadReferences(request, prepared.template, signal);
      const workflow = bindPlaceholders(prepared.template, { ...prepared.values, ...references.values });

      // 3. Queue the prompt.
      submitted = true;
      const accepted = await this.submit(workflow, clientId, promptId, prepared.name, signal);
      if (accepted.promptId) promptId = accepted.promptId; // older builds ignore ours and pick their own
      state = 'pending';
      ctx.onProgress(0, 'queued');

      // 4. Follow it.
      const { progressNodes } = await this.follow(workflow, promptId, channel, ctx, (next) => {
        state = next;
      });
      state = 'done';
      channel?.close();
      channel = null;

      // 5. Collect the outputs.
      const entry = await this.finishedHistory(promptId, signal);
      const files = await this.download(entry, promptId, signal);
      if (files.length === 0) throw new ProviderError(PROVIDER, 'rejected', `ComfyUI workflow "${prepared.name}" finished without image or video outputs`);
      ctx.onProgress(1, 'done');
      return files.map((file) => ({
        ...file,
        seed: prepared.seed,
        meta: {
          ...file.meta,
          prompt_id: promptId,
          workflow: prepared.name,
          instance: this.baseUrl,
          sampler_nodes: progressNodes,
          ...(accepted.warnings.length > 0 ? { node_warnings: accepted.warnings } : {}),
          ...(references.uploaded.length > 0 ? { reference_images: references.uploaded } : {}),
        },
      }));
    } catch (error) {
      if (signal.aborted && submitted && state !== 'done') await settleWithin(this.cancelRemote(promptId, state), CLEANUP_GRACE_MS);
      throw errorFromFetch(PROVIDER, error, signal);
    } finally {
      channel?.close();
    }
  }

  private async submit(workflow: ComfyWorkflow, clientId: string, promptId: string, name: string, signal: AbortSignal): Promise<{ promptId?: string; warnings: ComfyNodeErrorDetail[] }> {
    const http = new Http({
      provider: PROVIDER,
      baseUrl: this.baseUrl,
      headers: this.headers,
      timeoutMs: this.http.timeoutMs,
      fetch: this.http.fetchImpl,
      describeError: (status, body, text) => {
        if (status === 400 && isRecord(body)) {
          const parsed = parseNodeErrors(body);
          return new ProviderError(PROVIDER, 'rejected', `ComfyUI rejected workflow "${name}": ${parsed.message}`, parsed.details);
        }
        return errorFromStatus(PROVIDER, status, `ComfyUI answered ${status} to /prompt: ${truncate(text, 300) || 'no body'}`, text || undefined);
      },
    });
    const answer = await http.json<{ prompt_id?: string; number?: number; node_errors?: unknown }>('/prompt', {
      method: 'POST',
      json: { prompt: workflow, client_id: clientId, prompt_id: promptId },
      signal,
    });
    const warnings = isRecord(answer?.node_errors) && Object.keys(answer.node_errors).length > 0 ? parseNodeErrors({ node_errors: answer.node_errors }).details : [];
    return { promptId: typeof answer?.prompt_id === 'string' ? answer.prompt_id : undefined, warnings };
  }

  /** Waits for the prompt to finish, from WebSocket events or, without a socket, by polling history. */
  private async follow(workflow: ComfyWorkflow, promptId: string, channel: EventChannel | null, ctx: ProviderContext, setState: (state: RunState) => void): Promise<{ progressNodes: string[] }> {
    const { signal } = ctx;
    const progressNodes = new Set<string>();
    let pollFailures = 0;
    let lastHistoryCheck = Date.now();
    for (;;) {
      if (channel) {
        while (channel.events.length > 0) {
          const event = channel.events.shift()!;
          const data = event.data;
          if (data.prompt_id !== undefined && data.prompt_id !== promptId) continue;
          switch (event.type) {
            case 'execution_start':
              setState('running');
              ctx.onProgress(0, 'running');
              break;
            case 'executing':
              if (data.prompt_id !== promptId) break;
              if (data.node === null || data.node === undefined) return { progressNodes: [...progressNodes] };
              setState('running');
              ctx.onProgress(0, `executing node ${String(data.node)}${classTypeOf(workflow, String(data.node)) ? ` (${classTypeOf(workflow, String(data.node))})` : ''}`);
              break;
            case 'progress': {
              if (data.prompt_id !== promptId && data.prompt_id !== undefined) break;
              const value = Number(data.value);
              const max = Number(data.max);
              if (Number.isFinite(value) && Number.isFinite(max) && max > 0) {
                setState('running');
                const node = data.node == null ? undefined : String(data.node);
                if (node) progressNodes.add(node);
                ctx.onProgress(Math.min(1, Math.max(0, value / max)), `${node ? `node ${node}${classTypeOf(workflow, node) ? ` (${classTypeOf(workflow, node)})` : ''} ` : ''}${value}/${max}`);
              }
              break;
            }
            case 'execution_success':
              if (data.prompt_id === promptId) return { progressNodes: [...progressNodes] };
              break;
            case 'execution_error':
              if (data.prompt_id === promptId) throw executionError(data);
              break;
            case 'execution_interrupted':
              if (data.prompt_id === promptId) throw new ProviderError(PROVIDER, 'cancelled', `ComfyUI prompt ${promptId} was interrupted on the server${data.node_id ? ` at node ${String(data.node_id)}` : ''}`);
              break;
            default:
              break;
          }
        }
      }
      const socketUp = channel?.open === true;
      if (channel && socketUp) {
        await channel.wait(Math.max(1, this.historyCheckMs - (Date.now() - lastHistoryCheck)), signal);
        if (channel.events.length > 0) continue;
        if (channel.open && Date.now() - lastHistoryCheck < this.historyCheckMs) continue;
      } else {
        await sleep(this.pollIntervalMs, signal);
      }
      // No socket (or it dropped), or it has been quiet for a while: ask the history.
      lastHistoryCheck = Date.now();
      try {
        const entry = await this.history(promptId, signal);
        pollFailures = 0;
        if (entry?.status?.status_str === 'error') throw historyError(entry, promptId);
        if (entry && (entry.status?.completed === true || entry.status?.status_str === 'success' || (entry.status === undefined && isRecord(entry.outputs)))) {
          return { progressNodes: [...progressNodes] };
        }
      } catch (error) {
        if (signal.aborted || !(error instanceof ProviderError) || (error.kind !== 'unavailable' && error.kind !== 'timeout')) throw error;
        pollFailures += 1;
        if (!(channel?.open === true) && pollFailures >= this.maxPollFailures) throw error;
      }
    }
  }

  private async history(promptId: string, signal: AbortSignal): Promise<HistoryEntry | undefined> {
    const all = await this.http.json<Record<string, HistoryEntry>>(`/history/${encodeURIComponent(promptId)}`, { signal });
    return isRecord(all) ? (all[promptId] as HistoryEntry | undefined) : undefined;
  }

  /** History right after "done" can lag a moment behind the events: retry briefly. */
  private async finishedHistory(promptId: string, signal: AbortSignal): Promise<HistoryEntry> {
    for (let attempt = 0; ; attempt++) {
      const entry = await this.history(promptId, signal);
      if (entry?.status?.status_str === 'error') throw historyError(entry, promptId);
      if (entry && (entry.status?.completed !== false || attempt >= 10)) return entry;
      if (attempt >= 10) throw new ProviderError(PROVIDER, 'unavailable', `ComfyUI finished prompt ${promptId} but its history never appeared`);
      await sleep(Math.min(100 * 2 ** attempt, 1_000), signal);
    }
  }

  private async download(entry: HistoryEntry, promptId: string, signal: AbortSignal): Promise<ProducedFile[]> {
    const refs: OutputRef[] = [];
    for (const [nodeId, output] of Object.entries(entry.outputs ?? {})) {
      if (!isRecord(output)) continue;
      for (const [kind, items] of Object.entries(output)) {
        if (!Array.isArray(items)) continue;
        for (const item of items) {
          if (!isRecord(item) || typeof item.filename !== 'string') continue;
          refs.push({
            nodeId,
            kind,
            filename: item.filename,
            subfolder: typeof item.subfolder === 'string' ? item.subfolder : '',
            type: typeof item.type === 'string' ? item.type : 'output',
            format: typeof item.format === 'string' ? item.format : undefined,
          });
        }
      }
    }
    // Preview nodes write to temp; keep them only when the workflow saved nothing.
    const saved = refs.filter((ref) => ref.type === 'output');
    const chosen = saved.length > 0 ? saved : refs;
    const files: ProducedFile[] = [];
    for (const ref of chosen) {
      const { bytes, contentType } = await this.http.bytes('/view', {
        query: { filename: ref.filename, subfolder: ref.subfolder, type: ref.type },
        signal,
        timeoutMs: this.downloadTimeoutMs,
      });
      const formatMime = ref.format && /^(image|video)\//.test(ref.format) ? ref.format.replace(/^video\/h26[45]-mp4$/, 'video/mp4') : undefined;
      const mimeType = pickMime(bytes, ref.filename, contentType);
      files.push({
        bytes,
        mimeType: mimeType === 'application/octet-stream' && formatMime ? formatMime : mimeType,
        filename: ref.filename,
        meta: { prompt_id: promptId, node: ref.nodeId, output_kind: ref.kind, subfolder: ref.subfolder, type: ref.type },
      });
    }
    return files;
  }

  /** After the caller gave up: stop the GPU work we started. Best effort, own short deadline. */
  private async cancelRemote(promptId: string, state: RunState): Promise<void> {
    const cleanup = { signal: undefined, timeoutMs: CLEANUP_TIMEOUT_MS };
    try {
      let where: 'running' | 'pending' | 'unknown' = state === 'running' ? 'running' : 'unknown';
      if (where === 'unknown') {
        try {
          const queue = await this.http.json<{ queue_running?: unknown[][]; queue_pending?: unknown[][] }>('/queue', cleanup);
          if (queue?.queue_running?.some((item) => Array.isArray(item) && item[1] === promptId)) where = 'running';
          else if (queue?.queue_pending?.some((item) => Array.isArray(item) && item[1] === promptId)) where = 'pending';
        } catch {
          // unknown: delete is harmless either way
        }
      }
      // Interrupt only what is ours (older builds ignore prompt_id and stop whatever runs).
      if (where === 'running') await this.http.send('/interrupt', { method: 'POST', json: { prompt_id: promptId }, ...cleanup }, async () => undefined);
      else await this.http.send('/queue', { method: 'POST', json: { delete: [promptId] }, ...cleanup }, async () => undefined);
    } catch {
      // the server may be gone; the caller already has its answer
    }
  }
}

function executionError(data: Record<string, unknown>): ProviderError {
  const node = data.node_id == null ? null : String(data.node_id);
  const classType = typeof data.node_type === 'string' ? data.node_type : undefined;
  const message = String(data.exception_message ?? 'execution failed').trim();
  return new ProviderError(
    PROVIDER,
    'rejected',
    `ComfyUI failed at node ${node ?? '?'}${classType ? ` (${classType})` : ''}: ${truncate(message, 500)}`,
    [{ node, classType, type: typeof data.exception_type === 'string' ? data.exception_type : 'execution_error', message }],
  );
}

function historyError(entry: HistoryEntry, promptId: string): ProviderError {
  for (const message of entry.status?.messages ?? []) {
    if (Array.isArray(message) && message[0] === 'execution_error' && isRecord(message[1])) return executionError(message[1]);
    if (Array.isArray(message) && message[0] === 'execution_interrupted') return new ProviderError(PROVIDER, 'cancelled', `ComfyUI prompt ${promptId} was interrupted on the server`);
  }
  return new ProviderError(PROVIDER, 'rejected', `ComfyUI prompt ${promptId} ended with an error`);
}
