/**
 * One sender per destination kind. Each sends a message (a subject, a short text, optionally the report's
 * HTML and PDF, and a JSON payload for webhooks) and throws a DeliveryError on failure; `retryable` says
 * whether trying again later may help (network trouble, 429, 5xx) or not (bad token, unknown chat).
 *
 * - telegram: grammY's Api (Bot API root configurable): sendDocument with the PDF and the summary as its
 *   caption, else sendMessage. Plain text, no parse mode.
 * - discord: discord.js's REST client on the webhook URL (`?wait=true`), the PDF as an attachment.
 * - email: nodemailer over SMTP: the summary as text, the report page as HTML, the PDF attached; the
 *   Message-ID is derived from the delivery id, so a retried send is recognisable as the same message.
 * - webhook: POST JSON with `X-Atelier-Delivery` (the delivery id, for the receiver's de-duplication) and,
 *   with a signing secret, `X-Atelier-Signature: sha256=<HMAC of the body>`.
 */
import { createHmac } from 'node:crypto';
import { Api, GrammyError, HttpError as GrammyHttpError, InputFile, type ApiClientOptions } from 'grammy';
import { DiscordAPIError, HTTPError, REST, RateLimitError, Routes, type RESTOptions, type RawFile } from 'discord.js';
import nodemailer from 'nodemailer';
import { telegramFetch } from '../../publishing/connectors/telegram/index.ts';
import { parseWebhookUrl } from '../../publishing/connectors/discord/index.ts';
import type { OpenedDestination } from './destinations.service.ts';

export interface Message {
  /** The delivery id: idempotency key for receivers that can use one. */
  id: string;
  subject: string;
  text: string;
  html?: string;
  attachment?: { filename: string; contentType: string; bytes: Buffer };
  payload: Record<string, unknown>;
}

export class DeliveryError extends Error {
  override name = 'DeliveryError';
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean) {
    super(message);
    this.retryable = retryable;
  }
}

const TIMEOUT_MS = 30_000;
const TELEGRAM_CAPTION = 1024;
const TELEGRAM_TEXT = 4096;
const DISCORD_CONTENT = 2000;

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export async function send(destination: OpenedDestination, message: Message): Promise<void> {
  switch (destination.kind) {
    case 'telegram':
      return sendTelegram(destination, message);
    case 'discord':
      return sendDiscord(destination, message);
    case 'email':
      return sendEmail(destination, message);
    case 'webhook':
      return sendWebhook(destination, message);
  }
}

async function sendTelegram(d: OpenedDestination, m: Message) {
  const token = d.credentials.bot_token;
  if (!token) throw new DeliveryError('No bot token stored for this Telegram destination', false);
  const apiRoot = typeof d.config.apiRoot === 'string' ? d.config.apiRoot.replace(/\/+$/, '') : undefined;
  const options: ApiClientOptions = { timeoutSeconds: TIMEOUT_MS / 1000, fetch: telegramFetch as unknown as NonNullable<ApiClientOptions['fetch']>, ...(apiRoot ? { apiRoot } : {}) };
  const api = new Api(token, options);
  const chatId = d.config.chatId as string | number;
  try {
    if (m.attachment) await api.sendDocument(chatId, new InputFile(m.attachment.bytes, m.attachment.filename), { caption: clip(m.text, TELEGRAM_CAPTION) });
    else await api.sendMessage(chatId, clip(m.text, TELEGRAM_TEXT));
  } catch (error) {
    if (error instanceof GrammyError) throw new DeliveryError(`Telegram: ${error.description}`, error.error_code === 429 || error.error_code >= 500);
    if (error instanceof GrammyHttpError) throw new DeliveryError(`Telegram unreachable: ${error.message}`, true);
    throw error;
  }
}

async function sendDiscord(d: OpenedDestination, m: Message) {
  const url = d.credentials.webhook_url;
  if (!url) throw new DeliveryError('No webhook URL stored for this Discord destination', false);
  let target: ReturnType<typeof parseWebhookUrl>;
  try {
    target = parseWebhookUrl(url);
  } catch (error) {
    throw new DeliveryError((error as Error).message, false);
  }
  const rest = new REST({ api: target.api, version: '10', retries: 0, timeout: TIMEOUT_MS, rejectOnRateLimit: () => true, hashSweepInterval: 0, handlerSweepInterval: 0 } as Partial<RESTOptions>);
  const files: RawFile[] = m.attachment ? [{ key: 'files[0]', name: m.attachment.filename, data: m.attachment.bytes, contentType: m.attachment.contentType }] : [];
  const body = { content: clip(m.text, DISCORD_CONTENT), allowed_mentions: { parse: [] }, ...(m.attachment ? { attachments: [{ id: 0, filename: m.attachment.filename }] } : {}) };
  const query = new URLSearchParams({ wait: 'true', ...(target.threadId ? { thread_id: target.threadId } : {}) });
  try {
    await rest.post(Routes.webhook(target.webhookId, target.webhookToken), { body, files, query, auth: false, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    // The REST errors carry the request URL (the webhook's token): only their status and message go on.
    if (error instanceof RateLimitError) throw new DeliveryError('Discord: rate limited', true);
    if (error instanceof DiscordAPIError) throw new DeliveryError(`Discord: ${error.message} (${error.status})`, error.status >= 500);
    if (error instanceof HTTPError) throw new DeliveryError(`Discord: HTTP ${error.status}`, error.status >= 500);
    throw new DeliveryError(`Discord unreachable: ${(error as Error).message.split('\n')[0]}`, true);
  }
}

async function sendEmail(d: OpenedDestination, m: Message) {
  const c = d.config as { host: string; port: number; secure: boolean; from: string; to: string[]; username?: string };
  const transport = nodemailer.createTransport({
    host: c.host,
    port: c.port,
    secure: c.secure,
    ...(c.username ? { auth: { user: c.username, pass: d.credentials.password ?? '' } } : {}),
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  try {
    await transport.sendMail({
      from: c.from,
      to: c.to,
      subject: m.subject,
      text: m.text,
      ...(m.html ? { html: m.html } : {}),
      messageId: `<${m.id}@atelier.invalid>`,
      ...(m.attachment ? { attachments: [{ filename: m.attachment.filename, content: m.attachment.bytes, contentType: m.attachment.contentType }] } : {}),
    });
  } catch (error) {
    const e = error as { responseCode?: number; code?: string; message: string };
    // 4xx SMTP replies are temporary by definition; 5xx permanent; connection trouble is worth a retry.
    const retryable = e.responseCode ? e.responseCode < 500 : true;
    throw new DeliveryError(`SMTP: ${e.message}`, retryable);
  } finally {
    transport.close();
  }
}

async function sendWebhook(d: OpenedDestination, m: Message) {
  const url = d.credentials.url;
  if (!url) throw new DeliveryError('No URL stored for this webhook destination', false);
  const body = JSON.stringify({ id: m.id, subject: m.subject, text: m.text, ...m.payload });
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Atelier-Analytics', 'x-atelier-delivery': m.id };
  if (d.credentials.signing_secret) headers['x-atelier-signature'] = `sha256=${createHmac('sha256', d.credentials.signing_secret).update(body).digest('hex')}`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new DeliveryError(`Webhook unreachable: ${(error as Error).message}`, true);
  }
  await res.body?.cancel().catch(() => undefined);
  if (!res.ok) throw new DeliveryError(`Webhook answered ${res.status}`, res.status === 429 || res.status >= 500);
}
