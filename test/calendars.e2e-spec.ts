import request from 'supertest';
import { type DelegatedOrg, delegatedOrg, type Platform } from './utils/delegated-org';
import { useTestAppWithFakes } from './utils/providers';

const TYPE = { google: 'google_calendar', office365: 'office365_calendar' } as const;

/** What a member of a delegated org sees in /v2/calendars and busy times, and the priority over manual ones (e2e). */
describe('Calendars of delegated members (e2e)', () => {
  const t = useTestAppWithFakes();
  const http = () => request(t.app.getHttpServer());

  describe.each<Platform>(['google', 'office365'])('%s member', (platform) => {
    let org: DelegatedOrg;
    beforeAll(async () => {
      org = await delegatedOrg(t, platform);
    });

    it('sees the delegated calendar connected without doing anything, with a default destination', async () => {
      const m = await org.member();
      expect(await t.prisma.credential.count({ where: { userId: m.user.id } })).toBe(0);
      const res = await http().get('/v2/calendars').set(m.auth).expect(200);
      const credentialId = await org.memberCredentialId(m.user.id);
      expect(res.body.status).toBe('success');
      expect(res.body.data.connectedCalendars).toHaveLength(1);
      const [connection] = res.body.data.connectedCalendars;
      expect(connection).toMatchObject({
        integration: { type: TYPE[platform], installed: true, variant: 'calendar' },
        credentialId,
        delegationCredentialId: org.dcId,
        email: m.user.email,
        usedForOperations: true,
        overriddenByDelegationCredentialId: null,
        primary: { externalId: m.primary, primary: true, readOnly: false, credentialId },
      });
      expect(connection.calendars).toEqual([
        expect.objectContaining({
          externalId: m.primary,
          integration: TYPE[platform],
          delegationCredentialId: org.dcId,
          // Google's primary is selected at provisioning; Microsoft's once verification learnt its id.
          isSelected: platform === 'google',
        }),
      ]);
      expect(res.body.data.destinationCalendar).toMatchObject({
        integration: TYPE[platform],
        externalId: m.primary,
        credentialId,
        delegationCredentialId: org.dcId,
        userId: m.user.id,
        eventTypeId: null,
        readOnly: false,
      });
      expect(JSON.stringify(res.body)).not.toMatch(/private_key|encryptedKey|BEGIN/);
    });

    it('busy times: the seeded blocks, overlaps merged, in the requested time zone', async () => {
      const m = await org.connectedMember();
      const credentialId = await org.memberCredentialId(m.user.id);
      const at = (hm: string) => new Date(`2031-01-15T${hm}:00Z`);
      t.fake.addBusyBlock(platform, m.user.email, { start: at('09:00'), end: at('10:00') });
      t.fake.addBusyBlock(platform, m.user.email, { start: at('09:30'), end: at('11:00') });
      t.fake.addBusyBlock(platform, m.user.email, { start: at('13:00'), end: at('14:00') });
      t.fake.addBusyBlock(platform, m.user.email, {
        start: new Date('2031-01-17T09:00:00Z'),
        end: new Date('2031-01-17T10:00:00Z'),
      });
      const expected = [
        { start: '2031-01-15T10:00:00+01:00', end: '2031-01-15T12:00:00+01:00', source: m.primary },
        { start: '2031-01-15T14:00:00+01:00', end: '2031-01-15T15:00:00+01:00', source: m.primary },
      ];
      const byCredential = await http()
        .get('/v2/calendars/busy-times')
        .set(m.auth)
        .query({
          timeZone: 'Europe/Madrid',
          dateFrom: '2031-01-15',
          dateTo: '2031-01-15',
          'calendarsToLoad[0][credentialId]': credentialId,
          'calendarsToLoad[0][externalId]': m.primary,
        })
        .expect(200);
      expect(byCredential.body).toEqual({ status: 'success', data: expected });

      // Cal.com's in-memory form (negative id + delegationCredentialId), and the spec's flat form.
      const byDelegation = await http()
        .get('/v2/calendars/busy-times')
        .set(m.auth)
        .query({
          loggedInUsersTz: 'Europe/Madrid',
          dateFrom: '2031-01-15',
          dateTo: '2031-01-15',
          'calendarsToLoad[0][credentialId]': -1,
          'calendarsToLoad[0][delegationCredentialId]': org.dcId,
          'calendarsToLoad[0][externalId]': m.primary,
        })
        .expect(200);
      expect(byDelegation.body.data).toEqual(expected);
      const flat = await http()
        .get('/v2/calendars/busy-times')
        .set(m.auth)
        .query({ dateFrom: '2031-01-15', dateTo: '2031-01-16', credentialId, externalId: m.primary })
        .expect(200);
      expect(flat.body.data).toEqual([
        { start: '2031-01-15T09:00:00+00:00', end: '2031-01-15T11:00:00+00:00', source: m.primary },
        { start: '2031-01-15T13:00:00+00:00', end: '2031-01-15T14:00:00+00:00', source: m.primary },
      ]);
    });

    it('check: a delegated connection counts', async () => {
      const m = await org.connectedMember();
      const res = await http().get(`/v2/calendars/${platform}/check`).set(m.auth).expect(200);
      expect(res.body).toEqual({
        status: 'success',
        data: {
          type: TYPE[platform],
          credentialId: await org.memberCredentialId(m.user.id),
          delegationCredentialId: org.dcId,
        },
      });
    });

    it('cannot disconnect the delegated credential (403); a manual one of the same mailbox takes second place', async () => {
      const m = await org.connectedMember();
      const credentialId = await org.memberCredentialId(m.user.id);
      const denied = await http()
        .post(`/v2/calendars/${platform}/disconnect`)
        .set(m.auth)
        .send({ id: credentialId })
        .expect(403);
      expect(denied.body.error.message).toMatch(/managed by your organization/);

      const manual = await http()
        .post(`/v2/calendars/${platform}/credentials`)
        .set(m.auth)
        .send({ email: m.user.email.toUpperCase(), accessToken: 'manual-token-secret' })
        .expect(201);
      expect(manual.body.data).toMatchObject({
        type: TYPE[platform],
        userId: m.user.id,
        email: m.user.email,
        usedForOperations: false,
        overriddenByDelegationCredentialId: org.dcId,
      });
      expect(JSON.stringify(manual.body)).not.toContain('manual-token-secret');

      const list = await http().get('/v2/calendars').set(m.auth).expect(200);
      expect(
        list.body.data.connectedCalendars.map((c: Record<string, unknown>) => [
          c.credentialId,
          c.usedForOperations,
          c.overriddenByDelegationCredentialId,
        ]),
      ).toEqual([
        [credentialId, true, null],
        [manual.body.data.id, false, org.dcId],
      ]);
      // Operations on the manual credential go through the delegated one.
      await http()
        .get('/v2/calendars/busy-times')
        .set(m.auth)
        .query({
          dateFrom: '2031-02-01',
          dateTo: '2031-02-01',
          credentialId: manual.body.data.id,
          externalId: m.primary,
        })
        .expect(200);
      expect(await t.prisma.credential.count({ where: { id: manual.body.data.id } })).toBe(1);
    });
  });
});
