import { Logger } from '@nestjs/common';
import type { MicrosoftAppCredentials } from '../../sandbox/fake-microsoft';
import { FakeProviderServer } from '../../sandbox/fake-provider.server';
import { FAST_PROVIDER_OPTIONS, fakeEndpoints, microsoftCredential } from '../../sandbox/provider-fixtures';
import { ProviderError } from '../provider.errors';
import type { ProviderOptions } from '../provider-options';
import type { DelegatedCredential } from '../provider.types';
import { MicrosoftCalendarProvider } from './microsoft-calendar.provider';

const ALIAS = 'ZYXWVUTSRQ9876543210abcde';

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

describe('MicrosoftCalendarProvider (real msal-node + graph-client against the fake)', () => {
  let fake: FakeProviderServer;
  let tenantId: string;
  let app: MicrosoftAppCredentials;
  let credential: DelegatedCredential;
  let provider: MicrosoftCalendarProvider;
  const mints = () => fake.tokenMints(`${app.client_id}@${tenantId}`);
  const make = (options: Partial<ProviderOptions> = {}) =>
    new MicrosoftCalendarProvider(fakeEndpoints(fake.url), { ...FAST_PROVIDER_OPTIONS, ...options });

  beforeAll(async () => {
    Logger.overrideLogger(false);
    fake = await FakeProviderServer.start();
    tenantId = fake.createMicrosoftTenant({ domain: 'contoso.test' }).id;
    fake.addMicrosoftUser(tenantId, 'alice@contoso.test');
    fake.addMicrosoftUser(tenantId, 'bob@contoso.test');
    // Sign-in name differs from the mail address; and a user without an Exchange mailbox.
    fake.addMicrosoftUser(tenantId, null, { userPrincipalName: 'carol@contoso.onmicrosoft.test' });
    fake.addMicrosoftUser(tenantId, 'noMailbox@contoso.test', { hasMailbox: false });
    app = fake.createMicrosoftApp({ tenantId, consent: true });
    credential = microsoftCredential(app);
  });

  afterAll(() => fake.close());

  beforeEach(() => {
    fake.clearFaults();
    fake.resetCounters();
    provider = make();
  });

  describe('checkAccess', () => {
    it('passes: token, directory lookup by mail and calendar read', async () => {
      await expect(provider.checkAccess(credential, 'alice@contoso.test')).resolves.toEqual({
        subject: 'alice@contoso.test',
        calendarCount: 1,
      });
      expect(fake.counters().calls).toEqual({ 'microsoft.token': 1, 'graph.users': 1, 'graph.calendars': 1 });
    });

    it('falls back to userPrincipalName; a plus-address is looked up as it is', async () => {
      await expect(provider.checkAccess(credential, 'carol@contoso.onmicrosoft.test')).resolves.toMatchObject(
        {
          subject: 'carol@contoso.onmicrosoft.test',
        },
      );
      expect(fake.callCount('graph.users')).toBe(2);
      const plus = await providerError(
        provider.checkAccess(credential, `carol+${ALIAS}@contoso.onmicrosoft.test`),
      );
      expect(plus).toMatchObject({ type: 'USER_NOT_IN_DIRECTORY', scope: 'member' });
    });

    it('INVALID_CLIENT_SECRET for a wrong client secret (AADSTS7000215), without echoing it; one upstream call', async () => {
      const wrong = microsoftCredential({ ...app, private_key: 'not-the-secret-value' }, 'wrong-secret');
      const error = await providerError(provider.checkAccess(wrong, 'alice@contoso.test'));
      expect(error).toMatchObject({ type: 'INVALID_CLIENT_SECRET', permanent: true, platform: 'office365' });
      expect(error.message).toContain('AADSTS7000215');
      expect(error.message).toContain('Certificates & secrets');
      expect(error.message).not.toContain('not-the-secret-value');
      expect(error.message).not.toContain(app.private_key);
      expect(fake.counters().calls).toEqual({ 'microsoft.token': 1 });
    });

    it('APP_NOT_IN_TENANT when the app is not consented in the tenant (AADSTS700016); one upstream call', async () => {
      const foreign = fake.createMicrosoftApp(); // registered in another tenant, never consented here
      const error = await providerError(
        provider.checkAccess(microsoftCredential({ ...foreign, tenant_id: tenantId }), 'alice@contoso.test'),
      );
      expect(error.type).toBe('APP_NOT_IN_TENANT');
      expect(error.message).toContain('AADSTS700016');
      expect(error.message).toContain(`adminconsent?client_id=${foreign.client_id}`);
      expect(fake.counters().calls).toEqual({ 'microsoft.token': 1 });
    });

    it('TENANT_NOT_FOUND for an unknown tenant (AADSTS90002), and for a malformed tenant id without a request', async () => {
      const error = await providerError(
        provider.checkAccess(
          microsoftCredential({ ...app, tenant_id: 'nope.onmicrosoft.test' }, 'x'),
          'alice@contoso.test',
        ),
      );
      expect(error.type).toBe('TENANT_NOT_FOUND');
      expect(error.message).toContain('AADSTS90002');
      expect(fake.callCount('microsoft.token')).toBe(1);
      const malformed = await providerError(
        provider.checkAccess(microsoftCredential({ ...app, tenant_id: 'a/b?c' }, 'y'), 'alice@contoso.test'),
      );
      expect(malformed.type).toBe('TENANT_NOT_FOUND');
      expect(fake.callCount('microsoft.token')).toBe(1);
    });

    it('USER_NOT_IN_DIRECTORY for an unknown user (mail and UPN tried); MAILBOX_NOT_ENABLED without mailbox', async () => {
      const unknown = await providerError(provider.checkAccess(credential, 'ghost@contoso.test'));
      expect(unknown.type).toBe('USER_NOT_IN_DIRECTORY');
      expect(unknown.message).toContain('ghost@contoso.test');
      expect(fake.counters().calls).toEqual({ 'microsoft.token': 1, 'graph.users': 2 });
      const noMailbox = await providerError(provider.checkAccess(credential, 'nomailbox@contoso.test'));
      expect(noMailbox).toMatchObject({ type: 'MAILBOX_NOT_ENABLED', scope: 'member' });
      expect(noMailbox.message).toContain('MailboxNotEnabledForRESTAPI');
      expect(fake.callCount('graph.calendars')).toBe(1);
    });

    it('PERMISSION_DENIED when consent lacks Calendars permissions (Graph 403); no retry', async () => {
      const limited = fake.createMicrosoftApp({ tenantId, consent: ['User.Read.All'] });
      const error = await providerError(
        provider.checkAccess(microsoftCredential(limited), 'alice@contoso.test'),
      );
      expect(error.type).toBe('PERMISSION_DENIED');
      expect(error.message).toContain('Calendars.ReadWrite');
      expect(error.message).toContain('ErrorAccessDenied');
      expect(fake.callCount('graph.calendars')).toBe(1);
    });

    it('CONSENT_MISSING when the app has no consent in its home tenant (token without roles)', async () => {
      const unconsented = fake.createMicrosoftApp({ tenantId });
      const error = await providerError(
        provider.checkAccess(microsoftCredential(unconsented), 'alice@contoso.test'),
      );
      expect(error).toMatchObject({ type: 'CONSENT_MISSING', scope: 'credential' });
      expect(error.message).toContain('Either scp or roles claim');
      expect(error.message).toContain(`adminconsent?client_id=${unconsented.client_id}`);
      // Graph's 401 is retried once with a fresh token before it is believed.
      expect(fake.callCount('graph.users')).toBe(2);
    });
  });

  describe('retry policy', () => {
    it('honours Retry-After of a Graph 429', async () => {
      fake.injectFault({ route: 'graph.calendars', status: 429, retryAfter: 1, times: 1 });
      await expect(provider.listCalendars(credential, 'alice@contoso.test')).resolves.toHaveLength(1);
      const [first, second] = fake.callTimes('graph.calendars');
      expect(second - first).toBeGreaterThanOrEqual(950);
    });

    it("honours Retry-After of a token-endpoint 429 despite MSAL's own throttle cache", async () => {
      fake.injectFault({ route: 'microsoft.token', status: 429, retryAfter: 1, times: 1 });
      await expect(provider.checkAccess(credential, 'bob@contoso.test')).resolves.toMatchObject({
        calendarCount: 1,
      });
      const [first, second] = fake.callTimes('microsoft.token');
      expect(fake.callCount('microsoft.token')).toBe(2);
      expect(second - first).toBeGreaterThanOrEqual(950);
    });

    it('answers RATE_LIMITED with retryAfterMs for a long token 429, and keeps refusing locally until then', async () => {
      fake.injectFault({ route: 'microsoft.token', status: 429, retryAfter: 30, times: 1 });
      const error = await providerError(provider.checkAccess(credential, 'alice@contoso.test'));
      expect(error).toMatchObject({ type: 'RATE_LIMITED', retryAfterMs: 30_000 });
      const again = await providerError(provider.checkAccess(credential, 'alice@contoso.test'));
      expect(again.type).toBe('RATE_LIMITED');
      expect(again.retryAfterMs).toBeGreaterThan(28_000);
      expect(fake.callCount('microsoft.token')).toBe(1);
      provider.evict(credential.id); // a new client forgets the block
      await expect(provider.checkAccess(credential, 'alice@contoso.test')).resolves.toBeDefined();
    });

    it('retries Graph 5xx with backoff, then PROVIDER_UNAVAILABLE', async () => {
      fake.injectFault({ route: 'graph.calendarView', status: 503 });
      const error = await providerError(
        provider.getBusyTimes(
          credential,
          'alice@contoso.test',
          [],
          new Date('2030-01-01'),
          new Date('2030-01-02'),
        ),
      );
      expect(error).toMatchObject({ type: 'PROVIDER_UNAVAILABLE', permanent: false });
      expect(fake.callCount('graph.calendarView')).toBe(3);
    });

    it("retries a token 500 (MSAL's 60 s local block is lifted), then PROVIDER_UNAVAILABLE; recovers afterwards", async () => {
      fake.injectFault({ route: 'microsoft.token', status: 500, times: 3 });
      const error = await providerError(provider.checkAccess(credential, 'alice@contoso.test'));
      expect(error.type).toBe('PROVIDER_UNAVAILABLE');
      expect(fake.callCount('microsoft.token')).toBe(3);
      await expect(provider.checkAccess(credential, 'alice@contoso.test')).resolves.toBeDefined();
      expect(fake.callCount('microsoft.token')).toBe(4);
    });

    it('keeps the status of a 502 with an HTML body (MSAL would report token_parsing_error)', async () => {
      fake.injectFault({ route: 'microsoft.token', status: 502, body: '<html>Bad gateway</html>', times: 1 });
      await expect(provider.checkAccess(credential, 'alice@contoso.test')).resolves.toBeDefined();
      expect(fake.callCount('microsoft.token')).toBe(2);
    });

    it('does not retry a timeout', async () => {
      const quick = make({ requestTimeoutMs: 600 }); // generous: the token is minted under the same timeout on a loaded machine;
      fake.injectFault({ route: 'graph.calendars', latencyMs: 2500, times: 1 });
      const error = await providerError(quick.listCalendars(credential, 'alice@contoso.test'));
      expect(error.type).toBe('PROVIDER_UNAVAILABLE');
      expect(error.message).toContain('600 ms');
      expect(fake.callCount('graph.calendars')).toBe(1);
    });

    it('gets a new token once when Graph rejects the cached one', async () => {
      await provider.listCalendars(credential, 'alice@contoso.test');
      fake.expireTokens();
      await expect(provider.listCalendars(credential, 'alice@contoso.test')).resolves.toHaveLength(1);
      expect(mints()).toBe(2);
    });
  });

  describe('token caching', () => {
    it('mints one app token for 50 sequential calls, whichever member', async () => {
      for (let i = 0; i < 50; i++)
        await provider.listCalendars(credential, i % 2 ? 'alice@contoso.test' : 'bob@contoso.test');
      expect(fake.callCount('graph.calendars')).toBe(50);
      expect(mints()).toBe(1);
      // Member ids are resolved once per client, not per call.
      expect(fake.callCount('graph.users')).toBe(2);
    });

    it('shares one token request between concurrent calls', async () => {
      await Promise.all(
        Array.from({ length: 10 }, () => provider.listCalendars(credential, 'alice@contoso.test')),
      );
      expect(mints()).toBe(1);
    });

    it('uses a different token per app (credential)', async () => {
      const second = fake.createMicrosoftApp({ tenantId, consent: true });
      await provider.listCalendars(credential, 'alice@contoso.test');
      await provider.listCalendars(microsoftCredential(second), 'alice@contoso.test');
      expect(fake.tokenMints(`${second.client_id}@${tenantId}`)).toBe(1);
      expect(fake.lastToken(`${second.client_id}@${tenantId}`)).not.toEqual(
        fake.lastToken(`${app.client_id}@${tenantId}`),
      );
    });

    it('evict(credentialId) forces a new mint', async () => {
      await provider.listCalendars(credential, 'alice@contoso.test');
      provider.evict(credential.id);
      await provider.listCalendars(credential, 'alice@contoso.test');
      expect(mints()).toBe(2);
    });

    it('mints again after a secret rotation, and the old secret stops working once expired', async () => {
      await provider.listCalendars(credential, 'alice@contoso.test');
      const rotated = fake.microsoft.addSecret(app.client_id, { expireOthers: true }).value;
      const next = microsoftCredential({ ...app, private_key: rotated }, credential.id);
      await provider.listCalendars(next, 'alice@contoso.test');
      expect(mints()).toBe(2);
      const error = await providerError(make().checkAccess(credential, 'alice@contoso.test'));
      expect(error).toMatchObject({ type: 'CLIENT_SECRET_EXPIRED', scope: 'credential' });
      expect(error.message).toContain('AADSTS7000222');
      app = { ...app, private_key: rotated };
      credential = next;
    });
  });
});
