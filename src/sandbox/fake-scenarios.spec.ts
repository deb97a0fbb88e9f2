import { Logger } from '@nestjs/common';
import { GoogleCalendarProvider } from '../providers/google/google-calendar.provider';
import { MicrosoftCalendarProvider } from '../providers/microsoft/microsoft-calendar.provider';
import type { ProviderError } from '../providers/provider.errors';
import type { ProviderOptions } from '../providers/provider-options';
import type { GoogleServiceAccountJson } from './fake-google';
import type { MicrosoftAppCredentials } from './fake-microsoft';
import { FakeProviderServer } from './fake-provider.server';
import {
  FAST_PROVIDER_OPTIONS,
  fakeEndpoints,
  googleCredential,
  microsoftCredential,
} from './provider-fixtures';

/**
 * What happens months after the set-up, produced through the control API as an admin's action would, and seen by
 * the real SDKs: each scenario must end in the error type the admin can act on.
 */
describe('Sandbox scenarios over the control API (real SDKs)', () => {
  let fake: FakeProviderServer;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${fake.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => e as ProviderError,
    );
  const google = (options: Partial<ProviderOptions> = {}) =>
    new GoogleCalendarProvider(fakeEndpoints(fake.url), { ...FAST_PROVIDER_OPTIONS, ...options });
  const microsoft = (options: Partial<ProviderOptions> = {}) =>
    new MicrosoftCalendarProvider(fakeEndpoints(fake.url), { ...FAST_PROVIDER_OPTIONS, ...options });

  beforeAll(async () => {
    Logger.overrideLogger(false);
    fake = await FakeProviderServer.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  describe('Google', () => {
    let key: GoogleServiceAccountJson;
    beforeEach(async () => {
      key = (await call('POST', '/__sandbox/google/service-accounts', { projectId: 'acme-cal' }))
        .body as GoogleServiceAccountJson;
      await call('POST', '/__sandbox/google/users', { emails: ['ann@acme.test', 'ben@acme.test'] });
      await call('POST', '/__sandbox/google/delegations', { domain: 'acme.test', clientId: key.client_id });
    });

    it('Calendar API switched off in the project: CALENDAR_API_DISABLED naming the project number; back on: works', async () => {
      const project = (await call('GET', '/__sandbox/google/projects/acme-cal')).body as {
        projectNumber: string;
      };
      expect(project.projectNumber).toMatch(/^\d{12}$/);
      expect(
        await call('PUT', '/__sandbox/google/projects/acme-cal/calendar-api', { enabled: false }),
      ).toMatchObject({ status: 200, body: { calendarApiEnabled: false } });
      const error = await failure(google().checkAccess(googleCredential(key), 'ann@acme.test'));
      expect(error).toMatchObject({ type: 'CALENDAR_API_DISABLED', scope: 'credential' });
      expect(error.message).toContain(`Google Cloud project ${project.projectNumber}`);
      expect(error.message).toContain(`overview?project=${project.projectNumber}`);
      // The token endpoint is not affected: only the API refuses.
      expect(fake.callCount('google.token')).toBe(1);
      await call('PUT', '/__sandbox/google/projects/acme-cal/calendar-api', { enabled: true });
      await expect(google().checkAccess(googleCredential(key), 'ann@acme.test')).resolves.toBeDefined();
      expect(
        (await call('PUT', '/__sandbox/google/projects/nope/calendar-api', { enabled: true })).status,
      ).toBe(404);
    });

    it('key disabled → KEY_REVOKED; re-enabled works; service account disabled, then deleted', async () => {
      const credential = googleCredential(key);
      const keyPath = `/__sandbox/google/service-accounts/${key.client_email}/keys/${key.private_key_id}`;
      expect((await call('POST', `${keyPath}/disable`)).status).toBe(204);
      expect(await failure(google().checkAccess(credential, 'ann@acme.test'))).toMatchObject({
        type: 'KEY_REVOKED',
      });
      expect((await call('POST', `${keyPath}/enable`)).status).toBe(204);
      await expect(google().checkAccess(credential, 'ann@acme.test')).resolves.toBeDefined();

      const account = `/__sandbox/google/service-accounts/${key.client_email}`;
      expect((await call('POST', `${account}/disable`)).status).toBe(204);
      expect(await failure(google().checkAccess(credential, 'ann@acme.test'))).toMatchObject({
        type: 'KEY_REVOKED',
      });
      expect((await call('DELETE', account)).status).toBe(204);
      const gone = await failure(google().checkAccess(credential, 'ann@acme.test'));
      expect(gone).toMatchObject({ type: 'INVALID_KEY', scope: 'credential' });
      expect(gone.message).toContain('no longer exists');
      expect((await call('DELETE', account)).status).toBe(404);
    });

    it('a per-user quota answers 429 with Retry-After past the limit, counted per user', async () => {
      expect(
        await call('POST', '/__sandbox/quotas', { platform: 'google', limit: 2, windowSeconds: 60 }),
      ).toMatchObject({ status: 201 });
      const provider = google({ maxRateLimitRetries: 0 });
      const credential = googleCredential(key);
      await provider.listCalendars(credential, 'ann@acme.test');
      await provider.listCalendars(credential, 'ann@acme.test');
      const error = await failure(provider.listCalendars(credential, 'ann@acme.test'));
      expect(error).toMatchObject({ type: 'RATE_LIMITED', scope: 'none' });
      expect(error.retryAfterMs).toBeGreaterThanOrEqual(58_000);
      await expect(provider.listCalendars(credential, 'ben@acme.test')).resolves.toBeDefined();
      expect((await call('GET', '/__sandbox/counters')).body.throttled).toEqual({ google: 1, office365: 0 });
      await call('POST', '/__sandbox/quotas', {
        platform: 'google',
        limit: 1,
        windowSeconds: 60,
        status: 403,
      });
      await provider.listCalendars(credential, 'ann@acme.test');
      const forbidden = await failure(provider.listCalendars(credential, 'ann@acme.test'));
      expect(forbidden.message).toContain('userRateLimitExceeded');
      expect((await call('DELETE', '/__sandbox/quotas')).status).toBe(204);
      await expect(provider.listCalendars(credential, 'ann@acme.test')).resolves.toBeDefined();
    });

    it('a per-app quota counts every user of the app together, on top of the per-user one', async () => {
      await call('POST', '/__sandbox/quotas', {
        platform: 'google',
        limit: 3,
        windowSeconds: 60,
        per: 'app',
      });
      await call('POST', '/__sandbox/quotas', { platform: 'google', limit: 2, windowSeconds: 60 });
      expect((await call('GET', '/__sandbox/quotas')).body).toHaveLength(2);
      const provider = google({ maxRateLimitRetries: 0 });
      const credential = googleCredential(key);
      await provider.listCalendars(credential, 'ann@acme.test');
      await provider.listCalendars(credential, 'ann@acme.test');
      // ann is over her own quota: refused, and the refusal does not count against the app's.
      expect(await failure(provider.listCalendars(credential, 'ann@acme.test'))).toMatchObject({
        type: 'RATE_LIMITED',
      });
      await provider.listCalendars(credential, 'ben@acme.test');
      // ben is within his own quota, but the app has had its 3.
      const error = await failure(provider.listCalendars(credential, 'ben@acme.test'));
      expect(error).toMatchObject({ type: 'RATE_LIMITED', scope: 'none' });
      expect(error.retryAfterMs).toBeGreaterThanOrEqual(58_000);
      expect(
        (await call('POST', '/__sandbox/quotas', { platform: 'google', limit: 1, per: 'x' })).status,
      ).toBe(400);
      expect((await call('DELETE', '/__sandbox/quotas')).status).toBe(204);
    });

    it('paging faults: a repeated or an endless nextPageToken ends in PROVIDER_UNAVAILABLE, bounded', async () => {
      const provider = google({ maxPages: 5 });
      await call('POST', '/__sandbox/faults', { route: 'google.calendarList', paging: 'repeat' });
      const repeated = await failure(provider.listCalendars(googleCredential(key), 'ann@acme.test'));
      expect(repeated).toMatchObject({ type: 'PROVIDER_UNAVAILABLE', scope: 'none' });
      expect(repeated.message).toContain('pointed back to an earlier page');
      expect(fake.callCount('google.calendarList')).toBe(2);

      await call('DELETE', '/__sandbox/faults');
      await call('POST', '/__sandbox/faults', { route: 'google.calendarList', paging: 'endless' });
      const endless = await failure(provider.listCalendars(googleCredential(key), 'ben@acme.test'));
      expect(endless.message).toContain('more than 5 pages');
      expect(fake.callCount('google.calendarList')).toBe(2 + 5);
    });

    it('keeps the arrival times of each route', async () => {
      await google().listCalendars(googleCredential(key), 'ann@acme.test');
      const { body } = await call('GET', '/__sandbox/calls/google.calendarList');
      expect(body).toEqual({ route: 'google.calendarList', times: [expect.any(Number)] });
    });
  });

  describe('Microsoft', () => {
    let tenantId: string;
    let app: MicrosoftAppCredentials;
    beforeEach(async () => {
      tenantId = (
        (await call('POST', '/__sandbox/microsoft/tenants', { domain: 'contoso.test' })).body as {
          id: string;
        }
      ).id;
      for (const mail of ['ann@contoso.test', 'ben@contoso.test'])
        await call('POST', '/__sandbox/microsoft/users', { tenantId, mail });
      app = (await call('POST', '/__sandbox/microsoft/apps', { tenantId, consent: true }))
        .body as MicrosoftAppCredentials;
    });

    it('client secret expires → CLIENT_SECRET_EXPIRED; a new secret works; its ID instead of its value does not', async () => {
      const secrets = (await call('GET', `/__sandbox/microsoft/apps/${app.client_id}/secrets`)).body as {
        secret_id: string;
      }[];
      expect(secrets).toEqual([
        { secret_id: expect.any(String), hint: app.private_key.slice(0, 3), expiresAt: null },
      ]);
      expect(
        (await call('POST', `/__sandbox/microsoft/apps/${app.client_id}/secrets/expire`, {})).status,
      ).toBe(204);
      const expired = await failure(microsoft().checkAccess(microsoftCredential(app), 'ann@contoso.test'));
      expect(expired).toMatchObject({ type: 'CLIENT_SECRET_EXPIRED', scope: 'credential' });
      expect(expired.message).toContain('AADSTS7000222');

      const added = await call('POST', `/__sandbox/microsoft/apps/${app.client_id}/secrets`, {});
      expect(added).toMatchObject({ status: 201, body: { secret_id: expect.any(String) } });
      const next = { ...app, private_key: (added.body as { private_key: string }).private_key };
      await expect(
        microsoft().checkAccess(microsoftCredential(next), 'ann@contoso.test'),
      ).resolves.toBeDefined();
      const byId = { ...app, private_key: (added.body as { secret_id: string }).secret_id };
      const wrong = await failure(microsoft().checkAccess(microsoftCredential(byId), 'ann@contoso.test'));
      expect(wrong).toMatchObject({ type: 'INVALID_CLIENT_SECRET' });
      expect(wrong.message).toContain('not its Secret ID');
    });

    it('app disabled, then removed from its tenant → APP_NOT_IN_TENANT', async () => {
      const credential = microsoftCredential(app);
      expect(
        (await call('POST', `/__sandbox/microsoft/apps/${app.client_id}/disable`, { tenantId })).status,
      ).toBe(204);
      const disabled = await failure(microsoft().checkAccess(credential, 'ann@contoso.test'));
      expect(disabled).toMatchObject({ type: 'APP_NOT_IN_TENANT' });
      expect(disabled.message).toContain('AADSTS7000112');
      await call('POST', `/__sandbox/microsoft/apps/${app.client_id}/enable`, { tenantId });
      await expect(microsoft().checkAccess(credential, 'ann@contoso.test')).resolves.toBeDefined();
      expect((await call('DELETE', `/__sandbox/microsoft/apps/${app.client_id}`)).status).toBe(204);
      const removed = await failure(microsoft().checkAccess(credential, 'ann@contoso.test'));
      expect(removed).toMatchObject({ type: 'APP_NOT_IN_TENANT', scope: 'credential' });
      expect(removed.message).toContain('AADSTS700016');
    });

    it('an application access policy denies one mailbox (ACCESS_POLICY_DENIED), the others work', async () => {
      expect(
        (
          await call('POST', '/__sandbox/microsoft/access-policies', {
            tenantId,
            clientId: app.client_id,
            accessRight: 'RestrictAccess',
            mailboxes: ['ann@contoso.test'],
          })
        ).status,
      ).toBe(204);
      const provider = microsoft();
      const credential = microsoftCredential(app);
      await expect(provider.checkAccess(credential, 'ann@contoso.test')).resolves.toBeDefined();
      const denied = await failure(provider.checkAccess(credential, 'ben@contoso.test'));
      expect(denied).toMatchObject({ type: 'ACCESS_POLICY_DENIED', scope: 'member' });
      expect(denied.message).toContain('Test-ApplicationAccessPolicy -Identity ben@contoso.test');
      await call('DELETE', `/__sandbox/microsoft/access-policies/${tenantId}/${app.client_id}`);
      await expect(provider.checkAccess(credential, 'ben@contoso.test')).resolves.toBeDefined();
    });

    it('mailbox disabled → MAILBOX_NOT_ENABLED; enabled again works; user deleted → USER_NOT_IN_DIRECTORY', async () => {
      const provider = microsoft();
      const credential = microsoftCredential(app);
      await call('POST', '/__sandbox/busy', {
        platform: 'office365',
        email: 'ann@contoso.test',
        start: '2030-01-01T10:00:00Z',
        end: '2030-01-01T11:00:00Z',
      });
      expect(
        await call('PATCH', '/__sandbox/microsoft/users/ann@contoso.test', { hasMailbox: false }),
      ).toMatchObject({ status: 200, body: { hasMailbox: false } });
      expect(await failure(provider.checkAccess(credential, 'ann@contoso.test'))).toMatchObject({
        type: 'MAILBOX_NOT_ENABLED',
        scope: 'member',
      });
      await call('PATCH', '/__sandbox/microsoft/users/ann@contoso.test', { hasMailbox: true });
      // The calendar (and its busy time) survived the mailbox being disabled.
      await expect(
        provider.getBusyTimes(
          credential,
          'ann@contoso.test',
          [],
          new Date('2030-01-01'),
          new Date('2030-01-02'),
        ),
      ).resolves.toHaveLength(1);
      expect((await call('DELETE', '/__sandbox/microsoft/users/ann@contoso.test')).status).toBe(204);
      expect(await failure(provider.checkAccess(credential, 'ann@contoso.test'))).toMatchObject({
        type: 'USER_NOT_IN_DIRECTORY',
      });
    });

    it('more than 4 concurrent requests to one mailbox get 429 ApplicationThrottled (MailboxConcurrency); the most in flight is counted', async () => {
      const provider = microsoft({ maxRateLimitRetries: 0 });
      const credential = microsoftCredential(app);
      await provider.listCalendars(credential, 'ann@contoso.test'); // token and user id cached
      await call('DELETE', '/__sandbox/counters');
      await call('POST', '/__sandbox/faults', { route: 'graph.calendars', latencyMs: 300 });
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, () => provider.listCalendars(credential, 'ann@contoso.test')),
      );
      // The 5th and 6th arrive while 4 are in flight (a refused one is answered at once).
      const refused = results.filter((r) => r.status === 'rejected');
      expect(refused).toHaveLength(2);
      for (const r of refused) {
        expect(r.reason).toMatchObject({
          type: 'RATE_LIMITED',
          retryAfterMs: 1000,
        });
        expect((r.reason as Error).message).toContain('MailboxConcurrency');
      }
      const counters = (await call('GET', '/__sandbox/counters')).body;
      expect(counters.maxInFlight.office365['ann@contoso.test']).toBeGreaterThanOrEqual(5);
      expect(counters.throttled.office365).toBe(refused.length);

      expect(await call('PUT', '/__sandbox/microsoft/mailbox-concurrency', { limit: null })).toMatchObject({
        status: 200,
        body: { limit: null },
      });
      const unlimited = await Promise.allSettled(
        Array.from({ length: 6 }, () => provider.listCalendars(credential, 'ann@contoso.test')),
      );
      expect(unlimited.every((r) => r.status === 'fulfilled')).toBe(true);
    });

    it('a per-mailbox quota answers 429 TooManyRequests with Retry-After', async () => {
      await call('POST', '/__sandbox/quotas', { platform: 'office365', limit: 1, windowSeconds: 10 });
      const provider = microsoft({ maxRateLimitRetries: 0 });
      const credential = microsoftCredential(app);
      await provider.getPrimaryCalendar(credential, 'ann@contoso.test');
      const error = await failure(provider.getPrimaryCalendar(credential, 'ann@contoso.test'));
      expect(error).toMatchObject({ type: 'RATE_LIMITED' });
      expect(error.retryAfterMs).toBeGreaterThanOrEqual(9_000);
      await expect(provider.getPrimaryCalendar(credential, 'ben@contoso.test')).resolves.toBeDefined();
    });

    it('paging faults: a repeated or an endless @odata.nextLink ends in PROVIDER_UNAVAILABLE, bounded', async () => {
      const provider = microsoft({ maxPages: 4 });
      const credential = microsoftCredential(app);
      await call('POST', '/__sandbox/faults', { route: 'graph.calendarView', paging: 'repeat' });
      const range = [new Date('2030-01-01'), new Date('2030-01-02')] as const;
      const repeated = await failure(provider.getBusyTimes(credential, 'ann@contoso.test', [], ...range));
      expect(repeated).toMatchObject({ type: 'PROVIDER_UNAVAILABLE', scope: 'none' });
      expect(repeated.message).toContain('pointed back to an earlier page');
      expect(fake.callCount('graph.calendarView')).toBe(2);

      await call('DELETE', '/__sandbox/faults');
      await call('POST', '/__sandbox/faults', { route: 'graph.calendars', paging: 'endless' });
      const endless = await failure(provider.listCalendars(credential, 'ann@contoso.test'));
      expect(endless.message).toContain('more than 4 pages');
      expect(fake.callCount('graph.calendars')).toBe(4);
    });
  });
});
