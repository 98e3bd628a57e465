import { afterEach, describe, expect, it } from 'vitest';
import { XConnector } from '../../src/publishing/connectors/x/index.ts';
import { snowflakeAt } from '../../src/publishing/connectors/x/engagement.ts';
import { BlueskyConnector } from '../../src/publishing/connectors/bluesky/index.ts';
import { RedditConnector } from '../../src/publishing/connectors/reddit/index.ts';
import { InstagramConnector } from '../../src/publishing/connectors/instagram/index.ts';
import type { ChannelAccount, ConnectorContext, PublishRequest } from '../../src/publishing/connectors/types.ts';
import { startFakeX } from '../fakes/x.ts';
import { startFakeBluesky } from '../fakes/bluesky.ts';
import { startFakeReddit } from '../fakes/reddit.ts';
import { startFakeInstagram } from '../fakes/instagram.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

const ctx = (): ConnectorContext => ({ signal: AbortSignal.timeout(15_000), async onCredentials() {} });
const post = (text: string, key: string): PublishRequest => ({ text, media: [], rating: 'sfw', idempotencyKey: key, options: { subreddit: 'AtelierTest' } });

describe('X mentions and replies', () => {
  it('reads mentions since a time with the bearer token, and replies once with made_with_ai', async () => {
    const fake = await startFakeX();
    closers.push(fake.close);
    const account: ChannelAccount = {
      id: 'c',
      orgId: 'o',
      platform: 'x',
      handle: '@atelier_persona',
      settings: { baseUrl: fake.url },
      credentials: { access_token: fake.tokens.access, refresh_token: fake.tokens.refresh, client_id: fake.tokens.clientId, expires_at: new Date(Date.now() + 3600_000).toISOString() },
    };
    const x = new XConnector();
    const ours = await x.publish(account, post('Sunset over the harbour', 'k1'), ctx());
    const old = fake.addMention({ username: 'old_fan', text: '@atelier_persona from last week', at: new Date(Date.now() - 3_600_000) });
    const reply = fake.addMention({ username: 'kind_fan', text: '@atelier_persona what a view!', inReplyTo: ours.remoteId });
    fake.addMention({ username: 'other', text: 'talking about @atelier_persona here' });

    const found = await x.interactions!(account, new Date(Date.now() - 60_000), ctx());
    const call = fake.callsTo(`/2/users/${fake.user.id}/mentions`)[0]!;
    expect(call.headers.authorization).toBe(`Bearer ${fake.tokens.access}`);
    expect(Math.abs(Number((BigInt(call.query.since_id!) >> 22n) + 1288834974657n) - (Date.now() - 60_000))).toBeLessThan(10_000);
    expect(call.query.expansions).toBe('author_id');
    expect(found.map((f) => f.remoteId)).not.toContain(old.id);
    const r = found.find((f) => f.remoteId === reply.id)!;
    expect(r).toMatchObject({ kind: 'reply', parentRemoteId: ours.remoteId, postRemoteId: ours.remoteId, authorHandle: 'kind_fan', text: '@atelier_persona what a view!' });
    expect(found.find((f) => f.authorHandle === 'other')).toMatchObject({ kind: 'mention' });

    const sent = await x.reply!(account, reply.id, 'Thank you! It was a golden evening.', ctx());
    expect(fake.replies()).toHaveLength(1);
    expect(fake.replies()[0]!.body).toMatchObject({ reply: { in_reply_to_tweet_id: reply.id }, made_with_ai: true });
    expect(sent.remoteId).toBe(fake.replies()[0]!.id);
  });

  it('since_id is the first snowflake of the instant', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const id = BigInt(snowflakeAt(at));
    expect(Number((id >> 22n) + 1288834974657n)).toBe(at.getTime());
  });
});

describe('Bluesky notifications and replies', () => {
  it('lists replies, mentions and quotes with the session token, and replies with root and parent refs', async () => {
    const fake = await startFakeBluesky();
    closers.push(fake.close);
    const account: ChannelAccount = {
      id: 'c',
      orgId: 'o',
      platform: 'bluesky',
      handle: `@${fake.account.handle}`,
      settings: { service: fake.url },
      credentials: { identifier: fake.account.handle, app_password: fake.account.password },
    };
    const bsky = new BlueskyConnector();
    const ours = await bsky.publish(account, post('Morning light in the studio', 'k-bsky'), ctx());
    const first = fake.addInteraction({ handle: 'mia.bsky.social', text: 'Love the colours', reason: 'reply', replyTo: ours.remoteId });
    const nested = fake.addInteraction({ handle: 'leo.bsky.social', text: 'Agreed!', reason: 'reply', replyTo: first.uri });
    fake.addInteraction({ handle: 'ana.bsky.social', text: 'Look at this', reason: 'quote', quote: ours.remoteId });

    const found = await bsky.interactions!(account, null, ctx());
    const call = fake.callsTo('app.bsky.notification.listNotifications')[0]!;
    expect(call.headers.authorization).toMatch(/^Bearer /);
    expect(found).toHaveLength(3);
    expect(found.find((f) => f.remoteId === first.uri)).toMatchObject({ kind: 'reply', postRemoteId: ours.remoteId, parentRemoteId: ours.remoteId, authorHandle: 'mia.bsky.social' });
    expect(found.find((f) => f.authorHandle === 'ana.bsky.social')).toMatchObject({ kind: 'mention', postRemoteId: ours.remoteId });

    await bsky.reply!(account, nested.uri, 'Thank you both!', ctx());
    // A second attempt for the same parent finds the first reply instead of posting twice.
    await bsky.reply!(account, nested.uri, 'Thank you both!', ctx());
    const replies = fake.replies();
    expect(replies).toHaveLength(1);
    expect(replies[0]!.value.reply).toEqual({ root: { uri: ours.remoteId, cid: expect.any(String) }, parent: { uri: nested.uri, cid: nested.cid } });
  });
});

describe('Reddit inbox and comments', () => {
  it('reads comment replies and mentions without marking them read, and comments once', async () => {
    const fake = await startFakeReddit();
    closers.push(fake.close);
    const account: ChannelAccount = {
      id: 'c',
      orgId: 'o',
      platform: 'reddit',
      handle: fake.username,
      settings: { oauthBaseUrl: fake.url, tokenUrl: fake.tokenUrl, username: fake.username, userAgent: 'test:atelier:1.0 (by /u/atelier_persona)' },
      credentials: { access_token: fake.accessToken, refresh_token: fake.refreshToken, expires_at: new Date(Date.now() + 3600_000).toISOString(), client_id: fake.clientId, client_secret: fake.clientSecret },
    };
    const reddit = new RedditConnector();
    const ours = await reddit.publish(account, post('A quiet street after rain', 'k-r'), ctx());
    const comment = fake.addComment({ author: 'street_fan', body: 'Beautiful reflections', parent: ours.remoteId });
    fake.addComment({ author: 'someone', body: 'u/atelier_persona you should see this', mention: true });

    const found = await reddit.interactions!(account, null, ctx());
    const call = fake.callsTo('/message/inbox', 'GET')[0]!;
    expect(call.headers.authorization).toBe(`Bearer ${fake.accessToken}`);
    expect(call.query.mark).toBe('false');
    expect(found.find((f) => f.remoteId === comment.name)).toMatchObject({ kind: 'comment', postRemoteId: ours.remoteId, parentRemoteId: ours.remoteId, authorHandle: 'street_fan', text: 'Beautiful reflections' });
    expect(found.find((f) => f.authorHandle === 'someone')).toMatchObject({ kind: 'mention' });

    const sent = await reddit.reply!(account, comment.name, 'Thanks, it had just stopped raining.', ctx());
    expect(fake.replies()).toHaveLength(1);
    expect(fake.replies()[0]).toMatchObject({ parent_id: comment.name, body: 'Thanks, it had just stopped raining.' });
    expect(sent.remoteId).toBe(fake.replies()[0]!.name);
    expect(fake.callsTo('/api/comment', 'POST')[0]!.headers.authorization).toBe(`Bearer ${fake.accessToken}`);
    // Her own comment is not engagement.
    expect((await reddit.interactions!(account, null, ctx())).some((f) => f.authorHandle === fake.username)).toBe(false);
  });
});

describe('Instagram comments and replies', () => {
  it('reads comments and their replies on recent media with the token, and replies under the comment', async () => {
    const fake = await startFakeInstagram();
    closers.push(fake.close);
    const account: ChannelAccount = { id: 'c', orgId: 'o', platform: 'instagram', handle: 'atelier_test_persona', settings: { graphBaseUrl: fake.url, igUserId: fake.igUserId }, credentials: { access_token: fake.token } };
    fake.posts.push({ id: '17900000000000001', caption: 'Harbour at dusk', media_type: 'IMAGE', timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, '+0000'), permalink: 'https://www.instagram.com/p/abc/', containerId: 'c1', children: [] });
    const top = fake.addComment({ mediaId: '17900000000000001', username: 'sea_lover', text: 'Gorgeous light' });
    const under = fake.addComment({ mediaId: '17900000000000001', username: 'friend_two', text: 'Same thought!', replyTo: top.id });

    const ig = new InstagramConnector();
    const found = await ig.interactions!(account, null, ctx());
    const call = fake.callsTo(/\/comments$/, 'GET')[0]!;
    expect(call.query.access_token).toBe(fake.token);
    expect(found.find((f) => f.remoteId === top.id)).toMatchObject({ kind: 'comment', postRemoteId: '17900000000000001', authorHandle: 'sea_lover', text: 'Gorgeous light' });
    expect(found.find((f) => f.remoteId === under.id)).toMatchObject({ kind: 'reply', parentRemoteId: top.id });

    const sent = await ig.reply!(account, top.id, 'Thank you! The sky did all the work.', ctx());
    expect(fake.replies()).toHaveLength(1);
    expect(fake.replies()[0]).toMatchObject({ id: sent.remoteId, parentId: top.id, text: 'Thank you! The sky did all the work.' });
    // Her own reply is left out of the next pull.
    expect((await ig.interactions!(account, null, ctx())).some((f) => f.remoteId === sent.remoteId)).toBe(false);
  });
});
