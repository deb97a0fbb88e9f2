import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { delegatedOrg } from './utils/delegated-org';
import { bearer } from './utils/fixtures';
import { useTestAppWithFakes } from './utils/providers';

/** Manual calendar connections, and every error path of /v2/calendars (e2e). */
describe('Calendars: manual connections and error paths (e2e)', () => {
  const t = useTestAppWithFakes();
  const http = () => request(t.app.getHttpServer());

  describe('manual connections', () => {
    it('adds an Apple connection (secret encrypted, never returned) and disconnects it with its selected calendars', async () => {
      const user = await t.fixtures.user();
      const auth = bearer(await t.fixtures.apiKey(user.id));
      const created = await http()
        .post('/v2/calendars/apple/credentials')
        .set(auth)
        .send({ username: 'Alice@iCloud.com', password: 'app-specific-secret' })
        .expect(201);
      const id = created.body.data.id as number;
      expect(created.body.data).toEqual({
        id,
        type: 'apple_calendar',
        appId: 'apple-calendar',
        userId: user.id,
        teamId: null,
        invalid: false,
        email: 'alice@icloud.com',
        usedForOperations: true,
        overriddenByDelegationCredentialId: null,
      });
      const row = await t.prisma.credential.findUniqueOrThrow({ where: { id } });
      expect(row.encryptedKey).toMatch(/^gcm1\./);
      expect(row.encryptedKey).not.toContain('app-specific-secret');

      await http()
        .post('/v2/calendars/apple/credentials')
        .set(auth)
        .send({ username: 'alice@icloud.com', password: 'again' })
        .expect(409);
      await http().get('/v2/calendars/apple/check').set(auth).expect(200);
      const listed = await http().get('/v2/calendars').set(auth).expect(200);
      expect(listed.body.data).toEqual({
        connectedCalendars: [
          expect.objectContaining({ credentialId: id, delegationCredentialId: null, calendars: [] }),
        ],
        destinationCalendar: null,
      });

      await http()
        .post('/v2/selected-calendars')
        .set(auth)
        .send({
          integration: 'apple_calendar',
          externalId: 'https://caldav.example/cal/1/',
          credentialId: id,
        })
        .expect(201);
      // Busy times need a provider this service can call: manual connections are refused, not reported free.
      await http()
        .get('/v2/calendars/busy-times')
        .set(auth)
        .query({ dateFrom: '2031-01-01', dateTo: '2031-01-02', credentialId: id, externalId: 'x' })
        .expect(400);
      await http().post('/v2/calendars/google/disconnect').set(auth).send({ id }).expect(404);
      const deleted = await http().post('/v2/calendars/apple/disconnect').set(auth).send({ id }).expect(200);
      expect(deleted.body).toEqual({
        status: 'success',
        data: {
          id,
          type: 'apple_calendar',
          userId: user.id,
          teamId: null,
          appId: 'apple-calendar',
          invalid: false,
        },
      });
      expect(await t.prisma.selectedCalendar.count({ where: { userId: user.id } })).toBe(0);
      await http().post('/v2/calendars/apple/disconnect').set(auth).send({ id }).expect(404);
      await http().get('/v2/calendars/apple/check').set(auth).expect(400);
    });

    it('rejects incomplete or mixed manual credentials (400) and unknown calendars (400)', async () => {
      const user = await t.fixtures.user();
      const auth = bearer(await t.fixtures.apiKey(user.id));
      const post = (calendar: string, body: object) =>
        http().post(`/v2/calendars/${calendar}/credentials`).set(auth).send(body);
      await post('apple', { username: 'a@icloud.com' }).expect(400);
      await post('apple', { username: 'a@icloud.com', password: 'p', accessToken: 't' }).expect(400);
      await post('google', { email: 'a@x.example' }).expect(400);
      await post('office365', { email: 'not-an-email', accessToken: 't' }).expect(400);
      await post('google', { email: 'a@x.example', accessToken: 't', extra: 1 }).expect(400);
      const bad = await post('outlook', { email: 'a@x.example', accessToken: 't' }).expect(400);
      expect(bad.body.error.message).toBe(
        'Invalid calendar type, available calendars are: apple, google, office365',
      );
    });
  });

  describe('error paths', () => {
    it('401 without credentials on every endpoint', async () => {
      await http().get('/v2/calendars').expect(401);
      await http().get('/v2/calendars/busy-times').expect(401);
      await http().get('/v2/calendars/google/check').expect(401);
      await http().post('/v2/calendars/google/disconnect').send({ id: 1 }).expect(401);
      await http().post('/v2/calendars/apple/credentials').send({}).expect(401);
    });

    it('busy times: empty without dates; 400 for bad input; 401 for credentials that are not yours', async () => {
      const org = await delegatedOrg(t, 'google');
      const a = await org.connectedMember();
      const b = await org.connectedMember();
      const bCredential = await org.memberCredentialId(b.user.id);
      const aCredential = await org.memberCredentialId(a.user.id);
      const busy = (query: Record<string, unknown>) =>
        http().get('/v2/calendars/busy-times').set(a.auth).query(query);
      const cal = {
        'calendarsToLoad[0][credentialId]': aCredential,
        'calendarsToLoad[0][externalId]': a.primary,
      };

      expect((await busy({ ...cal, dateFrom: '2031-01-01' }).expect(200)).body).toEqual({
        status: 'success',
        data: [],
      });
      await busy({ ...cal, dateFrom: '2031-01-01', dateTo: '2031-01-02', timeZone: 'Mars/Olympus' }).expect(
        400,
      );
      await busy({ ...cal, dateFrom: '2031-13-01', dateTo: '2031-01-02' }).expect(400);
      await busy({ ...cal, dateFrom: '2031-01-01T10:00:00', dateTo: '2031-01-02' }).expect(400);
      await busy({ ...cal, dateFrom: '2031-01-05', dateTo: '2031-01-02' }).expect(400);
      await busy({ dateFrom: '2031-01-01', dateTo: '2031-01-02' }).expect(400);
      const range = { dateFrom: '2031-01-01', dateTo: '2031-01-02' };
      await busy({ ...cal, 'calendarsToLoad[0][credentialId]': 'abc', ...range }).expect(400);
      await busy({ ...cal, 'calendarsToLoad[0][colour]': 'red', ...range }).expect(400);
      await busy({ ...cal, sort: 'asc', dateFrom: '2031-01-01', dateTo: '2031-01-02' }).expect(400);

      for (const other of [
        { 'calendarsToLoad[0][credentialId]': bCredential, 'calendarsToLoad[0][externalId]': b.primary },
        { 'calendarsToLoad[0][credentialId]': 999999999, 'calendarsToLoad[0][externalId]': a.primary },
        {
          'calendarsToLoad[0][delegationCredentialId]': randomUUID(),
          'calendarsToLoad[0][externalId]': a.primary,
        },
        {
          ...cal,
          'calendarsToLoad[0][delegationCredentialId]': org.dcId,
          'calendarsToLoad[0][credentialId]': bCredential,
        },
      ]) {
        const res = await busy({ ...other, dateFrom: '2031-01-01', dateTo: '2031-01-02' }).expect(401);
        expect(res.body.error.message).toBe('These credentials do not belong to you');
      }
    });

    it('check, disconnect: 400 unknown calendar or bad body, 400 no connection, 404 not yours', async () => {
      const org = await delegatedOrg(t, 'google');
      const a = await org.connectedMember();
      const b = await org.connectedMember();
      await http().get('/v2/calendars/icloud/check').set(a.auth).expect(400);
      const none = await http().get('/v2/calendars/office365/check').set(a.auth).expect(400);
      expect(none.body.error.message).toBe('Credentials for office365_calendar not found.');
      await http().post('/v2/calendars/icloud/disconnect').set(a.auth).send({ id: 1 }).expect(400);
      await http().post('/v2/calendars/google/disconnect').set(a.auth).send({}).expect(400);
      await http().post('/v2/calendars/google/disconnect').set(a.auth).send({ id: 'x' }).expect(400);
      const bCredential = await org.memberCredentialId(b.user.id);
      for (const id of [bCredential, 999999999, 99999999999, -1]) {
        const res = await http().post('/v2/calendars/google/disconnect').set(a.auth).send({ id }).expect(404);
        expect(res.body.error.message).toBe('Calendar credentials not found');
      }
      const manual = await http()
        .post('/v2/calendars/apple/credentials')
        .set(b.auth)
        .send({ username: 'b@icloud.com', password: 'p' })
        .expect(201);
      await http()
        .post('/v2/calendars/apple/disconnect')
        .set(a.auth)
        .send({ id: manual.body.data.id })
        .expect(404);
    });
  });
});
