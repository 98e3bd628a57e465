import { afterEach, describe, expect, it } from 'vitest';
import { DiscordConnector, discordNonce, parseWebhookUrl } from '../../../src/publishing/connectors/discord/index.ts';
import { ConnectorError, type ChannelAccount, type ConnectorContext, type PublishMedia, type PublishRequest } from '../../../src/publishing/connectors/types.ts';
import type { Rating } from '../../../src/safety/types.ts';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from '../../fakes/discord.ts';
import { closedPortUrl, colorFromSeed, fakeMp4, makePng, type Multipart } from '../../fakes/util.ts';

const fakes: FakeDiscord[] = [];
async function fake(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const f = await startFakeDiscord(opts);
  fakes.push(f);
  return f;
}
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

const connector = new DiscordConnector();
const SFW_CHANNEL = '111111111111111111';
const NSFW_CHANNEL = '222222222222222222';
const NSFW_THREAD = '333333333333333333';
const GUILD = '999999999999999999';
const DISCLOSURE = 'AI-generated persona. #ai';

function botAccount(f: FakeDiscord, settings: Record<string, unknown> = {}, credentials: Record<string, string> = {}): ChannelAccount {
  return {
    id: 'ch_dc_bot',
    orgId: 'org_1',
    platform: 'discord',
    handle: '#gallery',
    settings: { channelId: SFW_CHANNEL, apiBase: f.apiBase, ...settings },
    credentials: { bot_token: f.botToken, ...credentials },
  };
}
function webhookAccount(url: string, settings: Record<string, unknown> = {}): ChannelAccount {
  return { id: 'ch_dc_hook', orgId: 'org_1', platform: 'discord', handle: '#gallery', settings, credentials: { webhook_url: url } };
}

const ctx = (timeoutMs?: number): ConnectorContext => ({ signal: timeoutMs === undefined ? new AbortController().signal : AbortSignal.timeout(timeoutMs) });

async function photo(rating: Rating = 'sfw', seed = 1, altText?: string): Promise<PublishMedia> {
  return { kind: 'image', mimeType: 'image/png', bytes: await makePng({ color: colorFromSeed(seed) }), filename: `look ${seed}.png`, width: 64, height: 64, rating, ...(altText ? { altText } : {}) };
}
function video(rating: Rating = 'sfw'): PublishMedia {
  return { kind: 'video', mimeType: 'video/mp4', bytes: fakeMp4(), filename: 'clip.mp4', width: 720, height: 1280, rating };
}
const worst = (media: PublishMedia[]): Rating => (media.some((m) => m.rating === 'explicit') ? 'explicit' : media.some((m) => m.rating === 'suggestive') ? 'suggestive' : 'sfw');
function request(text: string, media: PublishMedia[] = [], extra: Partial<PublishRequest> = {}): PublishRequest {
  return { text, media, rating: worst(media), idempotencyKey: 'tgt_discord_0001', options: {}, ...extra };
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

const posts = (f: FakeDiscord) => f.calls.filter((c) => c.method === 'POST');

describe('DiscordConnector policy and settings', () => {
  it('accepts sfw everywhere, suggestive and explicit only in age-restricted channels', () => {
    expect(connector.policy({ settings: {} })).toEqual({ accepts: ['sfw'], disclosureRequired: true, maxMedia: 10, maxTextLength: 2000, flagsAdultMedia: true, needsPublicMediaUrl: false });
    expect(connector.policy({ settings: { ageRestricted: true } }).accepts).toEqual(['sfw', 'suggestive', 'explicit']);
  });

  it('parses webhook URLs and derives a 25-character nonce', () => {
    expect(parseWebhookUrl('https://discord.com/api/webhooks/123456789012345678/tok-en_1')).toEqual({ api: 'https://discord.com/api', webhookId: '123456789012345678', webhookToken: 'tok-en_1' });
    expect(parseWebhookUrl('https://discord.com/api/v10/webhooks/123456789012345678/t?thread_id=42')).toEqual({ api: 'https://discord.com/api', webhookId: '123456789012345678', webhookToken: 't', threadId: '42' });
    expect(() => parseWebhookUrl('https://example.com/not-a-hook')).toThrow(ConnectorError);
    expect(discordNonce('tgt_1')).toHaveLength(25);
    expect(discordNonce('tgt_1')).toBe(discordNonce('tgt_1'));
    expect(discordNonce('tgt_1')).not.toBe(discordNonce('tgt_2'));
  });

  it('without credentials it is an auth problem; a bot token without channelId is a settings problem', async () => {
    const noCreds: ChannelAccount = { id: 'c', orgId: 'o', platform: 'discord', handle: 'x', settings: {}, credentials: {} };
    expect((await failure(connector.publish(noCreds, request(DISCLOSURE), ctx()))).kind).toBe('auth');
    expect((await failure(connector.publish({ ...noCreds, credentials: { bot_token: 't' } }, request(DISCLOSURE), ctx()))).kind).toBe('rejected');
  });
});

describe('DiscordConnector webhook mode against the fake', () => {
  it('posts text to the webhook with wait=true, once, without pings', async () => {
    const f = await fake();
    const result = await connector.publish(webhookAccount(f.webhookUrl()), request(`New set is up. ${DISCLOSURE}`), ctx());
    expect(posts(f)).toHaveLength(1);
    const call = posts(f)[0]!;
    expect(call.path).toBe(`/api/v10/webhooks/${f.webhooks[0]!.id}/${f.webhooks[0]!.token}`);
    expect(call.query).toEqual({ wait: 'true' });
    expect(call.headers.authorization).toBeUndefined();
    expect(f.messages).toHaveLength(1);
    expect(f.messages[0]).toMatchObject({ via: 'webhook', content: `New set is up. ${DISCLOSURE}`, allowedMentions: { parse: [] } });
    expect(f.messages[0]!.nonce).toBeUndefined();
    expect(result).toMatchObject({ remoteId: f.messages[0]!.id, meta: { mode: 'webhook', channelId: SFW_CHANNEL } });
    expect(await connector.publish(webhookAccount(f.webhookUrl(), { guildId: GUILD }), request(DISCLOSURE), ctx())).toMatchObject({
      url: `https://discord.com/channels/${GUILD}/${SFW_CHANNEL}/${f.messages[1]!.id}`,
    });
  });

  it('uploads media as multipart payload_json + files[n], with alt text', async () => {
    const f = await fake();
    const media = [await photo('sfw', 1, 'A lighthouse at dusk'), await photo('sfw', 2)];
    await connector.publish(webhookAccount(f.webhookUrl()), request(`Two. ${DISCLOSURE}`, media), ctx());
    const body = posts(f)[0]!.body as Multipart;
    expect(body.files.map((p) => p.name)).toEqual(['files[0]', 'files[1]']);
    const payload = JSON.parse(body.fields.payload_json!);
    expect(payload).toMatchObject({ content: `Two. ${DISCLOSURE}`, attachments: [{ id: 0, filename: 'look_1.png', description: 'A lighthouse at dusk' }, { id: 1, filename: 'look_2.png' }] });
    expect(f.messages).toHaveLength(1);
    expect(f.messages[0]!.attachments.map((a) => a.filename)).toEqual(['look_1.png', 'look_2.png']);
    f.messages[0]!.attachments.forEach((a, i) => expect(a.bytes.equals(media[i]!.bytes)).toBe(true));
  });

  it('refuses suggestive/explicit media to a channel that is not age-restricted, before sending', async () => {
    const f = await fake();
    expect(connector.policy(webhookAccount(f.webhookUrl())).accepts).not.toContain('explicit');
    const e = await failure(connector.publish(webhookAccount(f.webhookUrl()), request(DISCLOSURE, [await photo('explicit')]), ctx()));
    expect(e.kind).toBe('rejected');
    expect(f.calls).toHaveLength(0);
    // An age-restricted webhook channel takes it, spoilered.
    await connector.publish(webhookAccount(f.webhookUrl(f.webhooks[1]), { ageRestricted: true }), request(DISCLOSURE, [await photo('suggestive')]), ctx());
    expect(f.messages[0]!.attachments[0]!.filename).toBe('SPOILER_look_1.png');
  });

  it('maps a wrong webhook token to auth, an unknown webhook to auth, and has no find', async () => {
    const f = await fake();
    const hook = f.webhooks[0]!;
    expect((await failure(connector.publish(webhookAccount(`${f.url}/api/webhooks/${hook.id}/wrong`), request(DISCLOSURE), ctx()))).kind).toBe('auth');
    expect((await failure(connector.publish(webhookAccount(`${f.url}/api/webhooks/123456789012345670/x`), request(DISCLOSURE), ctx()))).kind).toBe('auth');
    const find = await failure(connector.find(webhookAccount(f.webhookUrl()), { idempotencyKey: 'k', text: DISCLOSURE }, new Date(), ctx()));
    expect(find.kind).toBe('unknown_outcome');
    expect(find.details).toEqual({ findUnsupported: true });
    expect(f.messages).toHaveLength(0);
  });

  it('maps 429 to rate_limited with the float retry_after; the retry lands once', async () => {
    const f = await fake({ behaviour: { mode: 'rate_limited_once', retryAfter: 2.5 } });
    const e = await failure(connector.publish(webhookAccount(f.webhookUrl()), request(DISCLOSURE, [await photo()]), ctx()));
    expect(e.kind).toBe('rate_limited');
    expect(e.retryAfterSeconds).toBe(2.5);
    expect(posts(f)).toHaveLength(1); // the REST client did not wait and retry on its own
    expect(f.messages).toHaveLength(0);
    await connector.publish(webhookAccount(f.webhookUrl()), request(DISCLOSURE, [await photo()]), ctx());
    expect(f.messages).toHaveLength(1);
  });

  it('deletes its message; an already-deleted one counts as gone', async () => {
    const f = await fake();
    const result = await connector.publish(webhookAccount(f.webhookUrl()), request(DISCLOSURE), ctx());
    await connector.delete(webhookAccount(f.webhookUrl()), result.remoteId, ctx());
    expect(f.live()).toHaveLength(0);
    await connector.delete(webhookAccount(f.webhookUrl()), result.remoteId, ctx());
  });
});

describe('DiscordConnector bot mode against the fake', () => {
  it('reads the channel, then posts with Bot auth, a nonce and enforce_nonce; links the message', async () => {
    const f = await fake();
    const media = [await photo('sfw', 1)];
    const result = await connector.publish(botAccount(f), request(`Studio day. ${DISCLOSURE}`, media), ctx());
    expect(f.calls.map((c) => `${c.method} ${c.path}`)).toEqual([`GET /api/v10/channels/${SFW_CHANNEL}`, `POST /api/v10/channels/${SFW_CHANNEL}/messages`]);
    const call = posts(f)[0]!;
    expect(call.headers.authorization).toBe(`Bot ${f.botToken}`);
    const payload = JSON.parse((call.body as Multipart).fields.payload_json!);
    expect(payload).toMatchObject({ content: `Studio day. ${DISCLOSURE}`, nonce: discordNonce('tgt_discord_0001'), enforce_nonce: true, allowed_mentions: { parse: [] } });
    expect(f.messages).toHaveLength(1);
    const message = f.messages[0]!;
    expect(message).toMatchObject({ via: 'bot', author: { id: f.botUser.id } });
    expect(result).toEqual({
      remoteId: message.id,
      url: `https://discord.com/channels/${GUILD}/${SFW_CHANNEL}/${message.id}`,
      meta: { mode: 'bot', channelId: SFW_CHANNEL, attachments: 1, nonce: discordNonce('tgt_discord_0001') },
    });
  });

  it('posts text-only as JSON', async () => {
    const f = await fake();
    await connector.publish(botAccount(f), request(DISCLOSURE), ctx());
    expect(posts(f)[0]!.headers['content-type']).toContain('application/json');
    expect(f.messages[0]!.content).toBe(DISCLOSURE);
  });

  it('sends an album with video to an NSFW channel; suggestive and explicit files are spoilered', async () => {
    const f = await fake();
    const media = [await photo('sfw', 1), await photo('suggestive', 2), await photo('explicit', 3), video('sfw')];
    await connector.publish(botAccount(f, { channelId: NSFW_CHANNEL, ageRestricted: true }), request(DISCLOSURE, media), ctx());
    expect(posts(f)).toHaveLength(1);
    expect(f.messages).toHaveLength(1);
    expect(f.messages[0]!.attachments.map((a) => a.filename)).toEqual(['look_1.png', 'SPOILER_look_2.png', 'SPOILER_look_3.png', 'clip.mp4']);
    expect(f.messages[0]!.attachments[3]!.contentType).toBe('video/mp4');
  });

  it('refuses adult media when Discord says the channel is not NSFW, even if the settings claim it', async () => {
    const f = await fake();
    const account = botAccount(f, { channelId: SFW_CHANNEL, ageRestricted: true });
    const e = await failure(connector.publish(account, request(DISCLOSURE, [await photo('explicit')]), ctx()));
    expect(e.kind).toBe('rejected');
    expect(e.message).toContain('not age-restricted');
    expect(f.callsTo('GET', `/channels/${SFW_CHANNEL}`)).toHaveLength(1);
    expect(posts(f)).toHaveLength(0);
    // Without the setting, the policy already refuses (no call at all).
    expect(connector.policy(botAccount(f)).accepts).toEqual(['sfw']);
    await failure(connector.publish(botAccount(f), request(DISCLOSURE, [await photo('suggestive')]), ctx()));
    expect(f.calls).toHaveLength(1);
    // A thread inherits its parent's NSFW flag.
    await connector.publish(botAccount(f, { channelId: NSFW_THREAD, ageRestricted: true }), request(DISCLOSURE, [await photo('explicit')]), ctx());
    expect(f.messages).toHaveLength(1);
    expect(f.messages[0]!.attachments[0]!.filename).toBe('SPOILER_look_1.png');
  });

  it('the same idempotency key twice gives one message (nonce dedup); another key a second one', async () => {
    const f = await fake();
    const first = await connector.publish(botAccount(f), request(DISCLOSURE, [await photo()]), ctx());
    const again = await connector.publish(botAccount(f), request(DISCLOSURE, [await photo()]), ctx());
    expect(posts(f)).toHaveLength(2);
    expect(f.messages).toHaveLength(1);
    expect(again.remoteId).toBe(first.remoteId);
    await connector.publish(botAccount(f), request(DISCLOSURE, [await photo()], { idempotencyKey: 'tgt_other' }), ctx());
    expect(f.messages).toHaveLength(2);
  });

  it('a post whose answer is lost is unknown_outcome; find then locates it and a retry does not duplicate', async () => {
    const f = await fake({ behaviour: { delayMs: 3_000 } });
    const since = new Date();
    const started = Date.now();
    const e = await failure(connector.publish(botAccount(f), request(`Golden hour. ${DISCLOSURE}`), ctx(300)));
    expect(e.kind).toBe('unknown_outcome');
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(f.messages).toHaveLength(1);
    f.set({});
    const found = await connector.find(botAccount(f), { idempotencyKey: 'tgt_discord_0001', text: `Golden hour. ${DISCLOSURE}` }, since, ctx());
    expect(found).toMatchObject({ remoteId: f.messages[0]!.id, meta: { foundBy: 'text' } });
    const retry = await connector.publish(botAccount(f), request(`Golden hour. ${DISCLOSURE}`), ctx());
    expect(retry.remoteId).toBe(f.messages[0]!.id);
    expect(f.messages).toHaveLength(1);
  });

  it('find answers null when the post is not there, ignores other authors, and uses the nonce when listed', async () => {
    const f = await fake({ listIncludesNonce: true });
    const since = new Date(Date.now() - 1_000);
    f.addForeignMessage(SFW_CHANNEL, `Golden hour. ${DISCLOSURE}`);
    expect(await connector.find(botAccount(f), { idempotencyKey: 'tgt_x', text: `Golden hour. ${DISCLOSURE}` }, since, ctx())).toBeNull();
    await connector.publish(botAccount(f), request('Different words, same target.', [], { idempotencyKey: 'tgt_x' }), ctx());
    const found = await connector.find(botAccount(f), { idempotencyKey: 'tgt_x', text: 'edited text' }, since, ctx());
    expect(found).toMatchObject({ remoteId: f.messages.at(-1)!.id, meta: { foundBy: 'nonce' } });
  });

  it('find pages back until the window is covered', async () => {
    const f = await fake();
    const since = new Date(Date.now() - 60 * 60_000);
    await connector.publish(botAccount(f), request(`Old post. ${DISCLOSURE}`), ctx());
    for (let i = 0; i < 60; i++) f.addForeignMessage(SFW_CHANNEL, `chatter ${i}`);
    const found = await connector.find(botAccount(f), { idempotencyKey: 'tgt_discord_0001', text: `Old post. ${DISCLOSURE}` }, since, ctx());
    expect(found?.remoteId).toBe(f.messages[0]!.id);
    expect(f.callsTo('GET', `/channels/${SFW_CHANNEL}/messages`)).toHaveLength(2);
    expect(f.callsTo('GET', `/channels/${SFW_CHANNEL}/messages`)[1]!.query.before).toBeDefined();
  });

  it('maps 429 (bot) to rate_limited with retry_after and the global flag', async () => {
    const f = await fake({ behaviour: { mode: 'rate_limited', retryAfter: 0.75, global: true } });
    const e = await failure(connector.publish(botAccount(f), request(DISCLOSURE), ctx()));
    expect(e.kind).toBe('rate_limited');
    expect(e.retryAfterSeconds).toBe(0.75);
    expect(e.details).toMatchObject({ global: true });
    expect(posts(f)).toHaveLength(1);
    expect(f.messages).toHaveLength(0);
  });

  it('maps 401 to auth', async () => {
    const f = await fake();
    const e = await failure(connector.publish(botAccount(f, {}, { bot_token: 'wrong' }), request(DISCLOSURE), ctx()));
    expect(e.kind).toBe('auth');
    f.set({ mode: 'unauthorized' });
    expect((await failure(connector.publish(botAccount(f), request(DISCLOSURE), ctx()))).kind).toBe('auth');
    expect(f.messages).toHaveLength(0);
  });

  it('maps 5xx (JSON or HTML) to unavailable and sends nothing twice', async () => {
    const f = await fake({ behaviour: { mode: 'server_error', status: 503 } });
    const e = await failure(connector.publish(botAccount(f), request(DISCLOSURE), ctx()));
    expect(e.kind).toBe('unavailable');
    expect(e.details).toEqual({ status: 503 });
    f.set({ mode: 'server_error', status: 502 });
    const gateway = await failure(connector.publish(webhookAccount(f.webhookUrl()), request(DISCLOSURE), ctx()));
    expect(gateway.kind).toBe('unavailable');
    // Nothing that may be logged carries the webhook's token.
    expect(JSON.stringify({ message: gateway.message, cause: String(gateway.cause), keys: Object.keys(gateway.cause as object), details: gateway.details })).not.toContain(f.webhooks[0]!.token);
    expect(posts(f)).toHaveLength(2);
    expect(f.messages).toHaveLength(0);
  });

  it('maps 400 invalid form body (50035) to rejected; refuses > 2000 characters itself', async () => {
    const f = await fake({ contentLimit: 10 });
    const e = await failure(connector.publish(botAccount(f), request('This is longer than ten.'), ctx()));
    expect(e.kind).toBe('rejected');
    expect(e.details).toMatchObject({ status: 400, code: 50035 });
    const long = await failure(connector.publish(botAccount(f), request('x'.repeat(2001)), ctx()));
    expect(long.kind).toBe('rejected');
    expect(posts(f)).toHaveLength(1);
  });

  it('connection refused is unavailable', async () => {
    const url = await closedPortUrl();
    const account: ChannelAccount = { id: 'c', orgId: 'o', platform: 'discord', handle: 'x', settings: { channelId: SFW_CHANNEL, apiBase: `${url}/api` }, credentials: { bot_token: 't' } };
    expect((await failure(connector.publish(account, request(DISCLOSURE), ctx()))).kind).toBe('unavailable');
    expect((await failure(connector.publish(webhookAccount(`${url}/api/webhooks/1234567890/tok`), request(DISCLOSURE), ctx()))).kind).toBe('unavailable');
  });

  it('deletes its message; an already-deleted one counts as gone', async () => {
    const f = await fake();
    const result = await connector.publish(botAccount(f), request(DISCLOSURE), ctx());
    await connector.delete(botAccount(f), result.remoteId, ctx());
    expect(f.live()).toHaveLength(0);
    await connector.delete(botAccount(f), result.remoteId, ctx());
    expect(f.callsTo('DELETE', `/channels/${SFW_CHANNEL}/messages/${result.remoteId}`)).toHaveLength(2);
  });

  it('verify compares ageRestricted with the channel’s NSFW flag', async () => {
    const f = await fake();
    expect(await connector.verify(botAccount(f), ctx())).toEqual({ ok: true, problems: [] });
    expect(await connector.verify(botAccount(f, { channelId: NSFW_CHANNEL, ageRestricted: true }), ctx())).toEqual({ ok: true, problems: [] });
    const mismatch = await connector.verify(botAccount(f, { ageRestricted: true }), ctx());
    expect(mismatch.ok).toBe(false);
    expect(mismatch.problems[0]).toContain('not NSFW');
    expect((await connector.verify(botAccount(f, {}, { bot_token: 'nope' }), ctx())).ok).toBe(false);
    expect(await connector.verify(webhookAccount(f.webhookUrl()), ctx())).toEqual({ ok: true, problems: [] });
  });
});
