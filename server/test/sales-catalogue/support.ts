import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { mediaAssets } from '../../src/platform/db/schema/index.ts';
import { contentKey } from '../../src/platform/storage/index.ts';
import { ApiClient, PASSWORD, uniqueEmail } from '../helpers/api.ts';
import type { TestRuntime } from '../helpers/runtime.ts';

type AssetRating = 'unrated' | 'sfw' | 'suggestive' | 'explicit';

/** A media row written directly (no upload pipeline needed for catalogue tests). */
export async function insertAsset(rt: TestRuntime, orgId: string, personaId: string, rating: AssetRating, status: 'approved' | 'pending_approval' | 'rejected' = 'approved') {
  const sha = randomBytes(32).toString('hex');
  return rt.platform.db.withOrg(orgId, async (tx) => {
    const [row] = await tx.insert(mediaAssets).values({ orgId, personaId, storageKey: contentKey(orgId, sha, '.png'), sha256: sha, mimeType: 'image/png', bytes: 1, rating, status }).returning();
    return row!.id;
  });
}

/** A team member signed in with their own client. */
export async function member(rt: TestRuntime, owner: ApiClient, role: string, extra: Record<string, unknown> = {}) {
  const email = uniqueEmail(role);
  const res = await owner.post('/api/v1/team', { email, password: PASSWORD, role, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const client = new ApiClient(rt.app);
  expect((await client.login(email, PASSWORD)).status).toBe(200);
  return client;
}

export const inDays = (days: number, from = new Date()) => new Date(from.getTime() + days * 86_400_000).toISOString();
