/**
 * A fake ElevenLabs API: `POST /v1/text-to-speech/:voice_id?output_format=…` (checks `xi-api-key`, 422 on empty
 * text, answers a small valid MP3 made once with ffmpeg from a 0.25 s sine tone; where ffmpeg is missing it answers
 * a WAV with `content-type: audio/wav` instead) and `GET /v1/models`. Listens on 127.0.0.1:0.
 */
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toneWav } from './piper.ts';

export interface FakeElevenLabsCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: any;
  voiceId?: string;
}

export interface FakeElevenLabsOptions {
  apiKey?: string;
  mode?: 'ok' | 'hang' | 'serverError' | 'rateLimited';
  /** Known voice ids; others get 404 `voice_not_found`. Default: any. */
  voices?: string[];
  /** When set, `language_code` with any other model gets a 400 (how the API answered before it learned to ignore it). */
  languageModels?: string[];
}

export interface FakeElevenLabs {
  /** Base URL without `/v1` (what the SDK's `baseUrl` wants). */
  url: string;
  calls: FakeElevenLabsCall[];
  options: FakeElevenLabsOptions;
  /** The audio every successful call returns, and its type. */
  audio: { bytes: Buffer; mimeType: string };
  close(): Promise<void>;
}

let cachedAudio: Promise<{ bytes: Buffer; mimeType: string }> | undefined;

/** A ~0.25 s mono MP3 (44.1 kHz, 128 kb/s) from ffmpeg, or a WAV when ffmpeg cannot make one. */
export function sampleAudio(): Promise<{ bytes: Buffer; mimeType: string }> {
  cachedAudio ??= new Promise((resolve) => {
    execFile(
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.25', '-ac', '1', '-ar', '44100', '-b:a', '128k', '-f', 'mp3', 'pipe:1'],
      { encoding: 'buffer', maxBuffer: 1 << 20, timeout: 20_000 },
      (error, stdout) => {
        if (error || stdout.length === 0) resolve({ bytes: toneWav(0.25, 440, 44100), mimeType: 'audio/wav' });
        else resolve({ bytes: stdout, mimeType: 'audio/mpeg' });
      },
    );
  });
  return cachedAudio;
}

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

export async function startFakeElevenLabs(initial: FakeElevenLabsOptions = {}): Promise<FakeElevenLabs> {
  const options: FakeElevenLabsOptions = { apiKey: 'test-eleven-key', ...initial };
  const calls: FakeElevenLabsCall[] = [];
  const audio = await sampleAudio();

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    const match = /^\/v1\/text-to-speech\/([^/]+)$/.exec(url.pathname);
    const voiceId = match ? decodeURIComponent(match[1]!) : undefined;
    calls.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body, voiceId });
    if (options.mode === 'hang') return;
    if (req.headers['xi-api-key'] !== options.apiKey) {
      return sendJson(res, 401, { detail: { status: 'invalid_api_key', message: 'Invalid API key' } });
    }
    if (options.mode === 'serverError') return sendJson(res, 500, { detail: { status: 'internal_error', message: 'Internal error' } });
    if (options.mode === 'rateLimited') return sendJson(res, 429, { detail: { status: 'too_many_concurrent_requests', message: 'Too many requests' } });
    if (req.method === 'GET' && url.pathname === '/v1/models') {
      return sendJson(res, 200, [
        { model_id: 'eleven_multilingual_v2', name: 'Eleven Multilingual v2', can_do_text_to_speech: true },
        { model_id: 'eleven_flash_v2_5', name: 'Eleven Flash v2.5', can_do_text_to_speech: true },
      ]);
    }
    if (req.method === 'POST' && voiceId !== undefined) {
      if (options.voices && !options.voices.includes(voiceId)) {
        return sendJson(res, 404, { detail: { status: 'voice_not_found', message: `A voice with the voice_id ${voiceId} was not found.` } });
      }
      if (!body || typeof body.text !== 'string' || body.text.trim() === '') {
        return sendJson(res, 422, { detail: [{ loc: ['body', 'text'], msg: 'field required', type: 'value_error.missing' }] });
      }
      if (options.languageModels && body.language_code && !options.languageModels.includes(body.model_id)) {
        return sendJson(res, 400, { detail: { status: 'unsupported_language_code', message: `language_code is not supported for model ${body.model_id}` } });
      }
      res.writeHead(200, { 'content-type': audio.mimeType, 'content-length': audio.bytes.length });
      return res.end(audio.bytes);
    }
    sendJson(res, 404, { detail: 'Not Found' });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    options,
    audio,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
