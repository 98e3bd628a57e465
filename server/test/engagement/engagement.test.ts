import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ApiClient, ownerClient, PASSWORD, personaBody, uniqueEmail } from '../helpers/api.ts';
import { startFakeX, type FakeX } from '../fakes/x.ts';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import { engagementService } from '../../src/publishing/engagement/index.ts';
import { claimsHuman } from '../../src/generation/captions/index.ts';

/** The persona's text model: a cheerful answer, and one that pretends to be human when asked. */
const OPENINGS = ['Thank you so much!', 'So kind of you!', 'Aww, thanks!', 'That made my day!', 'Hello and thank you!'];
function modelReply(body: { messages: { role: string; content: string }[] }, index: number) {
  const asked = body.messages.at(-1)!.content;
  if (/real person/i.test(asked)) return JSON.stringify({ reply: "Of course I'm a real person! Thanks for asking." });
  // Varied like a real model: X refuses the same text twice.
  return JSON.stringify({ reply: `${OPENINGS[index % OPENINGS.length]} Golden hour is my favourite. https://spam.example @someone` });
}

describe.each(backends)('engagement inbox (%s)', (backend) => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let orgId: string;
  let personaId: string;
  let channelId: string;
  let postRemoteId: string;
  let x: FakeX;
  let ollama: FakeOllama;
  const events: { type: string; data: any }[] = [];

  const member = async (role: 'chatter' | 'viewer' | 'manager', extra: Record<string, unknown> = {}) => {
    const email = uniqueEmail(role);
    const res = await owner.post('/api/v1/team', { email, password: PASSWORD, role, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const client = new ApiClient(rt.app);
    await client.login(email, PASSWORD);
    return client;
  };
  const pull = async (client = owner) => {
    const res = await client.post('/api/v1/engagements/pull', { channelId });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.added as number;
  };
  const inbox = async (query = '') => (await owner.get(`/api/v1/engagements?personaId=${personaId}${query}`)).body.items as any[];
  const byRemote = async (remoteId: string) => (await inbox()).find((i) => i.remoteId === remoteId);

  beforeAll(async () => {
    x = await startFakeX();
    ollama = await startFakeOllama({ reply: (body, index) => modelReply(body, index) });
    rt = await testRuntime(backend);
    const o = await ownerClient(rt.app, rt.platform, 'Engagement');
    owner = o.client;
    orgId = o.orgId;
    rt.platform.events.subscribe(orgId, (e) => events.push(e));
    personaId = (await owner.post('/api/v1/personas', personaBody('Lina'))).body.id;
    const provider = await owner.post('/api/v1/providers', { type: 'ollama', name: 'Ollama', config: { baseUrl: ollama.url, model: 'llama3.2' } });
    expect(provider.status, JSON.stringify(provider.body)).toBe(201);
    const studio = await owner.call('PUT', `/api/v1/personas/${personaId}/studio`, { appearancePrompt: 'a fictional adult woman, 27, freckles', textProviderId: provider.body.id });
    expect(studio.status, JSON.stringify(studio.body)).toBe(200);
    const channel = await owner.post('/api/v1/channels', {
      personaId,
      platform: 'x',
      handle: `@${x.user.username}`,
      settings: { baseUrl: x.url },
      credentials: { access_token: x.tokens.access, refresh_token: x.tokens.refresh, client_id: x.tokens.clientId, expires_at: new Date(Date.now() + 3600_000).toISOString() },
    });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    channelId = channel.body.id;

    // Her post goes out through the calendar, so the inbox can link answers to it.
    const created = await owner.post('/api/v1/posts', { personaId, caption: 'Golden hour on the pier', targets: [{ channelId }] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await owner.post(`/api/v1/posts/${created.body.id}/approve`);
    const scheduled = await owner.post(`/api/v1/posts/${created.body.id}/schedule`, { at: new Date(Date.now() + 1000).toISOString() });
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(200);
    const target = scheduled.body.targets[0];
    await publishingServices(rt.platform).dispatcher.dispatch({ data: { orgId, targetId: target.id, version: 1 } });
    const published = (await owner.get(`/api/v1/posts/${created.body.id}`)).body.targets[0];
    expect(published.status, JSON.stringify(published.error)).toBe('published');
    postRemoteId = published.remoteId;
  }, 90_000);
  afterAll(async () => {
    await rt?.stop();
    await Promise.all([x?.close(), ollama?.close()]);
  });

  it('pulls mentions and replies once, linked to her post, live', async () => {
    const reply = x.addMention({ username: 'sea_fan', text: `@${x.user.username} what a view!`, inReplyTo: postRemoteId });
    x.addMention({ username: 'chatty', text: `talking about @${x.user.username} here` });
    expect(await pull()).toBe(2);
    expect(await pull()).toBe(0);
    const items = await inbox();
    expect(items.filter((i) => i.remoteId === reply.id)).toHaveLength(1);
    const item = items.find((i) => i.remoteId === reply.id);
    expect(item).toMatchObject({ kind: 'reply', status: 'new', authorHandle: 'sea_fan', text: `@${x.user.username} what a view!`, platform: 'x' });
    expect(item.post).toMatchObject({ url: expect.stringContaining(postRemoteId) });
    expect(events.some((e) => e.type === 'engagement.new' && e.data.channelId === channelId)).toBe(true);
    // The mentions request carried her token and asked from the last pull on.
    const calls = x.callsTo(`/2/users/${x.user.id}/mentions`);
    expect(calls.at(-1)!.headers.authorization).toBe(`Bearer ${x.tokens.access}`);
    expect(calls.at(-1)!.query.since_id).toMatch(/^\d+$/);
  });

  it('drafts in her voice without links, mentions or any claim of being human', async () => {
    const ordinary = x.addMention({ username: 'draft_fan', text: `@${x.user.username} love this`, inReplyTo: postRemoteId });
    const asking = x.addMention({ username: 'curious', text: `@${x.user.username} are you a real person?`, inReplyTo: postRemoteId });
    await pull();
    const a = await owner.post(`/api/v1/engagements/${(await byRemote(ordinary.id)).id}/draft`);
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.body.status).toBe('drafted');
    expect(a.body.draft).toContain('Golden hour is my favourite');
    expect(a.body.draft).not.toMatch(/https?:|@someone/);
    const b = await owner.post(`/api/v1/engagements/${(await byRemote(asking.id)).id}/draft`);
    expect(b.status, JSON.stringify(b.body)).toBe(200);
    expect(claimsHuman(b.body.draft)).toBe(false);
    expect(b.body.draft).toMatch(/AI persona/);
    // A person cannot slip a human claim in either.
    const edited = await owner.call('PUT', `/api/v1/engagements/${b.body.id}`, { draft: "I'm a real woman, not a bot." });
    expect(edited.status).toBe(422);
    expect(edited.body.code).toBe('reply_claims_human');
  });

  it('sends exactly one reply, and never twice', async () => {
    const mention = x.addMention({ username: 'send_fan', text: `@${x.user.username} gorgeous`, inReplyTo: postRemoteId });
    await pull();
    const id = (await byRemote(mention.id)).id;
    expect((await owner.call('PUT', `/api/v1/engagements/${id}`, { draft: 'Thank you, the light was unreal tonight.' })).status).toBe(200);
    const before = x.replies().length;
    const sent = await owner.post(`/api/v1/engagements/${id}/send`);
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body).toMatchObject({ status: 'sent', automatic: false, repliedBy: expect.any(String) });
    expect(x.replies()).toHaveLength(before + 1);
    const landed = x.replies().at(-1)!;
    expect(landed.body).toMatchObject({ text: 'Thank you, the light was unreal tonight.', reply: { in_reply_to_tweet_id: mention.id }, made_with_ai: true });
    expect(sent.body.replyRemoteId).toBe(landed.id);
    expect((await owner.post(`/api/v1/engagements/${id}/send`)).status).toBe(409);
    expect(x.replies()).toHaveLength(before + 1);
  });

  it('an unclear outcome is marked failed and never sent again', async () => {
    const mention = x.addMention({ username: 'flaky_fan', text: `@${x.user.username} hello`, inReplyTo: postRemoteId });
    await pull();
    const id = (await byRemote(mention.id)).id;
    await owner.call('PUT', `/api/v1/engagements/${id}`, { draft: 'Hello to you too!' });
    const before = x.replies().length;
    x.set({ resetAfterCreate: true });
    const res = await owner.post(`/api/v1/engagements/${id}/send`);
    x.set({ resetAfterCreate: false });
    expect(res.status).toBe(502);
    expect(res.body.code).toBe('outcome_unknown');
    const item = (await owner.get(`/api/v1/engagements/${id}`)).body;
    expect(item).toMatchObject({ status: 'failed', error: { kind: 'unknown_outcome', message: expect.stringMatching(/may or may not/) } });
    const again = await owner.post(`/api/v1/engagements/${id}/send`);
    expect(again.status).toBe(409);
    // Nor can a fresh draft clear the way to a second send.
    expect((await owner.post(`/api/v1/engagements/${id}/draft`)).status).toBe(409);
    expect((await owner.call('PUT', `/api/v1/engagements/${id}`, { draft: 'Hello again!' })).status).toBe(409);
    expect(x.replies()).toHaveLength(before + 1);
    expect((await owner.post(`/api/v1/engagements/${id}/dismiss`)).body.status).toBe('dismissed');
  });

  it('a chatter with inbox:write answers; a viewer cannot; a restricted chatter sees only her personas', async () => {
    const mention = x.addMention({ username: 'team_fan', text: `@${x.user.username} hi team`, inReplyTo: postRemoteId });
    await pull();
    const id = (await byRemote(mention.id)).id;
    const chatter = await member('chatter');
    expect((await chatter.call('PUT', `/api/v1/engagements/${id}`, { draft: 'Hi! Thanks for stopping by.' })).status).toBe(200);
    const sent = await chatter.post(`/api/v1/engagements/${id}/send`);
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body.status).toBe('sent');
    const viewer = await member('viewer');
    expect((await viewer.get(`/api/v1/engagements?personaId=${personaId}`)).status).toBe(403);
    expect((await viewer.post(`/api/v1/engagements/${id}/send`)).status).toBe(403);
    const other = (await owner.post('/api/v1/personas', personaBody('Mara'))).body.id;
    const restricted = await member('chatter', { restrictedToAssigned: true, personaIds: [other] });
    expect((await restricted.get(`/api/v1/engagements/${id}`)).status).toBe(404);
    expect((await restricted.get('/api/v1/engagements')).body.items).toHaveLength(0);
    expect((await restricted.post('/api/v1/engagements/pull', { channelId })).status).toBe(404);
  });

  it('auto-reply: off by default, refused without X’s recorded approval, then once per person', async () => {
    expect((await owner.get(`/api/v1/channels/${channelId}/auto-reply`)).body).toMatchObject({ supported: true, enabled: false, approval: null });
    const refused = await owner.call('PUT', `/api/v1/channels/${channelId}/auto-reply`, { enabled: true });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('approval_required');
    const manager = await member('manager');
    const notOwner = await manager.call('PUT', `/api/v1/channels/${channelId}/auto-reply`, { enabled: true, approvalReference: 'X-APPROVAL-123' });
    expect(notOwner.status).toBe(403);
    // Nothing automatic while it is off.
    const early = x.addMention({ username: 'early_bird', text: `@${x.user.username} first!`, inReplyTo: postRemoteId });
    await pull();
    expect((await byRemote(early.id)).status).toBe('new');

    const on = await owner.call('PUT', `/api/v1/channels/${channelId}/auto-reply`, { enabled: true, approvalReference: 'X-APPROVAL-123' });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(on.body).toMatchObject({ enabled: true, approval: { reference: 'X-APPROVAL-123' } });
    const audit = (await owner.get('/api/v1/audit?limit=50')).body.items.map((i: any) => i.action);
    expect(audit).toEqual(expect.arrayContaining(['engagement.auto_reply_approval_recorded', 'engagement.auto_reply_enabled']));

    await new Promise((r) => setTimeout(r, 20));
    const before = x.replies().length;
    const first = x.addMention({ username: 'auto_fan', authorId: '1700000000000009001', text: `@${x.user.username} hello there`, inReplyTo: postRemoteId });
    const second = x.addMention({ username: 'auto_fan', authorId: '1700000000000009001', text: `@${x.user.username} me again`, inReplyTo: postRemoteId });
    const other = x.addMention({ username: 'another_fan', authorId: '1700000000000009002', text: `@${x.user.username} nice`, inReplyTo: postRemoteId });
    const stop = x.addMention({ username: 'quiet_fan', authorId: '1700000000000009003', text: `@${x.user.username} please stop`, inReplyTo: postRemoteId });
    await pull();
    expect(x.replies().length - before).toBe(2);
    const answered = x.replies().slice(before).map((r) => (r.body.reply as { in_reply_to_tweet_id: string }).in_reply_to_tweet_id);
    expect(answered.sort()).toEqual([first.id, other.id].sort());
    expect(await byRemote(first.id)).toMatchObject({ status: 'sent', automatic: true, repliedBy: null });
    expect((await byRemote(second.id)).status).toBe('new');
    expect((await byRemote(stop.id)).status).toBe('new');
    expect((await byRemote(early.id)).status).toBe('new');
    for (const r of x.replies().slice(before)) expect(claimsHuman(r.text)).toBe(false);

    // Never the same person twice within 24 hours, even in a new pull.
    const later = x.addMention({ username: 'auto_fan', authorId: '1700000000000009001', text: `@${x.user.username} still there?` });
    await pull();
    expect((await byRemote(later.id)).status).toBe('new');
    expect(x.replies().length - before).toBe(2);

    // Anyone managing channels may turn it off.
    expect((await manager.call('PUT', `/api/v1/channels/${channelId}/auto-reply`, { enabled: false })).body.enabled).toBe(false);
  });

  it('a rate limit backs the channel off: scheduled pulls skip it, a manual pull says until when', async () => {
    x.set({ rateLimit: { route: 'mentions', times: 1, resetInSeconds: 120 } });
    const limited = await owner.post('/api/v1/engagements/pull', { channelId });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('platform_rate_limited');
    const calls = x.callsTo(`/2/users/${x.user.id}/mentions`).length;
    const service = engagementService(rt.platform, publishingServices(rt.platform));
    expect(await service.pullChannel(orgId, channelId)).toEqual([]);
    expect((await owner.post('/api/v1/engagements/pull', { channelId })).status).toBe(429);
    expect(x.callsTo(`/2/users/${x.user.id}/mentions`).length).toBe(calls);
  });

  it('lists with filters and a cursor', async () => {
    const all = await inbox();
    const page = await owner.get(`/api/v1/engagements?personaId=${personaId}&limit=2`);
    expect(page.body.items).toHaveLength(2);
    const next = await owner.get(`/api/v1/engagements?personaId=${personaId}&limit=2&cursor=${page.body.nextCursor}`);
    expect(next.body.items[0].id).toBe(all[2].id);
    const sent = await inbox('&status=sent');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((i) => i.status === 'sent')).toBe(true);
    expect((await owner.get(`/api/v1/engagements?channelId=${channelId}`)).body.items.length).toBe(all.length);
  });
});
