import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fans, segments } from '../../src/platform/db/schema/index.ts';
import { catalogueFor } from '../../src/sales/catalogue/index.ts';
import { builtinSegmentId } from '../../src/sales/crm/segments.ts';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { inDays, insertAsset, member } from './support.ts';

describe.each(backends)('catalogue API (%s)', (backend) => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let orgId: string;
  let personaA: string;
  let personaB: string;
  let asset: { sfw: string; suggestive: string; explicit: string; pending: string; unrated: string; otherPersona: string };
  let channelA: string;
  let channelB: string;
  let viewer: ApiClient;
  let chatter: ApiClient;
  let managerA: ApiClient;

  beforeAll(async () => {
    rt = await testRuntime(backend);
    const o = await ownerClient(rt.app, rt.platform, 'Catalogue org');
    owner = o.client;
    orgId = o.orgId;
    personaA = (await owner.post('/api/v1/personas', personaBody('Lina'))).body.id;
    personaB = (await owner.post('/api/v1/personas', personaBody('Maya'))).body.id;
    asset = {
      sfw: await insertAsset(rt, orgId, personaA, 'sfw'),
      suggestive: await insertAsset(rt, orgId, personaA, 'suggestive'),
      explicit: await insertAsset(rt, orgId, personaA, 'explicit'),
      pending: await insertAsset(rt, orgId, personaA, 'explicit', 'pending_approval'),
      unrated: await insertAsset(rt, orgId, personaA, 'unrated'),
      otherPersona: await insertAsset(rt, orgId, personaB, 'sfw'),
    };
    channelA = (await owner.post('/api/v1/channels', { personaId: personaA, platform: 'sandbox', handle: '@lina' })).body.id;
    channelB = (await owner.post('/api/v1/channels', { personaId: personaB, platform: 'sandbox', handle: '@maya' })).body.id;
    viewer = await member(rt, owner, 'viewer');
    chatter = await member(rt, owner, 'chatter');
    managerA = await member(rt, owner, 'manager', { restrictedToAssigned: true, personaIds: [personaA] });
  });
  afterAll(() => rt?.stop());

  async function newPack(body: Record<string, unknown> = {}) {
    const res = await owner.post('/api/v1/packs', { personaId: personaA, title: 'Beach day', description: 'Twelve sunny pictures', ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; rating: string; status: string };
  }
  const put = (client: ApiClient, url: string, body: unknown) => client.call('PUT', url, body);

  it('creates, edits, lists and deletes packs; the rating follows the media', async () => {
    const pack = await newPack();
    expect(pack).toMatchObject({ kind: 'pack', status: 'draft', rating: 'sfw' });

    // An empty pack cannot be offered.
    const early = await owner.patch(`/api/v1/packs/${pack.id}`, { status: 'active' });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('pack_empty');

    let res = await put(owner, `/api/v1/packs/${pack.id}/items`, { assetIds: [asset.sfw, asset.suggestive] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ rating: 'suggestive', assetIds: [asset.sfw, asset.suggestive] });
    res = await put(owner, `/api/v1/packs/${pack.id}/items`, { assetIds: [asset.explicit, asset.sfw] });
    expect(res.body).toMatchObject({ rating: 'explicit', assetIds: [asset.explicit, asset.sfw] });
    res = await put(owner, `/api/v1/packs/${pack.id}/items`, { assetIds: [asset.sfw] });
    expect(res.body.rating).toBe('sfw');

    for (const [id, status, code] of [
      [asset.pending, 409, 'asset_not_approved'],
      [asset.unrated, 409, 'asset_unrated'],
      [asset.otherPersona, 422, 'asset_not_own'],
      [crypto.randomUUID(), 422, 'asset_not_own'],
    ] as const) {
      const refused = await put(owner, `/api/v1/packs/${pack.id}/items`, { assetIds: [asset.sfw, id] });
      expect(refused.status, code).toBe(status);
      expect(refused.body.code).toBe(code);
    }
    expect((await owner.get(`/api/v1/packs/${pack.id}`)).body.assetIds).toEqual([asset.sfw]);

    const edited = await owner.patch(`/api/v1/packs/${pack.id}`, { title: 'Beach day (extended)', status: 'active' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ title: 'Beach day (extended)', status: 'active' });
    const emptied = await put(owner, `/api/v1/packs/${pack.id}/items`, { assetIds: [] });
    expect(emptied.body.code).toBe('pack_empty');

    const listed = await owner.get(`/api/v1/packs?personaId=${personaA}&status=active`);
    expect(listed.body.items.map((p: { id: string }) => p.id)).toContain(pack.id);
    expect((await owner.get(`/api/v1/packs?personaId=${personaB}`)).body.items).toEqual([]);

    expect((await owner.delete(`/api/v1/packs/${pack.id}`)).status).toBe(204);
    expect((await owner.get(`/api/v1/packs/${pack.id}`)).status).toBe(404);
  });

  it('bundles hold plain packs of the same persona and take the strictest rating', async () => {
    const soft = await newPack({ title: 'Soft' });
    await put(owner, `/api/v1/packs/${soft.id}/items`, { assetIds: [asset.sfw] });
    const bold = await newPack({ title: 'Bold' });
    await put(owner, `/api/v1/packs/${bold.id}/items`, { assetIds: [asset.suggestive] });
    const bundle = await newPack({ title: 'Both', kind: 'bundle' });

    let res = await put(owner, `/api/v1/packs/${bundle.id}/bundle`, { packIds: [soft.id, bold.id] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ kind: 'bundle', rating: 'suggestive' });
    expect(res.body.packIds.sort()).toEqual([soft.id, bold.id].sort());

    // A member pack's media change re-rates the bundle.
    await put(owner, `/api/v1/packs/${bold.id}/items`, { assetIds: [asset.explicit] });
    expect((await owner.get(`/api/v1/packs/${bundle.id}`)).body.rating).toBe('explicit');
    await owner.delete(`/api/v1/packs/${bold.id}`);
    expect((await owner.get(`/api/v1/packs/${bundle.id}`)).body).toMatchObject({ rating: 'sfw', packIds: [soft.id] });

    expect((await put(owner, `/api/v1/packs/${bundle.id}/items`, { assetIds: [asset.sfw] })).body.code).toBe('not_a_pack');
    expect((await put(owner, `/api/v1/packs/${soft.id}/bundle`, { packIds: [] })).body.code).toBe('not_a_bundle');
    const nested = await newPack({ title: 'Nested', kind: 'bundle' });
    expect((await put(owner, `/api/v1/packs/${bundle.id}/bundle`, { packIds: [nested.id] })).body.code).toBe('nested_bundle');
    const foreign = (await owner.post('/api/v1/packs', { personaId: personaB, title: 'Hers' })).body.id;
    const refused = await put(owner, `/api/v1/packs/${bundle.id}/bundle`, { packIds: [foreign] });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('pack_not_own');
  });

  it('prices per platform and price list; the default list is made on first use', async () => {
    const pack = await newPack({ title: 'Priced' });
    const bad = [
      { platform: 'fanvue', amountMinor: -1, currency: 'EUR' },
      { platform: 'fanvue', amountMinor: 1.5, currency: 'EUR' },
      { platform: 'fanvue', amountMinor: 100, currency: 'XYZ' },
      { platform: 'fanvue', amountMinor: 100, currency: 'eur' },
      { platform: 'myspace', amountMinor: 100, currency: 'EUR' },
    ];
    for (const price of bad) expect((await put(owner, `/api/v1/packs/${pack.id}/prices`, { prices: [price] })).status, JSON.stringify(price)).toBe(400);
    const dup = await put(owner, `/api/v1/packs/${pack.id}/prices`, { prices: [{ platform: 'fanvue', amountMinor: 1, currency: 'EUR' }, { platform: 'fanvue', amountMinor: 2, currency: 'EUR' }] });
    expect(dup.body.code).toBe('duplicate_platform');

    const res = await put(owner, `/api/v1/packs/${pack.id}/prices`, {
      prices: [
        { platform: 'fanvue', amountMinor: 1500, currency: 'EUR' },
        { platform: 'sandbox', amountMinor: 0, currency: 'USD' },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const lists = (await owner.get(`/api/v1/price-lists?personaId=${personaA}`)).body.items;
    expect(lists).toHaveLength(1);
    expect(lists[0]).toMatchObject({ name: 'Standard', isDefault: true });
    expect(res.body.prices).toEqual([
      { priceListId: lists[0].id, platform: 'fanvue', amountMinor: 1500, currency: 'EUR' },
      { priceListId: lists[0].id, platform: 'sandbox', amountMinor: 0, currency: 'USD' },
    ]);
    expect(res.body.effective.find((e: { platform: string }) => e.platform === 'fanvue')).toMatchObject({ listMinor: 1500, effectiveMinor: 1500, currency: 'EUR', promotion: null });

    // A second list: prices there do not touch the default's; making it the default moves "effective".
    const holiday = await owner.post('/api/v1/price-lists', { personaId: personaA, name: 'Holiday' });
    expect(holiday.status).toBe(201);
    expect(holiday.body.isDefault).toBe(false);
    const inHoliday = await put(owner, `/api/v1/packs/${pack.id}/prices`, { priceListId: holiday.body.id, prices: [{ platform: 'fanvue', amountMinor: 990, currency: 'EUR' }] });
    expect(inHoliday.body.prices).toHaveLength(3);
    expect(inHoliday.body.effective.find((e: { platform: string }) => e.platform === 'fanvue').listMinor).toBe(1500);
    expect((await owner.patch(`/api/v1/price-lists/${holiday.body.id}`, { isDefault: true })).body.isDefault).toBe(true);
    const after = (await owner.get(`/api/v1/packs/${pack.id}`)).body;
    expect(after.effective).toEqual([expect.objectContaining({ platform: 'fanvue', listMinor: 990 })]);
    expect((await owner.patch(`/api/v1/price-lists/${holiday.body.id}`, { isDefault: false })).body.code).toBe('default_needed');
    expect((await owner.delete(`/api/v1/price-lists/${holiday.body.id}`)).body.code).toBe('default_price_list');
    expect((await owner.patch(`/api/v1/price-lists/${lists[0].id}`, { isDefault: true })).status).toBe(200);
    expect((await owner.delete(`/api/v1/price-lists/${holiday.body.id}`)).status).toBe(204);
    expect((await owner.get(`/api/v1/packs/${pack.id}`)).body.prices).toHaveLength(2);

    // Another persona's price list is refused.
    const listB = await owner.post('/api/v1/price-lists', { personaId: personaB, name: 'Hers' });
    expect(listB.body.isDefault).toBe(true);
    const cross = await put(owner, `/api/v1/packs/${pack.id}/prices`, { priceListId: listB.body.id, prices: [] });
    expect(cross.status).toBe(422);
    expect(cross.body.code).toBe('price_list_not_own');
  });

  it('promotions: validation, no stacking, and the preview matches the stored effective price', async () => {
    const pack = await newPack({ title: 'Promoted' });
    await put(owner, `/api/v1/packs/${pack.id}/prices`, { prices: [{ platform: 'fanvue', amountMinor: 1000, currency: 'EUR' }] });
    const window = { startsAt: inDays(-1), endsAt: inDays(7) };
    const base = { personaId: personaA, name: 'Spring', ...window };

    const invalid: [Record<string, unknown>, number, string][] = [
      [{ kind: 'percent', value: 2000, startsAt: inDays(2), endsAt: inDays(1) }, 422, 'invalid_window'],
      [{ kind: 'percent', value: 10_001 }, 422, 'invalid_percent'],
      [{ kind: 'percent', value: 0 }, 422, 'invalid_percent'],
      [{ kind: 'fixed', value: 300 }, 422, 'currency_required'],
      [{ kind: 'free_trial', value: 0 }, 422, 'invalid_trial'],
      [{ kind: 'percent', value: 1000, channelIds: [channelB] }, 422, 'channel_not_own'],
      [{ kind: 'percent', value: 1000, channelIds: [crypto.randomUUID()] }, 404, 'not_found'],
      [{ kind: 'percent', value: 1000, packIds: [crypto.randomUUID()] }, 422, 'pack_not_own'],
      [{ kind: 'percent', value: 1000, segmentId: crypto.randomUUID() }, 422, 'segment_not_own'],
      [{ kind: 'percent', value: 1000, trackingLinkId: crypto.randomUUID() }, 422, 'tracking_link_not_own'],
    ];
    for (const [body, status, code] of invalid) {
      const res = await owner.post('/api/v1/promotions', { ...base, ...body });
      expect(res.status, code).toBe(status);
      expect(res.body.code).toBe(code);
    }
    expect((await owner.post('/api/v1/promotions', { ...base, kind: 'fixed', value: 300, currency: 'ABC' })).status).toBe(400);

    const twenty = await owner.post('/api/v1/promotions', { ...base, kind: 'percent', value: 2000, platforms: ['fanvue'] });
    expect(twenty.status, JSON.stringify(twenty.body)).toBe(201);
    expect(twenty.body).toMatchObject({ live: true, currency: null, status: 'active' });
    let effective = (await owner.get(`/api/v1/packs/${pack.id}`)).body.effective[0];
    expect(effective).toMatchObject({ listMinor: 1000, effectiveMinor: 800, promotion: { id: twenty.body.id } });

    // A fixed 300 € off beats 20 % on a 10 € pack: the preview says so, and storing it gives the same price.
    const draft = { name: 'Flash', kind: 'fixed', value: 300, currency: 'EUR', ...window, packIds: [pack.id] };
    const preview = await owner.post('/api/v1/promotions/preview', { promotion: draft, packId: pack.id, platform: 'fanvue' });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body).toMatchObject({ before: { effectiveMinor: 800 }, after: { effectiveMinor: 700, promotion: { id: 'draft' } }, draftApplies: true, draftWins: true });
    const flash = await owner.post('/api/v1/promotions', { personaId: personaA, ...draft });
    effective = (await owner.get(`/api/v1/packs/${pack.id}`)).body.effective[0];
    expect(effective.effectiveMinor).toBe(preview.body.after.effectiveMinor);
    expect(effective.promotion.id).toBe(flash.body.id);

    // A fixed discount in dollars never applies to a euro price.
    const usd = await owner.post('/api/v1/promotions/preview', { promotion: { ...draft, currency: 'USD', value: 900 }, packId: pack.id, platform: 'fanvue' });
    expect(usd.body).toMatchObject({ draftApplies: false, draftWins: false, after: { effectiveMinor: 700 } });

    // Editing a stored promotion: the draft replaces it in "after".
    const weaker = await owner.post('/api/v1/promotions/preview', { promotion: { ...draft, value: 100 }, promotionId: flash.body.id, packId: pack.id, platform: 'fanvue' });
    expect(weaker.body).toMatchObject({ before: { effectiveMinor: 700 }, after: { effectiveMinor: 800, promotion: { id: twenty.body.id } }, draftWins: false });

    // Pausing falls back to the other promotion; deleting leaves the list price.
    expect((await owner.patch(`/api/v1/promotions/${flash.body.id}`, { status: 'paused' })).body.live).toBe(false);
    expect((await owner.get(`/api/v1/packs/${pack.id}`)).body.effective[0].effectiveMinor).toBe(800);
    expect((await owner.patch(`/api/v1/promotions/${flash.body.id}`, { endsAt: inDays(-2) })).body.code).toBe('invalid_window');
    expect((await owner.delete(`/api/v1/promotions/${twenty.body.id}`)).status).toBe(204);
    expect((await owner.get(`/api/v1/packs/${pack.id}`)).body.effective[0]).toMatchObject({ effectiveMinor: 1000, promotion: null });

    // A free trial is reported beside the price, limited to a segment of hers.
    const [segA, segB] = await rt.platform.db.withOrg(orgId, (tx) =>
      tx
        .insert(segments)
        .values([
          { orgId, personaId: personaA, name: 'VIP', filter: {} },
          { orgId, personaId: personaB, name: 'Hers', filter: {} },
        ])
        .returning(),
    );
    expect((await owner.post('/api/v1/promotions', { ...base, kind: 'free_trial', value: 7, segmentId: segB!.id })).body.code).toBe('segment_not_own');
    const trial = await owner.post('/api/v1/promotions', { ...base, name: 'VIP week', kind: 'free_trial', value: 7, segmentId: segA!.id });
    expect(trial.status).toBe(201);
    const trialPreview = await owner.post('/api/v1/promotions/preview', { promotion: { name: 'VIP month', kind: 'free_trial', value: 30, ...window, segmentId: segA!.id }, packId: pack.id, platform: 'fanvue' });
    expect(trialPreview.body).toMatchObject({ before: { freeTrialDays: 7, effectiveMinor: 1000 }, after: { freeTrialDays: 30, effectiveMinor: 1000 }, draftWins: true });

    const listed = await owner.get(`/api/v1/promotions?personaId=${personaA}`);
    expect(listed.body.items.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining([flash.body.id, trial.body.id]));
    expect((await owner.get(`/api/v1/promotions/${trial.body.id}`)).body.segmentId).toBe(segA!.id);
  });

  it('the catalogue offers active packs priced on the platform, at their effective price', async () => {
    const offered = await newPack({ title: 'Offered' });
    await put(owner, `/api/v1/packs/${offered.id}/items`, { assetIds: [asset.sfw] });
    await put(owner, `/api/v1/packs/${offered.id}/prices`, { prices: [{ platform: 'sandbox', amountMinor: 2000, currency: 'EUR' }] });
    await owner.patch(`/api/v1/packs/${offered.id}`, { status: 'active' });
    const draft = await newPack({ title: 'Not yet' });
    await put(owner, `/api/v1/packs/${draft.id}/prices`, { prices: [{ platform: 'sandbox', amountMinor: 500, currency: 'EUR' }] });
    const promo = await owner.post('/api/v1/promotions', { personaId: personaA, name: 'Channel only', kind: 'percent', value: 5000, startsAt: inDays(-1), endsAt: inDays(1), channelIds: [channelA], packIds: [offered.id] });
    expect(promo.status).toBe(201);

    const general = await chatter.get(`/api/v1/personas/${personaA}/catalogue?platform=sandbox`);
    expect(general.status, JSON.stringify(general.body)).toBe(200);
    expect(general.body.items.map((i: { packId: string }) => i.packId)).toEqual([offered.id]);
    expect(general.body.items[0]).toMatchObject({ title: 'Offered', itemCount: 1, price: { listMinor: 2000, effectiveMinor: 2000, promotion: null } });

    const onChannel = await chatter.get(`/api/v1/personas/${personaA}/catalogue?channelId=${channelA}`);
    expect(onChannel.body).toMatchObject({ platform: 'sandbox', channelId: channelA });
    expect(onChannel.body.items[0].price).toMatchObject({ effectiveMinor: 1000, promotion: { id: promo.body.id } });

    expect((await owner.get(`/api/v1/personas/${personaA}/catalogue?platform=fanvue`)).body.items.find((i: { packId: string }) => i.packId === offered.id)).toBeUndefined();
    expect((await owner.get(`/api/v1/personas/${personaA}/catalogue`)).body.code).toBe('platform_required');
    expect((await owner.get(`/api/v1/personas/${personaA}/catalogue?channelId=${channelB}`)).body.code).toBe('channel_not_own');
    expect((await owner.get(`/api/v1/personas/${personaA}/catalogue?channelId=${channelA}&platform=fanvue`)).body.code).toBe('platform_mismatch');
  });

  it('catalogueFor: segment promotions follow the fan, and a channel’s accepted ratings filter the offer', async () => {
    const pack = await newPack({ title: 'For VIPs' });
    await put(owner, `/api/v1/packs/${pack.id}/items`, { assetIds: [asset.suggestive] });
    await put(owner, `/api/v1/packs/${pack.id}/prices`, { prices: [{ platform: 'telegram', amountMinor: 1000, currency: 'EUR' }] });
    await owner.patch(`/api/v1/packs/${pack.id}`, { status: 'active' });
    const [vipSegment] = await rt.platform.db.withOrg(orgId, (tx) => tx.insert(segments).values({ orgId, personaId: personaA, name: 'Tagged VIP', filter: { kind: 'custom', tagsAny: ['vip'] } }).returning());
    const [vip, regular] = await rt.platform.db.withOrg(orgId, (tx) =>
      tx
        .insert(fans)
        .values([
          { orgId, personaId: personaA, platform: 'telegram', platformFanId: 'fan-vip', tags: ['vip'] },
          { orgId, personaId: personaA, platform: 'telegram', platformFanId: 'fan-regular', tags: [] },
        ])
        .returning(),
    );
    const promo = await owner.post('/api/v1/promotions', { personaId: personaA, name: 'VIP half', kind: 'percent', value: 5000, startsAt: inDays(-1), endsAt: inDays(1), segmentId: vipSegment!.id });
    expect(promo.status).toBe(201);
    // A built-in segment is a valid target before anyone listed segments.
    const builtin = await owner.post('/api/v1/promotions', { personaId: personaA, name: 'Welcome', kind: 'free_trial', value: 3, startsAt: inDays(-1), endsAt: inDays(1), segmentId: builtinSegmentId(orgId, 'new_this_week') });
    expect(builtin.status, JSON.stringify(builtin.body)).toBe(201);

    const offer = (fanId: string | null, accepts?: ('sfw' | 'suggestive' | 'explicit')[]) =>
      rt.platform.db.withOrg(orgId, (tx) => catalogueFor(tx, personaA, { platform: 'telegram', fanId, at: new Date(), accepts }));
    const price = async (fanId: string | null) => (await offer(fanId)).find((e) => e.packId === pack.id)!.price;
    expect(await price(vip!.id)).toMatchObject({ effectiveMinor: 500, promotion: { id: promo.body.id } });
    expect(await price(regular!.id)).toMatchObject({ effectiveMinor: 1000, promotion: null });
    expect(await price(null)).toMatchObject({ effectiveMinor: 1000, promotion: null });
    expect((await offer(null, ['sfw'])).find((e) => e.packId === pack.id)).toBeUndefined();
  });

  it('roles: viewers and chatters read but never change prices; a restricted manager sees only her persona', async () => {
    const pack = await newPack({ title: 'Guarded' });
    await put(owner, `/api/v1/packs/${pack.id}/prices`, { prices: [{ platform: 'fanvue', amountMinor: 1200, currency: 'EUR' }] });
    const packB = (await owner.post('/api/v1/packs', { personaId: personaB, title: 'Hers' })).body.id;

    for (const reader of [viewer, chatter]) {
      expect((await reader.get(`/api/v1/packs/${pack.id}`)).status).toBe(200);
      expect((await reader.get(`/api/v1/promotions?personaId=${personaA}`)).status).toBe(200);
      expect((await reader.get(`/api/v1/price-lists`)).status).toBe(200);
      expect((await reader.get(`/api/v1/tracking-links`)).status).toBe(200);
      const preview = await reader.post('/api/v1/promotions/preview', { promotion: { name: 'x', kind: 'percent', value: 1000, startsAt: inDays(-1), endsAt: inDays(1) }, packId: pack.id, platform: 'fanvue' });
      expect(preview.status).toBe(200);
      expect(preview.body.after.effectiveMinor).toBe(1080);
      const writes = [
        await put(reader, `/api/v1/packs/${pack.id}/prices`, { prices: [{ platform: 'fanvue', amountMinor: 1, currency: 'EUR' }] }),
        await reader.patch(`/api/v1/packs/${pack.id}`, { title: 'Mine now' }),
        await reader.post('/api/v1/packs', { personaId: personaA, title: 'x' }),
        await reader.delete(`/api/v1/packs/${pack.id}`),
        await reader.post('/api/v1/promotions', { personaId: personaA, name: 'x', kind: 'percent', value: 9000, startsAt: inDays(-1), endsAt: inDays(1) }),
        await reader.post('/api/v1/price-lists', { personaId: personaA, name: 'x' }),
        await reader.post('/api/v1/tracking-links', { personaId: personaA, name: 'x', url: 'https://example.test/x' }),
      ];
      for (const res of writes) {
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('forbidden');
      }
    }
    expect((await owner.get(`/api/v1/packs/${pack.id}`)).body.prices[0].amountMinor).toBe(1200);

    expect((await managerA.patch(`/api/v1/packs/${pack.id}`, { title: 'Edited by her manager' })).status).toBe(200);
    expect((await managerA.get(`/api/v1/packs/${packB}`)).status).toBe(404);
    expect((await managerA.patch(`/api/v1/packs/${packB}`, { title: 'x' })).status).toBe(404);
    expect((await put(managerA, `/api/v1/packs/${packB}/prices`, { prices: [] })).status).toBe(404);
    expect((await managerA.delete(`/api/v1/packs/${packB}`)).status).toBe(404);
    expect((await managerA.post('/api/v1/packs', { personaId: personaB, title: 'x' })).status).toBe(404);
    expect((await managerA.get(`/api/v1/packs?personaId=${personaB}`)).status).toBe(404);
    const mine = (await managerA.get('/api/v1/packs')).body.items as { personaId: string }[];
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((p) => p.personaId === personaA)).toBe(true);
    expect((await managerA.get(`/api/v1/personas/${personaB}/catalogue?platform=fanvue`)).status).toBe(404);
    expect((await owner.get(`/api/v1/packs/${packB}`)).body.title).toBe('Hers');
  });
});
