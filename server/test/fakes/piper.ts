/**
 * A fake Piper HTTP server (`python3 -m piper.http_server`): `POST /` with JSON `{text, voice?, speaker_id?,
 * length_scale?}` → WAV; `GET /voices`. `legacy: true` imitates older servers that took the raw request body as
 * the text: they refuse JSON here with 415 and answer `text/plain` bodies. The WAV is written in code (PCM 16-bit
 * mono sine tone), its length scaled by `length_scale`. Listens on 127.0.0.1:0.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A canonical 44-byte-header PCM WAV around 16-bit mono samples. */
export function makeWav(samples: Int16Array, sampleRate: number): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

export function toneWav(seconds: number, frequency = 440, sampleRate = 22050): Buffer {
  const n = Math.max(1, Math.round(seconds * sampleRate));
  const samples = new Int16Array(n);
  for (let i = 0; i < n; i++) samples[i] = Math.round(Math.sin((2 * Math.PI * frequency * i) / sampleRate) * 8000);
  return makeWav(samples, sampleRate);
}

export interface FakePiperCall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  contentType: string | undefined;
  /** Raw body text. */
  raw: string;
  /** Parsed JSON body when the request was JSON. */
  body: any;
}

export interface FakePiperOptions {
  legacy?: boolean;
  voices?: string[];
  /** Seconds of audio per character of text at length_scale 1 (default 0.01). */
  secondsPerChar?: number;
  mode?: 'ok' | 'hang' | 'serverError';
}

export interface FakePiper {
  url: string;
  calls: FakePiperCall[];
  options: FakePiperOptions;
  close(): Promise<void>;
}

async function readRaw(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendWav(res: ServerResponse, text: string, lengthScale: number, options: FakePiperOptions) {
  const seconds = Math.min(5, Math.max(0.05, text.length * (options.secondsPerChar ?? 0.01) * lengthScale));
  const wav = toneWav(seconds);
  res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': wav.length });
  res.end(wav);
}

export async function startFakePiper(initial: FakePiperOptions = {}): Promise<FakePiper> {
  const options: FakePiperOptions = { ...initial };
  const calls: FakePiperCall[] = [];
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const raw = req.method === 'POST' ? await readRaw(req) : '';
    const contentType = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    let body: any;
    if (contentType === 'application/json') {
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
    }
    calls.push({ method: req.method ?? 'GET', path, headers: req.headers, contentType, raw, body });
    if (options.mode === 'hang') return;
    if (options.mode === 'serverError') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      return res.end('Internal Server Error');
    }
    if (req.method === 'GET' && path === '/voices') {
      if (options.legacy) {
        res.writeHead(404, { 'content-type': 'text/html' });
        return res.end('<h1>Not Found</h1>');
      }
      const names = options.voices ?? ['en_US-lessac-medium'];
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(Object.fromEntries(names.map((n) => [n, { audio: { sample_rate: 22050 }, num_speakers: 1 }]))));
    }
    if (req.method === 'POST' && path === '/') {
      if (options.legacy) {
        if (contentType === 'application/json') {
          res.writeHead(415, { 'content-type': 'text/plain' });
          return res.end('Unsupported Media Type');
        }
        if (!raw.trim()) {
          res.writeHead(400, { 'content-type': 'text/plain' });
          return res.end('No text provided');
        }
        return sendWav(res, raw, 1, options);
      }
      if (!body || typeof body.text !== 'string' || !body.text.trim()) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        return res.end('No text provided');
      }
      if (body.voice && options.voices && !options.voices.includes(body.voice)) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        return res.end(`Voice not found: ${body.voice}`);
      }
      return sendWav(res, body.text, typeof body.length_scale === 'number' ? body.length_scale : 1, options);
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not Found');
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
