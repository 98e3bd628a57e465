/**
 * X limits posts per developer app (10,000 per 24 h), across every account connected through it: the
 * dispatcher counts per OAuth client id and holds a target back (rescheduled, not failed, nothing sent)
 * when the app's allowance is spent; an account on another app is not held.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { ownerClient, personaBody, type ApiClient } from '../helpers/api.ts';
import { postTargets } from '../../src/platform/db/schema/index.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import { Dispatcher } from '../../src/publishing/dispatcher.ts';
import { generationServices } from '../../src/generation/index.ts';
import type { ChannelAccount, Connector, PublishRequest, PublishResult } from '../../src/publishing/connectors/types.ts';

class CountingX implements Connector {
  readonly platform = 'x' as const;
  readonly landed: { account: string; text: string }[] = [];
  policy() {
    return { accepts: ['sfw' as const], disclosureRequired: true, maxMedia: 4, maxTextLength: 280, flagsAdultMedia: true, needsPublicMediaUrl: false };
  }
  async publish(account: ChannelAccount, request: PublishRequest): Promise<PublishResult> {
    this.landed.push({ account: account.handle, text: request.text });
    return { remoteId: `x-${this.landed.length}` };
  }
}

describe('per-app publishing limit (X)', () => {
  let rt: TestRuntime;
  let owner: ApiClient;
  let orgId: string;
  let personaId: string;
  const x = new CountingX();

  beforeAll(async () => {
    rt = await testRuntime('pglite');
    publishingServices(rt.platform).connectors.set(x);
    const o = await ownerClient(rt.app, rt.platform, 'App limit');
    owner = o.client;
    orgId = o.orgId;
    personaId = (await owner.post('/api/v1/personas', personaBody('Ines'))).body.id;
  }, 60_000);
  afterAll(() => rt?.stop());

  const channel = async (handle: string, clientId: string) =>
    (await owner.post('/api/v1/channels', { personaId, platform: 'x', handle, credentials: { access_token: `at-${handle}`, client_id: clientId } })).body.id as string;
  const scheduled = async (channelId: string, caption: string) => {
    const created = await owner.post('/api/v1/posts', { personaId, caption, targets: [{ channelId }] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await owner.post(`/api/v1/posts/${created.body.id}/approve`)).status).toBe(200);
    expect((await owner.post(`/api/v1/posts/${created.body.id}/schedule`, { at: new Date().toISOString() })).status).toBe(200);
    const [target] = await rt.platform.db.withOrg(orgId, (tx) => tx.select().from(postTargets).where(eq(postTargets.postId, created.body.id)));
    return target!;
  };

  it('holds back the post that would exceed the app allowance, not a post through another app', async () => {
    const { channels, connectors } = publishingServices(rt.platform);
    const dispatcher = new Dispatcher(rt.platform, { channels, connectors, studio: generationServices(rt.platform).studio }, { appLimits: { x: { points: 2, seconds: 3600 } } });
    const a1 = await channel('@ines_one', 'app-1');
    const a2 = await channel('@ines_two', 'app-1');
    const b = await channel('@ines_three', 'app-2');
    const targets = [await scheduled(a1, 'First light'), await scheduled(a2, 'Second light'), await scheduled(a1, 'Third light'), await scheduled(b, 'Other app')];
    for (const t of targets) await dispatcher.dispatch({ data: { orgId, targetId: t.id, version: t.version } });
    const after = await rt.platform.db.withOrg(orgId, (tx) => tx.select().from(postTargets));
    const statusOf = (id: string) => after.find((t) => t.id === id)!;
    expect(targets.map((t) => statusOf(t.id).status)).toEqual(['published', 'published', 'scheduled', 'published']);
    expect(statusOf(targets[2]!.id).error).toMatchObject({ kind: 'retry', message: 'Rate limit of the x app reached' });
    expect(statusOf(targets[2]!.id).scheduledAt!.getTime()).toBeGreaterThan(Date.now() + 60_000);
    expect(x.landed.map((l) => l.account)).toEqual(['@ines_one', '@ines_two', '@ines_three']);
    await dispatcher.close();
  });
});
