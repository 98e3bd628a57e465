import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { approvedPost, dispatchNow, inHours, uploadAsset } from './helpers.ts';

const DEFAULT_DAYS = [
  { weekday: 1, activity: 'planning', slots: [] },
  { weekday: 2, activity: 'publishing', slots: ['10:00', '15:00', '20:00'] },
  { weekday: 3, activity: 'publishing', slots: ['10:00', '15:00', '20:00'] },
  { weekday: 4, activity: 'publishing', slots: ['10:00', '15:00', '20:00'] },
  { weekday: 5, activity: 'analysis', slots: [] },
  { weekday: 6, activity: 'specials', slots: ['12:00', '20:00'] },
  { weekday: 7, activity: 'specials', slots: ['12:00', '20:00'] },
];

describe.each(backends)('calendar planning API on %s', (backend) => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let personaId: string;
  let outboxA: string;
  let outboxB: string;

  beforeAll(async () => {
    rt = await testRuntime(backend);
    owner = (await ownerClient(rt.app, rt.platform, 'Planning')).client;
    personaId = (await owner.post('/api/v1/personas', personaBody('Mara'))).body.id;
    outboxA = (await owner.post('/api/v1/channels', { personaId, platform: 'sandbox', handle: 'outbox-a' })).body.id;
    outboxB = (await owner.post('/api/v1/channels', { personaId, platform: 'sandbox', handle: 'outbox-b' })).body.id;
  }, 60_000);
  afterAll(() => rt?.stop());

  it('has the seed’s rhythm by default, says what today is, and validates edits', async () => {
    const got = await owner.get(`/api/v1/personas/${personaId}/rhythm`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ personaId, timezone: 'Europe/Paris', isDefault: true, days: DEFAULT_DAYS });
    const today = got.body.today;
    expect(today.activity).toBe(DEFAULT_DAYS[today.weekday - 1]!.activity);
    expect(today.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    const slotsOnPlanning = DEFAULT_DAYS.map((d) => (d.weekday === 1 ? { ...d, slots: ['09:00'] } : d));
    expect((await owner.call('PUT', `/api/v1/personas/${personaId}/rhythm`, { days: slotsOnPlanning })).status).toBe(400);
    expect((await owner.call('PUT', `/api/v1/personas/${personaId}/rhythm`, { days: DEFAULT_DAYS.slice(1) })).status).toBe(400);

    const edited = DEFAULT_DAYS.map((d) => (d.weekday === 5 ? { weekday: 5, activity: 'rest', slots: [], note: 'Long weekend' } : d));
    const put = await owner.call('PUT', `/api/v1/personas/${personaId}/rhythm`, { days: [...edited].reverse() });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.isDefault).toBe(false);
    expect(put.body.days[4]).toEqual({ weekday: 5, activity: 'rest', slots: [], note: 'Long weekend' });
  });

  it('applies the rhythm as weekday slots, idempotently, keeping hand-made slots; PUT slots keeps ids', async () => {
    const handMade = await owner.call('PUT', `/api/v1/personas/${personaId}/slots`, { items: [{ name: 'Monday teaser', weekdays: [1], localTime: '18:00', channelIds: [outboxA] }] });
    expect(handMade.status).toBe(200);
    const handId = handMade.body.items[0].id;

    const first = await owner.post(`/api/v1/personas/${personaId}/rhythm/apply`, {});
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const rhythmSlots = first.body.items.filter((s: { name: string }) => s.name.endsWith('(rhythm)'));
    expect(rhythmSlots.map((s: { name: string; weekdays: number[] }) => [s.name, s.weekdays])).toEqual([
      ['Publishing 10:00 (rhythm)', [2, 3, 4]],
      ['Specials 12:00 (rhythm)', [6, 7]],
      ['Publishing 15:00 (rhythm)', [2, 3, 4]],
      ['Publishing 20:00 (rhythm)', [2, 3, 4]],
      ['Specials 20:00 (rhythm)', [6, 7]],
    ]);
    // New rhythm slots go to the channels the persona's slots already use; specials come first in auto-fill.
    expect(rhythmSlots.every((s: { channelIds: string[] }) => s.channelIds.join() === outboxA)).toBe(true);
    expect(rhythmSlots.find((s: { name: string }) => s.name.startsWith('Specials')).priority).toBe(10);
    expect(first.body.items.find((s: { id: string }) => s.id === handId)).toMatchObject({ name: 'Monday teaser' });

    const again = await owner.post(`/api/v1/personas/${personaId}/rhythm/apply`, {});
    expect(again.body.items).toEqual(first.body.items);

    // Saturday becomes a rest day: its times go, the rest keeps its ids.
    const days = (await owner.get(`/api/v1/personas/${personaId}/rhythm`)).body.days.map((d: { weekday: number }) => (d.weekday === 6 ? { weekday: 6, activity: 'rest', slots: [] } : d));
    await owner.call('PUT', `/api/v1/personas/${personaId}/rhythm`, { days });
    const third = await owner.post(`/api/v1/personas/${personaId}/rhythm/apply`, { channelIds: [outboxB] });
    const idOf = (items: { id: string; name: string }[], name: string) => items.find((s) => s.name === name)?.id;
    expect(idOf(third.body.items, 'Specials 12:00 (rhythm)')).toBe(idOf(first.body.items, 'Specials 12:00 (rhythm)'));
    expect(third.body.items.find((s: { name: string }) => s.name === 'Specials 12:00 (rhythm)')).toMatchObject({ weekdays: [7], channelIds: [outboxB] });
    expect(third.body.items.find((s: { id: string }) => s.id === handId)).toMatchObject({ channelIds: [outboxA] });

    // Slots sent back with their id keep it; one left out goes; one without id is new.
    const sent = third.body.items.slice(0, 2).map((s: Record<string, unknown>) => ({ ...s, priority: 3 }));
    const saved = await owner.call('PUT', `/api/v1/personas/${personaId}/slots`, { items: [...sent, { name: 'Extra', weekdays: [], localTime: '08:00', channelIds: [] }] });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.items).toHaveLength(3);
    for (const s of sent) expect(saved.body.items.find((i: { id: string }) => i.id === s.id)).toMatchObject({ priority: 3 });
    expect(saved.body.items.filter((i: { id: string }) => !sent.some((s: { id: string }) => s.id === i.id))).toHaveLength(1);
  });

  it('lists unscheduled drafts; PUT changes media and channels without touching a published target', async () => {
    const [first, second] = [await uploadAsset(rt, owner, personaId, { r: 30, g: 90, b: 200 }), await uploadAsset(rt, owner, personaId, { r: 210, g: 180, b: 40 })];
    const draft = (await owner.post('/api/v1/posts', { personaId, caption: 'Unscheduled idea', targets: [{ channelId: outboxA }] })).body;
    const post = await approvedPost(owner, { personaId, caption: 'Harbour at dawn', assetId: first, targets: [{ channelId: outboxA }] });
    expect((await owner.post(`/api/v1/posts/${post.id}/schedule`, { at: new Date().toISOString() })).status).toBe(200);

    const tray = await owner.get(`/api/v1/posts?personaId=${personaId}&unscheduled=true`);
    expect(tray.status).toBe(200);
    expect(tray.body.items.map((p: { id: string }) => p.id)).toContain(draft.id);
    expect(tray.body.items.map((p: { id: string }) => p.id)).not.toContain(post.id);
    expect((await owner.get(`/api/v1/posts?personaId=${personaId}&status=draft`)).body.items.every((p: { status: string }) => p.status === 'draft')).toBe(true);

    const published = await dispatchNow(rt, post.targets[0]!.id);
    expect(published.status).toBe('published');

    // Add a channel, change media and caption: the published target keeps what it sent.
    const later = inHours(30);
    await owner.call('PUT', `/api/v1/posts/${post.id}`, { scheduledAt: later });
    const edited = await owner.call('PUT', `/api/v1/posts/${post.id}`, { caption: 'Harbour at noon', assetId: second, targets: [{ channelId: outboxA }, { channelId: outboxB }] });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    const [a, b] = [edited.body.targets.find((t: { channelId: string }) => t.channelId === outboxA), edited.body.targets.find((t: { channelId: string }) => t.channelId === outboxB)];
    expect(a).toMatchObject({ id: published.id, status: 'published', remoteId: published.remoteId, text: published.text });
    expect(b).toMatchObject({ status: 'scheduled', scheduledAt: new Date(later).toISOString() });
    expect(b.text).toContain('Harbour at noon');
    expect(edited.body.assetId).toBe(second);

    // Removing the published channel leaves it alone; removing the unsent one deletes it.
    const dropA = await owner.call('PUT', `/api/v1/posts/${post.id}`, { targets: [{ channelId: outboxB }] });
    expect(dropA.body.targets.map((t: { id: string; status: string }) => [t.id, t.status])).toEqual([
      [published.id, 'published'],
      [b.id, 'scheduled'],
    ]);
    const dropB = await owner.call('PUT', `/api/v1/posts/${post.id}`, { targets: [{ channelId: outboxA }] });
    expect(dropB.body.targets.map((t: { id: string }) => t.id)).toEqual([published.id]);
    expect(dropB.body.status).toBe('published');
  });

  it('names the channel when media needs a public URL', async () => {
    const asset = await uploadAsset(rt, owner, personaId, { r: 90, g: 200, b: 120 });
    const ig = (await owner.post('/api/v1/channels', { personaId, platform: 'instagram', handle: '@mara', settings: { igUserId: '17841400000000001' }, credentials: { access_token: 't' } })).body.id;
    const res = await owner.post('/api/v1/posts', { personaId, caption: 'Insta', assetId: asset, targets: [{ channelId: ig }] });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'no_public_url', channelId: ig });
  });
});
