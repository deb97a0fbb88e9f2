import request from 'supertest';
import { type DelegatedMember, type DelegatedOrg, delegatedOrg, type Platform } from './utils/delegated-org';
import { useTestAppWithFakes } from './utils/providers';

/**
 * A provider refusing what one request asked for (400 Bad Request, a window longer than it serves, a 409 conflict)
 * is that request's problem: answered, never a verdict on the organization's credential or on the member. Before,
 * any unclassified 400 of a member's live call made the whole credential `failing` and blocked its members.
 */
describe('Provider refusals of one request (e2e)', () => {
  const t = useTestAppWithFakes();
  const http = () => request(t.app.getHttpServer());
  afterEach(() => t.fake.clearFaults());

  const credential = async (org: DelegatedOrg) =>
    (
      await http()
        .get(`/v2/organizations/${org.org.id}/delegation-credentials/${org.dcId}`)
        .set(org.auth)
        .expect(200)
    ).body.data as { status: string; lastError: unknown; members: Record<string, number> };

  const busyTimes = (org: DelegatedOrg, m: DelegatedMember, dateFrom: string, dateTo: string) =>
    http()
      .get('/v2/calendars/busy-times')
      .query({
        timeZone: 'UTC',
        dateFrom,
        dateTo,
        'calendarsToLoad[0][delegationCredentialId]': org.dcId,
        'calendarsToLoad[0][externalId]': org.platform === 'google' ? m.primary : 'primary',
      })
      .set(m.auth);

  const createEvent = (platform: Platform, m: DelegatedMember) =>
    http()
      .post(`/v2/calendars/${platform}/events`)
      .set(m.auth)
      .send({ title: 'x', start: '2031-05-06T09:00:00Z', end: '2031-05-06T09:30:00Z' });

  describe.each<[Platform, string, string]>([
    ['google', 'google.freeBusy', 'google.events.insert'],
    ['office365', 'graph.calendarView', 'graph.events.create'],
  ])('%s', (platform, busyRoute, createRoute) => {
    let org: DelegatedOrg;
    beforeAll(async () => {
      org = await delegatedOrg(t, platform);
    });

    it.each([
      ['busy times', busyRoute],
      ['an event create', createRoute],
    ])('a 400 on %s is answered 400 REQUEST_REJECTED; the credential stays active', async (what, route) => {
      const m = await org.connectedMember();
      t.fake.injectFault({ route, status: 400 });
      const res =
        what === 'busy times'
          ? await busyTimes(org, m, '2031-01-01', '2031-01-02')
          : await createEvent(platform, m);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toMatchObject({ type: 'REQUEST_REJECTED', platform, permanent: true });
      const dc = await credential(org);
      expect(dc).toMatchObject({ status: 'active', lastError: null });
      expect(dc.members).toMatchObject({ blocked: 0, failing: 0 });
    });

    it('a window longer than the provider serves is refused before any provider call', async () => {
      const m = await org.connectedMember();
      t.fake.resetCounters();
      const res = await busyTimes(org, m, '2020-01-01', '2030-12-31');
      expect(res.status).toBe(400);
      // Refused at the request (naming its parameters); the providers refuse such a window too (busy-window.ts).
      expect(res.body.error.message).toContain('dateFrom and dateTo may be at most 1825 days apart');
      expect(t.fake.callCount(busyRoute)).toBe(0);
      expect((await credential(org)).status).toBe('active');
    });
  });

  it('google: a window longer than 90 days is read in 90-day freeBusy requests, blocks in every part', async () => {
    const org = await delegatedOrg(t, 'google');
    const m = await org.connectedMember();
    t.fake.addBusyBlock('google', m.user.email, {
      start: new Date('2031-01-10T10:00:00Z'),
      end: new Date('2031-01-10T11:00:00Z'),
    });
    t.fake.addBusyBlock('google', m.user.email, {
      start: new Date('2031-06-20T10:00:00Z'),
      end: new Date('2031-06-20T11:00:00Z'),
    });
    t.fake.resetCounters();
    const res = await busyTimes(org, m, '2031-01-01', '2031-07-01').expect(200);
    expect(t.fake.callCount('google.freeBusy')).toBe(3);
    expect(res.body.data.map((b: { start: string }) => b.start)).toEqual([
      '2031-01-10T10:00:00+00:00',
      '2031-06-20T10:00:00+00:00',
    ]);
  });

  it('office365: a 409 conflict on an event update is transient, never the credential', async () => {
    const org = await delegatedOrg(t, 'office365');
    const m = await org.connectedMember();
    const created = await createEvent('office365', m).expect(201);
    t.fake.injectFault({ route: 'graph.events.update', status: 409, reason: 'ErrorIrresolvableConflict' });
    const res = await http()
      .patch(`/v2/calendars/office365/events/${created.body.data.uid}`)
      .set(m.auth)
      .send({ title: 'renamed' });
    expect(res.status).toBe(502);
    expect(res.body.error.details).toMatchObject({ type: 'PROVIDER_UNAVAILABLE' });
    expect(await credential(org)).toMatchObject({ status: 'active', lastError: null });
  });
});
