import sharp from 'sharp';
import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { mediaAssets, postTargets } from '../../src/platform/db/schema/index.ts';
import { publishingServices } from '../../src/publishing/index.ts';
import type { Rating } from '../../src/safety/types.ts';
import type { TestRuntime } from '../helpers/runtime.ts';
import type { ApiClient } from '../helpers/api.ts';

/** Uploads a plain-colour picture for the persona and gives it `rating` (SFW fixtures only). */
export async function uploadAsset(rt: TestRuntime, owner: ApiClient, personaId: string, color: { r: number; g: number; b: number }, rating: Rating = 'sfw') {
  const png = await sharp({ create: { width: 300, height: 300, channels: 3, background: color } }).png().toBuffer();
  const form = new FormData();
  form.set('personaId', personaId);
  form.set('file', new Blob([png], { type: 'image/png' }), 'plain.png');
  const req = new Request('http://x/', { method: 'POST', body: form });
  const up = await rt.app.inject({ method: 'POST', url: '/api/v1/media/upload', headers: { authorization: `Bearer ${owner.token}`, 'content-type': req.headers.get('content-type')! }, payload: Buffer.from(await req.arrayBuffer()) });
  expect(up.statusCode, up.body).toBe(201);
  const id = up.json().id as string;
  await rt.platform.db.withSystem((tx) => tx.update(mediaAssets).set({ rating, status: 'approved' }).where(eq(mediaAssets.id, id)));
  return id;
}

/** Creates and approves a post; returns the API answer (status checked by the caller when it may fail). */
export async function approvedPost(owner: ApiClient, body: { personaId: string; caption: string; assetId?: string; targets: { channelId: string; options?: Record<string, unknown> }[] }) {
  const created = await owner.post('/api/v1/posts', body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect((await owner.post(`/api/v1/posts/${created.body.id}/approve`)).status).toBe(200);
  return created.body as { id: string; targets: { id: string; channelId: string; status: string; text: string }[] };
}

export const inHours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();

/** Runs the dispatcher on a target as its queued job would (no worker in these tests). */
export async function dispatchNow(rt: TestRuntime, targetId: string) {
  const row = await rt.platform.db.withSystem((tx) => tx.select().from(postTargets).where(eq(postTargets.id, targetId)).then((r) => r[0]!));
  await publishingServices(rt.platform).dispatcher.dispatch({ data: { orgId: row.orgId, targetId, version: row.version } });
  return rt.platform.db.withSystem((tx) => tx.select().from(postTargets).where(eq(postTargets.id, targetId)).then((r) => r[0]!));
}
