import { Logger } from '@nestjs/common';
import type { GoogleServiceAccountJson } from '../../sandbox/fake-google';
import { FakeProviderServer } from '../../sandbox/fake-provider.server';
import { FAST_PROVIDER_OPTIONS, fakeEndpoints, googleCredential } from '../../sandbox/provider-fixtures';
import { ProviderError } from '../provider.errors';
import type { ProviderOptions } from '../provider-options';
import { GOOGLE_CALENDAR_SCOPE, type DelegatedCredential } from '../provider.types';
import { GoogleCalendarProvider } from './google-calendar.provider';

const ALIAS = 'abcdefghij0123456789ABCDE'; // 25 alphanumerics, as Cal.com generates
const FROM = new Date('2030-01-07T00:00:00Z');
const TO = new Date('2030-01-08T00:00:00Z');

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

describe('GoogleCalendarProvider (real googleapis + google-auth-library against the fake)', () => {
  let fake: FakeProviderServer;
  let key: GoogleServiceAccountJson;
  let credential: DelegatedCredential;
  let provider: GoogleCalendarProvider;
  const make = (options: Partial<ProviderOptions> = {}) =>
    new GoogleCalendarProvider(fakeEndpoints(fake.url), { ...FAST_PROVIDER_OPTIONS, ...options });

  beforeAll(async () => {
    Logger.overrideLogger(false);
    fake = await FakeProviderServer.start();
    key = await fake.createGoogleServiceAccount({ projectId: 'acme-cal' });
    credential = googleCredential(key);
    for (const user of ['alice@acme.test', 'bob@acme.test', 'carol@acme.test']) fake.addGoogleUser(user);
    fake.authorizeDomainWideDelegation('acme.test', key.client_id, [GOOGLE_CALENDAR_SCOPE]);
  });

  afterAll(() => fake.close());

  beforeEach(() => {
    fake.clearFaults();
    fake.resetCounters();
    provider = make();
  });

  describe('checkAccess', () => {
    it('passes for an authorized credential: one token mint, one calendar list', async () => {
      await expect(provider.checkAccess(credential, 'alice@acme.test')).resolves.toEqual({
        subject: 'alice@acme.test',
        calendarCount: 1,
      });
      expect(fake.counters().calls).toEqual({ 'google.token': 1, 'google.calendarList': 1 });
      expect(fake.tokenMints('alice@acme.test')).toBe(1);
    });

    it('impersonates a plus-address as it is, never as the address before the +', async () => {
      const error = await providerError(provider.checkAccess(credential, `Alice+${ALIAS}@acme.test`));
      expect(error).toMatchObject({ type: 'USER_NOT_IN_DIRECTORY', scope: 'member' });
      expect(error.message).toContain(`alice+${ALIAS.toLowerCase()}@acme.test`);
      expect(fake.tokenMints('alice@acme.test')).toBe(0);
    });

    it('CLIENT_NOT_AUTHORIZED names the client ID, the scope and where to add them; one upstream call', async () => {
      const other = await fake.createGoogleServiceAccount();
      const error = await providerError(provider.checkAccess(googleCredential(other), 'alice@acme.test'));
      expect(error).toMatchObject({ type: 'CLIENT_NOT_AUTHORIZED', permanent: true, platform: 'google' });
      expect(error.message).toContain(other.client_id);
      expect(error.message).toContain(GOOGLE_CALENDAR_SCOPE);
      expect(error.message).toContain(
        'Google Admin console › Security › Access and data control › API controls › Domain-wide delegation',
      );
      expect(fake.counters().calls).toEqual({ 'google.token': 1 });
    });

    it('CLIENT_NOT_AUTHORIZED when the allow-list has only a read-only scope', async () => {
      const readOnly = await fake.createGoogleServiceAccount();
      fake.authorizeDomainWideDelegation('acme.test', readOnly.client_id, [
        `${GOOGLE_CALENDAR_SCOPE}.readonly`,
      ]);
      expect(
        (await providerError(provider.checkAccess(googleCredential(readOnly), 'bob@acme.test'))).type,
      ).toBe('CLIENT_NOT_AUTHORIZED');
    });

    it('USER_NOT_IN_DIRECTORY for a subject Google does not know; one upstream call', async () => {
      const error = await providerError(provider.checkAccess(credential, 'nobody@acme.test'));
      expect(error.type).toBe('USER_NOT_IN_DIRECTORY');
      expect(error.message).toContain('nobody@acme.test');
      expect(error.message).toContain('Invalid email or User ID');
      expect(fake.counters().calls).toEqual({ 'google.token': 1 });
    });

    it('KEY_REVOKED when the key was deleted in Google Cloud ("Invalid JWT Signature."); one upstream call', async () => {
      const account = await fake.createGoogleServiceAccount();
      fake.authorizeDomainWideDelegation('acme.test', account.client_id);
      const rotated = await fake.google.addServiceAccountKey(account.client_email);
      fake.google.deleteServiceAccountKey(account.client_email, account.private_key_id);

      const error = await providerError(provider.checkAccess(googleCredential(account), 'alice@acme.test'));
      expect(error).toMatchObject({ type: 'KEY_REVOKED', scope: 'credential', permanent: true });
      expect(error.message).toContain('Invalid JWT Signature.');
      expect(error.message).not.toContain('PRIVATE KEY');
      expect(fake.counters().calls).toEqual({ 'google.token': 1 });
      await expect(provider.checkAccess(googleCredential(rotated), 'alice@acme.test')).resolves.toBeDefined();
    });

    it('INVALID_KEY without any request for a private key that is not PEM, and the key is not echoed', async () => {
      const broken = googleCredential(
        {
          ...key,
          private_key:
            '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n',
        },
        'broken',
      );
      const error = await providerError(provider.checkAccess(broken, 'alice@acme.test'));
      expect(error.type).toBe('INVALID_KEY');
      expect(error.message).not.toContain('c2VjcmV0');
      expect(fake.callCount()).toBe(0);
    });

    it('PERMISSION_DENIED for Calendar 403 insufficientPermissions; no retry', async () => {
      fake.injectFault({ route: 'google.calendarList', status: 403, reason: 'insufficientPermissions' });
      const error = await providerError(provider.checkAccess(credential, 'alice@acme.test'));
      expect(error.type).toBe('PERMISSION_DENIED');
      expect(error.message).toContain(key.client_id);
      expect(fake.callCount('google.calendarList')).toBe(1);
    });
  });

  describe('retry policy', () => {
    it('honours Retry-After on 429, then succeeds', async () => {
      fake.injectFault({ route: 'google.calendarList', status: 429, retryAfter: 1, times: 1 });
      await expect(provider.listCalendars(credential, 'alice@acme.test')).resolves.toHaveLength(1);
      const [first, second] = fake.callTimes('google.calendarList');
      expect(fake.callCount('google.calendarList')).toBe(2);
      expect(second - first).toBeGreaterThanOrEqual(950);
    });

    it('answers RATE_LIMITED with retryAfterMs at once when Retry-After is longer than the inline maximum', async () => {
      fake.injectFault({ route: 'google.freeBusy', status: 429, retryAfter: 30, times: 1 });
      const error = await providerError(provider.getBusyTimes(credential, 'alice@acme.test', [], FROM, TO));
      expect(error).toMatchObject({ type: 'RATE_LIMITED', retryAfterMs: 30_000, permanent: false });
      expect(fake.callCount('google.freeBusy')).toBe(1);
    });

    it('treats Calendar 403 rateLimitExceeded as RATE_LIMITED: retried with backoff, then given up', async () => {
      fake.injectFault({ route: 'google.calendarList', status: 403, reason: 'rateLimitExceeded' });
      const error = await providerError(provider.listCalendars(credential, 'alice@acme.test'));
      expect(error.type).toBe('RATE_LIMITED');
      expect(fake.callCount('google.calendarList')).toBe(1 + FAST_PROVIDER_OPTIONS.maxRateLimitRetries!);
    });

    it('retries a 5xx POST (freeBusy) with growing backoff, then PROVIDER_UNAVAILABLE', async () => {
      fake.injectFault({ route: 'google.freeBusy', status: 503 });
      const error = await providerError(provider.getBusyTimes(credential, 'alice@acme.test', [], FROM, TO));
      expect(error).toMatchObject({ type: 'PROVIDER_UNAVAILABLE', permanent: false });
      const times = fake.callTimes('google.freeBusy');
      expect(times).toHaveLength(3);
      expect(times[1] - times[0]).toBeGreaterThanOrEqual(10); // ≥ half of 20 ms (jitter)
      expect(times[2] - times[1]).toBeGreaterThanOrEqual(20); // ≥ half of 40 ms
    });

    it('retries a 5xx GET only by our policy (gaxios would add 3 blind retries per attempt)', async () => {
      fake.injectFault({ route: 'google.calendarList', status: 500 });
      await expect(provider.listCalendars(credential, 'alice@acme.test')).rejects.toMatchObject({
        type: 'PROVIDER_UNAVAILABLE',
      });
      expect(fake.callCount('google.calendarList')).toBe(3);
    });

    it('recovers from a transient 500 on the token endpoint', async () => {
      fake.injectFault({ route: 'google.token', status: 500, times: 1 });
      await expect(provider.checkAccess(credential, 'bob@acme.test')).resolves.toMatchObject({
        calendarCount: 1,
      });
      expect(fake.callCount('google.token')).toBe(2);
    });

    it('does not retry a timeout, and says so', async () => {
      const quick = make({ requestTimeoutMs: 600 }); // generous: the token is minted under the same timeout on a loaded machine;
      fake.injectFault({ route: 'google.calendarList', latencyMs: 2500, times: 1 });
      const error = await providerError(quick.listCalendars(credential, 'alice@acme.test'));
      expect(error.type).toBe('PROVIDER_UNAVAILABLE');
      expect(error.message).toContain('600 ms');
      expect(fake.callCount('google.calendarList')).toBe(1);
    });

    it('mints a new token once when the API rejects the cached one (revoked / expired early)', async () => {
      await provider.listCalendars(credential, 'carol@acme.test');
      fake.expireTokens();
      await expect(provider.listCalendars(credential, 'carol@acme.test')).resolves.toHaveLength(1);
      expect(fake.tokenMints('carol@acme.test')).toBe(2);
    });
  });

  describe('token caching', () => {
    it('mints one token for 50 sequential calls as the same subject', async () => {
      for (let i = 0; i < 50; i++) await provider.listCalendars(credential, 'alice@acme.test');
      expect(fake.callCount('google.calendarList')).toBe(50);
      expect(fake.tokenMints('alice@acme.test')).toBe(1);
    });

    it('shares one token request between concurrent calls', async () => {
      await Promise.all(
        Array.from({ length: 10 }, () => provider.listCalendars(credential, 'bob@acme.test')),
      );
      expect(fake.tokenMints('bob@acme.test')).toBe(1);
    });

    it('uses a different token per subject', async () => {
      await provider.listCalendars(credential, 'alice@acme.test');
      await provider.listCalendars(credential, 'bob@acme.test');
      expect(fake.tokenMints('alice@acme.test')).toBe(1);
      expect(fake.tokenMints('bob@acme.test')).toBe(1);
      expect(fake.lastToken('alice@acme.test')).not.toEqual(fake.lastToken('bob@acme.test'));
    });

    it('evict(credentialId) forces a new mint, and only for that credential', async () => {
      const other = googleCredential(key, 'other-credential');
      await provider.listCalendars(credential, 'alice@acme.test');
      await provider.listCalendars(other, 'bob@acme.test');
      provider.evict(credential.id);
      await provider.listCalendars(credential, 'alice@acme.test');
      await provider.listCalendars(other, 'bob@acme.test');
      expect(fake.tokenMints('alice@acme.test')).toBe(2);
      expect(fake.tokenMints('bob@acme.test')).toBe(1);
    });

    it('mints again when the key changes (rotation without evict)', async () => {
      await provider.listCalendars(credential, 'alice@acme.test');
      const rotated = await fake.google.addServiceAccountKey(key.client_email);
      await provider.listCalendars(googleCredential(rotated, credential.id), 'alice@acme.test');
      expect(fake.tokenMints('alice@acme.test')).toBe(2);
    });
  });
});
