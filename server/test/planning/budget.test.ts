import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, costLines } from '../../src/platform/db/schema/index.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import { ConnectorError, type ChannelAccount, type Connector, type PublishRequest, type PublishResult } from '../../src/publishing/connectors/types.ts';
import { xPostCostCents } from '../../src/publishing/connectors/x/index.ts';
import { backends, testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { approvedPost, dispatchNow } from './helpers.ts';

/** Stands in for X: records what landed and reports each post's cost the way the real connector does. */
class BillingX implements Connector {
  readonly platform = 'x' as const;
  landed: PublishRequest[] = [];
  /** The next publish lands and then times out (an unknown outcome). */
  timeoutOnce = false;
  policy() {
    return { accepts: ['sfw', 'suggestive'] as ('sfw' | 'suggestive')[], disclosureRequired: true, maxMedia: 4, maxTextLength: 280, flagsAdultMedia: true, needsPublicMediaUrl: false };
  }
  async publish(_account: ChannelAccount, request: PublishRequest): Promise<PublishResult> {
    this.landed.push(request);
    if (this.timeoutOnce) {
      this.timeoutOnce = false;
      throw new ConnectorError('x', 'unknown_outcome', 'timed out after sending');
    }
    return this.#result(request);
  }
  async find(_account: ChannelAccount, request: Pick<PublishRequest, 'idempotencyKey' | 'text'>) {
    const landed = this.landed.find((r) => r.idempotencyKey === request.idempotencyKey);
    return landed ? this.#result(landed) : null;
  }
  #result(request: PublishRequest): PublishResult {
    return { remoteId: `tw-${request.idempotencyKey}`, meta: { costCents: xPostCostCents(request.text, request.media.length > 0) } };
  }
}

describe.each(backends)('X cost budget on %s', (backend) => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let orgId: string;
  let personaId: string;
  let xId: string;
  const x = new BillingX();

  beforeAll(async () => {
    rt = await testRuntime(backend);
    publishingServices(rt.platform).connectors.set(x);
    const o = await ownerClient(rt.app, rt.platform, 'Budget');
    owner = o.client;
    orgId = o.orgId;
    personaId = (await owner.post('/api/v1/personas', personaBody('Nora'))).body.id;
    // 5 cents a month: two plain posts (1.5 ¢ each, counted as 2 ¢) fit, a third does not.
    xId = (await owner.post('/api/v1/channels', { personaId, platform: 'x', handle: '@nora', settings: { costBudgetCents: 5 }, credentials: { access_token: 't' } })).body.id;
  }, 60_000);
  afterAll(() => rt?.stop());

  const now = () => new Date().toISOString();
  const schedule = (id: string, at = now()) => owner.post(`/api/v1/posts/${id}/schedule`, { at });
  const costLinesOf = (sourceId: string) =>
    rt.platform.db.withSystem((tx) => tx.select().from(costLines).where(and(eq(costLines.source, 'publishing'), eq(costLines.sourceId, sourceId))));

  it('refuses scheduling past the monthly budget, counting what is already scheduled', async () => {
    const a = await approvedPost(owner, { personaId, caption: 'Morning light', targets: [{ channelId: xId }] });
    const b = await approvedPost(owner, { personaId, caption: 'Evening walk', targets: [{ channelId: xId }] });
    const c = await approvedPost(owner, { personaId, caption: 'Night sky', targets: [{ channelId: xId }] });
    expect((await schedule(a.id)).status).toBe(200);
    expect((await schedule(b.id)).status).toBe(200);
    const refused = await schedule(c.id);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'x_budget_exceeded', channelId: xId, budgetCents: 5, spentCents: 0, scheduledCents: 4, postCents: 2 });
    expect(refused.body.detail).toMatch(/@nora: this post \(\$0\.02\) would exceed the \d{4}-\d{2} X budget of \$0\.05/);
    const spend = await owner.get(`/api/v1/channels/${xId}/spend`);
    expect(spend.body).toMatchObject({ channelId: xId, currency: 'USD', budgetCents: 5, publishedCents: 0, scheduledCents: 4, remainingCents: 1 });

    // Sending a lands once, books its cost once — even when the answer was lost and the job runs again.
    x.timeoutOnce = true;
    const target = await dispatchNow(rt, a.targets[0]!.id);
    expect(target.status).toBe('published');
    expect(target.costCents).toBe(2);
    expect(target.meta).toMatchObject({ costCents: 1.5 });
    await dispatchNow(rt, a.targets[0]!.id);
    expect(x.landed.filter((r) => r.idempotencyKey === target.idempotencyKey)).toHaveLength(1);
    const lines = await costLinesOf(target.id);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ kind: 'platform', amountMinor: 2, currency: 'USD', personaId });
    expect((await owner.get(`/api/v1/posts/${a.id}`)).body.targets[0].costCents).toBe(2);
    expect((await owner.get(`/api/v1/channels/${xId}/spend`)).body).toMatchObject({ publishedCents: 2, scheduledCents: 2 });

    // The budget is lowered after b was scheduled: the dispatcher refuses b instead of sending it.
    await rt.platform.db.withSystem((tx) => tx.update(channels).set({ settings: { costBudgetCents: 3 } }).where(eq(channels.id, xId)));
    const before = x.landed.length;
    const failed = await dispatchNow(rt, b.targets[0]!.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ kind: 'x_budget_exceeded', details: { budgetCents: 3, spentCents: 2, postCents: 2 } });
    expect(x.landed.length).toBe(before);
    expect(await costLinesOf(b.targets[0]!.id)).toHaveLength(0);
  });

  it('a link costs more, and a channel with no budget is never refused', async () => {
    expect(xPostCostCents('see https://example.test/a', false)).toBe(20);
    const free = (await owner.post('/api/v1/channels', { personaId, platform: 'x', handle: '@nora2', credentials: { access_token: 't' } })).body.id;
    const p = await approvedPost(owner, { personaId, caption: 'More at https://example.test/more', targets: [{ channelId: free }] });
    expect((await schedule(p.id)).status).toBe(200);
    const t = await dispatchNow(rt, p.targets[0]!.id);
    expect(t.costCents).toBe(20);
    const spend = await owner.get(`/api/v1/channels/${free}/spend?month=${new Date().toISOString().slice(0, 7)}`);
    expect(spend.body).toMatchObject({ budgetCents: null, publishedCents: 20, remainingCents: null });
    const total = await rt.platform.db.withOrg(orgId, (tx) => tx.select({ n: sql<string>`sum(${costLines.amountMinor})` }).from(costLines));
    expect(Number(total[0]!.n)).toBe(22);
  });
});
