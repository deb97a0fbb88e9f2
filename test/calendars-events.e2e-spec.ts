import request from 'supertest';
import { type DelegatedOrg, delegatedOrg, type Platform } from './utils/delegated-org';
import { bearer, uniq } from './utils/fixtures';
import { useTestAppWithFakes } from './utils/providers';

const TYPE = { google: 'google_calendar', office365: 'office365_calendar' } as const;
const MEETING = { google: /^https:\/\/meet\.google\.com\//, office365: /^https:\/\/teams\.microsoft\.com\// };

/** Events written into members' calendars through the delegation credential, against the local fakes (e2e). */
describe('Calendar events of delegated members (e2e)', () => {
  const t = useTestAppWithFakes();
  const http = () => request(t.app.getHttpServer());

  const event = {
    title: 'Intro call',
    description: 'Agenda',
    start: '2031-03-10T09:00:00+01:00',
    end: '2031-03-10T09:30:00+01:00',
    timeZone: 'Europe/Madrid',
    attendees: [{ email: 'guest@outside.example', name: 'Guest' }],
    conference: true,
  };

  describe.each<Platform>(['google', 'office365'])('%s member', (platform) => {
    let org: DelegatedOrg;
    beforeAll(async () => {
      org = await delegatedOrg(t, platform);
    });

    it('creates an event with a meeting link in the primary calendar, updates and deletes it', async () => {
      const m = await org.member();
      const created = await http()
        .post(`/v2/calendars/${platform}/events`)
        .set(m.auth)
        .send(event)
        .expect(201);
      const data = created.body.data;
      expect(data).toMatchObject({
        uid: expect.any(String),
        integration: TYPE[platform],
        delegationCredentialId: org.dcId,
        credentialId: expect.any(Number),
        calendarId: m.primary,
        externalEventId: expect.any(String),
        title: 'Intro call',
        start: '2031-03-10T08:00:00.000Z',
        end: '2031-03-10T08:30:00.000Z',
        meetingUrl: expect.stringMatching(MEETING[platform]),
      });
      const [stored] = t.fake.events(platform, m.user.email);
      expect(stored).toMatchObject({
        id: data.externalEventId,
        calendarId: m.primary,
        title: 'Intro call',
        meetingUrl: data.meetingUrl,
        attendees: [expect.objectContaining({ email: 'guest@outside.example' })],
      });
      expect(await t.prisma.calendarEventReference.findUnique({ where: { uid: data.uid } })).toMatchObject({
        userId: m.user.id,
        externalEventId: data.externalEventId,
        meetingUrl: data.meetingUrl,
      });

      // The event now blocks time.
      const busy = await http()
        .get('/v2/calendars/busy-times')
        .set(m.auth)
        .query({
          dateFrom: '2031-03-10',
          dateTo: '2031-03-10',
          credentialId: data.credentialId,
          externalId: m.primary,
        })
        .expect(200);
      expect(busy.body.data).toEqual([
        { start: '2031-03-10T08:00:00+00:00', end: '2031-03-10T08:30:00+00:00', source: m.primary },
      ]);

      const updated = await http()
        .patch(`/v2/calendars/${platform}/events/${data.uid}`)
        .set(m.auth)
        .send({ title: 'Moved call', start: '2031-03-11T10:00:00Z', end: '2031-03-11T11:00:00Z' })
        .expect(200);
      expect(updated.body.data).toMatchObject({
        uid: data.uid,
        title: 'Moved call',
        start: '2031-03-11T10:00:00.000Z',
        end: '2031-03-11T11:00:00.000Z',
        meetingUrl: data.meetingUrl,
      });
      expect(t.fake.events(platform, m.user.email)).toEqual([
        expect.objectContaining({
          id: data.externalEventId,
          title: 'Moved call',
          start: new Date('2031-03-11T10:00:00Z'),
        }),
      ]);

      const deleted = await http()
        .delete(`/v2/calendars/${platform}/events/${data.uid}`)
        .set(m.auth)
        .expect(200);
      expect(deleted.body.data).toMatchObject({ uid: data.uid, externalEventId: data.externalEventId });
      expect(t.fake.events(platform, m.user.email)).toEqual([]);
      expect(await t.prisma.calendarEventReference.count({ where: { uid: data.uid } })).toBe(0);
      await http().delete(`/v2/calendars/${platform}/events/${data.uid}`).set(m.auth).expect(404);
    });

    it('only the owner can change an event (404 for others, or under another calendar)', async () => {
      const owner = await org.member();
      const other = await org.member();
      const { body } = await http()
        .post(`/v2/calendars/${platform}/events`)
        .set(owner.auth)
        .send({ ...event, conference: false })
        .expect(201);
      expect(body.data.meetingUrl).toBeNull();
      const path = `/v2/calendars/${platform}/events/${body.data.uid}`;
      const res = await http().patch(path).set(other.auth).send({ title: 'x' }).expect(404);
      expect(res.body.error.message).toBe(`Event ${body.data.uid} not found`);
      await http().delete(path).set(other.auth).expect(404);
      const elsewhere = platform === 'google' ? 'office365' : 'google';
      await http().delete(`/v2/calendars/${elsewhere}/events/${body.data.uid}`).set(owner.auth).expect(404);
      expect(t.fake.events(platform, owner.user.email)).toHaveLength(1);
    });
  });

  it('writes to the destination calendar when it belongs to the delegated connection', async () => {
    const org = await delegatedOrg(t, 'google');
    const m = await org.member();
    const team = `team-${uniq()}@group.calendar.google.com`;
    t.fake.google.store.addCalendar({ id: team, name: 'Team', timeZone: 'UTC', owner: m.user.email });
    await http().get('/v2/calendars').set(m.auth).expect(200);
    await http()
      .put('/v2/destination-calendars')
      .set(m.auth)
      .send({ integration: 'google_calendar', externalId: team })
      .expect(200);
    const { body } = await http().post('/v2/calendars/google/events').set(m.auth).send(event).expect(201);
    expect(body.data.calendarId).toBe(team);
    expect(t.fake.events('google', m.user.email)).toEqual([expect.objectContaining({ calendarId: team })]);
  });

  describe('error paths', () => {
    it('401 without credentials', async () => {
      await http().post('/v2/calendars/google/events').send(event).expect(401);
      await http().patch('/v2/calendars/google/events/x').send({}).expect(401);
      await http().delete('/v2/calendars/google/events/x').expect(401);
    });

    it('400 for bad input, unsupported calendars and callers without a delegated connection; 404 unknown uid', async () => {
      const org = await delegatedOrg(t, 'google');
      const m = await org.member();
      const post = (calendar: string, body: object, auth = m.auth) =>
        http().post(`/v2/calendars/${calendar}/events`).set(auth).send(body);
      await post('outlook', event).expect(400);
      const apple = await post('apple', event).expect(400);
      expect(apple.body.error.message).toMatch(/No delegated apple_calendar connection/);
      await post('office365', event).expect(400);
      const outsider = await t.fixtures.user();
      await post('google', event, bearer(await t.fixtures.apiKey(outsider.id))).expect(400);

      await post('google', { ...event, title: '' }).expect(400);
      await post('google', { ...event, start: undefined }).expect(400);
      await post('google', { ...event, start: '2031-03-10T09:00:00' }).expect(400);
      await post('google', { ...event, end: '2031-03-10T08:00:00+01:00' }).expect(400);
      await post('google', { ...event, timeZone: 'Nowhere/City' }).expect(400);
      await post('google', { ...event, attendees: [{ email: 'nope' }] }).expect(400);
      await post('google', { ...event, conference: 'yes' }).expect(400);
      await post('google', { ...event, colour: 'red' }).expect(400);

      const { body } = await post('google', event).expect(201);
      const patch = (uid: string, change: object) =>
        http().patch(`/v2/calendars/google/events/${uid}`).set(m.auth).send(change);
      await patch(body.data.uid, { start: '2031-03-12T10:00:00Z' }).expect(400);
      await patch(body.data.uid, { start: '2031-03-12T10:00:00Z', end: '2031-03-12T09:00:00Z' }).expect(400);
      await patch('unknown-uid', { title: 'x' }).expect(404);
      await http().delete('/v2/calendars/google/events/unknown-uid').set(m.auth).expect(404);
    });
  });
});
