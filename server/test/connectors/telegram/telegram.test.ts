import { afterEach, describe, expect, it } from 'vitest';
import { TelegramConnector, messageUrl } from '../../../src/publishing/connectors/telegram/index.ts';
import { ConnectorError, type ChannelAccount, type Connector, type ConnectorContext, type PublishMedia, type PublishRequest } from '../../../src/publishing/connectors/types.ts';
import type { Rating } from '../../../src/safety/types.ts';
import { FAKE_TELEGRAM_TOKEN, startFakeTelegram, type FakeTelegram, type FakeTelegramOptions } from '../../fakes/telegram.ts';
import { closedPortUrl, colorFromSeed, fakeMp4, makePng, type Multipart } from '../../fakes/util.ts';

const fakes: FakeTelegram[] = [];
async function fake(opts: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const f = await startFakeTelegram(opts);
  fakes.push(f);
  return f;
}
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

const connector = new TelegramConnector();

function account(apiRoot: string, settings: Record<string, unknown> = {}, credentials: Record<string, string> = {}): ChannelAccount {
  return {
    id: 'ch_tg',
    orgId: 'org_1',
    platform: 'telegram',
    handle: '@atelier_test',
    settings: { chatId: '@atelier_test', apiRoot, ...settings },
    credentials: { bot_token: FAKE_TELEGRAM_TOKEN, ...credentials },
  };
}

const ctx = (timeoutMs?: number): ConnectorContext => ({ signal: timeoutMs === undefined ? new AbortController().signal : AbortSignal.timeout(timeoutMs) });

async function photo(rating: Rating = 'sfw', seed = 1): Promise<PublishMedia> {
  return { kind: 'image', mimeType: 'image/png', bytes: await makePng({ color: colorFromSeed(seed) }), filename: `photo-${seed}.png`, width: 64, height: 64, rating };
}
function video(rating: Rating = 'sfw'): PublishMedia {
  return { kind: 'video', mimeType: 'video/mp4', bytes: fakeMp4(), filename: 'clip.mp4', width: 720, height: 1280, rating };
}

const worst = (media: PublishMedia[]): Rating => (media.some((m) => m.rating === 'explicit') ? 'explicit' : media.some((m) => m.rating === 'suggestive') ? 'suggestive' : 'sfw');
function request(text: string, media: PublishMedia[] = [], extra: Partial<PublishRequest> = {}): PublishRequest {
  return { text, media, rating: worst(media), idempotencyKey: 'tgt_0123456789abcdef', options: {}, ...extra };
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

const DISCLOSURE = 'AI-generated persona. #ai';

describe('TelegramConnector policy', () => {
  it('accepts sfw and suggestive, explicit only for age-restricted channels; needs the disclosure', () => {
    expect(connector.policy({ settings: { chatId: '@x' } })).toEqual({
      accepts: ['sfw', 'suggestive'],
      disclosureRequired: true,
      maxMedia: 10,
      maxTextLength: 1024,
      flagsAdultMedia: true,
      needsPublicMediaUrl: false,
    });
    expect(connector.policy({ settings: { chatId: '@x', ageRestricted: true } }).accepts).toEqual(['sfw', 'suggestive', 'explicit']);
    expect((connector as Connector).find).toBeUndefined();
  });
});

describe('TelegramConnector against the fake Bot API', () => {
  it('sends text with sendMessage, once, and links the public post', async () => {
    const f = await fake();
    const result = await connector.publish(account(f.url), request(`Morning light in the studio.\n\n${DISCLOSURE}`), ctx());
    expect(f.callsTo('sendMessage')).toHaveLength(1);
    expect(f.calls[0]!.path).toBe(`/bot${FAKE_TELEGRAM_TOKEN}/sendMessage`);
    expect(f.calls[0]!.body).toMatchObject({ chat_id: '@atelier_test', text: `Morning light in the studio.\n\n${DISCLOSURE}` });
    expect(f.messages).toHaveLength(1);
    expect(f.messages[0]).toMatchObject({ kind: 'text', text: `Morning light in the studio.\n\n${DISCLOSURE}` });
    const id = f.messages[0]!.message_id;
    expect(result).toEqual({ remoteId: String(id), url: `https://t.me/atelier_test/${id}`, meta: { chatId: -1001234567890, messageIds: [id] } });
  });

  it('texts up to 4096 characters may go without media; longer is refused before sending', async () => {
    const f = await fake();
    await connector.publish(account(f.url), request('a'.repeat(4096)), ctx());
    const e = await failure(connector.publish(account(f.url), request('a'.repeat(4097)), ctx()));
    expect(e.kind).toBe('rejected');
    expect(f.messages).toHaveLength(1);
  });

  it('uploads one photo with sendPhoto; suggestive photos go out behind a spoiler', async () => {
    const f = await fake();
    const sfw = await photo('sfw', 1);
    await connector.publish(account(f.url), request(`A quiet one. ${DISCLOSURE}`, [sfw]), ctx());
    const suggestive = await photo('suggestive', 2);
    const result = await connector.publish(account(f.url), request(`Beach day. ${DISCLOSURE}`, [suggestive]), ctx());

    expect(f.callsTo('sendPhoto')).toHaveLength(2);
    expect(f.messages).toHaveLength(2);
    expect(f.messages[0]).toMatchObject({ kind: 'photo', caption: `A quiet one. ${DISCLOSURE}`, hasSpoiler: false });
    expect(f.messages[0]!.file!.bytes.equals(sfw.bytes)).toBe(true);
    expect(f.messages[1]).toMatchObject({ kind: 'photo', caption: `Beach day. ${DISCLOSURE}`, hasSpoiler: true });
    expect(f.messages[1]!.file!.bytes.equals(suggestive.bytes)).toBe(true);
    const fields = (f.callsTo('sendPhoto')[1]!.body as Multipart).fields;
    expect(fields.has_spoiler).toBe('true');
    expect(fields.photo).toMatch(/^attach:\/\//);
    expect(result.remoteId).toBe(String(f.messages[1]!.message_id));
  });

  it('sends an album with sendMediaGroup: one call, caption on the first item, spoiler per item', async () => {
    const f = await fake();
    const media = [await photo('sfw', 1), await photo('suggestive', 2), await photo('sfw', 3)];
    const result = await connector.publish(account(f.url), request(`Three looks. ${DISCLOSURE}`, media), ctx());

    expect(f.callsTo('sendMediaGroup')).toHaveLength(1);
    expect(f.calls).toHaveLength(1);
    expect(f.messages).toHaveLength(3);
    expect(f.messages.map((m) => m.caption)).toEqual([`Three looks. ${DISCLOSURE}`, undefined, undefined]);
    expect(f.messages.map((m) => m.hasSpoiler)).toEqual([false, true, false]);
    expect(new Set(f.messages.map((m) => m.mediaGroupId)).size).toBe(1);
    f.messages.forEach((m, i) => expect(m.file!.bytes.equals(media[i]!.bytes)).toBe(true));
    const ids = f.messages.map((m) => m.message_id);
    expect(result.remoteId).toBe(String(ids[0]));
    expect(result.meta).toMatchObject({ messageIds: ids, mediaGroupId: f.messages[0]!.mediaGroupId });
    expect(result.url).toBe(`https://t.me/atelier_test/${ids[0]}`);
  });

  it('mixes photos and videos in an album and refuses more than ten media', async () => {
    const f = await fake();
    await connector.publish(account(f.url), request(DISCLOSURE, [await photo(), video()]), ctx());
    expect(f.messages.map((m) => m.kind)).toEqual(['photo', 'video']);
    const eleven = await Promise.all(Array.from({ length: 11 }, (_, i) => photo('sfw', i)));
    expect((await failure(connector.publish(account(f.url), request(DISCLOSURE, eleven), ctx()))).kind).toBe('rejected');
    expect(f.calls).toHaveLength(1);
  });

  it('uploads one video with sendVideo (with spoiler when suggestive)', async () => {
    const f = await fake();
    const clip = video('suggestive');
    await connector.publish(account(f.url), request(`Clip. ${DISCLOSURE}`, [clip]), ctx());
    expect(f.callsTo('sendVideo')).toHaveLength(1);
    expect(f.messages).toHaveLength(1);
    expect(f.messages[0]).toMatchObject({ kind: 'video', caption: `Clip. ${DISCLOSURE}`, hasSpoiler: true });
    expect(f.messages[0]!.file!.bytes.equals(clip.bytes)).toBe(true);
    expect((f.calls[0]!.body as Multipart).fields).toMatchObject({ supports_streaming: 'true', width: '720', height: '1280' });
  });

  it('posts to a private channel by numeric id and links it with t.me/c/', async () => {
    const f = await fake();
    const result = await connector.publish(account(f.url, { chatId: -1009876543210 }), request(DISCLOSURE), ctx());
    expect(result.url).toBe(`https://t.me/c/9876543210/${result.remoteId}`);
    expect(messageUrl({ id: 12345 }, 5)).toBeUndefined();
  });

  it('refuses explicit media unless the channel is age-restricted (and then sends it behind a spoiler)', async () => {
    const f = await fake();
    const explicit = await photo('explicit', 9);
    const e = await failure(connector.publish(account(f.url), request(DISCLOSURE, [explicit]), ctx()));
    expect(e.kind).toBe('rejected');
    expect(f.calls).toHaveLength(0);
    await connector.publish(account(f.url, { ageRestricted: true }), request(DISCLOSURE, [explicit]), ctx());
    expect(f.messages).toHaveLength(1);
    expect(f.messages[0]!.hasSpoiler).toBe(true);
  });

  it('refuses an overlong caption before sending; a 400 from Telegram is rejected too', async () => {
    const f = await fake();
    const e = await failure(connector.publish(account(f.url), request('x'.repeat(1025), [await photo()]), ctx()));
    expect(e.kind).toBe('rejected');
    expect(f.calls).toHaveLength(0);
    const notFound = await failure(connector.publish(account(f.url, { chatId: '@nobody_here' }), request(DISCLOSURE), ctx()));
    expect(notFound.kind).toBe('rejected');
    expect(notFound.message).toContain('chat not found');
  });

  it('maps 429 to rate_limited with retry_after, and the retry lands once', async () => {
    const f = await fake({ behaviour: { mode: 'rate_limited_once', retryAfter: 12 } });
    const e = await failure(connector.publish(account(f.url), request(DISCLOSURE, [await photo()]), ctx()));
    expect(e.kind).toBe('rate_limited');
    expect(e.retryAfterSeconds).toBe(12);
    expect(f.callsTo('sendPhoto')).toHaveLength(1);
    expect(f.messages).toHaveLength(0);
    await connector.publish(account(f.url), request(DISCLOSURE, [await photo()]), ctx());
    expect(f.messages).toHaveLength(1);
  });

  it('maps 401 (bad token) and 403 (bot kicked) to auth', async () => {
    const f = await fake();
    const bad = await failure(connector.publish(account(f.url, {}, { bot_token: '999:wrong' }), request(DISCLOSURE), ctx()));
    expect(bad.kind).toBe('auth');
    f.set({ mode: 'kicked' });
    const kicked = await failure(connector.publish(account(f.url), request(DISCLOSURE), ctx()));
    expect(kicked.kind).toBe('auth');
    expect(kicked.message).toContain('kicked');
    expect(f.messages).toHaveLength(0);
    const missing = await failure(connector.publish(account(f.url, {}, { bot_token: '' }), request(DISCLOSURE), ctx()));
    expect(missing.kind).toBe('auth');
  });

  it('maps 5xx (JSON or an HTML gateway page) to unavailable', async () => {
    const f = await fake({ behaviour: { mode: 'server_error', status: 500 } });
    expect((await failure(connector.publish(account(f.url), request(DISCLOSURE), ctx()))).kind).toBe('unavailable');
    f.set({ mode: 'server_error', status: 502 });
    const gateway = await failure(connector.publish(account(f.url), request(DISCLOSURE), ctx()));
    expect(gateway.kind).toBe('unavailable');
    expect(gateway.details).toMatchObject({ error_code: 502 });
    expect(f.messages).toHaveLength(0);
  });

  it('a post whose answer never comes before the signal is an unknown outcome (and it did land)', async () => {
    const f = await fake({ behaviour: { delayMs: 3_000 } });
    const started = Date.now();
    const e = await failure(connector.publish(account(f.url), request(DISCLOSURE, [await photo('suggestive')]), ctx(200)));
    expect(e.kind).toBe('unknown_outcome');
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(f.messages).toHaveLength(1);
  });

  it('connection refused is unavailable (nothing was sent); an already-cancelled call sends nothing', async () => {
    const e = await failure(connector.publish(account(await closedPortUrl()), request(DISCLOSURE), ctx()));
    expect(e.kind).toBe('unavailable');
    const f = await fake();
    const controller = new AbortController();
    controller.abort();
    expect((await failure(connector.publish(account(f.url), request(DISCLOSURE), { signal: controller.signal }))).kind).toBe('unavailable');
    expect(f.calls).toHaveLength(0);
  });

  it('deletes a message, an album by its joined ids, and treats an already-deleted message as gone', async () => {
    const f = await fake();
    const single = await connector.publish(account(f.url), request(DISCLOSURE), ctx());
    const album = await connector.publish(account(f.url), request(DISCLOSURE, [await photo('sfw', 1), await photo('sfw', 2)]), ctx());
    await connector.delete(account(f.url), single.remoteId, ctx());
    expect(f.callsTo('deleteMessage')).toHaveLength(1);
    await connector.delete(account(f.url), (album.meta!.messageIds as number[]).join(','), ctx());
    expect(f.callsTo('deleteMessages')).toHaveLength(1);
    expect(f.live()).toHaveLength(0);
    await connector.delete(account(f.url), single.remoteId, ctx());
    expect((await failure(connector.delete(account(f.url), 'not-an-id', ctx()))).kind).toBe('rejected');
  });

  it('verify checks the token, the chat and the bot’s rights', async () => {
    const f = await fake();
    expect(await connector.verify(account(f.url), ctx())).toEqual({ ok: true, problems: [] });
    const g = await fake({ botStatus: 'member' });
    expect(await connector.verify(account(g.url), ctx())).toEqual({ ok: false, problems: ['The bot is not an administrator of the channel'] });
    const bad = await connector.verify(account(f.url, {}, { bot_token: '1:nope' }), ctx());
    expect(bad.ok).toBe(false);
    expect(bad.problems[0]).toContain('Unauthorized');
  });
});
