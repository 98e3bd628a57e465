// Shared fixtures of the security suite: OpenAPI walking, valid request bodies, and a seeded organization.
import { randomUUID } from 'node:crypto';
import type { SQL } from 'drizzle-orm';
import { expect } from 'vitest';
import { rowsOf, type Tx } from '../../src/platform/db/database.ts';
import { generationJobs, mediaAssets, posts } from '../../src/platform/db/schema/index.ts';
import { contentKey } from '../../src/platform/storage/index.ts';
import type { App } from '../../src/platform/http/app.ts';
import { ApiClient, PASSWORD, ownerClient, personaBody, uniqueEmail } from '../helpers/api.ts';
import type { TestRuntime } from '../helpers/runtime.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
export const MUTATING = new Set<HttpMethod>(['POST', 'PUT', 'PATCH', 'DELETE']);

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  minimum?: number;
  minItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
};

export interface Operation {
  method: HttpMethod;
  /** OpenAPI form, e.g. /api/v1/personas/{id} */
  path: string;
  /** `METHOD path`, the key of the body table below */
  key: string;
  pathParams: string[];
  secured: boolean;
  bodySchema: JsonSchema | null;
  bodyRequired: boolean;
}

/** Every operation of the live OpenAPI document (the one /api/docs renders). */
export async function openApiOperations(app: App): Promise<Operation[]> {
  const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
  expect(res.statusCode).toBe(200);
  const doc = res.json() as { paths: Record<string, Record<string, any>> };
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method.toLowerCase()];
      if (!op) continue;
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])] as Array<{ in: string; name: string }>;
      const fromTemplate = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      const pathParams = [...new Set([...fromTemplate, ...params.filter((p) => p.in === 'path').map((p) => p.name)])];
      ops.push({
        method,
        path,
        key: `${method} ${path}`,
        pathParams,
        secured: Array.isArray(op.security) && op.security.length > 0,
        bodySchema: op.requestBody?.content?.['application/json']?.schema ?? null,
        bodyRequired: Boolean(op.requestBody?.required),
      });
    }
  }
  return ops;
}

/** First segment after /api/v1/, e.g. `personas` for /api/v1/personas/{id}. */
export const prefixOf = (path: string) => path.replace(/^\/api\/v1\//, '').split('/')[0]!;

export const fillPath = (path: string, values: Record<string, string>) =>
  path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for path parameter {${name}} of ${path}`);
    return encodeURIComponent(value);
  });

/**
 * Valid request bodies for the routes we know. Each must pass the route's schema, otherwise the request
 * stops at validation (400) and never reaches the guard or the service under test. A route missing here
 * gets a body generated from its JSON schema, which works for simple schemas only.
 */
export const knownBodies: Record<string, (ctx: { personaId?: string; orgId?: string }) => unknown> = {
  'POST /api/v1/auth/switch-org': (c) => ({ orgId: c.orgId ?? randomUUID() }),
  'POST /api/v1/auth/totp/setup': () => ({}),
  'POST /api/v1/auth/totp/enable': () => ({ code: '000000' }),
  'POST /api/v1/auth/totp/disable': () => ({ code: '000000' }),
  'POST /api/v1/personas': () => personaBody('Body persona'),
  'PATCH /api/v1/personas/{id}': () => ({ name: 'Renamed' }),
  'POST /api/v1/channels': (c) => ({ personaId: c.personaId ?? randomUUID(), platform: 'sandbox', handle: '@body', credentials: { access_token: 'x' } }),
  'POST /api/v1/team': () => ({ email: uniqueEmail('body'), password: PASSWORD, role: 'viewer' }),
  'PATCH /api/v1/team/{id}': () => ({ role: 'viewer' }),
  'POST /api/v1/api-keys': () => ({ name: 'body key', role: 'viewer' }),
  'PATCH /api/v1/me': () => ({ locale: 'fr' }),
  'PUT /api/v1/personas/{id}/studio': () => ({}),
  'PUT /api/v1/personas/{id}/studio/auto-approve': () => ({ enabled: true }),
  'POST /api/v1/studio/jobs': (c) => ({ kind: 'voice', personaId: c.personaId ?? randomUUID(), text: 'hello' }),
  'PATCH /api/v1/media/{id}': () => ({ tags: ['x'] }),
  'POST /api/v1/providers': () => ({ type: 'espeak', name: 'Body voice', config: {} }),
  'PATCH /api/v1/providers/{id}': () => ({ name: 'Renamed' }),
  'POST /api/v1/posts': (c) => ({ personaId: c.personaId ?? randomUUID(), caption: 'body', targets: [{ channelId: randomUUID() }] }),
  'PUT /api/v1/posts/{id}': () => ({ caption: 'edited' }),
  'POST /api/v1/posts/{id}/schedule': () => ({ at: new Date(Date.now() + 3_600_000).toISOString() }),
  'PUT /api/v1/personas/{id}/slots': () => ({ items: [] }),
  'POST /api/v1/personas/{id}/slots/autofill': () => ({ days: 7 }),
};

export function bodyFor(op: Operation, ctx: { personaId?: string; orgId?: string } = {}): unknown {
  const known = knownBodies[op.key];
  if (known) return known(ctx);
  if (!op.bodySchema) return MUTATING.has(op.method) && op.method !== 'DELETE' ? {} : undefined;
  return sample(op.bodySchema, true);
}

/** A minimal instance of a JSON schema: required properties only (or the first one when none is required). */
export function sample(schema: JsonSchema, top = false): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const alt = schema.anyOf ?? schema.oneOf;
  if (alt?.length) return sample(alt.find((s) => s.type !== 'null') ?? alt[0]!);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const props = schema.properties ?? {};
      const names = schema.required?.length ? schema.required : top ? Object.keys(props).slice(0, 1) : [];
      return Object.fromEntries(names.map((n) => [n, sample(props[n] ?? {})]));
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items ?? {}));
    case 'boolean':
      return true;
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'string':
      if (schema.format === 'uuid') return randomUUID();
      if (schema.format === 'email') return uniqueEmail('sample');
      if (schema.format === 'date-time') return new Date().toISOString();
      if (schema.pattern?.includes('\\d{6}')) return '000000';
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    default:
      return {};
  }
}

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
}

/**
 * An organization with an owner, two personas, a channel with credentials, a restricted member assigned to
 * the first persona, an owner-role API key, and (no API for them yet) one media asset and one post.
 */
export async function seedOrg(rt: TestRuntime, name: string): Promise<SeededOrg> {
  const { client: owner, email: ownerEmail, orgId, userId: ownerUserId } = await ownerClient(rt.app, rt.platform, name);
  const p1 = await owner.post('/api/v1/personas', personaBody(`${name} one`));
  const p2 = await owner.post('/api/v1/personas', personaBody(`${name} two`));
  expect(p1.status).toBe(201);
  expect(p2.status).toBe(201);
  const channel = await owner.post('/api/v1/channels', {
    personaId: p1.body.id,
    platform: 'sandbox',
    handle: `@${name.toLowerCase().replace(/\W/g, '')}`,
    credentials: { access_token: `${name}-access`, refresh_token: `${name}-refresh` },
  });
  expect(channel.status).toBe(201);
  const memberEmail = uniqueEmail('member');
  const member = await owner.post('/api/v1/team', {
    email: memberEmail,
    password: PASSWORD,
    role: 'chatter',
    restrictedToAssigned: true,
    personaIds: [p1.body.id],
  });
  expect(member.status).toBe(201);
  const key = await owner.post('/api/v1/api-keys', { name: `${name} automation`, role: 'owner' });
  expect(key.status).toBe(201);
  const keyClient = new ApiClient(rt.app);
  keyClient.token = key.body.key;
  const provider = await owner.post('/api/v1/providers', { type: 'espeak', name: `${name} voice`, config: {} });
  expect(provider.status).toBe(201);
  const { mediaId, postId, jobId } = await rt.platform.db.withOrg(orgId, async (tx) => {
    const [m] = await tx
      .insert(mediaAssets)
      .values({ orgId, personaId: p1.body.id, storageKey: contentKey(orgId, 'ab'.repeat(32), '.png'), sha256: 'ab'.repeat(32), mimeType: 'image/png', bytes: 1 })
      .returning();
    const [p] = await tx.insert(posts).values({ orgId, personaId: p1.body.id, caption: `${name} post` }).returning();
    // Written directly, not through the API, so no worker is needed to keep it around.
    const [j] = await tx
      .insert(generationJobs)
      .values({ orgId, personaId: p1.body.id, kind: 'voice', request: { kind: 'voice', personaId: p1.body.id, text: `${name} says hi`, resolved: {} } })
      .returning();
    return { mediaId: m!.id, postId: p!.id, jobId: j!.id };
  });
  return {
    orgId,
    owner,
    ownerEmail,
    ownerUserId,
    personaId: p1.body.id,
    otherPersonaId: p2.body.id,
    channelId: channel.body.id,
    memberUserId: member.body.userId,
    memberEmail,
    apiKeyId: key.body.id,
    apiKey: key.body.key,
    keyClient,
    mediaId,
    postId,
    providerId: provider.body.id,
    jobId,
  };
}

/** Every id that belongs to an organization, for "none of B's ids shows up" checks. */
export const idsOf = (o: SeededOrg) => [o.orgId, o.ownerUserId, o.personaId, o.otherPersonaId, o.channelId, o.memberUserId, o.apiKeyId, o.mediaId, o.postId, o.providerId, o.jobId];

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
