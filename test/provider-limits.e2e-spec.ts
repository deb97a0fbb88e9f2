import request from 'supertest';
import { delegatedOrg } from './utils/delegated-org';
import { useTestAppWithFakes } from './utils/providers';

// A small Google per-user quota, so that it binds within a short test: 4 requests per 2 s sliding window.
process.env.PROVIDER_GOOGLE_USER_REQUESTS = '4';
process.env.PROVIDER_GOOGLE_USER_WINDOW_SECONDS = '2';

/**
 * Parallel live calls for one mailbox stay within the providers' limits, as the sandbox measures them: Graph's 4
 * concurrent requests per app and mailbox, Google's per-user quota (e2e).
 */
describe('Provider limits on live calls (e2e)', () => {
  const t = useTestAppWithFakes();
  const http = () => request(t.app.getHttpServer());
  const busy = (auth: Record<string, string>, credentialId: number, externalId: string) =>
    http()
      .get('/v2/calendars/busy-times')
      .set(auth)
      .query({ dateFrom: '2031-04-01', dateTo: '2031-04-01', credentialId, externalId });

  afterEach(() => {
    t.fake.clearFaults();
    t.fake.throttling.clearQuotas();
  });

  it('10 parallel busy-times calls for one Microsoft mailbox: never more than 4 requests in flight at Graph', async () => {
    const o = await delegatedOrg(t, 'office365');
    const m = await o.connectedMember();
    const credentialId = await o.memberCredentialId(m.user.id);
    await busy(m.auth, credentialId, m.primary).expect(200); // token and directory lookup cached
    t.fake.resetCounters();
    // Graph takes its time, so that requests would overlap if nothing held them back.
    t.fake.injectFault({ route: 'graph.calendarView', latencyMs: 150 });

    const results = await Promise.all(
      Array.from({ length: 10 }, () => busy(m.auth, credentialId, m.primary)),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    const counters = t.fake.counters();
    expect(counters.calls['graph.calendarView']).toBe(10);
    const maxInFlight = counters.maxInFlight.office365[m.user.email];
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(maxInFlight).toBeGreaterThanOrEqual(2); // still parallel, not serialized
    expect(counters.throttled.office365).toBe(0); // no MailboxConcurrency refusal was needed
  });

  it('parallel busy-times calls for one Google user stay within the per-user quota (no 429 at Google)', async () => {
    const o = await delegatedOrg(t, 'google');
    const m = await o.connectedMember();
    const credentialId = await o.memberCredentialId(m.user.id);
    t.fake.setQuota({ platform: 'google', limit: 4, windowSeconds: 2 });
    t.fake.resetCounters();

    const results = await Promise.all(Array.from({ length: 5 }, () => busy(m.auth, credentialId, m.primary)));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill(200));
    expect(t.fake.callCount('google.freeBusy')).toBe(5);
    expect(t.fake.counters().throttled.google).toBe(0);
    // Spaced one per second (the limiter's fixed window for 4 per 2 s): never more than 4 in any 2 s.
    const times = t.fake.callTimes('google.freeBusy');
    for (const time of times)
      expect(times.filter((x) => x >= time && x < time + 2000).length).toBeLessThanOrEqual(4);
  });
});
