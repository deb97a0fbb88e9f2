import { Logger } from '@nestjs/common';
import { FakeProviderServer } from '../../sandbox/fake-provider.server';
import { FAST_PROVIDER_OPTIONS, fakeEndpoints, googleCredential } from '../../sandbox/provider-fixtures';
import { ProviderError, type ProviderErrorScope, type ProviderErrorType } from '../provider.errors';
import type { DelegatedCredential } from '../provider.types';
import { GoogleCalendarProvider } from './google-calendar.provider';

/**
 * The classification table of Google's refusals: one row per documented (or publicly reported) error body of the
 * token endpoint and of the Calendar API, sent by the sandbox to the real google-auth-library / googleapis, and the
 * ProviderError it must become. Sources: Google's "Using OAuth 2.0 for Server to Server Applications" (error
 * codes), "Calendar API: Handle API errors" and "Usage limits", and the bodies reported in public issues.
 */
interface Row {
  /** Which request answers with the body: the token request, a mailbox-wide call, or one aimed at a calendar. */
  on: 'token' | 'mailbox' | 'calendar';
  status: number;
  body: unknown;
  type: ProviderErrorType;
  scope: ProviderErrorScope;
  /** A phrase of the actionable message. */
  hint: string | RegExp;
  /** The key is not the cause: the message must not send the admin to replace it. */
  notTheKey?: boolean;
  /** A fix the message must not suggest (the wrong one for this reason). */
  notHint?: RegExp;
}

const oauth = (error: string, error_description?: string) => ({
  error,
  ...(error_description !== undefined ? { error_description } : {}),
});
const api = (code: number, reason: string, message: string, status: string, domain = 'global') => ({
  error: { code, message, errors: [{ domain, reason, message }], status },
});

const PROJECT = '123456789012';
const DISABLED_MESSAGE =
  `Google Calendar API has not been used in project ${PROJECT} before or it is disabled. Enable it by visiting ` +
  `https://console.developers.google.com/apis/api/calendar-json.googleapis.com/overview?project=${PROJECT} then ` +
  'retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.';

const TABLE: Record<string, Row> = {
  'token 401 unauthorized_client (DWD entry missing)': {
    on: 'token',
    status: 401,
    body: oauth(
      'unauthorized_client',
      'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
    ),
    type: 'CLIENT_NOT_AUTHORIZED',
    scope: 'credential',
    hint: 'add the numeric client ID',
    notTheKey: true,
  },
  'token 401 unauthorized_client "Unauthorized client or scope in request."': {
    on: 'token',
    status: 401,
    body: oauth('unauthorized_client', 'Unauthorized client or scope in request.'),
    type: 'CLIENT_NOT_AUTHORIZED',
    scope: 'credential',
    hint: 'Domain-wide delegation',
    notTheKey: true,
  },
  'token 400 access_denied (a scope not on the DWD entry)': {
    on: 'token',
    status: 400,
    body: oauth('access_denied', 'Requested client not authorized.'),
    type: 'CLIENT_NOT_AUTHORIZED',
    scope: 'credential',
    hint: 'does not cover every requested scope',
    notTheKey: true,
  },
  'token 400 admin_policy_enforced (API access policy of an organizational unit)': {
    on: 'token',
    status: 400,
    body: oauth('admin_policy_enforced'),
    type: 'CLIENT_NOT_AUTHORIZED',
    scope: 'member',
    hint: 'App access control',
    notTheKey: true,
  },
  'token 400 invalid_grant "Invalid JWT Signature." (key deleted or disabled)': {
    on: 'token',
    status: 400,
    body: oauth('invalid_grant', 'Invalid JWT Signature.'),
    type: 'KEY_REVOKED',
    scope: 'credential',
    hint: 'create a new JSON key',
  },
  'token 400 invalid_grant "Invalid JWT: No valid verifier found for issuer."': {
    on: 'token',
    status: 400,
    body: oauth('invalid_grant', 'Invalid JWT: No valid verifier found for issuer.'),
    type: 'KEY_REVOKED',
    scope: 'credential',
    hint: 'create a new JSON key',
  },
  'token 400 invalid_grant "Invalid email or User ID"': {
    on: 'token',
    status: 400,
    body: oauth('invalid_grant', 'Invalid email or User ID'),
    type: 'USER_NOT_IN_DIRECTORY',
    scope: 'member',
    hint: 'Directory › Users',
    notTheKey: true,
  },
  'token 400 invalid_grant "Not a valid email or user ID."': {
    on: 'token',
    status: 400,
    body: oauth('invalid_grant', 'Not a valid email or user ID.'),
    type: 'USER_NOT_IN_DIRECTORY',
    scope: 'member',
    hint: 'not an active user',
    notTheKey: true,
  },
  'token 400 invalid_request "Invalid impersonation sub field."': {
    on: 'token',
    status: 400,
    body: oauth('invalid_request', 'Invalid impersonation "sub" field.'),
    type: 'USER_NOT_IN_DIRECTORY',
    scope: 'member',
    hint: 'not a valid user address',
    notTheKey: true,
  },
  'token 400 invalid_grant iat/exp outside the window (this server’s clock)': {
    on: 'token',
    status: 400,
    body: oauth(
      'invalid_grant',
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
    ),
    type: 'PROVIDER_UNAVAILABLE',
    scope: 'none',
    hint: "this server's clock is off",
    notTheKey: true,
  },
  'token 400 invalid_grant "Invalid grant: account not found" (service account deleted)': {
    on: 'token',
    status: 400,
    body: oauth('invalid_grant', 'Invalid grant: account not found'),
    type: 'INVALID_KEY',
    scope: 'credential',
    hint: 'no longer exists in Google Cloud',
  },
  'token 400 disabled_client (key or service account disabled)': {
    on: 'token',
    status: 400,
    body: oauth('disabled_client', 'The OAuth client was disabled.'),
    type: 'KEY_REVOKED',
    scope: 'credential',
    hint: 'enable the service account',
  },
  'token 401 invalid_client "The OAuth client was not found."': {
    on: 'token',
    status: 401,
    body: oauth('invalid_client', 'The OAuth client was not found.'),
    type: 'INVALID_KEY',
    scope: 'credential',
    hint: 'does not know the OAuth client',
  },
  'token 400 invalid_scope': {
    on: 'token',
    status: 400,
    body: oauth('invalid_scope', 'Invalid OAuth scope or ID token audience provided.'),
    type: 'PERMISSION_DENIED',
    scope: 'credential',
    hint: 'does not accept the OAuth scope',
    notTheKey: true,
  },
  'token 429': {
    on: 'token',
    status: 429,
    body: oauth('rate_limit_exceeded', 'Rate limit exceeded.'),
    type: 'RATE_LIMITED',
    scope: 'none',
    hint: 'throttled token requests',
    notTheKey: true,
  },
  'token 500 internal_failure': {
    on: 'token',
    status: 500,
    body: oauth('internal_failure', 'Backend Error'),
    type: 'PROVIDER_UNAVAILABLE',
    scope: 'none',
    hint: 'token endpoint failed (500)',
    notTheKey: true,
  },
  'API 403 accessNotConfigured (Calendar API disabled in the project)': {
    on: 'mailbox',
    status: 403,
    body: {
      error: {
        code: 403,
        message: DISABLED_MESSAGE,
        errors: [{ message: DISABLED_MESSAGE, domain: 'usageLimits', reason: 'accessNotConfigured' }],
        status: 'PERMISSION_DENIED',
      },
    },
    type: 'CALENDAR_API_DISABLED',
    scope: 'credential',
    hint: `APIs & Services › Library › Google Calendar API › Enable (https://console.developers.google.com/apis/api/calendar-json.googleapis.com/overview?project=${PROJECT})`,
    notTheKey: true,
    notHint: /Domain-wide delegation|narrower scope/,
  },
  'API 403 SERVICE_DISABLED (google.rpc ErrorInfo only)': {
    on: 'mailbox',
    status: 403,
    body: {
      error: {
        code: 403,
        message: 'Google Calendar API is disabled.',
        status: 'PERMISSION_DENIED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'SERVICE_DISABLED',
            domain: 'googleapis.com',
            metadata: { service: 'calendar-json.googleapis.com', consumer: `projects/${PROJECT}` },
          },
        ],
      },
    },
    type: 'CALENDAR_API_DISABLED',
    scope: 'credential',
    hint: `Google Cloud project ${PROJECT}`,
    notTheKey: true,
  },
  'API 403 userRateLimitExceeded': {
    on: 'mailbox',
    status: 403,
    body: api(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', 'PERMISSION_DENIED', 'usageLimits'),
    type: 'RATE_LIMITED',
    scope: 'none',
    hint: 'usage limits were reached',
    notTheKey: true,
  },
  'API 403 rateLimitExceeded': {
    on: 'mailbox',
    status: 403,
    body: api(403, 'rateLimitExceeded', 'Rate Limit Exceeded', 'PERMISSION_DENIED', 'usageLimits'),
    type: 'RATE_LIMITED',
    scope: 'none',
    hint: 'retry later',
    notTheKey: true,
  },
  'API 403 quotaExceeded (Calendar usage limits)': {
    on: 'mailbox',
    status: 403,
    body: api(403, 'quotaExceeded', 'Calendar usage limits exceeded.', 'PERMISSION_DENIED', 'usageLimits'),
    type: 'RATE_LIMITED',
    scope: 'none',
    hint: 'usage limits were reached',
    notTheKey: true,
  },
  'API 429 rateLimitExceeded': {
    on: 'mailbox',
    status: 429,
    body: api(429, 'rateLimitExceeded', 'Rate Limit Exceeded', 'RESOURCE_EXHAUSTED', 'usageLimits'),
    type: 'RATE_LIMITED',
    scope: 'none',
    hint: 'usage limits were reached',
    notTheKey: true,
  },
  'API 403 insufficientPermissions (DWD entry has a narrower scope)': {
    on: 'mailbox',
    status: 403,
    body: api(
      403,
      'insufficientPermissions',
      'Request had insufficient authentication scopes.',
      'PERMISSION_DENIED',
    ),
    type: 'PERMISSION_DENIED',
    scope: 'credential',
    hint: 'grants a narrower scope',
    notTheKey: true,
  },
  'API 403 forbidden (no known reason): quoted, no delegation hint': {
    on: 'mailbox',
    status: 403,
    body: api(403, 'forbidden', 'The caller does not have permission', 'PERMISSION_DENIED'),
    type: 'PERMISSION_DENIED',
    scope: 'credential',
    hint: 'The caller does not have permission',
    notTheKey: true,
    notHint: /Domain-wide delegation|narrower scope/,
  },
  'API 400 badRequest (no known reason): the request, never the credential': {
    on: 'mailbox',
    status: 400,
    body: api(400, 'badRequest', 'Bad Request', 'INVALID_ARGUMENT'),
    type: 'REQUEST_REJECTED',
    scope: 'none',
    hint: 'Bad Request',
    notTheKey: true,
    notHint: /Domain-wide delegation/,
  },
  'API 400 timeRangeEmpty on a calendar: the request, not the calendar': {
    on: 'calendar',
    status: 400,
    body: api(400, 'timeRangeEmpty', 'The specified time range is empty.', 'INVALID_ARGUMENT', 'calendar'),
    type: 'REQUEST_REJECTED',
    scope: 'none',
    hint: 'The specified time range is empty.',
    notTheKey: true,
  },
  'API 403 requiredAccessLevel (calendar shared read-only)': {
    on: 'calendar',
    status: 403,
    body: api(
      403,
      'requiredAccessLevel',
      'You need to have writer access to this calendar.',
      'PERMISSION_DENIED',
    ),
    type: 'CALENDAR_NOT_ACCESSIBLE',
    scope: 'member',
    hint: 'may not change calendar team@group.calendar.google.com',
    notTheKey: true,
  },
  'API 403 forbiddenForNonOrganizer': {
    on: 'calendar',
    status: 403,
    body: api(
      403,
      'forbiddenForNonOrganizer',
      'Shared properties can only be changed by the organizer of the event.',
      'PERMISSION_DENIED',
      'calendar',
    ),
    type: 'CALENDAR_NOT_ACCESSIBLE',
    scope: 'member',
    hint: 'organized by someone else',
    notTheKey: true,
  },
  'API 404 notFound (calendar)': {
    on: 'calendar',
    status: 404,
    body: api(404, 'notFound', 'Not Found', 'NOT_FOUND'),
    type: 'CALENDAR_NOT_ACCESSIBLE',
    scope: 'member',
    hint: 'not shared with',
    notTheKey: true,
  },
  'API 410 deleted (event)': {
    on: 'calendar',
    status: 410,
    body: api(410, 'deleted', 'Resource has been deleted', 'NOT_FOUND'),
    type: 'CALENDAR_NOT_ACCESSIBLE',
    scope: 'member',
    hint: 'does not exist',
    notTheKey: true,
  },
  'API 401 authError on a freshly minted token': {
    on: 'mailbox',
    status: 401,
    body: api(401, 'authError', 'Invalid Credentials', 'UNAUTHENTICATED'),
    type: 'PROVIDER_UNAVAILABLE',
    scope: 'none',
    hint: 'rejected an access token it had just issued',
    notTheKey: true,
  },
  'API 500 backendError': {
    on: 'mailbox',
    status: 500,
    body: api(500, 'backendError', 'Backend Error', 'INTERNAL'),
    type: 'PROVIDER_UNAVAILABLE',
    scope: 'none',
    hint: 'failed (500)',
    notTheKey: true,
  },
  'API 503': {
    on: 'mailbox',
    status: 503,
    body: api(503, 'backendError', 'The service is currently unavailable.', 'UNAVAILABLE'),
    type: 'PROVIDER_UNAVAILABLE',
    scope: 'none',
    hint: 'failed (503)',
    notTheKey: true,
  },
};

const ROUTE = {
  token: 'google.token',
  mailbox: 'google.calendarList',
  calendar: 'google.events.insert',
} as const;
const KEY_FIXES = /new JSON key|Keys|replace the key|enable the service account/i;

describe('Google error classification table (real SDK against the sandbox)', () => {
  let fake: FakeProviderServer;
  let credential: DelegatedCredential;
  let provider: GoogleCalendarProvider;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    fake = await FakeProviderServer.start();
    const key = await fake.createGoogleServiceAccount();
    credential = googleCredential(key);
    fake.addGoogleUser('alice@acme.test');
    fake.authorizeDomainWideDelegation('acme.test', key.client_id);
    provider = new GoogleCalendarProvider(fakeEndpoints(fake.url), FAST_PROVIDER_OPTIONS);
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.clearFaults();
    provider.evict(credential.id);
  });

  it.each(Object.entries(TABLE))('%s', async (_name, row) => {
    fake.injectFault({ route: ROUTE[row.on], status: row.status, body: row.body });
    const call =
      row.on === 'calendar'
        ? provider.createEvent(credential, 'alice@acme.test', 'team@group.calendar.google.com', {
            title: 'x',
            start: new Date('2030-01-01T10:00:00Z'),
            end: new Date('2030-01-01T11:00:00Z'),
          })
        : provider.checkAccess(credential, 'alice@acme.test');
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderError);
    const { type, scope, permanent, message } = error as ProviderError;
    expect({ type, scope, permanent }).toEqual({
      type: row.type,
      scope: row.scope,
      permanent: !['RATE_LIMITED', 'PROVIDER_UNAVAILABLE'].includes(row.type),
    });
    expect(message).toEqual(expect.stringMatching(row.hint instanceof RegExp ? row.hint : escape(row.hint)));
    if (row.notTheKey) {
      expect(['INVALID_KEY', 'KEY_REVOKED']).not.toContain(type);
      expect(message).not.toMatch(KEY_FIXES);
    }
    if (row.notHint) expect(message).not.toMatch(row.notHint);
  });

  it('a calendar that free/busy cannot read is an error, never free', async () => {
    const error = await provider
      .getBusyTimes(
        credential,
        'alice@acme.test',
        ['alice@acme.test', 'nobody@elsewhere.test'],
        new Date('2030-01-01'),
        new Date('2030-01-02'),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ type: 'CALENDAR_NOT_ACCESSIBLE', scope: 'member' });
    expect((error as Error).message).toContain('nobody@elsewhere.test');
  });

  describe('a per-calendar error inside a successful free/busy answer, by its reason', () => {
    const read = () =>
      provider
        .getBusyTimes(
          credential,
          'alice@acme.test',
          ['alice@acme.test'],
          new Date('2030-01-01'),
          new Date('2030-01-02'),
        )
        .then(
          () => undefined,
          (e: unknown) => e,
        );

    afterEach(() => fake.google.freeBusyErrors.clear());

    it.each([
      ['internalError', 'PROVIDER_UNAVAILABLE', false, 'none'],
      ['backendError', 'PROVIDER_UNAVAILABLE', false, 'none'],
      ['rateLimitExceeded', 'RATE_LIMITED', false, 'none'],
      ['notFound', 'CALENDAR_NOT_ACCESSIBLE', true, 'member'],
      ['groupTooBig', 'CALENDAR_NOT_ACCESSIBLE', true, 'member'],
      ['somethingNew', 'CALENDAR_NOT_ACCESSIBLE', true, 'member'],
    ])('%s → %s', async (reason, type, permanent, scope) => {
      fake.google.failFreeBusy('alice@acme.test', reason);
      const error = await read();
      expect(error).toMatchObject({ type, permanent, scope });
      // Never a permission problem of the credential, whatever the reason.
      expect(error).not.toMatchObject({ type: 'PERMISSION_DENIED' });
      expect((error as Error).message).toContain(reason);
    });

    it('a transient one is retried inline and the busy times come through', async () => {
      fake.google.failFreeBusy('alice@acme.test', 'backendError', 1);
      fake.resetCounters();
      await expect(
        provider.getBusyTimes(
          credential,
          'alice@acme.test',
          ['alice@acme.test'],
          new Date('2030-01-01'),
          new Date('2030-01-02'),
        ),
      ).resolves.toEqual([]);
      expect(fake.callCount('google.freeBusy')).toBe(2);
    });
  });

  it('names the host that could not be reached, with the system error', async () => {
    const closed = await FakeProviderServer.start();
    const url = closed.url;
    await closed.close();
    const offline = new GoogleCalendarProvider(fakeEndpoints(url), {
      ...FAST_PROVIDER_OPTIONS,
      maxUnavailableRetries: 0,
    });
    const error = await offline.checkAccess(credential, 'alice@acme.test').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ type: 'PROVIDER_UNAVAILABLE', scope: 'none' });
    expect((error as Error).message).toContain(`Could not reach Google at ${url} (ECONNREFUSED)`);
  });
});

function escape(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}
