import { Logger } from '@nestjs/common';
import { GoogleCalendarProvider } from '../providers/google/google-calendar.provider';
import { MicrosoftCalendarProvider } from '../providers/microsoft/microsoft-calendar.provider';
import type { GoogleServiceAccountJson } from './fake-google';
import type { MicrosoftAppCredentials } from './fake-microsoft';
import { FakeProviderServer } from './fake-provider.server';
import {
  FAST_PROVIDER_OPTIONS,
  fakeEndpoints,
  googleCredential,
  microsoftCredential,
} from './provider-fixtures';

const SCOPE = 'https://www.googleapis.com/auth/calendar';

describe('FakeProviderServer', () => {
  let fake: FakeProviderServer;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${fake.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };

  const googleToken = (jwt: string) =>
    call(
      'POST',
      '/token',
      new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: jwt,
      }).toString(),
      {
        'content-type': 'application/x-www-form-urlencoded',
      },
    );

  beforeAll(async () => {
    Logger.overrideLogger(false);
    fake = await FakeProviderServer.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  describe('Google over the control API, then the real SDK', () => {
    it('sets up a service account, users and DWD over HTTP; revoking DWD breaks access', async () => {
      const created = await call('POST', '/__sandbox/google/service-accounts', { projectId: 'acme' });
      expect(created.status).toBe(201);
      const key = created.body as GoogleServiceAccountJson;
      expect(key).toMatchObject({
        type: 'service_account',
        project_id: 'acme',
        token_uri: 'https://oauth2.googleapis.com/token',
      });
      expect(key.private_key).toContain('-----BEGIN PRIVATE KEY-----');
      expect(key.client_id).toMatch(/^\d{21}$/);

      expect(
        (
          await call('POST', '/__sandbox/google/users', {
            emails: ['ivy@umbrella.test', 'jack@umbrella.test'],
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await call('POST', '/__sandbox/google/delegations', {
            domain: 'umbrella.test',
            clientId: key.client_id,
            scopes: [SCOPE],
          })
        ).status,
      ).toBe(204);
      expect(
        (
          await call('POST', '/__sandbox/busy', {
            platform: 'google',
            email: 'ivy@umbrella.test',
            start: '2030-02-01T10:00:00Z',
            end: '2030-02-01T11:00:00Z',
          })
        ).status,
      ).toBe(201);

      const provider = new GoogleCalendarProvider(fakeEndpoints(fake.url), FAST_PROVIDER_OPTIONS);
      await expect(provider.checkAccess(googleCredential(key), 'ivy@umbrella.test')).resolves.toEqual({
        subject: 'ivy@umbrella.test',
        calendarCount: 1,
      });
      await expect(
        provider.getBusyTimes(
          googleCredential(key),
          'ivy@umbrella.test',
          [],
          new Date('2030-02-01'),
          new Date('2030-02-02'),
        ),
      ).resolves.toEqual([
        {
          start: new Date('2030-02-01T10:00:00Z'),
          end: new Date('2030-02-01T11:00:00Z'),
          source: 'ivy@umbrella.test',
        },
      ]);
      expect((await call('GET', '/__sandbox/counters')).body).toEqual({
        calls: { 'google.token': 1, 'google.calendarList': 1, 'google.freeBusy': 1 },
        tokenMints: { 'ivy@umbrella.test': 1 },
        maxInFlight: { google: { 'ivy@umbrella.test': 1 }, office365: {} },
        throttled: { google: 0, office365: 0 },
      });

      expect(
        (await call('DELETE', `/__sandbox/google/delegations/umbrella.test/${key.client_id}`)).status,
      ).toBe(204);
      await expect(provider.checkAccess(googleCredential(key), 'jack@umbrella.test')).rejects.toMatchObject({
        type: 'CLIENT_NOT_AUTHORIZED',
      });
    });

    it('injects, lists and clears faults over HTTP; reset forgets everything', async () => {
      expect(
        (await call('POST', '/__sandbox/faults', { route: 'google.*', status: 503, times: 2 })).status,
      ).toBe(201);
      expect((await call('GET', '/__sandbox/faults')).body).toEqual([
        { route: 'google.*', status: 503, times: 2 },
      ]);
      const first = await googleToken('x.y.z');
      expect(first).toMatchObject({ status: 503, body: { error: 'internal_failure' } });
      expect((await call('GET', '/__sandbox/faults')).body).toEqual([
        { route: 'google.*', status: 503, times: 1 },
      ]);
      expect((await call('DELETE', '/__sandbox/faults')).status).toBe(204);
      expect((await googleToken('x.y.z')).status).toBe(400);
      expect((await call('GET', '/__sandbox')).body).toMatchObject({
        calls: { 'google.token': 2 },
        faults: [],
      });
      expect((await call('POST', '/__sandbox/reset')).status).toBe(204);
      expect((await call('GET', '/__sandbox/counters')).body).toEqual({
        calls: {},
        tokenMints: {},
        maxInFlight: { google: {}, office365: {} },
        throttled: { google: 0, office365: 0 },
      });
    });

    it('answers control mistakes with 400 and unknown routes with 404', async () => {
      expect(await call('POST', '/__sandbox/google/users', {})).toMatchObject({
        status: 400,
        body: { error: 'email is required' },
      });
      expect(
        await call('POST', '/__sandbox/busy', {
          platform: 'exchange',
          email: 'a@b',
          start: '2030-01-01',
          end: '2030-01-02',
        }),
      ).toMatchObject({ status: 400 });
      expect((await call('GET', '/calendar/v3/nothing')).status).toBe(404);
    });
  });

  describe('Microsoft over the control API', () => {
    it('sets up a tenant, users and a consented app over HTTP; consent revoked, then the app removed', async () => {
      const tenant = (await call('POST', '/__sandbox/microsoft/tenants', { domain: 'northwind.test' }))
        .body as { id: string };
      const user = await call('POST', '/__sandbox/microsoft/users', {
        tenantId: tenant.id,
        mail: 'mia@northwind.test',
      });
      expect(user).toMatchObject({
        status: 201,
        body: { mail: 'mia@northwind.test', userPrincipalName: 'mia@northwind.test' },
      });
      const home = (await call('POST', '/__sandbox/microsoft/tenants', {})).body as { id: string };
      const app = (await call('POST', '/__sandbox/microsoft/apps', { tenantId: home.id }))
        .body as MicrosoftAppCredentials;
      expect(app.private_key).toBeTruthy();
      const credential = microsoftCredential({ ...app, tenant_id: tenant.id });
      const provider = new MicrosoftCalendarProvider(fakeEndpoints(fake.url), FAST_PROVIDER_OPTIONS);

      await expect(provider.checkAccess(credential, 'mia@northwind.test')).rejects.toMatchObject({
        type: 'APP_NOT_IN_TENANT',
      });
      expect(
        (
          await call('POST', '/__sandbox/microsoft/consents', {
            tenantId: tenant.id,
            clientId: app.client_id,
          })
        ).status,
      ).toBe(204);
      await expect(provider.checkAccess(credential, 'mia@northwind.test')).resolves.toEqual({
        subject: 'mia@northwind.test',
        calendarCount: 1,
      });
      const event = await provider.createEvent(credential, 'mia@northwind.test', 'primary', {
        title: 'Sync',
        start: new Date('2030-02-01T10:00:00Z'),
        end: new Date('2030-02-01T10:30:00Z'),
      });
      expect(
        (await call('GET', '/__sandbox/events?platform=office365&email=mia@northwind.test')).body,
      ).toEqual([
        expect.objectContaining({ id: event.id, title: 'Sync', start: '2030-02-01T10:00:00.000Z' }),
      ]);

      // Revoked consent: the app stays in the tenant and still gets tokens, without permissions.
      expect(
        (await call('DELETE', `/__sandbox/microsoft/consents/${tenant.id}/${app.client_id}`)).status,
      ).toBe(204);
      const fresh = () => new MicrosoftCalendarProvider(fakeEndpoints(fake.url), FAST_PROVIDER_OPTIONS);
      await expect(fresh().checkAccess(credential, 'mia@northwind.test')).rejects.toMatchObject({
        type: 'CONSENT_MISSING',
      });
      // Removed from the tenant (enterprise application deleted): the tenant no longer knows the app.
      expect(
        (await call('DELETE', `/__sandbox/microsoft/apps/${app.client_id}?tenantId=${tenant.id}`)).status,
      ).toBe(204);
      await expect(fresh().checkAccess(credential, 'mia@northwind.test')).rejects.toMatchObject({
        type: 'APP_NOT_IN_TENANT',
      });
    });

    it('token endpoint and Graph answer with real error shapes', async () => {
      const unknownTenant = await call('POST', '/nope/oauth2/v2.0/token', 'grant_type=client_credentials', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(unknownTenant).toMatchObject({
        status: 400,
        body: { error: 'invalid_request', error_codes: [90002] },
      });
      expect(unknownTenant.body.error_description).toMatch(/^AADSTS90002: Tenant 'nope' not found/);
      const graph = await call('GET', '/v1.0/users?$filter=mail%20eq%20%27a%40b%27');
      expect(graph).toMatchObject({ status: 401, body: { error: { code: 'InvalidAuthenticationToken' } } });
    });
  });
});
