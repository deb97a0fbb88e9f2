import request from 'supertest';
import { type DelegatedMember, type DelegatedOrg, delegatedOrg, type Platform } from './utils/delegated-org';
import { useTestAppWithFakes } from './utils/providers';

/**
 * Calendar fidelity (issue 16): what counts as busy, all-day events and time zones, per-calendar free/busy errors —
 * each through HTTP against the sandbox's own behaviour (events put into the member's calendar in the platform's
 * shape, mailbox and calendar time zones, free/busy errors).
 */
describe('Calendar fidelity: busy semantics, all-day events, time zones (e2e)', () => {
  const t = useTestAppWithFakes();
  const http = () => request(t.app.getHttpServer());

  /** GET /v2/calendars/busy-times of the member's primary calendar; expects `status`. */
  const busyTimes = async (
    org: DelegatedOrg,
    m: DelegatedMember,
    query: { timeZone: string; dateFrom: string; dateTo: string },
    status = 200,
  ) =>
    http()
      .get('/v2/calendars/busy-times')
      .set(m.auth)
      .query({
        ...query,
        'calendarsToLoad[0][credentialId]': await org.memberCredentialId(m.user.id),
        'calendarsToLoad[0][externalId]': m.primary,
      })
      .expect(status);

  describe('failure 1: "Working elsewhere" does not block time (Microsoft 365)', () => {
    it('busy-times keeps the busy meeting and drops the workingElsewhere and free ones', async () => {
      const org = await delegatedOrg(t, 'office365');
      const m = await org.connectedMember();
      const at = (hour: number, showAs: string) => ({
        subject: showAs,
        showAs,
        start: { dateTime: `2026-06-10T${hour}:00:00`, timeZone: 'UTC' },
        end: { dateTime: `2026-06-10T${hour + 1}:00:00`, timeZone: 'UTC' },
      });
      t.fake.seedEvent('office365', m.user.email, at(13, 'workingElsewhere'));
      t.fake.seedEvent('office365', m.user.email, at(15, 'busy'));
      t.fake.seedEvent('office365', m.user.email, at(17, 'free'));
      const res = await busyTimes(org, m, { timeZone: 'UTC', dateFrom: '2026-06-10', dateTo: '2026-06-10' });
      expect(res.body.data).toEqual([
        { start: '2026-06-10T15:00:00+00:00', end: '2026-06-10T16:00:00+00:00', source: m.primary },
      ]);
    });
  });

  describe("failure 2: an all-day event blocks the member's local day", () => {
    const LA_DAY = [{ start: '2026-06-12T00:00:00-07:00', end: '2026-06-13T00:00:00-07:00' }];
    const ask = { timeZone: 'America/Los_Angeles', dateFrom: '2026-06-12', dateTo: '2026-06-12' };

    it('Microsoft: mailbox in America/Los_Angeles (mailbox settings "Pacific Standard Time", a Windows name)', async () => {
      const org = await delegatedOrg(t, 'office365');
      // The app may read mailbox settings (MailboxSettings.Read); tokens minted before the consent are dropped.
      t.fake.grantAdminConsent(org.tenantId, org.clientId, [
        'Calendars.ReadWrite',
        'User.Read.All',
        'MailboxSettings.Read',
      ]);
      t.fake.expireTokens();
      const m = await org.connectedMember();
      t.fake.microsoft.updateUser(m.user.email, { timeZone: 'Pacific Standard Time' });
      // Created in Outlook in another zone: its original zone is not the member's; the mailbox's day wins.
      t.fake.seedEvent('office365', m.user.email, {
        subject: 'Day off',
        isAllDay: true,
        showAs: 'oof',
        start: { dateTime: '2026-06-12T00:00:00', timeZone: 'Eastern Standard Time' },
        end: { dateTime: '2026-06-13T00:00:00', timeZone: 'Eastern Standard Time' },
      });
      t.fake.resetCounters();
      const res = await busyTimes(org, m, ask);
      expect(res.body.data).toEqual(LA_DAY.map((day) => ({ ...day, source: m.primary })));
      expect(t.fake.callCount('graph.mailboxSettings')).toBe(1);
    });

    it('Microsoft without MailboxSettings.Read: the event\'s own zone ("Pacific Standard Time") places the day', async () => {
      const org = await delegatedOrg(t, 'office365');
      const m = await org.connectedMember();
      t.fake.microsoft.updateUser(m.user.email, { timeZone: 'Pacific Standard Time' });
      t.fake.seedEvent('office365', m.user.email, {
        subject: 'Day off',
        isAllDay: true,
        start: { dateTime: '2026-06-12T00:00:00', timeZone: 'Pacific Standard Time' },
        end: { dateTime: '2026-06-13T00:00:00', timeZone: 'Pacific Standard Time' },
      });
      const res = await busyTimes(org, m, ask);
      expect(res.body.data).toEqual(LA_DAY.map((day) => ({ ...day, source: m.primary })));
      // The 403 on mailbox settings is not a permission problem of the credential: nothing is marked failing.
      const row = await t.prisma.credential.findUniqueOrThrow({
        where: { id: await org.memberCredentialId(m.user.id) },
      });
      expect(row.syncState).not.toBe('FAILING');
      const dc = await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: org.dcId } });
      expect(dc.status).toBe('ACTIVE');
    });

    it('Google: calendar in America/Los_Angeles, an all-day event (start.date)', async () => {
      const org = await delegatedOrg(t, 'google');
      const m = await org.connectedMember();
      t.fake.google.store.setTimeZone(m.primary, 'America/Los_Angeles');
      t.fake.seedEvent('google', m.user.email, {
        summary: 'Day off',
        start: { date: '2026-06-12' },
        end: { date: '2026-06-13' },
      });
      const res = await busyTimes(org, m, ask);
      expect(res.body.data).toEqual(LA_DAY.map((day) => ({ ...day, source: m.primary })));
    });

    it('a timed Graph event written in a Windows zone blocks to the minute in the asked zone', async () => {
      const org = await delegatedOrg(t, 'office365');
      const m = await org.connectedMember();
      t.fake.seedEvent('office365', m.user.email, {
        subject: 'Standup',
        start: { dateTime: '2026-06-12T09:15:00', timeZone: 'W. Europe Standard Time' },
        end: { dateTime: '2026-06-12T09:40:00', timeZone: 'W. Europe Standard Time' },
      });
      const res = await busyTimes(org, m, ask);
      expect(res.body.data).toEqual([
        { start: '2026-06-12T00:15:00-07:00', end: '2026-06-12T00:40:00-07:00', source: m.primary },
      ]);
    });
  });

  describe.each<Platform>(['google', 'office365'])('%s: states that free the time', (platform) => {
    it('cancelled and declined meetings do not block; tentative ones do', async () => {
      const org = await delegatedOrg(t, platform);
      const m = await org.connectedMember();
      const hour = (h: number) => `2026-06-10T${String(h).padStart(2, '0')}:00:00`;
      if (platform === 'google') {
        const invite = (h: number, responseStatus: string, extra: object = {}) => ({
          summary: responseStatus,
          start: { dateTime: `${hour(h)}Z` },
          end: { dateTime: `${hour(h + 1)}Z` },
          organizer: { email: 'boss@elsewhere.example' },
          attendees: [{ email: m.user.email, responseStatus }],
          ...extra,
        });
        t.fake.seedEvent('google', m.user.email, invite(9, 'declined'));
        t.fake.seedEvent('google', m.user.email, invite(11, 'accepted', { status: 'cancelled' }));
        t.fake.seedEvent('google', m.user.email, invite(13, 'tentative'));
      } else {
        const invite = (h: number, response: string, extra: object = {}) => ({
          subject: response,
          start: { dateTime: hour(h), timeZone: 'UTC' },
          end: { dateTime: hour(h + 1), timeZone: 'UTC' },
          organizer: { emailAddress: { address: 'boss@elsewhere.example' } },
          attendees: [{ emailAddress: { address: m.user.email }, status: { response } }],
          ...extra,
        });
        t.fake.seedEvent('office365', m.user.email, invite(9, 'declined'));
        t.fake.seedEvent('office365', m.user.email, invite(11, 'accepted', { isCancelled: true }));
        t.fake.seedEvent(
          'office365',
          m.user.email,
          invite(13, 'tentativelyAccepted', { showAs: 'tentative' }),
        );
      }
      const res = await busyTimes(org, m, { timeZone: 'UTC', dateFrom: '2026-06-10', dateTo: '2026-06-10' });
      expect(res.body.data).toEqual([
        { start: '2026-06-10T13:00:00+00:00', end: '2026-06-10T14:00:00+00:00', source: m.primary },
      ]);
    });
  });

  describe('Google: a per-calendar error inside a successful free/busy answer, by its reason', () => {
    let org: DelegatedOrg;
    beforeAll(async () => {
      org = await delegatedOrg(t, 'google');
    });
    afterEach(() => t.fake.google.freeBusyErrors.clear());

    it('internalError is retried, then answered 502 PROVIDER_UNAVAILABLE; the member stays connected', async () => {
      const m = await org.connectedMember();
      t.fake.google.failFreeBusy(m.primary, 'internalError');
      t.fake.resetCounters();
      const res = await busyTimes(
        org,
        m,
        { timeZone: 'UTC', dateFrom: '2026-06-10', dateTo: '2026-06-10' },
        502,
      );
      expect(res.body.error.details).toMatchObject({ type: 'PROVIDER_UNAVAILABLE', permanent: false });
      expect(res.body.error.message).toContain('internalError');
      expect(t.fake.callCount('google.freeBusy')).toBeGreaterThan(1);
      const row = await t.prisma.credential.findUniqueOrThrow({
        where: { id: await org.memberCredentialId(m.user.id) },
      });
      expect(row.syncState).not.toBe('FAILING');
      expect(
        (await t.prisma.delegationCredential.findUniqueOrThrow({ where: { id: org.dcId } })).status,
      ).toBe('ACTIVE');
    });

    it('a backendError that clears on the retry answers the busy times', async () => {
      const m = await org.connectedMember();
      t.fake.addBusyBlock('google', m.user.email, {
        start: new Date('2026-06-10T10:00:00Z'),
        end: new Date('2026-06-10T10:30:00Z'),
      });
      t.fake.google.failFreeBusy(m.primary, 'backendError', 1);
      const res = await busyTimes(org, m, { timeZone: 'UTC', dateFrom: '2026-06-10', dateTo: '2026-06-10' });
      expect(res.body.data).toEqual([
        { start: '2026-06-10T10:00:00+00:00', end: '2026-06-10T10:30:00+00:00', source: m.primary },
      ]);
    });

    it('notFound is CALENDAR_NOT_ACCESSIBLE (400), never free', async () => {
      const m = await org.connectedMember();
      t.fake.google.failFreeBusy(m.primary, 'notFound');
      const res = await busyTimes(
        org,
        m,
        { timeZone: 'UTC', dateFrom: '2026-06-10', dateTo: '2026-06-10' },
        400,
      );
      expect(res.body.error.details).toMatchObject({ type: 'CALENDAR_NOT_ACCESSIBLE', permanent: true });
    });
  });
});
