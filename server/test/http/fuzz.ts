import { randomUUID } from 'node:crypto';
import { example, typeOf, type JsonSchema } from './examples.ts';

/**
 * A small, dependency-free bad-input generator driven by the OpenAPI document: a valid example per
 * operation (examples.ts, shared with the security suites), then cases that each break one thing.
 * Deterministic (seeded), so a failure reproduces.
 */

/** mulberry32: tiny seeded PRNG. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    /** Keeps about `fraction` of xs, at least one when xs is not empty. */
    sample: <T>(xs: readonly T[], fraction: number): T[] => {
      if (fraction >= 1) return [...xs];
      const kept = xs.filter(() => next() < fraction);
      return kept.length || !xs.length ? kept : [xs[Math.floor(next() * xs.length)]!];
    },
  };
}
export type Prng = ReturnType<typeof prng>;

/** Strings a database or a parser might choke on. Schema-valid lengths; still must never be a 5xx. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'lone \udfff surrogate',
  '\uffff\ufffe',
  '🙂𝕏 emoji and astral',
  '\u202eRTL override',
  'Ω≈ç√∫˜µ≤≥÷',
  "'; drop table users; --",
  '" OR 1=1 --',
  '%00%ff%',
  '../../../../etc/passwd',
  '{{7*7}}${7*7}<%= 7*7 %>',
  '<script>alert(1)</script>',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '\r\n\r\nX-Injected: 1',
  '\\u0000',
  '__proto__',
];

/** JSON values of each JSON type, to swap in where another type is declared. */
const BY_TYPE: Record<string, unknown[]> = {
  string: ['str', '1', 'true', ''],
  number: [1, 1.5, -1, 0, 1e308],
  boolean: [true, false],
  array: [[], ['x'], [1, 2]],
  object: [{}, { a: 1 }],
  null: [null],
};

/** Values the declared type does not include. */
function wrongTypes(schema: JsonSchema): unknown[] {
  const t = typeOf(schema);
  if (!t && schema.enum === undefined && schema.const === undefined) return []; // declared as "anything"
  const declared = new Set<string>(Array.isArray(schema.type) ? schema.type : [t ?? '']);
  if (t === 'integer') declared.add('number');
  const out: unknown[] = [];
  for (const [type, values] of Object.entries(BY_TYPE)) {
    if (declared.has(type)) continue;
    out.push(values[0]);
    if (type === 'number' && t !== 'integer') out.push(...values.slice(1, 3));
  }
  if (t === 'integer') out.push(1.5, 2 ** 53 + 2);
  return out;
}

/** Values of the right type that break a declared constraint. */
function constraintBreakers(schema: JsonSchema): unknown[] {
  const out: unknown[] = [];
  const t = typeOf(schema);
  if (schema.enum?.length) {
    const first = schema.enum[0];
    if (typeof first === 'string') out.push('not-in-enum', first.toUpperCase() === first ? first.toLowerCase() + '_' : first.toUpperCase());
    if (typeof first === 'boolean') out.push(!first);
  }
  if (t === 'string') {
    if (schema.minLength && schema.minLength > 0) out.push('', ' '.repeat(schema.minLength));
    if (schema.maxLength !== undefined) out.push('y'.repeat(schema.maxLength + 1));
    if (schema.pattern || schema.format) out.push('not matching', '0'.repeat(37));
    if (schema.format === 'uuid') out.push('00000000-0000-0000-0000-00000000000g', `{${randomUUID()}}`);
  }
  if (t === 'integer' || t === 'number') {
    if (schema.minimum !== undefined) out.push(schema.minimum - 1, -1e308);
    if (schema.maximum !== undefined) out.push(schema.maximum + 1, 1e308);
  }
  if (t === 'array') {
    if (schema.minItems) out.push([]);
    if (schema.maxItems !== undefined) out.push(Array.from({ length: schema.maxItems + 1 }, (_, index) => example(schema.items ?? {}, { byName: {} }, { index })));
    if (schema.items) for (const bad of wrongTypes(schema.items).slice(0, 3)) out.push([bad]);
  }
  if (t === 'object' && schema.additionalProperties === false) out.push({ __unknown: 1 });
  if (t === 'object' && schema.properties && schema.required?.length) out.push({});
  if (t === 'object' && typeof schema.additionalProperties === 'object') {
    const valueBad = wrongTypes(schema.additionalProperties)[0];
    if (valueBad !== undefined) out.push({ key: valueBad });
    if (schema.propertyNames?.pattern) out.push({ 'Bad Key!': example(schema.additionalProperties, { byName: {} }) });
  }
  return out;
}

export function deepObject(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}
export function deepArray(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

export interface BodyMutation {
  label: string;
  /** JSON text sent as-is. */
  payload: string;
  /** `reject`: must be a 4xx. `any`: any status but a 5xx (schema-valid odd input). */
  expect: 'reject' | 'any';
}

/** Every leaf and object path of a schema, with the sub-schema there (objects with properties only). */
function paths(schema: JsonSchema, prefix: string[] = [], depth = 0): { path: string[]; schema: JsonSchema; required: boolean }[] {
  const out: { path: string[]; schema: JsonSchema; required: boolean }[] = [];
  if (typeOf(schema) !== 'object' || !schema.properties || depth > 3) return out;
  for (const [key, sub] of Object.entries(schema.properties)) {
    const path = [...prefix, key];
    out.push({ path, schema: sub, required: schema.required?.includes(key) ?? false });
    out.push(...paths(sub, path, depth + 1));
  }
  return out;
}

function withValue(base: unknown, path: string[], value: unknown, remove = false): unknown {
  const clone = structuredClone(base) as Record<string, unknown>;
  let node = clone;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (remove) delete node[last];
  else node[last] = value;
  return clone;
}

const isAny = (s: JsonSchema) => !typeOf(s) && s.enum === undefined && s.const === undefined && !s.anyOf && !s.oneOf;
/**
 * Any object is valid here: a free-form object, or one that requires nothing and does not forbid unknown
 * keys (the document leaves out `additionalProperties: false`, e.g. a character card, which keeps other
 * tools' fields): unknown keys are ignored, so `{a: {a: …}}` is odd but valid.
 */
const acceptsObject = (s: JsonSchema) =>
  isAny(s) || (typeOf(s) === 'object' && (!s.properties || (s.additionalProperties !== false && !s.required?.length)));

/**
 * Mutations of a valid body, each breaking one thing. `schema` null: the route declares no body, so
 * anything it ignores may legitimately succeed (`any`) but broken JSON must still be refused.
 */
export function bodyMutations(schema: JsonSchema | null, base: unknown, rnd: Prng, opts: { bodyLimit: number; fraction: number }): BodyMutation[] {
  const out: BodyMutation[] = [];
  const strict = schema ? 'reject' : 'any';
  const json = (label: string, value: unknown, expect: BodyMutation['expect']) => out.push({ label, payload: JSON.stringify(value), expect });

  // Whole-body shapes.
  for (const raw of ['[]', '"text"', '1', 'null', 'true', '[{}]']) out.push({ label: `body is ${raw}`, payload: raw, expect: strict });
  // An object that declares extra keys allowed (a webhook payload passed through) may take one more.
  const extras = schema && typeOf(schema) === 'object' && schema.additionalProperties !== false && schema.additionalProperties !== undefined ? 'any' : strict;
  json('unknown extra field', { ...(base as object), __extra: 'x' }, extras);
  json('only unknown fields', { zzz: 1, yyy: [1] }, strict);
  out.push({ label: '__proto__ pollution', payload: `{"__proto__":{"polluted":true}}`, expect: 'reject' });
  out.push({ label: 'constructor.prototype pollution', payload: `{"constructor":{"prototype":{"polluted":true}}}`, expect: 'reject' });
  json('deeply nested body (object)', deepObject(3000), strict);
  json('deeply nested body (array)', deepArray(3000), strict);
  out.push({ label: 'number overflow 1e400', payload: '{"n":1e400}', expect: strict });
  out.push({ label: 'duplicate keys', payload: `{"a":1,"a":2}`, expect: strict });

  if (!schema) return out;

  // Per-property mutations.
  for (const { path, schema: sub, required } of paths(schema)) {
    const where = path.join('.');
    const cases: { label: string; value?: unknown; remove?: boolean; expect: BodyMutation['expect'] }[] = [];
    if (required) cases.push({ label: `${where} missing`, remove: true, expect: 'reject' });
    for (const v of wrongTypes(sub)) cases.push({ label: `${where} = ${JSON.stringify(v)?.slice(0, 40)} (wrong type)`, value: v, expect: 'reject' });
    for (const v of constraintBreakers(sub)) cases.push({ label: `${where} = ${JSON.stringify(v)?.slice(0, 40)} (constraint)`, value: v, expect: 'reject' });
    const t = typeOf(sub);
    if (t === 'string' && !sub.enum) {
      // A huge string: over any declared max, under the body limit.
      cases.push({ label: `${where} huge string`, value: 'h'.repeat(Math.floor(opts.bodyLimit * 0.8)), expect: sub.maxLength !== undefined ? 'reject' : 'any' });
      // Schemas may trim: padding a valid value is odd, not necessarily wrong.
      cases.push({ label: `${where} padded with spaces`, value: ` ${String(example(sub, { byName: {} }))} `, expect: 'any' });
      for (const s of NASTY_STRINGS) {
        cases.push({ label: `${where} = nasty ${JSON.stringify(s).slice(0, 30)}`, value: s, expect: 'any' });
      }
    }
    cases.push({ label: `${where} deeply nested object`, value: deepObject(2000), expect: acceptsObject(sub) ? 'any' : 'reject' });
    cases.push({ label: `${where} deeply nested array`, value: deepArray(2000), expect: isAny(sub) || t === 'array' ? 'any' : 'reject' });
    if (acceptsObject(sub)) {
      cases.push({ label: `${where} object with nasty keys/values`, value: Object.fromEntries(NASTY_STRINGS.map((s, i) => [s || `k${i}`, s])), expect: 'any' });
      cases.push({ label: `${where} wide object`, value: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i])), expect: 'any' });
    }
    for (const c of rnd.sample(cases, opts.fraction)) {
      json(c.label, withValue(base, path, c.value, c.remove), c.expect);
    }
  }
  return out;
}

/** Path parameter values that are not a valid id, already percent-encoded where needed. */
export const BAD_PATH_PARAMS: readonly { label: string; raw: string; expect: 'reject' | 'any' }[] = [
  { label: 'not a uuid', raw: 'not-a-uuid', expect: 'reject' },
  { label: 'number', raw: '123', expect: 'reject' },
  { label: 'uuid without dashes', raw: randomUUID().replaceAll('-', ''), expect: 'reject' },
  { label: 'uuid with bad char', raw: '00000000-0000-4000-8000-00000000000g', expect: 'reject' },
  { label: 'uuid in braces', raw: encodeURIComponent(`{${randomUUID()}}`), expect: 'reject' },
  { label: 'uuid + space', raw: `${randomUUID()}%20`, expect: 'reject' },
  { label: 'uuid + NUL', raw: `${randomUUID()}%00`, expect: 'reject' },
  { label: 'very long (90)', raw: 'a'.repeat(90), expect: 'reject' },
  { label: 'very long (5000)', raw: 'a'.repeat(5000), expect: 'reject' },
  { label: 'very long uuid-ish (5000)', raw: `${randomUUID()}${'0'.repeat(5000)}`, expect: 'reject' },
  { label: 'unicode', raw: encodeURIComponent('é🙂ΩЖ'), expect: 'reject' },
  { label: 'raw unicode', raw: 'é', expect: 'reject' },
  { label: 'dot-dot', raw: '..', expect: 'reject' },
  { label: 'encoded ../', raw: '..%2F..%2Fetc%2Fpasswd', expect: 'reject' },
  { label: 'NUL', raw: '%00', expect: 'reject' },
  { label: 'malformed percent-encoding', raw: '%E0%A4%A', expect: 'reject' },
  { label: 'lone percent', raw: '%', expect: 'reject' },
  { label: 'SQL injection', raw: encodeURIComponent("1' OR '1'='1"), expect: 'reject' },
  { label: 'empty', raw: '', expect: 'reject' },
  { label: 'nil uuid', raw: '00000000-0000-0000-0000-000000000000', expect: 'reject' },
  { label: 'max uuid', raw: 'ffffffff-ffff-ffff-ffff-ffffffffffff', expect: 'reject' },
  { label: 'upper-case unknown uuid', raw: randomUUID().toUpperCase(), expect: 'reject' },
];

/** Raw query-string values (already encoded) for one parameter of the given schema. */
export function badQueryValues(schema: JsonSchema): { label: string; raw: string; expect: 'reject' | 'any' }[] {
  const t = typeOf(schema);
  const out: { label: string; raw: string; expect: 'reject' | 'any' }[] = [
    { label: 'huge', raw: 'q'.repeat(20_000), expect: schema.maxLength !== undefined || t === 'integer' ? 'reject' : 'any' },
    { label: 'malformed encoding', raw: '%E0%A4%A', expect: 'any' },
    { label: 'NUL', raw: '%00', expect: t === 'integer' ? 'reject' : 'any' },
    { label: 'invalid UTF-8 (encoded surrogate)', raw: '%ED%A0%80', expect: t === 'integer' ? 'reject' : 'any' },
    { label: 'overlong UTF-8', raw: '%C0%AF', expect: t === 'integer' ? 'reject' : 'any' },
    { label: 'unicode', raw: encodeURIComponent('é🙂'), expect: t === 'integer' ? 'reject' : 'any' },
    { label: 'SQL injection', raw: encodeURIComponent("' OR 1=1 --"), expect: t === 'integer' ? 'reject' : 'any' },
  ];
  if (t === 'integer' || t === 'number') {
    for (const raw of ['abc', '1.5', '-1', '0', '1e999', 'NaN', 'Infinity', '9'.repeat(400), String((schema.maximum ?? 1e9) + 1)]) {
      out.push({ label: `number ${raw.slice(0, 20)}`, raw, expect: 'reject' });
    }
    // Coercion reads these as numbers (hex, exponent, padding): odd, accepted when in range.
    for (const raw of ['0x10', '1e1', '%2010%20']) out.push({ label: `number ${raw}`, raw, expect: 'any' });
    out.push({ label: 'empty', raw: '', expect: schema.minimum !== undefined && schema.minimum > 0 ? 'reject' : 'any' });
  }
  if (!t) {
    // Declared as "anything" in the document (e.g. a coerced date): dates that are not, or are at the edge.
    for (const raw of ['not-a-date', '2020-13-45', '0000-00-00', '1e999', 'NaN']) out.push({ label: `date ${raw}`, raw, expect: 'reject' });
    for (const raw of ['-271821-04-20T00:00:00.000Z', '%2B275760-09-13T00:00:00.000Z', '0', '-1', '1970-01-01', '9999-12-31T23:59:59.999Z', '-000001-01-01T00:00:00Z', '0001-01-01']) {
      out.push({ label: `edge date ${raw}`, raw, expect: 'any' });
    }
  }
  if (t === 'string' && schema.maxLength !== undefined) out.push({ label: 'over max length', raw: 's'.repeat(schema.maxLength + 1), expect: 'reject' });
  return out;
}
