import { randomUUID } from 'node:crypto';
import request, { type Response } from 'supertest';
import { RATE_LIMIT_MESSAGE } from '../src/rate-limit/rate-limit.guard';
import { createTestApp, type TestApp } from './utils/app';

const SMALL_LIMITS = {
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_DEFAULT_TTL_MS: '60000',
  RATE_LIMIT_DEFAULT_BLOCK_DURATION_MS: '30000',
  RATE_LIMIT_DEFAULT_LIMIT_API_KEY: '3',
  RATE_LIMIT_DEFAULT_LIMIT_OAUTH_CLIENT: '4',
  RATE_LIMIT_DEFAULT_LIMIT: '2',
  RATE_LIMIT_VERIFY_LIMIT: '1',
  RATE_LIMIT_BUSY_TIMES_LIMIT: '2',
  TRUST_PROXY: 'false',
};

/** Sets `values` in process.env for the describe block (before its apps are created), restoring them after. */
function withEnv(values: Record<string, string>) {
  const previous = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  beforeAll(() => Object.assign(process.env, values));
  afterAll(() => {
    for (const [k, v] of Object.entries(previous)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function rateHeaders(res: Response, name = 'Default') {
  return {
    limit: res.headers[`x-ratelimit-limit-${name.toLowerCase()}`],
    remaining: res.headers[`x-ratelimit-remaining-${name.toLowerCase()}`],
    reset: Number(res.headers[`x-ratelimit-reset-${name.toLowerCase()}`]),
  };
}

/**
 * Cal.com API v2's rate limits with small limits, on two API instances sharing one Redis (as replicas do): per
 * authentication method, Cal.com's headers on every response, 429 in the error envelope with Retry-After.
 */
describe('Rate limits (e2e)', () => {
  withEnv(SMALL_LIMITS);
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp();
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });
  /** Alternates between the two instances. */
  let turn = 0;
  const http = () => request((turn++ % 2 === 0 ? a : b).app.getHttpServer());

  it('limits an API key across both instances, with the headers on every response and a 429 envelope', async () => {
    const { org, auth } = await a.fixtures.orgWithAdmin();
    const path = `/v2/organizations/${org.id}/delegation-credentials`;
    const seen: { limit: string; remaining: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await http().get(path).set(auth).expect(200);
      const { limit, remaining, reset } = rateHeaders(res);
      seen.push({ limit, remaining });
      expect(reset).toBeGreaterThanOrEqual(nowSeconds());
      expect(reset).toBeLessThanOrEqual(nowSeconds() + 61);
    }
    expect(seen).toEqual([
      { limit: '3', remaining: '2' },
      { limit: '3', remaining: '1' },
      { limit: '3', remaining: '0' },
    ]);

    const refused = await http().get(path).set(auth).expect(429);
    expect(refused.body).toEqual({
      status: 'error',
      timestamp: expect.any(String),
      path,
      error: { code: 'ThrottlerException', message: RATE_LIMIT_MESSAGE },
    });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(25);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(rateHeaders(refused)).toEqual({ limit: '3', remaining: '0', reset: expect.any(Number) });
    expect(rateHeaders(refused).reset - nowSeconds()).toBeGreaterThan(25);
    // Still refused on the other instance, and on any route: the count is per key, not per route or replica.
    await http().get('/v2/conferencing').set(auth).expect(429);

    // Another key of the same user is its own bucket.
    const { auth: other } = await a.fixtures.orgWithAdmin();
    await http().get('/v2/conferencing').set(other).expect(200);
  });

  it('limits a platform OAuth client with its own limit', async () => {
    const { org } = await a.fixtures.orgWithAdmin({ isPlatform: true, platformBillingPlan: 'SCALE' });
    const client = await a.fixtures.oauthClient(org.id);
    const headers = { 'x-cal-client-id': client.id, 'x-cal-secret-key': client.secret };
    for (let i = 0; i < 4; i++) {
      const res = await http().get('/v2/conferencing').set(headers);
      expect(res.status).not.toBe(429);
      expect(rateHeaders(res)).toMatchObject({ limit: '4', remaining: String(3 - i) });
    }
    await http().get('/v2/conferencing').set(headers).expect(429);
  });

  it('limits requests without credentials by client IP, before authentication answers 401', async () => {
    const first = await http().get('/v2/conferencing').expect(401);
    expect(rateHeaders(first)).toMatchObject({ limit: '2', remaining: '1' });
    // A made-up bearer token is not an API key: it counts against the same IP.
    await http().get('/v2/conferencing').set('Authorization', 'Bearer not-an-api-key').expect(401);
    const refused = await http().get('/v2/conferencing').expect(429);
    expect(refused.headers['retry-after']).toBeDefined();
    // X-Forwarded-For is ignored without TRUST_PROXY: it cannot open a fresh bucket.
    await http().get('/v2/conferencing').set('X-Forwarded-For', '203.0.113.9').expect(429);
  });

  it('adds the per-route limits of verify and busy-times, with their own headers', async () => {
    const { org, auth } = await a.fixtures.orgWithAdmin();
    const verify = `/v2/organizations/${org.id}/delegation-credentials/${randomUUID()}/verify`;
    const first = await http().post(verify).set(auth).expect(404);
    expect(rateHeaders(first, 'Verify')).toMatchObject({ limit: '1', remaining: '0' });
    expect(rateHeaders(first)).toMatchObject({ limit: '3', remaining: '2' });
    const refused = await http().post(verify).set(auth).expect(429);
    expect(refused.body.error).toEqual({ code: 'ThrottlerException', message: RATE_LIMIT_MESSAGE });
    // Other routes of the same key still pass (one request of the default limit is left).
    await http().get('/v2/conferencing').set(auth).expect(200);

    const member = await a.fixtures.user();
    const memberAuth = { Authorization: `Bearer ${await a.fixtures.apiKey(member.id)}` };
    for (let i = 0; i < 2; i++) {
      const res = await http().get('/v2/calendars/busy-times').set(memberAuth);
      expect(res.status).not.toBe(429);
      expect(rateHeaders(res, 'BusyTimes')).toMatchObject({ limit: '2', remaining: String(1 - i) });
    }
    await http().get('/v2/calendars/busy-times').set(memberAuth).expect(429);
    expect(rateHeaders(await http().get('/v2/calendars').set(memberAuth), 'BusyTimes').limit).toBeUndefined();
  });

  it('exempts health, metrics and docs', async () => {
    for (let i = 0; i < 5; i++) {
      const health = await http().get('/health').expect(200);
      expect(health.headers['x-ratelimit-limit-default']).toBeUndefined();
      await http().get('/health/ready').expect(200);
      const metrics = await http().get('/metrics');
      expect(metrics.status).not.toBe(429);
      expect(metrics.headers['x-ratelimit-limit-default']).toBeUndefined();
      await http().get('/docs-json').expect(200);
    }
  });
});

describe('Rate limits behind a trusted proxy (e2e)', () => {
  withEnv({ ...SMALL_LIMITS, TRUST_PROXY: 'loopback' });
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts each client IP of X-Forwarded-For separately', async () => {
    const http = () => request(t.app.getHttpServer());
    const from = (ip: string) => http().get('/v2/conferencing').set('X-Forwarded-For', ip);
    await from('198.51.100.1').expect(401);
    await from('198.51.100.1').expect(401);
    await from('198.51.100.1').expect(429);
    const other = await from('198.51.100.2').expect(401);
    expect(rateHeaders(other)).toMatchObject({ limit: '2', remaining: '1' });
  });
});

describe('RATE_LIMIT_ENABLED=false (e2e)', () => {
  withEnv({ ...SMALL_LIMITS, RATE_LIMIT_ENABLED: 'false' });
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('limits nothing and sends no rate-limit headers', async () => {
    const { auth } = await t.fixtures.orgWithAdmin();
    for (let i = 0; i < 6; i++) {
      const res = await request(t.app.getHttpServer()).get('/v2/conferencing').set(auth).expect(200);
      expect(res.headers['x-ratelimit-limit-default']).toBeUndefined();
    }
  });
});
