import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { MicrosoftAppCredentials } from '../../sandbox/fake-microsoft';
import { FakeProviderServer } from '../../sandbox/fake-provider.server';
import { FAST_PROVIDER_OPTIONS, fakeEndpoints, microsoftCredential } from '../../sandbox/provider-fixtures';
import { ProviderError, type ProviderErrorScope, type ProviderErrorType } from '../provider.errors';
import type { DelegatedCredential } from '../provider.types';
import { MicrosoftCalendarProvider } from './microsoft-calendar.provider';

/**
 * The classification table of Microsoft's refusals: one row per documented error body of the Entra token endpoint
 * (AADSTS codes, "Microsoft Entra authentication and authorization error codes") and of Microsoft Graph (Graph and
 * Exchange Online error codes, "Limiting application permissions to specific Exchange Online mailboxes", Graph
 * throttling), sent by the sandbox to the real msal-node / graph-client, and the ProviderError it must become.
 */
interface Row {
  /** The token request, a directory lookup, a mailbox-wide Graph call, or one aimed at a (non-default) calendar. */
  on: 'token' | 'directory' | 'mailbox' | 'calendar';
  status: number;
  body: unknown;
  retryAfter?: number;
  type: ProviderErrorType;
  scope: ProviderErrorScope;
  hint: string;
  /** The client secret is not the cause: the message must not send the admin to replace it. */
  notTheSecret?: boolean;
}

/** An Entra token error body as login.microsoftonline.com sends it. */
function aad(error: string, code: number, description: string) {
  const trace = randomUUID();
  const correlation = randomUUID();
  const timestamp = '2030-01-01 10:00:00Z';
  return {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${trace} Correlation ID: ${correlation} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: trace,
    correlation_id: correlation,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
}
const graph = (code: string, message: string) => ({
  error: { code, message, innerError: { date: '2030-01-01T10:00:00', 'request-id': randomUUID() } },
});

const APP = '6731de76-14a6-49ae-97bc-6eba6914391e';

const TABLE: Record<string, Row> = {
  'AADSTS7000215 invalid client secret (often the secret ID)': {
    on: 'token',
    status: 401,
    body: aad(
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${APP}'.`,
    ),
    type: 'INVALID_CLIENT_SECRET',
    scope: 'credential',
    hint: "copy the secret's Value — not its Secret ID",
  },
  'AADSTS7000222 expired client secret': {
    on: 'token',
    status: 401,
    body: aad(
      'invalid_client',
      7000222,
      `The provided client secret keys for app '${APP}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
    ),
    type: 'CLIENT_SECRET_EXPIRED',
    scope: 'credential',
    hint: 'has expired',
  },
  'AADSTS7000216 no secret sent': {
    on: 'token',
    status: 401,
    body: aad(
      'invalid_client',
      7000216,
      "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
    ),
    type: 'INVALID_CLIENT_SECRET',
    scope: 'credential',
    hint: 'Certificates & secrets',
  },
  'AADSTS700016 app not found in the tenant (removed, or never consented there)': {
    on: 'token',
    status: 400,
    body: aad(
      'unauthorized_client',
      700016,
      `Application with identifier '${APP}' was not found in the directory 'Contoso'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
    type: 'APP_NOT_IN_TENANT',
    scope: 'credential',
    hint: '/adminconsent?client_id=',
    notTheSecret: true,
  },
  'AADSTS7000112 application disabled': {
    on: 'token',
    status: 400,
    body: aad('unauthorized_client', 7000112, `Application '${APP}'(Cal.com delegation) is disabled.`),
    type: 'APP_NOT_IN_TENANT',
    scope: 'credential',
    hint: 'Enabled for users to sign-in',
    notTheSecret: true,
  },
  'AADSTS90002 tenant not found': {
    on: 'token',
    status: 400,
    body: aad(
      'invalid_request',
      90002,
      "Tenant 'nope.onmicrosoft.com' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
    ),
    type: 'TENANT_NOT_FOUND',
    scope: 'credential',
    hint: 'Directory (tenant) ID',
    notTheSecret: true,
  },
  'AADSTS900023 tenant identifier neither a GUID nor a domain': {
    on: 'token',
    status: 400,
    body: aad(
      'invalid_request',
      900023,
      "Specified tenant identifier 'x' is neither a valid DNS name, nor a valid external domain.",
    ),
    type: 'TENANT_NOT_FOUND',
    scope: 'credential',
    hint: 'Directory (tenant) ID',
    notTheSecret: true,
  },
  'AADSTS65001 consent missing': {
    on: 'token',
    status: 400,
    body: aad(
      'invalid_grant',
      65001,
      `The user or administrator has not consented to use the application with ID '${APP}' named 'Cal.com delegation'. Send an interactive authorization request for this user and resource.`,
    ),
    type: 'CONSENT_MISSING',
    scope: 'credential',
    hint: 'Grant admin consent',
    notTheSecret: true,
  },
  'AADSTS500011 resource principal (Graph) not in the tenant': {
    on: 'token',
    status: 400,
    body: aad(
      'invalid_resource',
      500011,
      'The resource principal named https://graph.microsoft.com was not found in the tenant named Contoso. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.',
    ),
    type: 'CONSENT_MISSING',
    scope: 'credential',
    hint: 'Grant admin consent',
    notTheSecret: true,
  },
  'AADSTS53003 blocked by Conditional Access': {
    on: 'token',
    status: 400,
    body: aad('access_denied', 53003, 'Access has been blocked by Conditional Access policies.'),
    type: 'PERMISSION_DENIED',
    scope: 'credential',
    hint: 'Conditional Access',
    notTheSecret: true,
  },
  'token 429 (throttled)': {
    on: 'token',
    status: 429,
    retryAfter: 30,
    body: aad(
      'temporarily_unavailable',
      50196,
      'The server terminated an operation because it encountered a client request loop.',
    ),
    type: 'RATE_LIMITED',
    scope: 'none',
    hint: 'throttled token requests',
    notTheSecret: true,
  },
  'token 503 AADSTS90033 transient': {
    on: 'token',
    status: 503,
    body: aad('temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.'),
    type: 'PROVIDER_UNAVAILABLE',
    scope: 'none',
    hint: 'transient failure',
    notTheSecret: true,
  },
  'Graph 403 ErrorAccessDenied "Access to OData is disabled." (application access policy)': {
    on: 'mailbox',
    status: 403,
    body: graph('ErrorAccessDenied', 'Access to OData is disabled.'),
    type: 'ACCESS_POLICY_DENIED',
    scope: 'member',
    hint: 'Test-ApplicationAccessPolicy',
    notTheSecret: true,
  },
  'Graph 404 MailboxNotEnabledForRESTAPI': {
    on: 'mailbox',
    status: 404,
    body: graph(
      'MailboxNotEnabledForRESTAPI',
      'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
    ),
    type: 'MAILBOX_NOT_ENABLED',
    scope: 'member',
    hint: 'has no Exchange Online mailbox',
    notTheSecret: true,
  },
  'Graph 404 ErrorInvalidUser': {
    on: 'mailbox',
    status: 404,
    body: graph('ErrorInvalidUser', "The requested user 'alice@contoso.test' is invalid."),
    type: 'USER_NOT_IN_DIRECTORY',
    scope: 'member',
    hint: 'Entra admin center › Users',
    notTheSecret: true,
  },
  'Graph 404 Request_ResourceNotFound': {
    on: 'mailbox',
    status: 404,
    body: graph(
      'Request_ResourceNotFound',
      "Resource 'alice@contoso.test' does not exist or one of its queried reference-property objects are not present.",
    ),
    type: 'USER_NOT_IN_DIRECTORY',
    scope: 'member',
    hint: 'is not a user of tenant',
    notTheSecret: true,
  },
  'Graph 403 Authorization_RequestDenied (User.Read.All missing)': {
    on: 'directory',
    status: 403,
    body: graph('Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
    type: 'PERMISSION_DENIED',
    scope: 'credential',
    hint: 'User.Read.All is missing',
    notTheSecret: true,
  },
  'Graph 403 ErrorAccessDenied on the mailbox (Calendars permission missing)': {
    on: 'mailbox',
    status: 403,
    body: graph('ErrorAccessDenied', 'Access is denied. Check credentials and try again.'),
    type: 'PERMISSION_DENIED',
    scope: 'credential',
    hint: 'Calendars.ReadWrite',
    notTheSecret: true,
  },
  'Graph 403 ErrorAccessDenied on one calendar (shared read-only)': {
    on: 'calendar',
    status: 403,
    body: graph('ErrorAccessDenied', 'Access is denied. Check credentials and try again.'),
    type: 'CALENDAR_NOT_ACCESSIBLE',
    scope: 'member',
    hint: 'shared read-only',
    notTheSecret: true,
  },
  'Graph 404 ErrorItemNotFound on one calendar': {
    on: 'calendar',
    status: 404,
    body: graph('ErrorItemNotFound', 'The specified object was not found in the store.'),
    type: 'CALENDAR_NOT_ACCESSIBLE',
    scope: 'member',
    hint: 'does not exist or is not accessible',
    notTheSecret: true,
  },
  'Graph 401 "Either scp or roles claim need to be present in the token." (consent revoked)': {
    on: 'directory',
    status: 401,
    body: graph('AccessDenied', 'Either scp or roles claim need to be present in the token.'),
    type: 'CONSENT_MISSING',
    scope: 'credential',
    hint: 'carries no application permissions',
    notTheSecret: true,
  },
  'Graph 429 ApplicationThrottled MailboxConcurrency': {
    on: 'mailbox',
    status: 429,
    retryAfter: 30,
    body: graph('ApplicationThrottled', 'Application is over its MailboxConcurrency limit.'),
    type: 'RATE_LIMITED',
    scope: 'none',
    hint: 'MailboxConcurrency',
    notTheSecret: true,
  },
  'Graph 429 TooManyRequests': {
    on: 'mailbox',
    status: 429,
    retryAfter: 30,
    body: graph('TooManyRequests', 'Too many requests, please try again later.'),
    type: 'RATE_LIMITED',
    scope: 'none',
    hint: 'throttled',
    notTheSecret: true,
  },
  'Graph 503 ServiceNotAvailable': {
    on: 'mailbox',
    status: 503,
    body: graph('ServiceNotAvailable', 'The service is temporarily unavailable.'),
    type: 'PROVIDER_UNAVAILABLE',
    scope: 'none',
    hint: 'failed (503)',
    notTheSecret: true,
  },
  'Graph 504 gateway timeout': {
    on: 'mailbox',
    status: 504,
    body: graph('UnknownError', 'Gateway timeout.'),
    type: 'PROVIDER_UNAVAILABLE',
    scope: 'none',
    hint: 'failed (504)',
    notTheSecret: true,
  },
  'Graph 400 ErrorInvalidRequest (a calendarView window over 1825 days): the request, not the access': {
    on: 'mailbox',
    status: 400,
    body: graph(
      'ErrorInvalidRequest',
      "Your request can't be completed. The range between the start and end dates is greater than the allowed range. Maximum number of days: 1825",
    ),
    type: 'REQUEST_REJECTED',
    scope: 'none',
    hint: 'Maximum number of days: 1825',
    notTheSecret: true,
  },
  'Graph 400 BadRequest on one calendar: the request, not the calendar': {
    on: 'calendar',
    status: 400,
    body: graph('BadRequest', 'Bad request.'),
    type: 'REQUEST_REJECTED',
    scope: 'none',
    hint: 'rejected the request',
    notTheSecret: true,
  },
  'Graph 409 ErrorIrresolvableConflict: transient, as Google 409': {
    on: 'calendar',
    status: 409,
    body: graph(
      'ErrorIrresolvableConflict',
      'The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.',
    ),
    type: 'PROVIDER_UNAVAILABLE',
    scope: 'none',
    hint: 'failed (409)',
    notTheSecret: true,
  },
};

const ROUTE = {
  token: 'microsoft.token',
  directory: 'graph.users',
  mailbox: 'graph.calendars',
  calendar: 'graph.events.create',
} as const;
const SECRET_FIXES = /Certificates & secrets|client secret/i;

describe('Microsoft error classification table (real SDKs against the sandbox)', () => {
  let fake: FakeProviderServer;
  let app: MicrosoftAppCredentials;
  let credential: DelegatedCredential;
  let provider: MicrosoftCalendarProvider;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    fake = await FakeProviderServer.start();
    const tenantId = fake.createMicrosoftTenant({ domain: 'contoso.test' }).id;
    fake.addMicrosoftUser(tenantId, 'alice@contoso.test');
    app = fake.createMicrosoftApp({ tenantId, consent: true });
    credential = microsoftCredential(app);
    // Long Retry-After values come back at once as RATE_LIMITED (not waited for inline).
    provider = new MicrosoftCalendarProvider(fakeEndpoints(fake.url), FAST_PROVIDER_OPTIONS);
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.clearFaults();
    provider.evict(credential.id);
  });

  it.each(Object.entries(TABLE))('%s', async (_name, row) => {
    fake.injectFault({
      route: ROUTE[row.on],
      status: row.status,
      body: row.body,
      ...(row.retryAfter ? { retryAfter: row.retryAfter } : {}),
    });
    const call =
      row.on === 'calendar'
        ? provider.createEvent(credential, 'alice@contoso.test', 'AAMkADshared=', {
            title: 'x',
            start: new Date('2030-01-01T10:00:00Z'),
            end: new Date('2030-01-01T11:00:00Z'),
          })
        : provider.checkAccess(credential, 'alice@contoso.test');
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderError);
    const { type, scope, permanent, message, retryAfterMs } = error as ProviderError;
    expect({ type, scope, permanent }).toEqual({
      type: row.type,
      scope: row.scope,
      permanent: !['RATE_LIMITED', 'PROVIDER_UNAVAILABLE'].includes(row.type),
    });
    expect(message).toContain(row.hint);
    if (row.notTheSecret) expect(message).not.toMatch(SECRET_FIXES);
    if (row.type === 'RATE_LIMITED' && row.retryAfter) expect(retryAfterMs).toBe(row.retryAfter * 1000);
    expect(message).not.toContain(app.private_key);
  });

  it('says so when the stored secret is a secret ID (a GUID) instead of the value', async () => {
    const [secret] = fake.microsoft.secretsOf(app.client_id);
    const withId = microsoftCredential({ ...app, private_key: secret.id }, 'secret-id');
    const error = await provider.checkAccess(withId, 'alice@contoso.test').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ type: 'INVALID_CLIENT_SECRET', scope: 'credential' });
    expect((error as Error).message).toContain('has the shape of a Secret ID (a GUID)');
    expect((error as Error).message).not.toContain(secret.id);
  });

  it.each(['common', 'organizations', 'consumers', 'not a tenant'])(
    'refuses tenant "%s" without a request',
    async (tenant) => {
      fake.resetCounters();
      const error = await provider
        .checkAccess(microsoftCredential({ ...app, tenant_id: tenant }, `t-${tenant}`), 'alice@contoso.test')
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toMatchObject({ type: 'TENANT_NOT_FOUND', scope: 'credential' });
      expect((error as Error).message).toMatch(/Directory \(tenant\) ID \(a GUID\)/);
      expect(fake.callCount()).toBe(0);
    },
  );

  it('names the host that could not be reached, for Entra and for Graph', async () => {
    const closed = await FakeProviderServer.start();
    const url = closed.url;
    await closed.close();
    const options = { ...FAST_PROVIDER_OPTIONS, maxUnavailableRetries: 0 };
    const entraDown = new MicrosoftCalendarProvider(
      { providerEndpoints: { microsoftLoginBaseUrl: url, microsoftGraphBaseUrl: fake.url } },
      options,
    );
    const entra = await entraDown.checkAccess(credential, 'alice@contoso.test').catch((e: unknown) => e);
    expect(entra).toMatchObject({ type: 'PROVIDER_UNAVAILABLE', scope: 'none' });
    expect((entra as Error).message).toContain(`Could not reach Microsoft Entra at ${url} (ECONNREFUSED)`);

    const graphDown = new MicrosoftCalendarProvider(
      { providerEndpoints: { microsoftLoginBaseUrl: fake.url, microsoftGraphBaseUrl: url } },
      options,
    );
    const graphError = await graphDown.checkAccess(credential, 'alice@contoso.test').catch((e: unknown) => e);
    expect(graphError).toMatchObject({ type: 'PROVIDER_UNAVAILABLE', scope: 'none' });
    expect((graphError as Error).message).toContain(
      `Could not reach Microsoft Graph at ${url} (ECONNREFUSED)`,
    );
  });
});
