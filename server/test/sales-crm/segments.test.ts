import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { fans } from '../../src/platform/db/schema/index.ts';
import { fanInSegment, fansInSegment, segmentCondition, type SegmentFilter } from '../../src/sales/crm/segments.ts';
import { seedFan } from './support.ts';

describe.each(backends)('segments: one compiler for lists, sizes, promotions and PPV (%s)', (backend) => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let orgId: string;
  let p1: string;
  let p2: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    rt = await testRuntime(backend);
    const o = await ownerClient(rt.app, rt.platform, 'Segments');
    owner = o.client;
    orgId = o.orgId;
    p1 = (await owner.post('/api/v1/personas', personaBody('Mia'))).body.id;
    p2 = (await owner.post('/api/v1/personas', personaBody('Zoe'))).body.id;
    ids.a = (await seedFan(rt, orgId, p1, { subscription: 'active', spend: 5000, tags: ['vip', 'fr'], language: 'fr' })).id;
    ids.b = (await seedFan(rt, orgId, p1, { firstSeenDaysAgo: 30, lastSeenDaysAgo: 20, subscription: 'expired', spend: 100 })).id;
    ids.c = (await seedFan(rt, orgId, p1, { firstSeenDaysAgo: 10, lastSeenDaysAgo: 2, subscription: 'cancelled', subscriptionEndsDaysAgo: 1, spend: 2000, flags: ['blocked'], tags: ['vip'] })).id;
    ids.d = (await seedFan(rt, orgId, p1, { spend: 9000, tags: ['vip'], erased: true })).id;
    ids.e = (await seedFan(rt, orgId, p2, { spend: 99_999 })).id;
  });
  afterAll(() => rt?.stop());

  const run = (filter: SegmentFilter, personaId = p1) =>
    rt.platform.db.withOrg(orgId, async (tx) => {
      const rows = await tx.select({ id: fans.id }).from(fans).where(segmentCondition(filter, { personaId }));
      const names = Object.entries(ids).filter(([, id]) => rows.some((r) => r.id === id)).map(([n]) => n);
      return names.sort();
    });

  it('built-in kinds', async () => {
    expect(await run({ kind: 'new_this_week' })).toEqual(['a']);
    expect(await run({ kind: 'top_spenders', top: 2 })).toEqual(['a', 'c']);
    expect(await run({ kind: 'top_spenders' })).toEqual(['a', 'b', 'c']);
    expect(await run({ kind: 'top_spenders', minSpendMinor: 1000 })).toEqual(['a', 'c']);
    expect(await run({ kind: 'expired_subscribers' })).toEqual(['b', 'c']);
    expect(await run({ kind: 'inactive_days', days: 14 })).toEqual(['b']);
    expect(await run({ kind: 'inactive_days', days: 1 })).toEqual(['b', 'c']);
    // Top N ranks within the persona: the other persona's big spender is not counted.
    expect(await run({ kind: 'top_spenders', top: 1 }, p2)).toEqual(['e']);
  });

  it('custom filters, and erased fans never match', async () => {
    expect(await run({ kind: 'custom' })).toEqual(['a', 'b', 'c']);
    expect(await run({ kind: 'custom', tagsAny: ['vip'] })).toEqual(['a', 'c']);
    expect(await run({ kind: 'custom', tagsAll: ['vip', 'fr'] })).toEqual(['a']);
    expect(await run({ kind: 'custom', language: 'FR' })).toEqual(['a']);
    expect(await run({ kind: 'custom', flagsHas: ['blocked'] })).toEqual(['c']);
    expect(await run({ kind: 'custom', flagsNot: ['blocked'] })).toEqual(['a', 'b']);
    expect(await run({ kind: 'custom', subscription: ['active', 'expired'] })).toEqual(['a', 'b']);
    expect(await run({ kind: 'custom', minSpendMinor: 1500 })).toEqual(['a', 'c']);
    expect(await run({ kind: 'custom', lastSeenWithinDays: 7 })).toEqual(['a', 'c']);
    expect(await run({ kind: 'custom', notSeenForDays: 7 })).toEqual(['b']);
    expect(await run({ kind: 'custom', platform: 'telegram' })).toEqual([]);
    expect(await run({ kind: 'custom', tagsAny: ['vip'], minSpendMinor: 3000 })).toEqual(['a']);
  });

  it('built-ins are listed with stable ids; custom segments are saved, sized and used by fansInSegment', async () => {
    const list = await owner.get(`/api/v1/segments?personaId=${p1}`);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    const keys = list.body.items.filter((s: any) => s.builtin).map((s: any) => s.key).sort();
    expect(keys).toEqual(['expired_subscribers', 'inactive_days', 'new_this_week', 'top_spenders']);
    const again = await owner.get('/api/v1/segments');
    expect(again.body.items.map((s: any) => s.id).sort()).toEqual(list.body.items.map((s: any) => s.id).sort());
    const expired = list.body.items.find((s: any) => s.key === 'expired_subscribers');
    expect((await owner.get(`/api/v1/segments/${expired.id}/size?personaId=${p1}`)).body).toEqual({ size: 2 });
    expect((await owner.patch(`/api/v1/segments/${expired.id}`, { name: 'x' })).status).toBe(409);
    expect((await owner.delete(`/api/v1/segments/${expired.id}`)).status).toBe(409);

    const created = await owner.post('/api/v1/segments', { personaId: p1, name: 'VIPs', filter: { kind: 'custom', tagsAny: ['vip'] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ builtin: false, key: null, personaId: p1 });
    expect((await owner.get(`/api/v1/segments/${created.body.id}/size`)).body).toEqual({ size: 2 });
    const preview = await owner.get(`/api/v1/segments/preview?personaId=${p1}&filter=${encodeURIComponent(JSON.stringify({ kind: 'custom', tagsAll: ['vip', 'fr'] }))}`);
    expect(preview.body).toEqual({ size: 1 });
    expect((await owner.get(`/api/v1/segments/preview?filter=${encodeURIComponent('{"kind":"nope"}')}`)).status).toBe(400);

    const listed = await owner.get(`/api/v1/fans?personaId=${p1}&segmentId=${created.body.id}`);
    expect(listed.body.items.map((f: any) => f.id).sort()).toEqual([ids.a, ids.c].sort());

    const patched = await owner.patch(`/api/v1/segments/${created.body.id}`, { filter: { kind: 'custom', tagsAny: ['vip'], flagsNot: ['blocked'] } });
    expect(patched.status).toBe(200);
    await rt.platform.db.withOrg(orgId, async (tx) => {
      expect(await fansInSegment(tx, created.body.id, p1)).toEqual([ids.a]);
      // A persona's segment selects nobody of another persona.
      expect(await fansInSegment(tx, created.body.id, p2)).toEqual([]);
      expect(await fanInSegment(tx, created.body.id, ids.a!)).toBe(true);
      expect(await fanInSegment(tx, created.body.id, ids.c!)).toBe(false);
      expect(await fanInSegment(tx, created.body.id, ids.d!)).toBe(false);
      // An all-personas built-in applies to whichever persona asks.
      expect((await fansInSegment(tx, expired.id, p1)).sort()).toEqual([ids.b, ids.c].sort());
    });
    expect((await owner.delete(`/api/v1/segments/${created.body.id}`)).status).toBe(204);
    expect((await owner.get(`/api/v1/segments/${created.body.id}`)).status).toBe(404);
  });
});
