import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { delegatedOrg } from './utils/delegated-org';
import { uniq } from './utils/fixtures';
import { useTestAppWithFakes } from './utils/providers';

/** Selected and destination calendars of delegated members, with Cal.com's rules and messages (e2e). */
describe('Selected and destination calendars (e2e)', () => {
  const t = useTestAppWithFakes();
  const http = () => request(t.app.getHttpServer());

  /** A Google Workspace org with an enabled delegation credential and one connected member. */
  async function googleMember() {
    const { org, dcId, member } = await delegatedOrg(t, 'google');
    const { user, auth } = await member();
    const listed = await http().get('/v2/calendars').set(auth).expect(200);
    const credentialId = listed.body.data.connectedCalendars[0].credentialId as number;
    return { org, dcId, user, auth, credentialId };
  }

  describe('selected calendars', () => {
    it('adds by credentialId or by delegationCredentialId, shows isSelected, and deletes', async () => {
      const m = await googleMember();
      const shared = `shared-${uniq()}@group.calendar.google.com`;
      t.fake.google.store.addCalendar({
        id: shared,
        name: 'Shared',
        timeZone: 'UTC',
        owner: 'someone@x.example',
      });
      t.fake.google.store.share(shared, m.user.email, 'reader');

      const byCredential = await http()
        .post('/v2/selected-calendars')
        .set(m.auth)
        .send({ integration: 'google_calendar', externalId: shared, credentialId: m.credentialId })
        .expect(201);
      expect(byCredential.body).toEqual({
        status: 'success',
        data: {
          userId: m.user.id,
          integration: 'google_calendar',
          externalId: shared,
          credentialId: m.credentialId,
        },
      });
      // Cal.com's in-memory form: credentialId -1 plus the delegation credential.
      await http()
        .post('/v2/selected-calendars')
        .set(m.auth)
        .send({
          integration: 'google_calendar',
          externalId: shared,
          credentialId: -1,
          delegationCredentialId: m.dcId,
        })
        .expect(201);
      expect(
        await t.prisma.selectedCalendar.findFirst({ where: { userId: m.user.id, externalId: shared } }),
      ).toMatchObject({
        credentialId: m.credentialId,
        delegationCredentialId: m.dcId,
      });
      const listed = await http().get('/v2/calendars').set(m.auth).expect(200);
      const calendars = listed.body.data.connectedCalendars[0].calendars as {
        externalId: string;
        isSelected: boolean;
      }[];
      expect(calendars.find((c) => c.externalId === shared)?.isSelected).toBe(true);
      expect(calendars.find((c) => c.externalId === m.user.email)?.isSelected).toBe(true);

      const query = {
        integration: 'google_calendar',
        externalId: shared,
        credentialId: String(m.credentialId),
      };
      const removed = await http().delete('/v2/selected-calendars').set(m.auth).query(query).expect(200);
      expect(removed.body.data).toEqual({ ...query, userId: m.user.id, credentialId: m.credentialId });
      const again = await http().delete('/v2/selected-calendars').set(m.auth).query(query).expect(404);
      expect(again.body.error.message).toBe('Selected calendar not found');
      await http()
        .delete('/v2/selected-calendars')
        .set(m.auth)
        .query({ ...query, externalId: m.user.email, credentialId: '-1', delegationCredentialId: m.dcId })
        .expect(200);
    });

    it("404 with Cal.com's messages for unknown or foreign credentials; 400 for bad input; 401 without auth", async () => {
      const a = await googleMember();
      const b = await googleMember();
      const body = { integration: 'google_calendar', externalId: a.user.email, credentialId: a.credentialId };
      const post = (extra: object) =>
        http()
          .post('/v2/selected-calendars')
          .set(a.auth)
          .send({ ...body, ...extra });
      const del = (extra: object) =>
        http()
          .delete('/v2/selected-calendars')
          .set(a.auth)
          .query({ ...body, credentialId: String(body.credentialId), ...extra });
      for (const send of [post, del]) {
        for (const id of [randomUUID(), 'not-a-uuid']) {
          const res = await send({ delegationCredentialId: id }).expect(404);
          expect(res.body.error.message).toBe(
            'DelegationCredential with provided delegationCredentialId not found',
          );
        }
        const foreign = await send({ delegationCredentialId: b.dcId }).expect(404);
        expect(foreign.body.error.message).toBe(
          `Membership for user with id ${a.user.id} within organization id ${b.org.id} not found`,
        );
        for (const credentialId of [b.credentialId, 999999999]) {
          const res = await send({
            credentialId: send === post ? credentialId : String(credentialId),
          }).expect(404);
          expect(res.body.error.message).toBe('Calendar credentials not found');
        }
        const mismatch = await send({
          credentialId: send === post ? b.credentialId : String(b.credentialId),
          delegationCredentialId: a.dcId,
        }).expect(404);
        expect(mismatch.body.error.message).toBe('Calendar credentials not found');
      }
      await post({ credentialId: 'x' }).expect(400);
      await post({ externalId: '' }).expect(400);
      await post({ unknown: true }).expect(400);
      await del({ credentialId: '1.5' }).expect(400);
      await http()
        .delete('/v2/selected-calendars')
        .set(a.auth)
        .query({ integration: 'google_calendar' })
        .expect(400);
      await http().post('/v2/selected-calendars').send(body).expect(401);
      await http().delete('/v2/selected-calendars').query(body).expect(401);
    });
  });

  describe('destination calendars', () => {
    it('sets a writable listed calendar of the delegated connection; 404 otherwise', async () => {
      const m = await googleMember();
      const team = `team-${uniq()}@group.calendar.google.com`;
      const readOnly = `ro-${uniq()}@group.calendar.google.com`;
      t.fake.google.store.addCalendar({ id: team, name: 'Team', timeZone: 'UTC', owner: m.user.email });
      t.fake.google.store.addCalendar({ id: readOnly, name: 'RO', timeZone: 'UTC', owner: 'boss@x.example' });
      t.fake.google.store.share(readOnly, m.user.email, 'reader');
      const put = (body: object) => http().put('/v2/destination-calendars').set(m.auth).send(body);

      const res = await put({
        integration: 'google_calendar',
        externalId: team,
        delegationCredentialId: m.dcId,
      }).expect(200);
      expect(res.body).toEqual({
        status: 'success',
        data: {
          userId: m.user.id,
          integration: 'google_calendar',
          externalId: team,
          credentialId: m.credentialId,
        },
      });
      const listed = await http().get('/v2/calendars').set(m.auth).expect(200);
      expect(listed.body.data.destinationCalendar).toMatchObject({
        externalId: team,
        delegationCredentialId: m.dcId,
        name: 'Team',
        readOnly: false,
        integrationTitle: 'Google Calendar',
      });

      for (const body of [
        { integration: 'google_calendar', externalId: readOnly },
        { integration: 'google_calendar', externalId: 'nope@group.calendar.google.com' },
        { integration: 'office365_calendar', externalId: team },
        { integration: 'google_calendar', externalId: team, delegationCredentialId: randomUUID() },
      ]) {
        const missing = await put(body).expect(404);
        expect(missing.body.error.message).toBe(`Could not find calendar ${body.externalId}`);
      }
      await put({ integration: 'zoom', externalId: team }).expect(400);
      await put({ integration: 'google_calendar' }).expect(400);
      await http()
        .put('/v2/destination-calendars')
        .send({ integration: 'google_calendar', externalId: team })
        .expect(401);
      expect(
        (await t.prisma.destinationCalendar.findUniqueOrThrow({ where: { userId: m.user.id } })).externalId,
      ).toBe(team);
    });
  });
});
