/**
 * Helpers shared by the fake back-end servers: HTTP plumbing, request recording, SFW test PNGs with
 * text chunks (as ComfyUI/A1111 write them), multipart parsing, and a minimal RFC 6455 WebSocket server
 * (text frames out; close/ping handled) — `ws` has no type declarations here, and this is small.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

/** One request as a fake received it. */
export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON, parsed multipart, or the raw buffer (undefined when empty). */
  body: unknown;
  at: number;
}

export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export interface Multipart {
  fields: Record<string, string>;
  files: MultipartPart[];
}

export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses a multipart/form-data body (enough for what our clients send). */
export function parseMultipart(body: Buffer, contentType: string): Multipart {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) throw new Error('no multipart boundary');
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const result: Multipart = { fields: {}, files: [] };
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    const part = body.subarray(partStart + 2, next - 2); // skip CRLF after the delimiter and before the next
    const headerEnd = part.indexOf('\r\n\r\n');
    const headerText = part.subarray(0, headerEnd).toString('utf8');
    const data = part.subarray(headerEnd + 4);
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headerText)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '';
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const type = /content-type:\s*([^\r\n]*)/i.exec(headerText)?.[1]?.trim();
    if (filename !== undefined) result.files.push({ name, filename, contentType: type, data: Buffer.from(data) });
    else result.fields[name] = data.toString('utf8');
    start = next;
  }
  return result;
}

/** Reads, parses (JSON or multipart) and records a request. */
export async function recordRequest(req: http.IncomingMessage, calls: RecordedCall[]): Promise<RecordedCall> {
  const url = new URL(req.url ?? '/', 'http://fake');
  const raw = await readBody(req);
  const type = req.headers['content-type'] ?? '';
  let body: unknown = raw.length > 0 ? raw : undefined;
  if (raw.length > 0 && type.includes('application/json')) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = raw.toString('utf8');
    }
  } else if (raw.length > 0 && type.includes('multipart/form-data')) {
    body = parseMultipart(raw, type);
  }
  const call: RecordedCall = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: req.headers,
    body,
    at: Date.now(),
  };
  calls.push(call);
  return call;
}

export function sendJson(res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendBytes(res: http.ServerResponse, status: number, bytes: Buffer, contentType: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': bytes.length, ...headers });
  res.end(bytes);
}

export function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts a server on 127.0.0.1:0 and gives back its base URL and a close that also drops open (hung) connections. */
export async function listen(server: http.Server): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const sockets = new Set<Duplex>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (_req, socket: Duplex) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on which nothing listens (a port that was just bound and released). */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

// ---------------------------------------------------------------------------------------------------
// PNGs

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData) >>> 0);
  return Buffer.concat([length, typeAndData, crc]);
}

/** Inserts tEXt chunks (keyword\0text, Latin-1 as the spec says) right after IHDR. */
export function insertPngText(png: Buffer, text: Record<string, string>): Buffer {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG');
  const ihdrLength = png.readUInt32BE(8);
  const afterIhdr = 8 + 8 + ihdrLength + 4;
  const chunks = Object.entries(text).map(([keyword, value]) => chunk('tEXt', Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(value, 'latin1')])));
  return Buffer.concat([png.subarray(0, afterIhdr), ...chunks, png.subarray(afterIhdr)]);
}

/** The tEXt chunks of a PNG. */
export function readPngText(png: Buffer): Record<string, string> {
  const result: Record<string, string> = {};
  let offset = 8;
  while (offset + 8 <= png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'tEXt') {
      const zero = data.indexOf(0);
      result[data.toString('latin1', 0, zero)] = data.toString('latin1', zero + 1);
    }
    if (type === 'IEND') break;
    offset += 12 + length;
  }
  return result;
}

/** A small SFW test image: a solid colour with a lighter square in the middle, plus text chunks. */
export async function makePng(options: { width?: number; height?: number; color?: { r: number; g: number; b: number }; text?: Record<string, string> } = {}): Promise<Buffer> {
  const width = Math.max(8, Math.min(options.width ?? 64, 256));
  const height = Math.max(8, Math.min(options.height ?? 64, 256));
  const color = options.color ?? { r: 70, g: 110, b: 160 };
  const square = Math.max(2, Math.floor(Math.min(width, height) / 3));
  const overlay = await sharp({ create: { width: square, height: square, channels: 3, background: { r: 240, g: 220, b: 120 } } }).png().toBuffer();
  const png = await sharp({ create: { width, height, channels: 3, background: color } })
    .composite([{ input: overlay, left: Math.floor((width - square) / 2), top: Math.floor((height - square) / 2) }])
    .png()
    .toBuffer();
  return options.text ? insertPngText(png, options.text) : png;
}

/** A colour derived from a seed, so different seeds give visibly different test images. */
export function colorFromSeed(seed: number): { r: number; g: number; b: number } {
  const hash = createHash('sha256').update(String(seed)).digest();
  return { r: hash[0]!, g: hash[1]!, b: hash[2]! };
}

/** Bytes that start like an MP4 (an `ftyp` box); not a playable video, enough for MIME sniffing. */
export function fakeMp4(): Buffer {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftypisom', 4, 'latin1');
  ftyp.writeUInt32BE(0x200, 12);
  ftyp.write('isommp42', 16, 'latin1');
  const mdat = Buffer.alloc(16);
  mdat.writeUInt32BE(16, 0);
  mdat.write('mdat', 4, 'latin1');
  return Buffer.concat([ftyp, mdat]);
}

// ---------------------------------------------------------------------------------------------------
// Minimal WebSocket server side (RFC 6455)

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface FakeWebSocket {
  readonly url: URL;
  readonly open: boolean;
  sendText(text: string): void;
  sendJson(value: unknown): void;
  sendBinary(bytes: Buffer): void;
  /** Clean close (close frame, then end). */
  close(code?: number): void;
  /** Abrupt drop, like a crashed server or a cut network. */
  destroy(): void;
  onClose(listener: () => void): void;
}

function frame(opcode: number, payload: Buffer): Buffer {
  let header: Buffer;
  if (payload.length < 126) {
    header = Buffer.from([0x80 | opcode, payload.length]);
  } else if (payload.length < 65_536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** Completes the upgrade handshake and returns a handle; incoming frames are parsed for close/ping only. */
export function acceptWebSocket(req: http.IncomingMessage, socket: Duplex): FakeWebSocket | null {
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || (req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    return null;
  }
  const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  let open = true;
  const listeners: (() => void)[] = [];
  let buffered = Buffer.alloc(0);
  const finish = () => {
    if (!open) return;
    open = false;
    for (const listener of listeners) listener();
  };
  socket.on('close', finish);
  socket.on('error', finish);
  socket.on('data', (data: Buffer) => {
    buffered = Buffer.concat([buffered, data]);
    while (buffered.length >= 2) {
      const opcode = buffered[0]! & 0x0f;
      const masked = (buffered[1]! & 0x80) !== 0;
      let length = buffered[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffered.length < 4) return;
        length = buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffered.length < 10) return;
        length = Number(buffered.readBigUInt64BE(2));
        offset = 10;
      }
      const maskOffset = offset;
      if (masked) offset += 4;
      if (buffered.length < offset + length) return;
      const payload = Buffer.from(buffered.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= buffered[maskOffset + (i % 4)]!;
      buffered = buffered.subarray(offset + length);
      if (opcode === 0x8) {
        if (open) socket.write(frame(0x8, payload.subarray(0, 2)));
        socket.end();
        finish();
        return;
      }
      if (opcode === 0x9 && open) socket.write(frame(0xa, payload));
    }
  });
  return {
    url: new URL(req.url ?? '/', 'http://fake'),
    get open() {
      return open;
    },
    sendText(text) {
      if (open) socket.write(frame(0x1, Buffer.from(text, 'utf8')));
    },
    sendJson(value) {
      this.sendText(JSON.stringify(value));
    },
    sendBinary(bytes) {
      if (open) socket.write(frame(0x2, bytes));
    },
    close(code = 1000) {
      if (!open) return;
      const payload = Buffer.alloc(2);
      payload.writeUInt16BE(code);
      socket.write(frame(0x8, payload));
      socket.end();
      finish();
    },
    destroy() {
      socket.destroy();
      finish();
    },
    onClose(listener) {
      listeners.push(listener);
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Test-side helpers

export interface TestContext {
  ctx: { signal: AbortSignal; onProgress(fraction: number, message?: string): void };
  progress: { fraction: number; message?: string }[];
  controller: AbortController;
}

/** A ProviderContext that records progress; aborts on `controller.abort()` or after `timeoutMs`. */
export function testContext(options: { timeoutMs?: number; onProgress?: (fraction: number, message: string | undefined, controller: AbortController) => void } = {}): TestContext {
  const controller = new AbortController();
  const signal = options.timeoutMs === undefined ? controller.signal : AbortSignal.any([controller.signal, AbortSignal.timeout(options.timeoutMs)]);
  const progress: TestContext['progress'] = [];
  return {
    controller,
    progress,
    ctx: {
      signal,
      onProgress(fraction, message) {
        progress.push({ fraction, message });
        options.onProgress?.(fraction, message, controller);
      },
    },
  };
}
