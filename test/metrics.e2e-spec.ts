import request from 'supertest';
import { createTestApp } from './utils/app';
import { delegatedOrg } from './utils/delegated-org';
import { metricSum } from './utils/prometheus';
import { createTestAppWithFakes, type TestAppWithFakes } from './utils/providers';

const TOKEN = 'metrics-token-0123456789abcdef';
const bearerToken = { Authorization: `Bearer ${TOKEN}` };

/** Sets environment variables for the describe block, restoring them after. */
function withEnv(values: Record<string, string | undefined>) {
  const previous = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, value] of Object.entries(v)) {
      if (value === undefined) delete process.env[k];
      else process.env[k] = value;
    }
  };
  beforeAll(() => apply(values));
  afterAll(() => apply(previous));
}

describe('API /metrics (e2e)', () => {
  withEnv({ METRICS_ENABLED: 'true', METRICS_TOKEN: TOKEN });
  let t: TestAppWithFakes;
  beforeAll(async () => {
    t = await createTestAppWithFakes();
  });
  afterAll(async () => {
    await t.close();
  });
  const http = () => request(t.app.getHttpServer());
  const scrape = async () => (await http().get('/metrics').set(bearerToken).expect(200)).text;

  it('needs the bearer token: 401 without it or with a wrong one, in the error envelope', async () => {
    const missing = await http().get('/metrics').expect(401);
    expect(missing.body).toMatchObject({ status: 'error', error: { code: 'UnauthorizedException' } });
    await http().get('/metrics').set('Authorization', `Bearer ${TOKEN}x`).expect(401);
    await http().get('/metrics').set('Authorization', TOKEN).expect(401);
    const ok = await http().get('/metrics').set(bearerToken).expect(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain/);
    expect(ok.text).toContain('process_cpu_user_seconds_total');
    expect(ok.text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('times HTTP requests by method, route pattern and status', async () => {
    const { org, auth } = await t.fixtures.orgWithAdmin();
    const series = {
      method: 'GET',
      route: '/v2/organizations/:orgId/delegation-credentials',
      status: '200',
    };
    const before = metricSum(await scrape(), 'dc_http_request_duration_seconds_count', series);
    for (let i = 0; i < 3; i++) {
      await http().get(`/v2/organizations/${org.id}/delegation-credentials`).set(auth).expect(200);
    }
    await http().get(`/v2/organizations/${org.id}/delegation-credentials`).expect(401);
    const after = await scrape();
    expect(metricSum(after, 'dc_http_request_duration_seconds_count', series)).toBe(before + 3);
    expect(
      metricSum(after, 'dc_http_request_duration_seconds_count', { ...series, status: '401' }),
    ).toBeGreaterThanOrEqual(1);
    // Ids never become labels.
    expect(after).not.toContain(`/v2/organizations/${org.id}/`);
  });

  it('counts provider calls by platform, operation and outcome, RATE_LIMITED included, and token mints', async () => {
    const dc = await delegatedOrg(t, 'google', { enabled: false });
    const call = { platform: 'google', operation: 'checking calendar access' };
    const before = await scrape();
    const verify = () =>
      http().post(`/v2/organizations/${dc.org.id}/delegation-credentials/${dc.dcId}/verify`).set(dc.auth);
    expect((await verify().expect(200)).body.data.verified).toBe(true);
    t.fake.injectFault({
      route: 'google.calendarList',
      status: 429,
      reason: 'rateLimitExceeded',
      retryAfter: 120,
      times: 1,
    });
    await verify().expect(503);
    const after = await scrape();
    const count = (text: string, outcome: string) =>
      metricSum(text, 'dc_provider_call_duration_seconds_count', { ...call, outcome });
    expect(count(after, 'ok')).toBe(count(before, 'ok') + 1);
    expect(count(after, 'RATE_LIMITED')).toBe(count(before, 'RATE_LIMITED') + 1);
    const mints = (text: string) => metricSum(text, 'dc_provider_token_mints_total', { platform: 'google' });
    expect(mints(after)).toBeGreaterThanOrEqual(mints(before) + 1);
    expect(mints(after) - mints(before)).toBe(t.fake.tokenMints(dc.admin.email));

    // Verify always mints a fresh token (it must prove the key works now); member calls share cached clients.
    await dc.setEnabled(true);
    const hits = (text: string) => metricSum(text, 'dc_provider_client_cache_total', { result: 'hit' });
    const beforeCalls = await scrape();
    await http().get('/v2/calendars').set(dc.auth).expect(200);
    await http().get('/v2/calendars').set(dc.auth).expect(200);
    expect(hits(await scrape())).toBeGreaterThan(hits(beforeCalls));
  });

  it('reports queue depth and delegated members per credential and state, read at scrape', async () => {
    const dc = await delegatedOrg(t, 'google');
    // No worker runs in this app: the provisioning job waits in the lifecycle queue (once its intent is dispatched).
    await t.intentsDispatched();
    const waiting = metricSum(await scrape(), 'dc_queue_jobs', {
      queue: 'delegation-lifecycle',
      state: 'waiting',
    });
    expect(waiting).toBeGreaterThanOrEqual(1);
    expect(waiting).toBe(await t.queue('delegation-lifecycle').getWaitingCount());

    // The gauge labels the 20 largest credentials and sums the rest as "other" (bounded cardinality): other test
    // files' credentials share this database, so compare totals by state with the database, all labels together.
    const total = (text: string) => metricSum(text, 'dc_delegated_members');
    const before = total(await scrape());
    await dc.connectedMember(); // a member request provisions their delegated credential on the spot
    await dc.connectedMember();
    const text = await scrape();
    expect(total(text)).toBe(before + 2);
    const rows = await t.prisma.credential.groupBy({
      by: ['syncState'],
      where: { delegationCredentialId: { not: null } },
      _count: { _all: true },
    });
    for (const row of rows) {
      expect(
        metricSum(text, 'dc_delegated_members', { state: (row.syncState ?? 'PENDING').toLowerCase() }),
      ).toBe(row._count._all);
    }
    const labelled = new Set(
      text
        .split('\n')
        .filter((line) => line.startsWith('dc_delegated_members{'))
        .map((line) => /credential="([^"]+)"/.exec(line)?.[1]),
    );
    expect(labelled.size).toBeLessThanOrEqual(21); // 20 credentials + "other"
    expect(metricSum(text, 'dc_delegation_credentials', { status: 'active' })).toBe(
      await t.prisma.delegationCredential.count({ where: { status: 'ACTIVE' } }),
    );
  });
});

describe('API /metrics without a token, and switched off (e2e)', () => {
  describe('METRICS_TOKEN unset', () => {
    withEnv({ METRICS_ENABLED: 'true', METRICS_TOKEN: undefined });
    let t: Awaited<ReturnType<typeof createTestApp>>;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(async () => {
      await t.close();
    });
    it('serves /metrics to anyone', async () => {
      await request(t.app.getHttpServer()).get('/metrics').expect(200);
    });
  });

  describe('METRICS_ENABLED=false', () => {
    withEnv({ METRICS_ENABLED: 'false', METRICS_TOKEN: TOKEN });
    let t: Awaited<ReturnType<typeof createTestApp>>;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(async () => {
      await t.close();
    });
    it('answers 404, with or without the token', async () => {
      await request(t.app.getHttpServer()).get('/metrics').expect(404);
      await request(t.app.getHttpServer()).get('/metrics').set(bearerToken).expect(404);
    });
  });
});
