import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { TestRuntime } from '../helpers/runtime.ts';
import type { ApiClient } from '../helpers/api.ts';
import type { FakeX } from '../fakes/x.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import { abTesting } from '../../src/publishing/variants.routes.ts';
import { analyticsDaily, postTargets } from '../../src/platform/db/schema/index.ts';

/** An X channel on the fake, for a persona. */
export async function xChannel(owner: ApiClient, fake: FakeX, personaId: string, handle: string): Promise<string> {
  const res = await owner.post('/api/v1/channels', {
    personaId,
    platform: 'x',
    handle,
    settings: { baseUrl: fake.url },
    credentials: { access_token: fake.tokens.access, refresh_token: fake.tokens.refresh, client_id: fake.tokens.clientId, expires_at: new Date(Date.now() + 3600_000).toISOString() },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

/** Creates, approves, schedules and dispatches a post now; returns its targets after dispatch. */
export async function publishNow(rt: TestRuntime, owner: ApiClient, orgId: string, personaId: string, channelIds: string[], caption: string) {
  const created = await owner.post('/api/v1/posts', { personaId, caption, targets: channelIds.map((channelId) => ({ channelId })) });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const postId = created.body.id as string;
  expect((await owner.post(`/api/v1/posts/${postId}/approve`)).status).toBe(200);
  expect((await owner.post(`/api/v1/posts/${postId}/schedule`, { at: new Date().toISOString() })).status).toBe(200);
  const { dispatcher } = publishingServices(rt.platform);
  const targets = await rt.platform.db.withOrg(orgId, (tx) => tx.select().from(postTargets).where(eq(postTargets.postId, postId)));
  for (const t of targets) await dispatcher.dispatch({ data: { orgId, targetId: t.id, version: t.version } });
  return { postId, targets: await rt.platform.db.withOrg(orgId, (tx) => tx.select().from(postTargets).where(eq(postTargets.postId, postId))) };
}

/** Publishing's metrics round, as its scheduled job runs it. */
export const ingestPostMetrics = (rt: TestRuntime) => abTesting(rt.platform, publishingServices(rt.platform)).metrics.ingestAll();

/** Every rollup row of the org, comparable across runs (no timestamps). */
export async function rollupRows(rt: TestRuntime, orgId: string) {
  const rows = await rt.platform.db.withOrg(orgId, (tx) => tx.select().from(analyticsDaily));
  return rows
    .map(({ updatedAt: _updated, ...r }) => r)
    .sort((a, b) => `${a.day}|${a.family}|${a.personaId}|${a.channelId}|${a.currency}`.localeCompare(`${b.day}|${b.family}|${b.personaId}|${b.channelId}|${b.currency}`));
}
