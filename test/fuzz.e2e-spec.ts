import { fc, test } from '@fast-check/jest';
import request from 'supertest';
import { AppConfigService } from '../src/config/app-config.service';
import { delegatedOrg } from './utils/delegated-org';
import { uniq } from './utils/fixtures';
import {
  databaseFingerprinter,
  ERROR_ENVELOPE,
  REQUEST_ID,
  secretNeedles,
  send,
  submittedSecrets,
} from './utils/fuzz-harness';
import { googleKeyJson, microsoftKey, rsaPrivateKeyPem } from './utils/keys';
import {
  type FuzzRequest,
  type Hints,
  type OpenApiDocument,
  type Operation,
  operationsOf,
  requestFor,
  undocumentedRequest,
} from './utils/openapi-arbitraries';
import { createIsolatedDatabase } from './utils/isolated-database';
import { createTestAppWithFakes, type TestAppWithFakes } from './utils/providers';

/**
 * Generated bad input on every operation of the service's own /docs-json (fast-check): wrong types, missing and
 * extra fields, nulls, huge strings and arrays, deep nesting, unicode and control characters, int4/int8 bounds,
 * garbage path ids, malformed JSON, wrong content types and encodings, oversized bodies, duplicated and unknown
 * query parameters, prototype-pollution keys. For every request: never a 5xx; the envelope and a request id; no
 * submitted secret in the answer; a rejected write leaves every table's row count and newest updatedAt as they were.
 *
 * FUZZ_RUNS (default 2000) is the number of generated requests; FUZZ_RUNS=20000 for the long run. A failure prints
 * fast-check's seed and path: add the counterexample to test/fuzz-regressions.e2e-spec.ts before fixing it.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const DOCUMENTED_SHARE = 0.9;
const WRITE_METHODS = new Set(['post', 'put', 'patch', 'delete']);
const PUBLIC_URL = 'https://93.184.215.14/hooks/fuzz'; // an IP literal: no DNS needed offline

describe('Generated bad input on every documented operation (e2e, fast-check)', () => {
  // A database of its own: the run's secret scan (global teardown) treats whatever a database holds sealed as a
  // secret, and this suite seals junk (hostile values as webhook secrets and passwords) that may well appear elsewhere.
  let database: { drop(): Promise<void> };
  let t: TestAppWithFakes;
  beforeAll(async () => {
    database = await createIsolatedDatabase('fuzz');
    t = await createTestAppWithFakes();
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });
  let doc: OpenApiDocument;
  let operations: Operation[];
  let documented: fc.Arbitrary<FuzzRequest>;
  let undocumented: fc.Arbitrary<FuzzRequest>;
  let adminAuth: Record<string, string>;
  let memberAuth: Record<string, string>;
  let fingerprint: () => Promise<Record<string, unknown>>;
  const secrets: string[] = [];
  const casesPerOperation = new Map<string, number>();
  const statuses = new Map<number, number>();
  let rejectedWritesChecked = 0;

  beforeAll(async () => {
    const http = () => request(t.app.getHttpServer());
    doc = (await http().get('/docs-json').expect(200)).body as OpenApiDocument;
    operations = operationsOf(doc);

    const g = await delegatedOrg(t, 'google');
    adminAuth = g.auth;
    const member = await g.connectedMember();
    memberAuth = member.auth;
    secrets.push(g.apiKey, member.auth.Authorization.slice('Bearer '.length));
    const memberCredentialId = await g.memberCredentialId(member.user.id);
    // A live provider call records the member as connected (a write any member request may make while the member
    // is still pending): done here, so a refused write later is not blamed for it.
    await http().get('/v2/calendars/google/check').set(memberAuth).expect(200);
    expect(
      (await t.prisma.credential.findUniqueOrThrow({ where: { id: memberCredentialId } })).syncState,
    ).toBe('CONNECTED');
    const manual = await http()
      .post('/v2/calendars/apple/credentials')
      .set(memberAuth)
      .send({ username: `fz-${uniq()}@icloud.com`, password: `fzsecret-apple-${uniq()}${uniq()}` })
      .expect(201);
    const event = await http()
      .post('/v2/calendars/google/events')
      .set(memberAuth)
      .send({ title: 'Fuzz', start: '2031-03-10T09:00:00Z', end: '2031-03-10T09:30:00Z' })
      .expect(201);
    const other = microsoftKey();
    const secondCredential = await http()
      .post(`/v2/organizations/${g.org.id}/delegation-credentials`)
      .set(adminAuth)
      .send({ workspacePlatformSlug: 'office365', domain: `${uniq()}.example`, serviceAccountKey: other })
      .expect(201);
    secrets.push(other.private_key);
    const webhookIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const secret = `fzsecret-webhook-${uniq()}${uniq()}`;
      secrets.push(secret);
      const hook = await http()
        .post(`/v2/organizations/${g.org.id}/webhooks`)
        .set(adminAuth)
        .send({
          subscriberUrl: `${PUBLIC_URL}/${i}`,
          active: true,
          triggers: ['DELEGATION_CREDENTIAL_ERROR'],
          secret,
        })
        .expect(201);
      webhookIds.push(hook.body.data.id as string);
    }
    const victims = await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const user = await t.fixtures.user(`v-${uniq()}@${g.domain}`);
        const membership = await t.fixtures.membership(user.id, g.org.id, 'MEMBER', true);
        return { user, membership };
      }),
    );
    const outsider = await t.fixtures.user();
    const key = g.serviceAccountKey as ReturnType<typeof googleKeyJson>;
    secrets.push(key.private_key);

    const pathPools: Record<string, string[]> = {
      orgId: [String(g.org.id)],
      credentialId: [g.dcId, secondCredential.body.data.id as string],
      membershipId: victims.map((v) => String(v.membership.id)),
      userId: victims.map((v) => String(v.user.id)),
      webhookId: webhookIds,
      calendar: ['google', 'office365', 'apple'],
      eventUid: [event.body.data.uid as string],
    };
    const hints: Hints = {
      private_key: [rsaPrivateKeyPem(), key.private_key],
      client_email: [key.client_email],
      client_id: [key.client_id, other.client_id],
      tenant_id: [other.tenant_id],
      domain: [g.domain, `${uniq()}.example`],
      workspacePlatformSlug: ['google', 'office365'],
      userId: [...victims.map((v) => v.user.id), outsider.id],
      subscriberUrl: [PUBLIC_URL],
      triggers: [['DELEGATION_CREDENTIAL_ERROR']],
      credentialId: [memberCredentialId, manual.body.data.id as number],
      delegationCredentialId: [g.dcId],
      externalId: [member.primary],
      integration: ['google_calendar'],
      id: [manual.body.data.id as number],
      email: [`new-${uniq()}@${g.domain}`],
    };
    const jsonLimitBytes = 1024 * 1024;
    expect(t.app.get(AppConfigService).jsonBodyLimit).toBe('1mb');
    documented = fc.oneof(
      ...operations.map((op) => requestFor(doc, op, { pathPools, hints, jsonLimitBytes })),
    );
    undocumented = undocumentedRequest(doc);
    fingerprint = await databaseFingerprinter(t.prisma);
  });

  const authFor = (url: string): Record<string, string> =>
    url.startsWith('/v2/organizations') ? adminAuth : url.startsWith('/v2/') ? memberAuth : {};

  /** Sends `c` and checks every property; throws (fails the property) on the first violation. */
  async function check(c: FuzzRequest): Promise<void> {
    casesPerOperation.set(c.operation, (casesPerOperation.get(c.operation) ?? 0) + 1);
    const isWrite = WRITE_METHODS.has(c.method);
    const before = isWrite ? await fingerprint() : undefined;
    const res = await send(t.app.getHttpServer(), c, authFor(c.url));
    const where = `${c.method.toUpperCase()} ${c.url.slice(0, 300)} → ${res.status} ${res.text.slice(0, 500)}`;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);

    expect({ where, status: res.status < 500 }).toEqual({ where, status: true });
    expect({ where, requestId: res.headers['x-request-id'] }).toEqual({
      where,
      requestId: expect.stringMatching(REQUEST_ID),
    });
    if (res.status >= 400)
      expect({ where, body: res.body as unknown }).toEqual({ where, body: ERROR_ENVELOPE });
    else if (c.url.startsWith('/v2/') && res.status !== 204)
      expect({ where, body: res.body as unknown }).toEqual({
        where,
        body: { status: 'success', data: expect.anything() },
      });

    const sent = c.body.kind === 'json' ? submittedSecrets(c.body.value) : [];
    const answer = `${JSON.stringify(res.headers)}\n${res.text}`;
    for (const needle of [...sent, ...secrets].flatMap(secretNeedles))
      expect({ where, echoed: answer.includes(needle) ? needle : null }).toEqual({ where, echoed: null });

    expect({ where, polluted: Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted') }).toEqual({
      where,
      polluted: false,
    });
    if (before && res.status >= 400) {
      expect({ where, database: await fingerprint() }).toEqual({ where, database: before });
      rejectedWritesChecked++;
    }
  }

  // The arbitraries are built from /docs-json in beforeAll; fast-check asks for them only when the test runs.
  const lazy = (get: () => fc.Arbitrary<FuzzRequest>) => fc.constant(null).chain(() => get());
  const timeout = (runs: number) => 60_000 + runs * 250;
  const documentedRuns = Math.ceil(RUNS * DOCUMENTED_SHARE);
  const undocumentedRuns = RUNS - documentedRuns;

  test.prop([lazy(() => documented)], { numRuns: documentedRuns })(
    `${documentedRuns} generated requests across every documented operation`,
    check,
    timeout(documentedRuns),
  );

  test.prop([lazy(() => undocumented)], { numRuns: undocumentedRuns })(
    `${undocumentedRuns} requests with undocumented methods and paths`,
    check,
    timeout(undocumentedRuns),
  );

  it('exercised every documented operation', () => {
    const minimum = Math.max(1, Math.floor(documentedRuns / operations.length / 4));
    const thin = operations
      .map((op) => ({ op: op.id, cases: casesPerOperation.get(op.id) ?? 0 }))
      .filter((x) => x.cases < minimum);
    expect(thin).toEqual([]);
    expect(operations.length).toBeGreaterThanOrEqual(30);
    // Most requests are refused, some get through (the generators reach the rules), many refused writes were checked.
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    const passed = [...statuses].filter(([s]) => s < 300).reduce((a, [, n]) => a + n, 0);
    expect(passed).toBeGreaterThan(0);
    expect(rejectedWritesChecked).toBeGreaterThan(total / 10);
    process.stderr.write(
      `fuzz: ${total} requests over ${operations.length} operations; statuses ${JSON.stringify(Object.fromEntries(statuses))}; ${rejectedWritesChecked} refused writes left the database as it was\n`,
    );
  });

  it('still answers a well-formed request afterwards (no state broken by the run)', async () => {
    await request(t.app.getHttpServer()).get('/v2/conferencing').set(memberAuth).expect(200);
  });
});
