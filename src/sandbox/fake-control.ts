import type { FaultSpec } from './fake-faults';
import type { QuotaSpec } from './fake-throttling';
import { newGoogleCalendarId } from './fake-google-calendar';
import {
  type FakeRequest,
  type FakeResponse,
  HttpFailure,
  type Route,
  fail,
  json,
  parseJson,
  route,
} from './fake-http';
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

/** Runs a setup call, turning its thrown errors (unknown tenant…) into 400 answers (404 when `notFound`). */
function attempt<T>(fn: () => T, status = 400): T {
  try {
    return fn();
  } catch (error) {
    // A platform's own refusal (e.g. an event body Graph would refuse) keeps its status and body.
    if (error instanceof HttpFailure) throw error;
    return fail(status, { error: error instanceof Error ? error.message : String(error) });
  }
}

function isIana(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

function bool(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') fail(400, { error: `${name} must be true or false` });
  return value;
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
    route('control.google.calendars.update', 'PATCH', `${P}/google/calendars/:calendarId`, (req) => {
      const timeZone = required(body<{ timeZone: string }>(req).timeZone, 'timeZone');
      if (!isIana(timeZone)) fail(400, { error: 'timeZone must be an IANA time zone' });
      const calendarId = req.params.calendarId.toLowerCase();
      attempt(() => fake.google.store.setTimeZone(calendarId, timeZone), 404);
      return json(200, fake.google.store.calendar(calendarId));
    }),
    route('control.google.freeBusyErrors', 'POST', `${P}/google/freebusy-errors`, (req) => {
      const input = body<{ calendarId: string; reason: string; times: number }>(req);
      fake.google.failFreeBusy(
        required(input.calendarId, 'calendarId'),
        required(input.reason, 'reason'),
        input.times,
      );
      return created(input);
    }),
    route('control.google.freeBusyErrors.clear', 'DELETE', `${P}/google/freebusy-errors`, () => {
      fake.google.freeBusyErrors.clear();
      return done;
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

    route('control.google.projects.get', 'GET', `${P}/google/projects/:projectId`, (req) => {
      const project = fake.google.projects.get(req.params.projectId);
      return project ? json(200, project) : fail(404, { error: 'no such project' });
    }),
    route(
      'control.google.projects.calendarApi',
      'PUT',
      `${P}/google/projects/:projectId/calendar-api`,
      (req) => {
        const enabled = bool(body<{ enabled: boolean }>(req).enabled, 'enabled');
        return json(
          200,
          attempt(() => fake.google.setCalendarApi(req.params.projectId, enabled), 404),
        );
      },
    ),
    route(
      'control.google.keys.state',
      'POST',
      `${P}/google/service-accounts/:clientEmail/keys/:keyId/:action(disable|enable)`,
      (req) =>
        fake.google.setServiceAccountKeyDisabled(
          req.params.clientEmail,
          req.params.keyId,
          req.params.action === 'disable',
        )
          ? done
          : fail(404, { error: 'no such key' }),
    ),
    route(
      'control.google.serviceAccounts.state',
      'POST',
      `${P}/google/service-accounts/:clientEmail/:action(disable|enable)`,
      (req) =>
        fake.google.setServiceAccountDisabled(req.params.clientEmail, req.params.action === 'disable')
          ? done
          : fail(404, { error: 'no such service account' }),
    ),
    route(
      'control.google.serviceAccounts.delete',
      'DELETE',
      `${P}/google/service-accounts/:clientEmail`,
      (req) =>
        fake.google.deleteServiceAccount(req.params.clientEmail)
          ? done
          : fail(404, { error: 'no such service account' }),
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
        timeZone: string;
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

    route('control.microsoft.users.update', 'PATCH', `${P}/microsoft/users/:address`, (req) => {
      const input = body<{ hasMailbox: boolean; displayName: string; timeZone: string }>(req);
      return json(
        200,
        attempt(() => fake.microsoft.updateUser(req.params.address, input), 404),
      );
    }),
    route('control.microsoft.users.delete', 'DELETE', `${P}/microsoft/users/:address`, (req) =>
      fake.microsoft.removeUser(req.params.address) ? done : fail(404, { error: 'no such user' }),
    ),
    route('control.microsoft.apps.delete', 'DELETE', `${P}/microsoft/apps/:clientId`, (req) => {
      const tenantId = req.query.get('tenantId') ?? undefined;
      attempt(() => fake.microsoft.removeApp(req.params.clientId, tenantId), 404);
      return done;
    }),
    route(
      'control.microsoft.apps.state',
      'POST',
      `${P}/microsoft/apps/:clientId/:action(disable|enable)`,
      (req) => {
        const tenantId = required(body<{ tenantId: string }>(req).tenantId, 'tenantId');
        attempt(() =>
          fake.microsoft.setAppEnabled(tenantId, req.params.clientId, req.params.action === 'enable'),
        );
        return done;
      },
    ),
    route('control.microsoft.secrets', 'GET', `${P}/microsoft/apps/:clientId/secrets`, (req) =>
      json(
        200,
        attempt(() => fake.microsoft.secretsOf(req.params.clientId), 404).map((s) => ({
          secret_id: s.id,
          hint: s.value.slice(0, 3),
          expiresAt: s.expiresAt === undefined ? null : new Date(s.expiresAt).toISOString(),
        })),
      ),
    ),
    route('control.microsoft.secrets.add', 'POST', `${P}/microsoft/apps/:clientId/secrets`, (req) => {
      const input = body<{ expireOthers: boolean; expiresInSeconds: number }>(req);
      const secret = attempt(() => fake.microsoft.addSecret(req.params.clientId, input), 404);
      return created({
        secret_id: secret.id,
        private_key: secret.value,
        expiresAt: secret.expiresAt === undefined ? null : new Date(secret.expiresAt).toISOString(),
      });
    }),
    route(
      'control.microsoft.secrets.expire',
      'POST',
      `${P}/microsoft/apps/:clientId/secrets/expire`,
      (req) => {
        const secretId = body<{ secretId: string }>(req).secretId;
        attempt(() => fake.microsoft.expireSecrets(req.params.clientId, secretId), 404);
        return done;
      },
    ),
    route('control.microsoft.accessPolicies', 'POST', `${P}/microsoft/access-policies`, (req) => {
      const input = body<{ tenantId: string; clientId: string; accessRight: string; mailboxes: string[] }>(
        req,
      );
      const accessRight = input.accessRight ?? 'RestrictAccess';
      if (accessRight !== 'RestrictAccess' && accessRight !== 'DenyAccess')
        fail(400, { error: 'accessRight must be RestrictAccess or DenyAccess' });
      attempt(() =>
        fake.microsoft.setAccessPolicy(
          required(input.tenantId, 'tenantId'),
          required(input.clientId, 'clientId'),
          accessRight,
          input.mailboxes ?? [],
        ),
      );
      return done;
    }),
    route(
      'control.microsoft.accessPolicies.delete',
      'DELETE',
      `${P}/microsoft/access-policies/:tenantId/:clientId`,
      (req) => {
        attempt(() => fake.microsoft.removeAccessPolicy(req.params.tenantId, req.params.clientId));
        return done;
      },
    ),
    route('control.microsoft.mailboxConcurrency', 'PUT', `${P}/microsoft/mailbox-concurrency`, (req) => {
      const input = body<{ limit: number | null; retryAfter: number }>(req);
      if (input.limit !== null && !(typeof input.limit === 'number' && input.limit >= 1))
        fail(400, { error: 'limit must be a number >= 1, or null for no limit' });
      fake.throttling.graphMailboxConcurrency = input.limit;
      if (input.retryAfter !== undefined) fake.throttling.concurrencyRetryAfterSeconds = input.retryAfter;
      return json(200, {
        limit: fake.throttling.graphMailboxConcurrency,
        retryAfter: fake.throttling.concurrencyRetryAfterSeconds,
      });
    }),

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
    route('control.events.seed', 'POST', `${P}/events`, (req) => {
      const input = body<{ platform: string; email: string; calendarId: string; event: object }>(req);
      const event = input.event;
      if (typeof event !== 'object' || event === null) return fail(400, { error: 'event is required' });
      const seeded = attempt(() =>
        fake.seedEvent(platform(input.platform), required(input.email, 'email'), event, input.calendarId),
      );
      return created(seeded);
    }),
    route('control.events.delete', 'DELETE', `${P}/events/:platform/:email/:eventId`, (req) =>
      attempt(
        () => fake.deleteEvent(platform(req.params.platform), req.params.email, req.params.eventId),
        404,
      )
        ? done
        : fail(404, { error: 'no such live event' }),
    ),
    route('control.conferences', 'PUT', `${P}/conferences`, (req) => {
      const input = body<{ platform: string; readyAfterReads: number; failure: boolean }>(req);
      if (
        input.readyAfterReads !== undefined &&
        !(Number.isInteger(input.readyAfterReads) && input.readyAfterReads >= 0)
      )
        fail(400, { error: 'readyAfterReads must be an integer >= 0' });
      if (input.failure !== undefined) bool(input.failure, 'failure');
      return json(
        200,
        attempt(() => fake.setConferenceCreation(platform(input.platform), input)),
      );
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
    route('control.calls', 'GET', `${P}/calls/:route`, (req) =>
      json(200, { route: req.params.route, times: fake.callTimes(req.params.route) }),
    ),
    route('control.quotas', 'POST', `${P}/quotas`, (req) => {
      const input = body<QuotaSpec>(req);
      const spec: QuotaSpec = {
        platform: platform(input.platform),
        limit: Number(input.limit),
        windowSeconds: Number(input.windowSeconds ?? 60),
        ...(input.per !== undefined ? { per: input.per } : {}),
        ...(input.status !== undefined ? { status: input.status } : {}),
      };
      if (spec.status !== undefined && spec.status !== 429 && spec.status !== 403)
        fail(400, { error: 'status must be 429 or 403' });
      if (spec.per !== undefined && spec.per !== 'mailbox' && spec.per !== 'app')
        fail(400, { error: "per must be 'mailbox' or 'app'" });
      attempt(() => fake.setQuota(spec));
      return created(spec);
    }),
    route('control.quotas.list', 'GET', `${P}/quotas`, () => json(200, fake.throttling.listQuotas())),
    route('control.quotas.clear', 'DELETE', `${P}/quotas`, () => {
      fake.throttling.clearQuotas();
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
