import request from 'supertest';
import { delegatedOrg, type Platform } from './utils/delegated-org';
import { bearer } from './utils/fixtures';
import { useTestAppWithFakes } from './utils/providers';

const DAY = { dateFrom: '2031-03-03', dateTo: '2031-03-03' };

/** Busy times read only what the member may read, as the member, and never call an unreadable calendar free (e2e). */
describe('Busy times through delegation: exact mailbox, fail closed (e2e)', () => {
  const t = useTestAppWithFakes();
  const http = () => request(t.app.getHttpServer());
  const busy = (auth: Record<string, string>, calendars: { credentialId: number; externalId: string }[]) =>
    http()
      .get('/v2/calendars/busy-times')
      .set(auth)
      .query({
        ...DAY,
        ...Object.fromEntries(
          calendars.flatMap((c, i) => [
            [`calendarsToLoad[${i}][credentialId]`, c.credentialId],
            [`calendarsToLoad[${i}][externalId]`, c.externalId],
          ]),
        ),
      });

  describe.each<Platform>(['google', 'office365'])('%s', (platform) => {
    it('a plus-address account is checked as that exact address: it cannot read jane’s calendar', async () => {
      const o = await delegatedOrg(t, platform);
      const jane = await o.member({ email: `jane@${o.domain}` });
      await http().get('/v2/conferencing').set(jane.auth).expect(200); // provisions her delegated credential
      t.fake.addBusyBlock(platform, jane.user.email, {
        start: new Date('2031-03-03T09:00:00Z'),
        end: new Date('2031-03-03T10:00:00Z'),
      });
      // Cal.com's alias shape (+25 alphanumerics). Not a user of the directory: Google and Entra have no such user.
      const plus = await t.fixtures.user(`jane+abcdefghijklmnopqrstuvwxy@${o.domain}`);
      await t.fixtures.membership(plus.id, o.org.id, 'MEMBER', true);
      const plusAuth = bearer(await t.fixtures.apiKey(plus.id));
      await http().get('/v2/conferencing').set(plusAuth).expect(200); // provisions their delegated credential
      const plusCredentialId = await o.memberCredentialId(plus.id);
      t.fake.resetCounters();

      const res = await busy(plusAuth, [{ credentialId: plusCredentialId, externalId: jane.primary }]).expect(
        400,
      );
      expect(res.body.data).toBeUndefined();
      expect(res.body.error.details).toMatchObject({ type: 'USER_NOT_IN_DIRECTORY', permanent: true });
      expect(res.body.error.message).toContain(plus.email);
      // Nothing was ever asked of the provider as jane: no token for her, no read of her calendar.
      expect(t.fake.tokenMints(jane.user.email)).toBe(0);
      expect(t.fake.callCount('google.freeBusy') + t.fake.callCount('graph.calendarView')).toBe(0);
      const row = await t.prisma.credential.findUniqueOrThrow({ where: { id: plusCredentialId } });
      expect(row).toMatchObject({ syncState: 'FAILING', lastError: { type: 'USER_NOT_IN_DIRECTORY' } });

      // jane herself still reads her own calendar.
      const own = await busy(jane.auth, [
        { credentialId: await o.memberCredentialId(jane.user.id), externalId: jane.primary },
      ]).expect(200);
      expect(own.body.data).toEqual([expect.objectContaining({ start: '2031-03-03T09:00:00+00:00' })]);
    });

    it('a requested calendar the member cannot read fails the request (CALENDAR_NOT_ACCESSIBLE), never "free"', async () => {
      const o = await delegatedOrg(t, platform);
      const m = await o.connectedMember();
      const credentialId = await o.memberCredentialId(m.user.id);
      const unreadable =
        platform === 'google' ? 'someone@elsewhere.example' : 'AAMkADnot-a-calendar-of-this-mailbox=';
      const res = await busy(m.auth, [
        { credentialId, externalId: m.primary },
        { credentialId, externalId: unreadable },
      ]).expect(400);
      expect(res.body.error.details).toMatchObject({ type: 'CALENDAR_NOT_ACCESSIBLE', platform });
      expect(res.body.error.message).toContain(unreadable);
      // One calendar of the request, not the member's access: they stay connected.
      const row = await t.prisma.credential.findUniqueOrThrow({ where: { id: credentialId } });
      expect(row.syncState).not.toBe('FAILING');
      await busy(m.auth, [{ credentialId, externalId: m.primary }]).expect(200);
    });
  });
});
