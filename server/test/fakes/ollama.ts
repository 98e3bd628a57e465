/**
 * A faithful-enough fake Ollama server (see /work/shared/reference/PROTOCOLS.md, "Ollama"):
 * `POST /api/chat` (NDJSON stream or one JSON object), `POST /api/embed`, `GET /api/tags`, `GET /api/version`.
 * Listens on 127.0.0.1:0. Every request is recorded in `calls`; `options` can be changed between calls.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOllamaCall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body (undefined for GET or unparsable bodies). */
  body: any;
  /** performance.now() when the request body was read, and when the response was fully written (for benches). */
  receivedAt: number;
  finishedAt?: number;
}

export interface FakeOllamaOptions {
  /** The assistant's reply; a function gets the request body and the 0-based index of this chat call. */
  reply?: string | ((body: any, index: number) => string);
  /** Explicit token split; default splits the reply into words with their trailing spaces. */
  tokens?: string[] | ((reply: string) => string[]);
  /** Delay before each streamed chunk. */
  tokenDelayMs?: number;
  /**
   * - ok: normal stream;
   * - midStreamError: HTTP 200, some tokens, then a final `{"error": …}` line (what Ollama really does);
   * - modelNotFound: 404 `{"error": "model 'x' not found"}` for chat and embed;
   * - hang: accept the request and never answer (headers never sent);
   * - hangMidStream: send `errorAfterTokens` tokens then stall forever;
   * - serverError: 500 `{"error": …}`.
   */
  mode?: 'ok' | 'midStreamError' | 'modelNotFound' | 'hang' | 'hangMidStream' | 'serverError';
  /** For midStreamError/hangMidStream: how many tokens go out first (default 2). */
  errorAfterTokens?: number;
  errorMessage?: string;
  /** When set, any other model name gets a 404 like a real server without that model. */
  models?: string[];
  embeddingDims?: number;
  version?: string;
}

export interface FakeOllama {
  url: string;
  calls: FakeOllamaCall[];
  options: FakeOllamaOptions;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function splitTokens(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

async function readJson(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** Deterministic pseudo-embedding of a text (same text → same vector). */
function embedding(text: string, dims: number): number[] {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619);
  const out: number[] = [];
  for (let i = 0; i < dims; i++) {
    h = Math.imul(h ^ (h >>> 15), 2246822507);
    out.push(((h >>> 0) / 0xffffffff) * 2 - 1);
  }
  return out;
}

export async function startFakeOllama(initial: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const options: FakeOllamaOptions = { ...initial };
  const calls: FakeOllamaCall[] = [];

  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    const call: FakeOllamaCall = { method: req.method ?? 'GET', path, headers: req.headers, body, receivedAt: performance.now() };
    calls.push(call);
    res.on('finish', () => (call.finishedAt = performance.now()));
    const mode = options.mode ?? 'ok';
    const modelMissing = (name: unknown) =>
      mode === 'modelNotFound' || (options.models !== undefined && !options.models.includes(String(name)));

    if (req.method === 'GET' && path === '/api/version') return sendJson(res, 200, { version: options.version ?? '0.12.0' });
    if (req.method === 'GET' && path === '/api/tags') {
      const names = options.models ?? ['llama3.2:latest'];
      return sendJson(res, 200, {
        models: names.map((name) => ({ name, model: name, size: 2_000_000_000, digest: 'sha256:fake', details: { family: 'llama' } })),
      });
    }
    if (req.method === 'POST' && path === '/api/embed') {
      if (modelMissing(body?.model)) return sendJson(res, 404, { error: `model '${body?.model}' not found` });
      const inputs: string[] = Array.isArray(body?.input) ? body.input : [String(body?.input ?? '')];
      return sendJson(res, 200, { model: body?.model, embeddings: inputs.map((t) => embedding(t, options.embeddingDims ?? 8)) });
    }
    if (req.method === 'POST' && path === '/api/chat') {
      // Index among the recorded chat calls: tests that clear `calls` start again at 0.
      const index = calls.filter((c) => c.path === '/api/chat').length - 1;
      if (mode === 'hang') return; // never answer; close() tears the socket down
      if (mode === 'serverError') return sendJson(res, 500, { error: options.errorMessage ?? 'llama runner process has terminated' });
      if (modelMissing(body?.model)) return sendJson(res, 404, { error: `model '${body?.model}' not found` });
      const reply = typeof options.reply === 'function' ? options.reply(body, index) : (options.reply ?? 'Hello from the fake Ollama.');
      const tokens = typeof options.tokens === 'function' ? options.tokens(reply) : (options.tokens ?? splitTokens(reply));
      const model = body?.model ?? 'llama3.2';
      const chunk = (content: string, done: boolean) =>
        JSON.stringify({
          model,
          created_at: new Date().toISOString(),
          message: { role: 'assistant', content },
          done,
          ...(done
            ? { done_reason: 'stop', total_duration: 1_000_000, load_duration: 1000, prompt_eval_count: 10, prompt_eval_duration: 1000, eval_count: tokens.length, eval_duration: 5000 }
            : {}),
        }) + '\n';

      if (body?.stream === false) {
        if (mode === 'midStreamError') return sendJson(res, 500, { error: options.errorMessage ?? 'model crashed' });
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        return res.end(chunk(tokens.join(''), true));
      }
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      let gone = false;
      res.on('close', () => (gone = true));
      const cut = options.errorAfterTokens ?? 2;
      for (let i = 0; i < tokens.length; i++) {
        if ((mode === 'midStreamError' || mode === 'hangMidStream') && i === cut) break;
        if (options.tokenDelayMs) await sleep(options.tokenDelayMs);
        if (gone) return;
        res.write(chunk(tokens[i]!, false));
      }
      if (mode === 'midStreamError') {
        res.end(JSON.stringify({ error: options.errorMessage ?? 'an error was encountered while running the model: unexpected EOF' }) + '\n');
        return;
      }
      if (mode === 'hangMidStream') return; // stall with the connection open
      if (gone) return;
      res.end(chunk('', true));
      return;
    }
    sendJson(res, 404, { error: '404 page not found' });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    options,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
