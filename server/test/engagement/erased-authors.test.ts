/**
 * Engagement pulls overlap the previous one by ten minutes: a comment by a fan erased in between is listed
 * again by the platform. It must not come back, nor anything else that fan wrote before the erase; what the
 * same account writes afterwards is new data (a new fan), as for the ledger.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { channelCache, engagements } from '../../src/platform/db/schema/index.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import type { ChannelAccount, Connector, PublishRequest, PublishResult, RemoteInteraction } from '../../src/publishing/connectors/types.ts';
import { ERASED_AUTHORS } from '../../src/publishing/engagement/erased-authors.ts';
import { seedFan } from '../sales-crm/support.ts';

/** X as far as the inbox sees it: whatever comments the test lists, every time it is asked. */
class CommentsX implements Connector {
  readonly platform = 'x' as const;
  listed: RemoteInteraction[] = [];
  policy() {
    return { accepts: ['sfw' as const], disclosureRequired: true, maxMedia: 4, maxTextLength: 280, flagsAdultMedia: true, needsPublicMediaUrl: false };
  }
  async publish(_account: ChannelAccount, request: PublishRequest): Promise<PublishResult> {
    return { remoteId: `tw-${request.idempotencyKey}` };
  }
  async interactions(_account: ChannelAccount, _since: Date | null) {
    return this.listed.map((i) => ({ ...i }));
  }
}

const ago = (ms: number) => new Date(Date.now() - ms);
const comment = (remoteId: string, author: { id: string; handle: string }, text: string, createdAt: Date): RemoteInteraction => ({
  remoteId,
  kind: 'reply',
  authorRemoteId: author.id,
  authorHandle: author.handle,
  text,
  createdAt,
});

describe.each(backends)('engagement pulls after a fan erase (%s)', (backend) => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let orgId: string;
  let personaId: string;
  let channelId: string;
  const x = new CommentsX();
  const fan = { id: 'xu_4242', handle: '@quiet_friend' };
  const other = { id: '777', handle: '@harbour_walker' };

  beforeAll(async () => {
    rt = await testRuntime(backend);
    publishingServices(rt.platform).connectors.set(x);
    const o = await ownerClient(rt.app, rt.platform, 'Erased authors');
    owner = o.client;
    orgId = o.orgId;
    personaId = (await owner.post('/api/v1/personas', personaBody('Nora'))).body.id;
    const channel = await owner.post('/api/v1/channels', { personaId, platform: 'x', handle: '@nora', credentials: { access_token: 't' } });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    channelId = channel.body.id;
  }, 60_000);
  afterAll(() => rt?.stop());

  const pull = async () => {
    const res = await owner.post('/api/v1/engagements/pull', { channelId });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.added as number;
  };
  const stored = () => rt.platform.db.withOrg(orgId, (tx) => tx.select().from(engagements).where(eq(engagements.channelId, channelId)));

  it('leaves out what the erased fan wrote before the erase, keeps what others wrote and what comes after', async () => {
    const row = await seedFan(rt, orgId, personaId, { platform: 'x', platformFanId: fan.id, handle: fan.handle });
    x.listed = [comment('c-1', fan, 'Lovely light on the pier', ago(3 * 60_000)), comment('c-2', other, 'Where is this?', ago(2 * 60_000))];
    expect(await pull()).toBe(2);

    const erased = await owner.post(`/api/v1/fans/${row.id}/erase`);
    expect(erased.status, JSON.stringify(erased.body)).toBe(200);
    expect((await stored()).map((e) => e.remoteId)).toEqual(['c-2']);

    // The next pull overlaps: c-1 is listed again, with c-3 the platform had not listed yet (written before
    // the erase, found by the handle alone) and c-4, written after the erase.
    x.listed.push(
      comment('c-3', { id: '', handle: 'Quiet_Friend' }, 'And the boats!', ago(60_000)),
      comment('c-4', fan, 'Back again, hello', new Date(Date.now() + 60_000)),
    );
    expect(await pull()).toBe(1);
    expect((await stored()).map((e) => e.remoteId).sort()).toEqual(['c-2', 'c-4']);
    expect(await pull()).toBe(0);

    // What the erase left to recognise the author names nobody.
    const marks = await rt.platform.db.withOrg(orgId, (tx) => tx.select().from(channelCache).where(eq(channelCache.key, ERASED_AUTHORS)));
    expect(marks).toHaveLength(1);
    const kept = JSON.stringify(marks[0]!.value);
    for (const identifier of [fan.id, 'quiet_friend', 'Lovely light']) expect(kept.toLowerCase()).not.toContain(identifier.toLowerCase());
  });
});
