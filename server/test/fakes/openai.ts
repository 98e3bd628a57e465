/**
 * A fake OpenAI-compatible server (vLLM / llama.cpp / LM Studio / Ollama's /v1 all speak this):
 * `POST /v1/chat/completions` (SSE `data: {chunk}` … `data: [DONE]`, or one JSON object), `POST /v1/embeddings`,
 * `GET /v1/models`; errors as `{"error": {"message", "type", "param", "code"}}`. Listens on 127.0.0.1:0.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { splitTokens } from './ollama.ts';

export interface FakeOpenAICall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface FakeOpenAIOptions {
  reply?: string | ((body: any, index: number) => string);
  tokens?: string[];
  tokenDelayMs?: number;
  /**
   * - ok;
   * - error: answer every chat/embeddings call with `errorStatus` (default 400) and the OpenAI error JSON;
   * - midStreamError: 200 SSE, a couple of chunks, then `data: {"error": {...}}`;
   * - hang: never answer.
   */
  mode?: 'ok' | 'error' | 'midStreamError' | 'hang';
  errorStatus?: number;
  errorMessage?: string;
  errorCode?: string | null;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (401 otherwise). */
  apiKey?: string;
  models?: string[];
  /** When false, /v1/embeddings answers 404 (a server without an embedding endpoint). */
  embeddings?: boolean;
  embeddingDims?: number;
}

export interface FakeOpenAI {
  /** Base URL including `/v1`, as the SDK's `baseURL` wants it. */
  url: string;
  calls: FakeOpenAICall[];
  options: FakeOpenAIOptions;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readJson(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  try {
    return raw ? JSON.parse(raw) : undefined;
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function errorBody(message: string, type: string, code: string | null = null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

export async function startFakeOpenAI(initial: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const options: FakeOpenAIOptions = { ...initial };
  const calls: FakeOpenAICall[] = [];

  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    calls.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
    const mode = options.mode ?? 'ok';

    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendJson(res, 401, errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
    }
    if (req.method === 'GET' && path === '/v1/models') {
      const ids = options.models ?? ['qwen2.5-7b-instruct'];
      return sendJson(res, 200, { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 1700000000, owned_by: 'fake' })) });
    }
    const fail = () =>
      sendJson(res, options.errorStatus ?? 400, errorBody(options.errorMessage ?? 'Invalid request', options.errorStatus === 429 ? 'rate_limit_error' : 'invalid_request_error', options.errorCode ?? null));

    if (req.method === 'POST' && path === '/v1/embeddings') {
      if (mode === 'hang') return;
      if (mode === 'error') return fail();
      if (options.embeddings === false) return sendJson(res, 404, errorBody('Not Found', 'not_found_error'));
      const inputs: string[] = Array.isArray(body?.input) ? body.input : [String(body?.input ?? '')];
      const dims = options.embeddingDims ?? 4;
      const data = inputs.map((t, index) => {
        const vector = Array.from({ length: dims }, (_, i) => ((t.length + i) % 7) / 7);
        const embedding = body?.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
        return { object: 'embedding', index, embedding };
      });
      // Reverse on purpose: clients must order by `index`, not by position.
      return sendJson(res, 200, { object: 'list', data: data.reverse(), model: body?.model, usage: { prompt_tokens: 1, total_tokens: 1 } });
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      // Index among the recorded chat calls: tests that clear `calls` start again at 0.
      const index = calls.filter((c) => c.path === '/v1/chat/completions').length - 1;
      if (mode === 'hang') return;
      if (mode === 'error') return fail();
      const reply = typeof options.reply === 'function' ? options.reply(body, index) : (options.reply ?? 'Hello from the fake OpenAI-compatible server.');
      const tokens = options.tokens ?? splitTokens(reply);
      const id = `chatcmpl-fake-${index}`;
      const created = Math.floor(Date.now() / 1000);
      const model = body?.model ?? 'fake';
      if (!body?.stream) {
        return sendJson(res, 200, {
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: 10, completion_tokens: tokens.length, total_tokens: 10 + tokens.length },
        });
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      let gone = false;
      res.on('close', () => (gone = true));
      const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
      const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
      });
      send(chunk({ role: 'assistant', content: '' }, null));
      for (let i = 0; i < tokens.length; i++) {
        if (mode === 'midStreamError' && i === 2) {
          send(errorBody(options.errorMessage ?? 'The server had an error while processing your request.', 'server_error'));
          res.end();
          return;
        }
        if (options.tokenDelayMs) await sleep(options.tokenDelayMs);
        if (gone) return;
        send(chunk({ content: tokens[i] }, null));
      }
      if (gone) return;
      send(chunk({}, 'stop'));
      res.end('data: [DONE]\n\n');
      return;
    }
    sendJson(res, 404, errorBody(`Unknown route ${req.method} ${path}`, 'not_found_error'));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    calls,
    options,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
