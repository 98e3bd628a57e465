import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelegramConnector } from '../../src/publishing/connectors/telegram/index.ts';
import type { ChannelAccount, PublishMedia } from '../../src/publishing/connectors/types.ts';
import { FAKE_TELEGRAM_TOKEN, startFakeTelegram, type FakeTelegram } from '../fakes/telegram.ts';
import { colorFromSeed, makePng } from '../fakes/util.ts';

describe('Telegram album delete', () => {
  let f: FakeTelegram;
  beforeAll(async () => {
    f = await startFakeTelegram();
  });
  afterAll(() => f?.close());

  it('deletes every message of an album from the meta kept on the target', async () => {
    const connector = new TelegramConnector();
    const account: ChannelAccount = { id: 'ch', orgId: 'org', platform: 'telegram', handle: '@atelier_test', settings: { chatId: '@atelier_test', apiRoot: f.url }, credentials: { bot_token: FAKE_TELEGRAM_TOKEN } };
    const photo = async (seed: number): Promise<PublishMedia> => ({ kind: 'image', mimeType: 'image/png', bytes: await makePng({ color: colorFromSeed(seed) }), filename: `p${seed}.png`, width: 64, height: 64, rating: 'sfw' });
    const ctx = { signal: new AbortController().signal };
    const album = await connector.publish(account, { text: 'Three views. AI-generated persona.', media: [await photo(1), await photo(2), await photo(3)], rating: 'sfw', idempotencyKey: 'k1', options: {} }, ctx);
    expect(album.meta?.messageIds).toHaveLength(3);
    // The target keeps remoteId (the first message) and the publication's meta, as the dispatcher stores them.
    await connector.delete(account, album.remoteId, ctx, album.meta);
    expect(f.callsTo('deleteMessages')).toHaveLength(1);
    expect(f.live()).toHaveLength(0);
  });
});
