import { randomUUID } from 'node:crypto';

/**
 * Valid requests built from the OpenAPI document: the one source of "a request the schema accepts", used by
 * the bad-input fuzzer (a base that each mutation breaks in one place) and by the security suites (a body that
 * gets past validation to the guard and the service under test). It reads what a schema says — `const`,
 * `examples`, `default`, `enum`, `format`, `pattern`, bounds — and keeps a small table, SEMANTIC_BODIES, only
 * for rules a schema cannot express.
 */

export type JsonSchema = {
  type?: string | string[];
  format?: string;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  examples?: unknown[];
  example?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  description?: string;
};

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export interface Operation {
  method: HttpMethod;
  /** OpenAPI form, e.g. /api/v1/personas/{id} */
  path: string;
  /** `METHOD path` */
  key: string;
  /** Public routes declare no security in the document. */
  authenticated: boolean;
  body: JsonSchema | null;
  bodyRequired: boolean;
  pathParams: { name: string; schema: JsonSchema }[];
  query: { name: string; schema: JsonSchema; required: boolean }[];
  /** Answers with a never-ending text/event-stream when the request is valid. */
  streaming: boolean;
  /** Every documented answer is a redirect (a browser-facing route that reports outcomes in the Location). */
  redirectOnly: boolean;
}

type Parameter = { in: string; name: string; required?: boolean; schema?: JsonSchema };
type OpenApiOperation = {
  summary?: string;
  description?: string;
  responses?: Record<string, unknown>;
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
};
export type OpenApiDoc = { paths: Record<string, Record<string, unknown>> };

/** Every operation of an OpenAPI document (the one /api/openapi.json serves). */
export function operationsOf(doc: OpenApiDoc): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const shared = (item.parameters ?? []) as Parameter[];
    for (const method of METHODS) {
      const op = item[method.toLowerCase()] as OpenApiOperation | undefined;
      if (!op) continue;
      const params = [...shared, ...(op.parameters ?? [])];
      const declared = params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema ?? {} }));
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!).filter((name) => !declared.some((p) => p.name === name));
      const statuses = Object.keys(op.responses ?? {});
      out.push({
        method,
        path,
        key: `${method} ${path}`,
        authenticated: Array.isArray(op.security) && op.security.length > 0,
        body: op.requestBody?.content?.['application/json']?.schema ?? null,
        bodyRequired: Boolean(op.requestBody?.required),
        pathParams: [...declared, ...templated.map((name) => ({ name, schema: {} }))],
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {}, required: p.required ?? false })),
        streaming: JSON.stringify([op.summary, op.description, op.responses]).includes('text/event-stream'),
        redirectOnly: statuses.length > 0 && statuses.every((s) => /^3\d\d$/.test(s)),
      });
    }
  }
  return out;
}

/** The declared type; of several, a number before a string (a "string or number" is a numeric value). */
export function typeOf(s: JsonSchema): string | undefined {
  if (!Array.isArray(s.type)) return s.type;
  const types = s.type.filter((t) => t !== 'null');
  return types.find((t) => t === 'integer' || t === 'number') ?? types[0] ?? s.type[0];
}

export interface ExampleContext {
  /** Values by property name that the product needs to be real (an existing persona id, a timezone). */
  byName: Record<string, () => unknown>;
}

/** Values by property name that no schema can express (an IANA zone is "a string"); contexts add ids. */
export const COMMON_BY_NAME: Record<string, () => unknown> = {
  timezone: () => 'Europe/Paris',
  password: () => 'a perfectly fine password',
  locale: () => 'en',
  role: () => 'viewer',
};

export interface ExampleOptions {
  /** The property this value is for (looked up in ctx.byName). */
  name?: string;
  /**
   * Required properties only (the top-level object keeps one property when none is required: an update with
   * nothing in it may be refused), and arrays at their minimum length. Otherwise every property, and arrays
   * of at least one item, so that a fuzzer has something to break everywhere.
   */
  minimal?: boolean;
  /** Position in the enclosing array: distinct items where the schema allows. */
  index?: number;
}

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Strings that satisfy common patterns, most specific first; the first one the pattern accepts is used. */
function patternCandidates(index: number): string[] {
  const now = new Date();
  return [
    'EUR', // ISO 4217 currency
    'other', // lowercase tokens (platform names, slugs)
    'en', // language codes
    'token',
    `${String(6 + (index % 12)).padStart(2, '0')}:00`, // HH:MM
    now.toISOString().slice(0, 10), // YYYY-MM-DD
    now.toISOString().slice(0, 7), // YYYY-MM
    iso(Date.now() + HOUR),
    '123456', // one-time codes
    'Valid value',
    'valid_value',
    'https://example.test/atelier',
    '1',
  ];
}

function matches(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return new RegExp(pattern).test(value);
  }
}

function exampleString(schema: JsonSchema, opts: ExampleOptions): string {
  const index = opts.index ?? 0;
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Infinity;
  const fits = (s: string) => s.length >= min && s.length <= max && (!schema.pattern || matches(schema.pattern, s));
  switch (schema.format) {
    case 'uuid':
      return randomUUID();
    case 'email':
      return `example-${randomUUID().slice(0, 8)}@example.test`;
    case 'date-time': {
      // Ends come after starts; several items of one list are distinct times.
      const later = /^(ends?(At|On)?|until|to|expires(At|On)?)$/i.test(opts.name ?? '') ? 7 * 24 * HOUR : 0;
      return iso(Date.now() + HOUR * (1 + index) + later);
    }
    case 'date':
      return new Date().toISOString().slice(0, 10);
    case 'time':
      return '06:00:00';
    case 'uri':
    case 'url':
      return 'https://example.test/atelier';
  }
  if (schema.pattern) {
    const found = patternCandidates(index).find(fits);
    if (found !== undefined) return found;
  }
  const base = 'valid value';
  const value = base.length >= min ? base.slice(0, Math.max(min, Math.min(base.length, max))) : base.padEnd(min, 'x');
  return value;
}

function exampleNumber(schema: JsonSchema, integer: boolean): number {
  // 1 where the bounds allow (0 and the bounds themselves are edge cases), else the nearest bound.
  let lo = schema.minimum ?? -Infinity;
  let hi = schema.maximum ?? Infinity;
  if (schema.exclusiveMinimum !== undefined) lo = Math.max(lo, schema.exclusiveMinimum + (integer ? 1 : 0.5));
  if (schema.exclusiveMaximum !== undefined) hi = Math.min(hi, schema.exclusiveMaximum - (integer ? 1 : 0.5));
  return Math.min(Math.max(1, lo), hi);
}

/** A value the schema accepts. */
export function example(schema: JsonSchema, ctx: ExampleContext, opts: ExampleOptions = {}): unknown {
  const { name, minimal = false } = opts;
  const byName = name ? (ctx.byName[name] ?? COMMON_BY_NAME[name]) : undefined;
  if (byName) return byName();
  if (schema.const !== undefined) return schema.const;
  if (schema.examples?.length) return schema.examples[0];
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return structuredClone(schema.default);
  if (schema.enum?.length) return schema.enum[(opts.index ?? 0) % schema.enum.length];
  if (schema.anyOf?.length) return example(schema.anyOf.find((s) => s.type !== 'null') ?? schema.anyOf[0]!, ctx, opts);
  // Discriminated unions (e.g. a generation request by kind): any one alternative is valid; the last one of
  // a generation request (voice) is the one that needs nothing installed.
  if (schema.oneOf?.length) return example(schema.oneOf[schema.oneOf.length - 1]!, ctx, opts);
  switch (typeOf(schema)) {
    case 'string':
      return exampleString(schema, opts);
    case 'integer':
      return exampleNumber(schema, true);
    case 'number':
      return exampleNumber(schema, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const wanted = minimal ? (schema.minItems ?? 0) : Math.max(schema.minItems ?? 0, 1);
      const n = Math.min(wanted, schema.maxItems ?? wanted);
      return Array.from({ length: n }, (_, index) => example(schema.items ?? {}, ctx, { minimal, index }));
    }
    case 'object': {
      const props = schema.properties ?? {};
      const names = !minimal ? Object.keys(props) : schema.required?.length ? schema.required : opts.name === undefined && opts.index === undefined ? Object.keys(props).slice(0, 1) : [];
      return Object.fromEntries(names.map((key) => [key, example(props[key] ?? {}, ctx, { name: key, minimal })]));
    }
    default:
      // Declared as "anything": in this API that is a coerced value, a timestamp in practice (occurredAt…);
      // an ISO instant a moment ago is what such a field accepts.
      return iso(Date.now() - 60_000);
  }
}

/**
 * Bodies whose validity depends on rules a JSON schema cannot state, by `METHOD path`. Each is valid in both
 * modes; keep this table to such rules only.
 */
export const SEMANTIC_BODIES: Record<string, (ctx: ExampleContext) => unknown> = {
  // Each weekday exactly once; only publishing and specials days have slot times.
  'PUT /api/v1/personas/{id}/rhythm': () => ({
    days: [1, 2, 3, 4, 5, 6, 7].map((weekday) =>
      weekday === 2 ? { weekday, activity: 'publishing', slots: ['10:00'], note: 'Tuesday post' } : { weekday, activity: weekday === 7 ? 'rest' : 'planning', slots: [], note: '' },
    ),
  }),
};

/** A valid body for an operation (undefined when it declares none). */
export function exampleBody(op: Pick<Operation, 'key' | 'body'>, ctx: ExampleContext, opts: { minimal?: boolean } = {}): unknown {
  const semantic = SEMANTIC_BODIES[op.key];
  if (semantic) return semantic(ctx);
  if (!op.body) return undefined;
  return example(op.body, ctx, { minimal: opts.minimal ?? false });
}

/** Query values a schema cannot express, by `METHOD path` and parameter name (a filter sent as JSON text). */
export const SEMANTIC_QUERIES: Record<string, Record<string, (ctx: ExampleContext) => string>> = {
  'GET /api/v1/segments/preview': { filter: () => JSON.stringify({ kind: 'new_this_week' }) },
};

/** Values for the query parameters (the required ones only when `minimal`), as strings. */
export function exampleQuery(op: Pick<Operation, 'key' | 'query'>, ctx: ExampleContext, opts: { minimal?: boolean } = {}): Record<string, string> {
  const semantic = SEMANTIC_QUERIES[op.key] ?? {};
  return Object.fromEntries(
    op.query
      .filter((q) => q.required || !opts.minimal)
      .map((q) => [q.name, semantic[q.name]?.(ctx) ?? String(example(q.schema, ctx, { name: q.name, minimal: true }))]),
  );
}

/**
 * Values for the path parameters: a name from the parameter's enum (e.g. a platform), `idFor` for ids
 * (a real row where the caller has one), and a generated value otherwise.
 */
export function examplePathValues(op: Pick<Operation, 'pathParams'>, idFor: (param: string) => string): Record<string, string> {
  return Object.fromEntries(
    op.pathParams.map(({ name, schema }) => {
      if (schema.enum?.length || schema.const !== undefined) return [name, String(example(schema, { byName: {} }))];
      if (schema.format === 'uuid' || !typeOf(schema)) return [name, idFor(name)];
      return [name, String(example(schema, { byName: {} }, { name }))];
    }),
  );
}

/** The path with its parameters filled in (percent-encoded). */
export const fillPath = (path: string, values: Record<string, string>) =>
  path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for path parameter {${name}} of ${path}`);
    return encodeURIComponent(value);
  });
