/**
 * Small fakes for report and alert destinations not covered by the shared fakes in server/test/fakes:
 * - an SMTP server (the `smtp-server` package: real SMTP dialogue, optional AUTH PLAIN/LOGIN checked);
 * - an HTTP webhook receiver (records headers and JSON bodies; its answer status can be changed);
 * - the Bot API's sendDocument/sendMessage (token in the path checked, multipart or JSON parsed; answers
 *   like Telegram, `{ok, result}` or `{ok: false, error_code, description}`). The shared Telegram fake
 *   covers the publishing methods; documents are only ever sent by reports.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { listen, readBody, sendJson } from '../fakes/util.ts';
import { parseTelegramMultipart } from '../fakes/telegram.ts';

export interface FakeMail {
  from: string;
  to: string[];
  raw: string;
  user: string | null;
}

export async function startFakeSmtp(auth?: { user: string; pass: string }) {
  const mails: FakeMail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    authOptional: !auth,
    logger: false,
    onAuth(a, _session, cb) {
      if (auth && a.username === auth.user && a.password === auth.pass) return cb(null, { user: a.username });
      return cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: (session.user as string | undefined) ?? null,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface ReceivedHook {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
}

export async function startWebhookReceiver() {
  const received: ReceivedHook[] = [];
  const state = { status: 200 };
  const server = http.createServer(async (req, res) => {
    const raw = (await readBody(req)).toString('utf8');
    if (req.method !== 'POST' || req.headers['content-type'] !== 'application/json') return sendJson(res, 415, { error: 'JSON POST only' });
    if (state.status >= 300) return sendJson(res, state.status, { error: 'configured to fail' });
    received.push({ headers: req.headers, raw, body: JSON.parse(raw) as Record<string, unknown> });
    sendJson(res, state.status, { ok: true });
  });
  const l = await listen(server);
  return { url: `${l.url}/hooks/atelier`, received, state, close: l.close };
}

export interface TelegramSent {
  method: 'sendDocument' | 'sendMessage';
  chatId: string;
  text: string;
  document?: { filename: string | undefined; bytes: Buffer };
}

export async function startFakeTelegramDocuments(token: string, chats: string[]) {
  const sent: TelegramSent[] = [];
  const server = http.createServer(async (req, res) => {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    const body = await readBody(req);
    if (!match) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (match[1] !== token) return sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const type = String(req.headers['content-type'] ?? '');
    const params: Record<string, unknown> = type.startsWith('multipart/') ? parseTelegramMultipart(body, type).fields : type.includes('json') ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    const files = type.startsWith('multipart/') ? parseTelegramMultipart(body, type).files : [];
    const chatId = String(params.chat_id ?? '');
    if (!chats.includes(chatId)) return sendJson(res, 400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' });
    const method = match[2];
    if (method === 'sendMessage') {
      const text = String(params.text ?? '');
      if (!text || text.length > 4096) return sendJson(res, 400, { ok: false, error_code: 400, description: 'Bad Request: message text is empty or too long' });
      sent.push({ method, chatId, text });
    } else if (method === 'sendDocument') {
      const ref = String(params.document ?? '');
      const file = ref.startsWith('attach://') ? files.find((f) => f.name === ref.slice(9)) : files.find((f) => f.name === 'document');
      if (!file) return sendJson(res, 400, { ok: false, error_code: 400, description: 'Bad Request: there is no document in the request' });
      const caption = String(params.caption ?? '');
      if (caption.length > 1024) return sendJson(res, 400, { ok: false, error_code: 400, description: 'Bad Request: message caption is too long' });
      sent.push({ method, chatId, text: caption, document: { filename: file.filename, bytes: file.data } });
    } else return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    sendJson(res, 200, { ok: true, result: { message_id: sent.length, date: Math.floor(Date.now() / 1000), chat: { id: Number(chatId) || 0, type: 'channel' } } });
  });
  const l = await listen(server);
  return { url: l.url, sent, close: l.close };
}
