import type { FaultSpec } from './fake-faults';
import { newGoogleCalendarId } from './fake-google-calendar';
import { type FakeRequest, type FakeResponse, type Route, fail, json, parseJson, route } from './fake-http';
import type { FakePlatform, FakeProviderServer } from './fake-provider.server';

const P = '/__sandbox';
const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';

function required<T>(value: T | undefined | null, name: string): T {
  if (value === undefined || value === null || value === '') fail(400, { error: `${name} is required` });
  return value;
}

function date(value: unknown, name: string): Date {
  const parsed = new Date(typeof value === 'string' || typeof value === 'number' ? value : NaN);
  if (Number.isNaN(parsed.getTime())) fail(400, { error: `${name} must be an ISO date` });
  return parsed;
}

function platform(value: unknown): FakePlatform {
  if (value === 'google') return 'google';
  if (value === 'office365' || value === 'microsoft') return 'office365';
  return fail(400, { error: 'platform must be google or office365' });
}

const created = (body: unknown): FakeResponse => json(201, body);
const done: FakeResponse = { status: 204 };

/** Runs a setup call, turning its thrown errors (unknown tenant…) into 400 answers. */
function attempt<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    return fail(400, { error: error instanceof Error ? error.message : String(error) });
  }
}

/** The JSON control API of the standalone sandbox (documented in README.md), mirroring FakeProviderServer. */
export function controlRoutes(fake: FakeProviderServer): Route[] {
  const body = <T>(req: FakeRequest) => parseJson<T>(req);
  return [
    route('control.summary', 'GET', P, () =>
      json(200, { url: fake.url, ...fake.counters(), faults: fake.faults.list() }),
    ),
    route('control.reset', 'POST', `${P}/reset`, () => {
      fake.reset();
      return done;
    }),

    // Google
    route('control.google.serviceAccounts', 'POST', `${P}/google/service-accounts`, async (req) =>
      created(await fake.createGoogleServiceAccount(body<{ projectId: string; name: string }>(req))),
    ),
    route('control.google.keys', 'POST', `${P}/google/service-accounts/:clientEmail/keys`, async (req) => {
      try {
        return created(await fake.google.addServiceAccountKey(req.params.clientEmail));
      } catch (error) {
        return fail(404, { error: error instanceof Error ? error.message : String(error) });
      }
    }),
    route(
      'control.google.keys.delete',
      'DELETE',
      `${P}/google/service-accounts/:clientEmail/keys/:keyId`,
      (req) =>
        fake.google.deleteServiceAccountKey(req.params.clientEmail, req.params.keyId)
          ? done
          : fail(404, { error: 'no such key' }),
    ),
    route('control.google.users', 'POST', `${P}/google/users`, (req) => {
      const input = body<{ email: string; emails: string[]; timeZone: string; suspended: boolean }>(req);
      const emails = input.emails ?? [required(input.email, 'email')];
      for (const email of emails)
        fake.addGoogleUser(email, { timeZone: input.timeZone, suspended: input.suspended });
      return created({ emails });
    }),
    route('control.google.users.delete', 'DELETE', `${P}/google/users/:email`, (req) => {
      fake.google.removeUser(req.params.email);
      return done;
    }),
    route('control.google.calendars', 'POST', `${P}/google/calendars`, (req) => {
      const input = body<{ owner: string; name: string; id: string; timeZone: string }>(req);
      const owner = required(input.owner, 'owner').toLowerCase();
      const id = input.id ?? newGoogleCalendarId();
      fake.google.store.addCalendar({ id, name: input.name ?? id, timeZone: input.timeZone ?? 'UTC', owner });
      return created({ id });
    }),
    route('control.google.delegations', 'POST', `${P}/google/delegations`, (req) => {
      const input = body<{ domain: string; clientId: string; scopes: string[] }>(req);
      fake.authorizeDomainWideDelegation(
        required(input.domain, 'domain'),
        required(input.clientId, 'clientId'),
        input.scopes ?? [CALENDAR_SCOPE],
      );
      return done;
    }),
    route(
      'control.google.delegations.delete',
      'DELETE',
      `${P}/google/delegations/:domain/:clientId`,
      (req) => {
        fake.revokeDomainWideDelegation(req.params.domain, req.params.clientId);
        return done;
      },
    ),

    // Microsoft
    route('control.microsoft.tenants', 'POST', `${P}/microsoft/tenants`, (req) => {
      const tenant = fake.createMicrosoftTenant(
        body<{ tenantId: string; domain: string; displayName: string }>(req),
      );
      return created({ id: tenant.id, domain: tenant.domain, displayName: tenant.displayName });
    }),
    route('control.microsoft.users', 'POST', `${P}/microsoft/users`, (req) => {
      const input = body<{
        tenantId: string;
        mail: string | null;
        userPrincipalName: string;
        displayName: string;
        hasMailbox: boolean;
      }>(req);
      const { tenantId, mail, ...options } = input;
      return created(
        attempt(() => fake.addMicrosoftUser(required(tenantId, 'tenantId'), mail ?? null, options)),
      );
    }),
    route('control.microsoft.apps', 'POST', `${P}/microsoft/apps`, (req) => {
      const input = body<{ tenantId: string; consent: boolean | string[] }>(req);
      return created(attempt(() => fake.createMicrosoftApp(input)));
    }),
    route('control.microsoft.consents', 'POST', `${P}/microsoft/consents`, (req) => {
      const input = body<{ tenantId: string; clientId: string; roles: string[] }>(req);
      attempt(() =>
        fake.grantAdminConsent(
          required(input.tenantId, 'tenantId'),
          required(input.clientId, 'clientId'),
          input.roles,
        ),
      );
      return done;
    }),
    route(
      'control.microsoft.consents.delete',
      'DELETE',
      `${P}/microsoft/consents/:tenantId/:clientId`,
      (req) => {
        attempt(() => fake.revokeAdminConsent(req.params.tenantId, req.params.clientId));
        return done;
      },
    ),

    // Calendars
    route('control.busy', 'POST', `${P}/busy`, (req) => {
      const input = body<{ platform: string; email: string; start: string; end: string; calendarId: string }>(
        req,
      );
      const block = {
        start: date(input.start, 'start'),
        end: date(input.end, 'end'),
        ...(input.calendarId ? { calendarId: input.calendarId } : {}),
      };
      attempt(() => fake.addBusyBlock(platform(input.platform), required(input.email, 'email'), block));
      return created(block);
    }),
    route('control.events', 'GET', `${P}/events`, (req) =>
      json(
        200,
        attempt(() =>
          fake.events(platform(req.query.get('platform')), required(req.query.get('email'), 'email')),
        ),
      ),
    ),

    // Faults, counters, tokens
    route('control.faults', 'POST', `${P}/faults`, (req) => {
      const spec = body<FaultSpec>(req);
      fake.injectFault({ ...spec, route: required(spec.route, 'route') });
      return created(spec);
    }),
    route('control.faults.list', 'GET', `${P}/faults`, () => json(200, fake.faults.list())),
    route('control.faults.clear', 'DELETE', `${P}/faults`, () => {
      fake.clearFaults();
      return done;
    }),
    route('control.counters', 'GET', `${P}/counters`, () => json(200, fake.counters())),
    route('control.counters.reset', 'DELETE', `${P}/counters`, () => {
      fake.resetCounters();
      return done;
    }),
    route('control.tokens.expire', 'POST', `${P}/tokens/expire`, () => {
      fake.expireTokens();
      return done;
    }),
  ];
}
