// Shared fixtures of the security suite: OpenAPI walking, valid request bodies, and a seeded organization.
import { randomUUID } from 'node:crypto';
import type { SQL } from 'drizzle-orm';
import { expect } from 'vitest';
import { rowsOf, type Tx } from '../../src/platform/db/database.ts';
import { analyticsAlerts, chatConversations, engagements, generationJobs, mediaAssets, posts } from '../../src/platform/db/schema/index.ts';
import { upsertFan } from '../../src/sales/crm/fans.repository.ts';
import { contentKey } from '../../src/platform/storage/index.ts';
import type { App } from '../../src/platform/http/app.ts';
import { ApiClient, PASSWORD, ownerClient, personaBody, uniqueEmail } from '../helpers/api.ts';
import { exampleBody, examplePathValues, exampleQuery, fillPath, operationsOf, type HttpMethod, type OpenApiDoc, type Operation } from '../http/examples.ts';
import type { TestRuntime } from '../helpers/runtime.ts';

export type { HttpMethod, Operation } from '../http/examples.ts';
export { fillPath } from '../http/examples.ts';
export const MUTATING = new Set<HttpMethod>(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Every operation of the live OpenAPI document (the one /api/docs renders). */
export async function openApiOperations(app: App): Promise<Operation[]> {
  const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
  expect(res.statusCode).toBe(200);
  return operationsOf(res.json() as OpenApiDoc);
}

/** The resource path before the first parameter, e.g. `analytics/destinations` for /api/v1/analytics/destinations/{id}/test. */
export const resourceOf = (path: string) => path.replace(/^\/api\/v1\//, '').split('/{')[0]!;

/** The longest of `keys` that is `path`'s resource or a folder above it (`studio` for studio/jobs). */
export const sourceKey = (keys: string[], path: string) =>
  keys.filter((k) => resourceOf(path) === k || resourceOf(path).startsWith(`${k}/`)).sort((x, y) => y.length - x.length)[0];

/** Names of an operation's path parameters. */
export const paramNames = (op: Operation) => op.pathParams.map((p) => p.name);

/** Ids of the caller's own things that a valid body refers to. */
export interface BodyContext {
  personaId?: string;
  orgId?: string;
  channelId?: string;
}

const contextFor = (ctx: BodyContext): Record<string, () => unknown> => ({
  personaId: () => ctx.personaId ?? randomUUID(),
  personaIds: () => (ctx.personaId ? [ctx.personaId] : []),
  orgId: () => ctx.orgId ?? randomUUID(),
  channelId: () => ctx.channelId ?? randomUUID(),
});

/**
 * A valid request body (required properties only), from the generator the bad-input fuzzer uses too. It must
 * pass the route's schema, otherwise the request stops at validation (400) and never reaches the guard or the
 * service under test. Routes without a body get {} when they mutate.
 */
export function bodyFor(op: Operation, ctx: BodyContext = {}): unknown {
  const body = exampleBody(op, { byName: contextFor(ctx) }, { minimal: true });
  if (body === undefined && MUTATING.has(op.method) && op.method !== 'DELETE') return {};
  return body;
}

/** The operation's path with its required query parameters filled in from the same generator. */
export function queryFor(op: Operation, ctx: BodyContext = {}, ids: Record<string, string> = {}): string {
  const query = new URLSearchParams(exampleQuery(op, { byName: contextFor(ctx) }, { minimal: true })).toString();
  return pathFor(op, ids) + (query ? `?${query}` : '');
}

/** Path values for an operation: names (a platform) from the parameter's schema, ids from `ids` or random. */
export const pathFor = (op: Operation, ids: Record<string, string> = {}) => fillPath(op.path, examplePathValues(op, (name) => ids[name] ?? randomUUID()));

/** The tables that carry an organization, and the column that names it. */
export const TENANT_TABLES: Record<string, string> = {
  organizations: 'id',
  memberships: 'org_id',
  persona_assignments: 'org_id',
  api_keys: 'org_id',
  personas: 'org_id',
  channels: 'org_id',
  secrets: 'org_id',
  media_assets: 'org_id',
  posts: 'org_id',
  audit_log: 'org_id',
  engagements: 'org_id',
  packs: 'org_id',
  price_lists: 'org_id',
  promotions: 'org_id',
  tracking_links: 'org_id',
  segments: 'org_id',
  fans: 'org_id',
  ppv_campaigns: 'org_id',
  transactions: 'org_id',
  statements: 'org_id',
  chat_conversations: 'org_id',
};

export const sqlRows = async <T = Record<string, unknown>>(tx: Tx, query: SQL) => rowsOf<T>(await tx.execute(query));

export interface SeededOrg {
  orgId: string;
  owner: ApiClient;
  ownerEmail: string;
  ownerUserId: string;
  personaId: string;
  otherPersonaId: string;
  channelId: string;
  /** A Fanvue channel (PPV campaigns go through Fanvue only); its base URL leads nowhere. */
  fanvueChannelId: string;
  memberUserId: string;
  memberEmail: string;
  apiKeyId: string;
  apiKey: string;
  /** An ApiClient authenticated with the API key (role owner). */
  keyClient: ApiClient;
  mediaId: string;
  postId: string;
  providerId: string;
  jobId: string;
  packId: string;
  priceListId: string;
  promotionId: string;
  trackingLinkId: string;
  segmentId: string;
  fanId: string;
  ppvId: string;
  transactionId: string;
  statementId: string;
  engagementId: string;
  conversationId: string;
  reportId: string;
  destinationId: string;
  deliveryId: string;
  alertId: string;
  /** Text that only this organization's rows contain (names, handles, messages), for "nothing leaks" checks. */
  markers: string[];
}

/**
 * An organization with an owner, two personas, a channel with credentials, a restricted member assigned to
 * the first persona, an owner-role API key, and one row of every kind an `{id}` route names: through the API
 * where one creates it, otherwise (media, posts, jobs, fans, engagements, conversations, alerts) written under
 * withOrg the way the pipelines that make them would.
 */
export async function seedOrg(rt: TestRuntime, name: string): Promise<SeededOrg> {
  const { client: owner, email: ownerEmail, orgId, userId: ownerUserId } = await ownerClient(rt.app, rt.platform, name);
  const created = async (url: string, body: unknown) => {
    const res = await owner.post(url, body);
    expect(res.status, `${name}: POST ${url} ${JSON.stringify(res.body)}`).toBe(201);
    return res.body as { id: string } & Record<string, any>;
  };
  const slug = name.toLowerCase().replace(/\W/g, '');
  const p1 = await created('/api/v1/personas', personaBody(`${name} one`));
  const p2 = await created('/api/v1/personas', personaBody(`${name} two`));
  const personaId = p1.id;
  const channel = await created('/api/v1/channels', {
    personaId,
    platform: 'sandbox',
    handle: `@${slug}`,
    credentials: { access_token: `${name}-access`, refresh_token: `${name}-refresh` },
  });
  const fanvue = await created('/api/v1/channels', {
    personaId,
    platform: 'fanvue',
    handle: `@${slug}fanvue`,
    settings: { baseUrl: 'http://127.0.0.1:9', tokenUrl: 'http://127.0.0.1:9/token' },
    credentials: { access_token: `${name}-fanvue-access` },
  });
  const memberEmail = uniqueEmail('member');
  const member = await owner.post('/api/v1/team', {
    email: memberEmail,
    password: PASSWORD,
    role: 'chatter',
    restrictedToAssigned: true,
    personaIds: [personaId],
  });
  expect(member.status).toBe(201);
  const key = await created('/api/v1/api-keys', { name: `${name} automation`, role: 'owner' });
  const keyClient = new ApiClient(rt.app);
  keyClient.token = key.key;
  const provider = await created('/api/v1/providers', { type: 'espeak', name: `${name} voice`, config: {} });

  // Sales: catalogue, fans' segment, ledger, statements.
  const pack = await created('/api/v1/packs', { personaId, title: `${name} pack` });
  const priceList = await created('/api/v1/price-lists', { personaId, name: `${name} prices` });
  const day = 86_400_000;
  const promotion = await created('/api/v1/promotions', {
    personaId,
    name: `${name} promo`,
    kind: 'percent',
    value: 2500,
    startsAt: new Date(Date.now() + day).toISOString(),
    endsAt: new Date(Date.now() + 8 * day).toISOString(),
  });
  const trackingLink = await created('/api/v1/tracking-links', { personaId, name: `${name} link`, url: `https://example.test/${slug}` });
  const segment = await created('/api/v1/segments', { personaId, name: `${name} segment`, filter: { kind: 'new_this_week' } });
  const ppv = await created('/api/v1/ppv', { personaId, channelId: fanvue.id, segmentId: segment.id, assetIds: [], message: `${name} hello`, priceMinor: 0 });
  const transaction = await created('/api/v1/transactions', {
    personaId,
    kind: 'tip',
    grossMinor: 500,
    currency: 'EUR',
    occurredAt: new Date(Date.now() - day).toISOString(),
    description: `${name} tip`,
  });
  const statement = await created('/api/v1/statements', { month: new Date().toISOString().slice(0, 7), personaId });

  // Analytics: a report, a destination, and the delivery of a test message to it (queued: no worker runs).
  const report = await created('/api/v1/reports', { kind: 'monthly', period: new Date().toISOString().slice(0, 7), personaId });
  const destination = await created('/api/v1/analytics/destinations', { kind: 'webhook', name: `${name} hook`, credentials: { url: `https://example.test/${slug}-hook` } });
  const test = await owner.post(`/api/v1/analytics/destinations/${destination.id}/test`, {});
  expect(test.status, `${name}: destination test ${JSON.stringify(test.body)}`).toBe(202);
  expect(test.body.deliveryId).toBeTruthy();

  const rows = await rt.platform.db.withOrg(orgId, async (tx) => {
    const [m] = await tx
      .insert(mediaAssets)
      .values({ orgId, personaId, storageKey: contentKey(orgId, 'ab'.repeat(32), '.png'), sha256: 'ab'.repeat(32), mimeType: 'image/png', bytes: 1 })
      .returning();
    const [p] = await tx.insert(posts).values({ orgId, personaId, caption: `${name} post` }).returning();
    // Written directly, not through the API, so no worker is needed to keep it around.
    const [j] = await tx
      .insert(generationJobs)
      .values({ orgId, personaId, kind: 'voice', request: { kind: 'voice', personaId, text: `${name} says hi`, resolved: {} } })
      .returning();
    // Fans arrive from the ledger, chat and engagement paths, never through a create route.
    const fan = await upsertFan(tx, orgId, { personaId, platform: 'sandbox', platformFanId: `${slug}-fan`, channelId: channel.id, handle: `${slug}_fan`, displayName: `${name} fan` });
    // Pulled from the platforms by a job.
    const [e] = await tx
      .insert(engagements)
      .values({ orgId, personaId, channelId: channel.id, kind: 'comment', remoteId: `${slug}-comment`, authorHandle: `${slug}_fan`, text: `${name} comment`, receivedAt: new Date() })
      .returning();
    // Opened by the chat engine when a fan writes.
    const [c] = await tx.insert(chatConversations).values({ orgId, personaId, channelId: channel.id, fanId: fan.id, remoteChatId: `${slug}-chat` }).returning();
    // Opened by the alert rules' evaluation.
    const [al] = await tx
      .insert(analyticsAlerts)
      .values({ orgId, rule: 'channel_reconnect', subject: channel.id, personaId, severity: 'warning', title: `${name} alert`, details: { handle: `@${slug}` } })
      .returning();
    return { mediaId: m!.id, postId: p!.id, jobId: j!.id, fanId: fan.id, engagementId: e!.id, conversationId: c!.id, alertId: al!.id };
  });
  return {
    orgId,
    owner,
    ownerEmail,
    ownerUserId,
    personaId,
    otherPersonaId: p2.id,
    channelId: channel.id,
    fanvueChannelId: fanvue.id,
    memberUserId: member.body.userId,
    memberEmail,
    apiKeyId: key.id,
    apiKey: key.key,
    keyClient,
    providerId: provider.id,
    packId: pack.id,
    priceListId: priceList.id,
    promotionId: promotion.id,
    trackingLinkId: trackingLink.id,
    segmentId: segment.id,
    ppvId: ppv.id,
    transactionId: transaction.id,
    statementId: statement.id,
    reportId: report.id,
    destinationId: destination.id,
    deliveryId: test.body.deliveryId,
    ...rows,
    markers: [
      `${name}-access`,
      `${name}-refresh`,
      `${name}-fanvue-access`,
      `${name} one`,
      `${name} two`,
      memberEmail,
      ownerEmail,
      `${name} pack`,
      `${name} prices`,
      `${name} promo`,
      `${name} link`,
      `https://example.test/${slug}`,
      `${name} segment`,
      `${name} hello`,
      `${name} tip`,
      `${slug}_fan`,
      `${slug}-fan`,
      `${name} fan`,
      `${name} comment`,
      `${slug}-chat`,
      `${name} hook`,
      `https://example.test/${slug}-hook`,
      `${name} alert`,
    ],
  };
}

/** Every id that belongs to an organization, for "none of B's ids shows up" checks. */
export const idsOf = (o: SeededOrg) => [
  o.orgId,
  o.ownerUserId,
  o.personaId,
  o.otherPersonaId,
  o.channelId,
  o.fanvueChannelId,
  o.memberUserId,
  o.apiKeyId,
  o.mediaId,
  o.postId,
  o.providerId,
  o.jobId,
  o.packId,
  o.priceListId,
  o.promotionId,
  o.trackingLinkId,
  o.segmentId,
  o.fanId,
  o.ppvId,
  o.transactionId,
  o.statementId,
  o.engagementId,
  o.conversationId,
  o.reportId,
  o.destinationId,
  o.deliveryId,
  o.alertId,
];

/**
 * Awaits a promise that must reject and returns every message of the error chain (drizzle wraps the
 * driver's error in "Failed query: …" with the PostgreSQL error as its cause), plus the SQLSTATE.
 */
export async function rejection(promise: Promise<unknown>): Promise<string> {
  let settled: unknown;
  try {
    settled = await promise;
  } catch (error) {
    const parts: string[] = [];
    for (let e: any = error; e; e = e.cause) parts.push(`${e.message ?? e}${e.code ? ` [${e.code}]` : ''}`);
    return parts.join(' <- ');
  }
  throw new Error(`expected a rejection, got ${JSON.stringify(settled)?.slice(0, 300)}`);
}
