import { fc } from '@fast-check/jest';

/**
 * fast-check arbitraries derived from the service's own OpenAPI document (/docs-json): for every operation, requests
 * that are mostly well-formed (so they reach the handler and its rules) with hostile values, missing and extra
 * fields, malformed bodies, wrong content types, encodings, oversized payloads, duplicated and unknown query
 * parameters, prototype-pollution keys and garbage path ids. Used by test/fuzz.e2e-spec.ts.
 */

export interface OpenApiSchema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
  items?: OpenApiSchema;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  oneOf?: OpenApiSchema[];
  anyOf?: OpenApiSchema[];
  allOf?: OpenApiSchema[];
}

interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: OpenApiSchema;
}

interface OpenApiOperation {
  operationId?: string;
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: OpenApiSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, OpenApiSchema> };
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** One documented operation, flattened. */
export interface Operation {
  id: string;
  method: HttpMethod;
  /** OpenAPI path template, e.g. `/v2/organizations/{orgId}/webhooks/{webhookId}`. */
  path: string;
  pathParams: { name: string; schema: OpenApiSchema }[];
  queryParams: { name: string; required: boolean; schema: OpenApiSchema }[];
  body?: OpenApiSchema;
}

/** Every operation of the document (all paths × methods). */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = op.parameters ?? [];
      ops.push({
        id: op.operationId ?? `${method} ${path}`,
        method,
        path,
        pathParams: params
          .filter((p) => p.in === 'path')
          .map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        queryParams: params
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, required: p.required === true, schema: p.schema ?? {} })),
        body: op.requestBody?.content?.['application/json']?.schema,
      });
    }
  }
  return ops;
}

/** The schema behind a `$ref` (and `allOf` merged), else the schema itself. */
export function deref(doc: OpenApiDocument, schema: OpenApiSchema): OpenApiSchema {
  let s = schema;
  for (let i = 0; s.$ref && i < 20; i++) {
    const name = s.$ref.replace('#/components/schemas/', '');
    s = doc.components?.schemas?.[name] ?? {};
  }
  if (s.allOf?.length) {
    const parts = s.allOf.map((part) => deref(doc, part));
    return {
      ...s,
      allOf: undefined,
      type: 'object',
      properties: Object.assign({}, ...parts.map((p) => p.properties ?? {}), s.properties ?? {}),
      required: [...parts.flatMap((p) => p.required ?? []), ...(s.required ?? [])],
    };
  }
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON with values JSON.stringify cannot express: exact big numbers, `1e400`, deep nesting, own `__proto__` keys.

const RAW_MARK = '\u0001raw\u0001';

/** A value spliced verbatim into the JSON text (as a string placeholder until `toJsonText`). */
export const rawJson = (text: string): string =>
  `${RAW_MARK}${Buffer.from(text).toString('base64')}${RAW_MARK}`;

const RAW_PLACEHOLDER = new RegExp(`"${RAW_MARK}([A-Za-z0-9+/=]*)${RAW_MARK}"`, 'g');

/** JSON text of `value`, with every rawJson placeholder replaced by its raw text. */
export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (v === undefined ? null : v)) ?? 'null';
  return text
    .replace(/\\u0001raw\\u0001([A-Za-z0-9+/=]*)\\u0001raw\\u0001/g, `${RAW_MARK}$1${RAW_MARK}`)
    .replace(RAW_PLACEHOLDER, (_m, b64: string) => Buffer.from(b64, 'base64').toString());
}

/** Defines an own, enumerable property (also for `__proto__`, which plain assignment would treat as the prototype). */
function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const deepObject = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const deepArray = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

// ---------------------------------------------------------------------------------------------------------------
// Secrets: every value a secret-named field gets is a fresh marker, so an echo anywhere is detectable.

/** Field names whose values are secrets (must never come back in a response). */
export const SECRET_FIELD = /private_?key|secret|password|access_?token|token|api_?key/i;

/** A unique, recognisable secret value. */
export const secretMarker = (): fc.Arbitrary<string> =>
  fc.stringMatching(/^[0-9a-f]{24}$/).map((hex) => `fzsecret${RUN_NONCE}${hex}`);

/** Makes this run's secret markers unique even when fast-check's bias picks the same hex digits (e.g. all zeros). */
const RUN_NONCE = Math.random().toString(36).slice(2, 8);

const INT4 = 2_147_483_647;

/** Hostile JSON values: wrong types, bounds of int4/int8 and beyond, unicode and control characters, huge, deep. */
export function hostileValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom<unknown>(
        null,
        true,
        false,
        0,
        -1,
        1.5,
        -0.5,
        INT4,
        INT4 + 1,
        -INT4 - 1,
        -INT4 - 2,
        Number.MAX_SAFE_INTEGER + 2,
        1e308,
        -1e308,
        5e-324,
        '',
        ' ',
        '\t\n',
        'null',
        'true',
        '0',
        '-1',
        '1e3',
        '0x10',
        'NaN',
        'Infinity',
        '2147483648',
        '9223372036854775808',
        '\u0000',
        'a\u0000b',
        '\u202eevil',
        '\ud800',
        '\udfff',
        '\uffff',
        '\ufeff',
        '💩🏳️‍🌈',
        'Ω≈ç√∫',
        '%00',
        '%',
        '../../etc/passwd',
        '<script>alert(1)</script>',
        "' OR 1=1 --",
        '{{user.email}}',
        '{{__proto__}}',
        '{{constructor.constructor}}',
        '$where',
        'http://127.0.0.1:1/x',
        'https://93.184.215.14/',
        'javascript:alert(1)',
        'file:///etc/passwd',
        '2024-13-45',
        '0000-01-01T00:00:00Z',
        '+275760-09-13T00:00:00.000Z',
        '9999-12-31T23:59:59.999Z',
        '2025-01-06T10:00:00+25:00',
        'Europe/Nowhere',
        'UTC',
        'google',
        'office365',
        'apple',
        'OWNER',
        'ADMIN',
        'MEMBER',
        [],
        [null],
        [[]],
        {},
        { a: null },
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          '9223372036854775807',
          '9223372036854775808',
          '-9223372036854775809',
          '1e400',
          '-1e400',
          '-0',
          '1E2',
          '123456789012345678901234567890',
          '0.0000000000000000000001',
          '{"__proto__":{"polluted":"yes"}}',
          '{"constructor":{"prototype":{"polluted":"yes"}}}',
          '[{"__proto__":{"polluted":"yes"}}]',
          '{"a":1,"a":2}',
          '"\\u0000"',
          '"\\ud800"',
        )
        .map(rawJson),
    },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.integer({ min: 300, max: 120_000 }).map((n) => 'x'.repeat(n)) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 100, max: 30_000 }).map((n) => Array.from({ length: n }, () => 1)),
    },
    { weight: 1, arbitrary: fc.integer({ min: 20, max: 30_000 }).map((n) => rawJson(deepObject(n))) },
    { weight: 1, arbitrary: fc.integer({ min: 20, max: 30_000 }).map((n) => rawJson(deepArray(n))) },
    { weight: 1, arbitrary: fc.integer().map((n) => n) },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

/** Keys that should never do anything: prototype pollution, odd names, operators. */
export function hostileKey(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'valueOf',
      '__defineGetter__',
      '',
      ' ',
      'a.b',
      '$where',
      '$ne',
      'id',
      'organizationId',
      'userId',
      'isSystemAdmin',
      'role',
      'enabled',
      'encryptedKey',
    ),
    fc.string({ maxLength: 12 }),
  );
}

/** Values known to be valid in the running service, by field name (ids of existing rows, the org's domain, a PEM). */
export type Hints = Record<string, readonly unknown[]>;

/**
 * A value that satisfies `schema` as far as types go: a hint for the field when there is one (so requests get past
 * validation into the rules), else examples, enums, or a value of the type. Secret-named fields get fresh markers.
 */
export function validValue(
  doc: OpenApiDocument,
  schema: OpenApiSchema,
  name = '',
  depth = 0,
  hints: Hints = {},
): fc.Arbitrary<unknown> {
  const s = deref(doc, schema);
  const variants = s.oneOf ?? s.anyOf;
  if (variants?.length) return fc.oneof(...variants.map((v) => validValue(doc, v, name, depth + 1, hints)));
  const hinted = hints[name]?.length ? [fc.constantFrom(...hints[name])] : [];
  if (s.enum?.length) return fc.oneof(...hinted, fc.constantFrom(...s.enum));
  if (SECRET_FIELD.test(name) && (s.type === 'string' || s.type === undefined))
    return fc.oneof(...hinted, secretMarker());
  if (hinted.length) return hinted[0];
  const example = s.example !== undefined ? [fc.constant(s.example)] : [];
  switch (s.type ?? 'object') {
    case 'string':
      if (s.format === 'date-time')
        return fc.oneof(
          ...example,
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        );
      return fc.oneof(...example, fc.string({ maxLength: 30 }));
    case 'integer':
    case 'number':
      return fc.oneof(...example, fc.integer({ min: s.minimum ?? 0, max: s.maximum ?? 1000 }));
    case 'boolean':
      return fc.boolean();
    case 'array':
      return depth > 4
        ? fc.constant([])
        : fc.array(validValue(doc, s.items ?? {}, name, depth + 1, hints), { maxLength: 3 });
    default: {
      const properties = s.properties ?? {};
      if (!Object.keys(properties).length || depth > 4) return fc.oneof(...example, fc.constant({}));
      const required = new Set(s.required ?? []);
      return fc.record(
        Object.fromEntries(
          Object.entries(properties).map(([key, prop]) => [
            key,
            validValue(doc, prop, key, depth + 1, hints),
          ]),
        ),
        { requiredKeys: Object.keys(properties).filter((k) => required.has(k)) },
      );
    }
  }
}

type Mutation =
  | { kind: 'set'; at: number; value: unknown }
  | { kind: 'delete'; at: number }
  | { kind: 'add'; at: number; key: string; value: unknown }
  | { kind: 'replace'; value: unknown };

const mutation = (): fc.Arbitrary<Mutation> =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: hostileValue() }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('add' as const),
        at: fc.nat(),
        key: hostileKey(),
        value: hostileValue(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('replace' as const), value: hostileValue() }) },
  );

/** Paths (property-name lists) to every value inside `value`, the root included. */
function pathsOf(value: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
  out.push(prefix);
  if (value && typeof value === 'object' && prefix.length < 6) {
    for (const key of Object.keys(value))
      pathsOf((value as Record<string, unknown>)[key], [...prefix, key], out);
  }
  return out;
}

function containerAt(root: unknown, path: string[]): Record<string, unknown> | undefined {
  let node = root;
  for (const key of path) node = (node as Record<string, unknown>)[key];
  return node && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

/** Applies mutations to a deep copy of `valid`. */
export function mutate(valid: unknown, mutations: Mutation[]): unknown {
  let root: unknown = structuredClone(valid);
  for (const m of mutations) {
    if (m.kind === 'replace') {
      root = m.value;
      continue;
    }
    const paths = pathsOf(root);
    const path = paths[m.at % paths.length];
    if (m.kind === 'add') {
      const target = containerAt(root, path);
      if (target && !Array.isArray(target)) defineOwn(target, m.key, m.value);
      continue;
    }
    if (!path.length) {
      if (m.kind === 'set') root = m.value;
      continue;
    }
    const parent = containerAt(root, path.slice(0, -1));
    const key = path[path.length - 1];
    if (!parent) continue;
    if (m.kind === 'delete') delete parent[key];
    else defineOwn(parent, key, m.value);
  }
  return root;
}

/** Bodies for `schema`: valid ones, valid ones with 1–3 hostile mutations, and wholly hostile ones. */
export function bodyValue(
  doc: OpenApiDocument,
  schema: OpenApiSchema,
  hints: Hints = {},
): fc.Arbitrary<unknown> {
  const valid = validValue(doc, schema, '', 0, hints);
  return fc.oneof(
    { weight: 1, arbitrary: valid },
    {
      weight: 6,
      arbitrary: fc
        .tuple(valid, fc.array(mutation(), { minLength: 1, maxLength: 3 }))
        .map(([v, ms]) => mutate(v, ms)),
    },
    { weight: 1, arbitrary: hostileValue() },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Whole requests.

export type FuzzBody =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; text: string; contentType?: string; contentEncoding?: string };

export interface FuzzRequest {
  operation: string;
  method: string;
  /** Path and query string, already encoded as sent. */
  url: string;
  body: FuzzBody;
}

/** Raw bodies: malformed JSON, wrong content types and charsets, bogus encodings, oversized. */
export function rawBody(jsonLimitBytes: number): fc.Arbitrary<FuzzBody> {
  const malformed = fc.oneof(
    fc.constantFrom(
      '{',
      '}',
      '{"a":',
      '[1,2',
      'nul',
      'undefined',
      '{"a":1}}',
      "{'a':1}",
      '{"a":1,}',
      '{a:1}',
      '\u0000',
      '"\\x"',
      '\ufeff{}',
      '{"a":"\\ud800"}',
      'NaN',
      '1e400',
      '[' + '1,'.repeat(10) + ']',
      '{"__proto__":1}',
      '',
    ),
    fc.string({ unit: 'binary', maxLength: 60 }),
  );
  const contentType = fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-16',
    'application/json; charset=latin1',
    'application/json; charset=bogus',
    'text/plain',
    'text/html',
    'application/xml',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=xyz',
    'application/vnd.api+json',
    'application/octet-stream',
    '*/*',
    'application/json, text/plain',
    'garbage',
  );
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('raw' as const),
        text: malformed,
        contentType: fc.constant('application/json'),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('raw' as const),
        text: fc.oneof(
          fc.constantFrom('{"a":1}', 'a=1&b=2', '<a>1</a>', '--xyz\r\n\r\n--xyz--', '{}'),
          malformed,
        ),
        contentType,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('raw' as const),
        text: fc.constantFrom('{"a":1}', '\u001f\u008b\u0008garbage', 'x'),
        contentType: fc.constant('application/json'),
        contentEncoding: fc.constantFrom(
          'gzip',
          'deflate',
          'br',
          'identity',
          'x-bogus',
          'gzip, gzip',
          'compress',
        ),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 64 * 1024 }).map((extra): FuzzBody => ({
        kind: 'raw',
        text: `{"a":"${'x'.repeat(jsonLimitBytes + extra)}"}`,
        contentType: 'application/json',
      })),
    },
  );
}

/** Path segments that are not ids: bounds, signs, notations, encodings, traversal, huge. */
export function hostileSegment(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      '0',
      '-1',
      '1.0',
      '+1',
      '01',
      '2147483647',
      '2147483648',
      '4294967296',
      '9223372036854775807',
      '9223372036854775808',
      '99999999999999999999',
      '1e3',
      '0x10',
      'NaN',
      'Infinity',
      'null',
      'undefined',
      'abc',
      '%00',
      '%ZZ',
      '%',
      '%E0%A4%A',
      '..',
      '%2e%2e',
      '%2F',
      '%5C',
      '%20',
      '%0A',
      'a%00b',
      '%F0%9F%92%A9',
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
      '__proto__',
      'constructor',
      "'%20OR%201=1",
      'x'.repeat(3000),
    ),
    fc.string({ unit: 'binary', maxLength: 30 }).map((s) => percentEncode(s)),
    fc.integer().map(String),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  );
}

/**
 * Percent-encodes every character outside `keep` as its UTF-8 bytes (lone surrogates included, which
 * encodeURIComponent refuses), so any string can travel in a URL.
 */
export function percentEncode(value: string, keep = /[A-Za-z0-9\-_.~]/): string {
  let out = '';
  for (const ch of value) {
    out += keep.test(ch)
      ? ch
      : [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

/** A query string; `raw` leaves printable ASCII (malformed `%`, brackets, `=`) as it is. */
function encodeQuery(pairs: [string, string][], raw: boolean): string {
  if (!pairs.length) return '';
  const enc = raw
    ? (s: string) => percentEncode(s, /[\u0021-\u007e]/).replace(/[#&]/g, (c) => percentEncode(c))
    : (s: string) => percentEncode(s);
  return `?${pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')}`;
}

const asQueryValue = (value: unknown): string => {
  if (typeof value !== 'string') return (JSON.stringify(value) ?? '').slice(0, 5000);
  const raw = new RegExp(`^${RAW_MARK}([A-Za-z0-9+/=]*)${RAW_MARK}$`).exec(value);
  const text = raw ? Buffer.from(raw[1], 'base64').toString().slice(0, 5000) : value;
  // Most huge values are cut so the request reaches the route; one in seven stays whole (a 431 from Node's parser).
  return text.length > 4000 && text.length % 7 !== 0 ? text.slice(0, 4000) : text;
};

export interface RequestArbitraryOptions {
  /** Valid values for path parameters by name (ids of rows that exist, slugs). */
  pathPools: Record<string, readonly string[]>;
  /** JSON_BODY_LIMIT in bytes: some bodies go beyond it. */
  jsonLimitBytes: number;
  /** Valid body and query values by field name. */
  hints?: Hints;
}

/** Requests for one operation: the path (mostly valid ids), query, and body of every kind. */
export function requestFor(
  doc: OpenApiDocument,
  op: Operation,
  options: RequestArbitraryOptions,
): fc.Arbitrary<FuzzRequest> {
  const segment = (name: string) => {
    const pool = options.pathPools[name] ?? [];
    return pool.length
      ? fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom(...pool) },
          { weight: 2, arbitrary: hostileSegment() },
        )
      : hostileSegment();
  };
  const path = fc
    .tuple(...op.pathParams.map((p) => segment(p.name)))
    .map((values) => op.pathParams.reduce((acc, p, i) => acc.replace(`{${p.name}}`, values[i]), op.path));

  const documented = op.queryParams.map((p) =>
    fc.option(
      fc.oneof(
        { weight: 3, arbitrary: validValue(doc, p.schema, p.name, 0, options.hints).map(asQueryValue) },
        { weight: 2, arbitrary: hostileValue().map(asQueryValue) },
      ),
      { nil: undefined },
    ),
  );
  const extra: fc.Arbitrary<[string, string][]> = fc.array(
    fc.tuple(
      fc.oneof(
        hostileKey(),
        fc.constantFrom(
          ...op.queryParams.map((p) => p.name),
          'take',
          'skip',
          '__proto__[polluted]',
          'constructor[prototype][polluted]',
          'a[b][c][d][e][f][g]',
          'calendarsToLoad[0][credentialId]',
          'calendarsToLoad[999][externalId]',
          'calendarsToLoad',
          'a[]',
        ),
      ),
      hostileValue().map(asQueryValue),
    ),
    { maxLength: 3 },
  );
  const query = fc.tuple(fc.tuple(...documented), extra, fc.boolean()).map(([values, more, raw]) => {
    const pairs: [string, string][] = [];
    op.queryParams.forEach((p, i) => {
      if (values[i] !== undefined) pairs.push([p.name, values[i]]);
    });
    return encodeQuery([...pairs, ...more], raw);
  });

  const jsonBody = (schema: OpenApiSchema): fc.Arbitrary<FuzzBody> =>
    bodyValue(doc, schema, options.hints).map((value): FuzzBody => ({ kind: 'json', value }));
  const body: fc.Arbitrary<FuzzBody> = op.body
    ? fc.oneof(
        { weight: 8, arbitrary: jsonBody(op.body) },
        { weight: 2, arbitrary: rawBody(options.jsonLimitBytes) },
        { weight: 1, arbitrary: fc.constant<FuzzBody>({ kind: 'none' }) },
      )
    : fc.oneof(
        { weight: 8, arbitrary: fc.constant<FuzzBody>({ kind: 'none' }) },
        { weight: 1, arbitrary: hostileValue().map((value): FuzzBody => ({ kind: 'json', value })) },
        { weight: 1, arbitrary: rawBody(options.jsonLimitBytes) },
      );

  return fc.record({
    operation: fc.constant(op.id),
    method: fc.constant(op.method),
    url: fc.tuple(path, query).map(([p, q]) => `${p}${q}`),
    body,
  });
}

/** Methods a path does not document, and paths nobody documented: answered with the envelope too. */
export function undocumentedRequest(doc: OpenApiDocument): fc.Arbitrary<FuzzRequest> {
  const entries = Object.entries(doc.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((m) => !item[m]).map((method) => ({ path, method })),
  );
  return fc.oneof(
    fc.constantFrom(...entries).chain(({ path, method }) =>
      hostileSegment().map((seg): FuzzRequest => ({
        operation: 'undocumented-method',
        method,
        url: path.replace(/\{[^}]+\}/g, seg),
        body: { kind: 'none' },
      })),
    ),
    fc
      .tuple(
        fc.constantFrom(...HTTP_METHODS),
        fc.constantFrom(
          '/v2',
          '/v2/organizations',
          '/v3/x',
          '/',
          '/admin',
          '/v2/organizations/1/nope',
          '/%2e%2e/%2e%2e/etc/passwd',
          '/v2/calendars/google/events',
        ),
        hostileSegment(),
      )
      .map(([method, base, seg]): FuzzRequest => ({
        operation: 'undocumented-path',
        method,
        url: `${base}/${seg}`,
        body: { kind: 'none' },
      })),
  );
}
