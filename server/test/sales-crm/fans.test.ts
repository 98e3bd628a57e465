import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { rowsOf } from '../../src/platform/db/database.ts';
import { auditLog, engagements, ppvCampaigns, ppvRecipients, transactions } from '../../src/platform/db/schema/index.ts';
import { findAnywhere, memberClient, seedFan, uploadPicture } from './support.ts';

const HANDLE = 'sunny_reader_42';
const DISPLAY = 'Sunny Q. Reader';
const NOTE = 'Asked about the lighthouse series';

describe.each(backends)('fans: list, roles, GDPR export and erase (%s)', (backend) => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let manager: ApiClient;
  let chatter: ApiClient;
  let orgId: string;
  let personaId: string;
  let fanId: string;
  let platformFanId: string;
  let otherFanId: string;
  let assetId: string;

  beforeAll(async () => {
    rt = await testRuntime(backend);
    const o = await ownerClient(rt.app, rt.platform, 'Fans');
    owner = o.client;
    orgId = o.orgId;
    manager = await memberClient(rt, owner, 'manager');
    chatter = await memberClient(rt, owner, 'chatter');
    personaId = (await owner.post('/api/v1/personas', personaBody('Ava'))).body.id;
    assetId = await uploadPicture(rt, owner, personaId);
    const channel = await owner.post('/api/v1/channels', { personaId, platform: 'fanvue', handle: '@ava', settings: {}, credentials: { access_token: 't' } });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    platformFanId = randomUUID();
    const fan = await seedFan(rt, orgId, personaId, { platformFanId, handle: HANDLE, subscription: 'active', spend: 4200, tags: ['night-owl'], notes: `${NOTE} (${HANDLE})`, language: 'en' });
    fanId = fan.id;
    otherFanId = (await seedFan(rt, orgId, personaId, { handle: 'quiet_friend', spend: 300 })).id;
    await rt.platform.db.withOrg(orgId, async (tx) => {
      await tx.execute(sql`update fans set display_name = ${DISPLAY} where id = ${fanId}`);
      const base = { orgId, personaId, platform: 'fanvue', currency: 'USD', occurredAt: new Date(), source: 'fanvue_api' };
      await tx.insert(transactions).values([
        { ...base, fanId, kind: 'tip', grossMinor: 1000, feeMinor: 200, netMinor: 800, sourceId: `tip-${HANDLE}-1`, description: `Tip from @${HANDLE}`, raw: { user: { handle: HANDLE, displayName: DISPLAY }, amount: 1000, message: 'thanks!' } },
        { ...base, fanId, kind: 'ppv', grossMinor: 500, feeMinor: 100, netMinor: 400, sourceId: randomUUID(), description: 'PPV unlock', raw: { buyer: platformFanId, amount: 500 } },
        { ...base, fanId: otherFanId, kind: 'tip', grossMinor: 300, feeMinor: 60, netMinor: 240, sourceId: randomUUID(), description: 'Tip', raw: {} },
      ]);
      const common = { orgId, personaId, channelId: channel.body.id, kind: 'comment' as const, receivedAt: new Date() };
      await tx.insert(engagements).values([
        { ...common, remoteId: 'c1', authorRemoteId: platformFanId, authorHandle: `@${HANDLE}`, text: `Lovely light! — ${HANDLE}` },
        { ...common, remoteId: 'c2', authorRemoteId: 'someone-else', authorHandle: '@quiet_friend', text: 'Nice one' },
      ]);
      const [campaign] = await tx.insert(ppvCampaigns).values({ orgId, personaId, channelId: channel.body.id, assetIds: [assetId], message: 'A new set', priceMinor: 500, currency: 'USD', status: 'sent' }).returning();
      await tx.insert(ppvRecipients).values({ orgId, campaignId: campaign!.id, fanId, status: 'sent', remoteMessageId: randomUUID(), sentAt: new Date() });
    });
  });
  afterAll(() => rt?.stop());

  it('lists and filters fans; spend only for callers with ledger:read', async () => {
    const mine = await owner.get(`/api/v1/fans?personaId=${personaId}`);
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    expect(mine.body.items).toHaveLength(2);
    expect(mine.body.items.find((f: any) => f.id === fanId).spend).toMatchObject({ totalMinor: 4200, currency: 'EUR', purchases: 2 });
    expect((await owner.get(`/api/v1/fans?personaId=${personaId}&q=sunny`)).body.items.map((f: any) => f.id)).toEqual([fanId]);
    expect((await owner.get(`/api/v1/fans?personaId=${personaId}&tag=night-owl`)).body.items.map((f: any) => f.id)).toEqual([fanId]);
    expect((await owner.get(`/api/v1/fans?personaId=${personaId}&subscription=active`)).body.items.map((f: any) => f.id)).toEqual([fanId]);
    const page1 = await owner.get(`/api/v1/fans?personaId=${personaId}&limit=1`);
    const page2 = await owner.get(`/api/v1/fans?personaId=${personaId}&limit=1&cursor=${page1.body.nextCursor}`);
    expect([page1.body.items[0].id, page2.body.items[0].id].sort()).toEqual([fanId, otherFanId].sort());
    expect(page2.body.nextCursor).toBeNull();

    const seen = await chatter.get(`/api/v1/fans?personaId=${personaId}`);
    expect(seen.status).toBe(200);
    expect(seen.body.items).toHaveLength(2);
    expect(JSON.stringify(seen.body)).not.toContain('4200');
    expect(seen.body.items.every((f: any) => f.spend === undefined)).toBe(true);
    expect((await chatter.get(`/api/v1/fans/${fanId}`)).body.spend).toBeUndefined();
    expect((await manager.get(`/api/v1/fans/${fanId}`)).body.spend.totalMinor).toBe(4200);
  });

  it('a chatter can neither export nor erase a fan', async () => {
    expect((await chatter.get(`/api/v1/fans/${fanId}/export`)).status).toBe(403);
    expect((await chatter.post(`/api/v1/fans/${fanId}/erase`)).status).toBe(403);
  });

  it('"stated under 18" can be set by a manager but cleared only by an owner or admin', async () => {
    expect((await manager.patch(`/api/v1/fans/${otherFanId}`, { flags: ['stated_under_18'] })).status).toBe(200);
    const refused = await manager.patch(`/api/v1/fans/${otherFanId}`, { flags: [] });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('flag_owner_only');
    const cleared = await owner.patch(`/api/v1/fans/${otherFanId}`, { flags: ['vip'], tags: ['a', 'a', ' b '], notes: 'ok', language: 'de' });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ flags: ['vip'], tags: ['a', 'b'], notes: 'ok', language: 'de' });
  });

  it('export holds the profile, ledger rows, PPV deliveries, engagements and media references', async () => {
    const res = await manager.get(`/api/v1/fans/${fanId}/export`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers['content-disposition']).toContain('attachment');
    const doc = res.body;
    expect(doc.fan).toMatchObject({ id: fanId, handle: HANDLE, displayName: DISPLAY, platformFanId, tags: ['night-owl'] });
    expect(doc.transactions).toHaveLength(2);
    expect(doc.transactions.map((t: any) => t.netMinor).sort()).toEqual([400, 800]);
    expect(doc.engagements).toHaveLength(1);
    expect(doc.engagements[0].text).toContain('Lovely light');
    expect(doc.ppvDeliveries).toHaveLength(1);
    expect(doc.ppvDeliveries[0]).toMatchObject({ status: 'sent', message: 'A new set' });
    expect(doc.media).toEqual([expect.objectContaining({ assetId, url: expect.any(String) })]);
    const audit = await rt.platform.db.withOrg(orgId, (tx) => tx.select().from(auditLog).where(sql`${auditLog.action} = 'fan.exported'`));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.targetId).toBe(fanId);
  });

  it('erase leaves no handle, name, notes or engagement text anywhere, and the revenue totals unchanged', async () => {
    const totals = () =>
      rt.platform.db.withSystem(async (tx) => rowsOf<{ n: string; net: string; gross: string }>(await tx.execute(sql`select count(*)::text as n, sum(net_minor)::text as net, sum(gross_minor)::text as gross from transactions`))[0]);
    const before = await totals();
    // The search does find the fan before the erase (fans, transactions, engagements).
    expect((await findAnywhere(rt, HANDLE)).length).toBeGreaterThanOrEqual(3);
    const res = await owner.post(`/api/v1/fans/${fanId}/erase`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ handle: null, displayName: null, notes: '', tags: [], erasedAt: expect.any(String) });
    expect(res.body.platformFanId).toMatch(/^erased:/);
    expect(res.body.spend.totalMinor).toBe(4200);
    expect(await totals()).toEqual(before);

    for (const needle of [HANDLE, DISPLAY, NOTE, platformFanId, 'Lovely light']) expect(await findAnywhere(rt, needle), needle).toEqual([]);
    // What belongs to others stays.
    await rt.platform.db.withOrg(orgId, async (tx) => {
      expect((await tx.select().from(engagements)).map((e) => e.authorHandle)).toEqual(['@quiet_friend']);
      expect(await tx.select().from(ppvRecipients)).toHaveLength(1);
      const [event] = await tx.select().from(auditLog).where(sql`${auditLog.action} = 'fan.erased'`);
      expect(event!.targetId).toBe(fanId);
    });
    expect((await owner.get(`/api/v1/fans?personaId=${personaId}`)).body.items.map((f: any) => f.id)).toEqual([otherFanId]);
    // Erasing again is harmless.
    expect((await owner.post(`/api/v1/fans/${fanId}/erase`)).status).toBe(200);
  });
});
