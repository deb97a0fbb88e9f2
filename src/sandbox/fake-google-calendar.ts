import { randomUUID } from 'node:crypto';
import { type FakeCalendar, type FakeEvent, randomId } from './fake-calendar-store';
import { type FakeRequest, type Route, bearerToken, fail, json, parseJson, route } from './fake-http';
import type { FakeGoogle } from './fake-google';
import { domainOf } from './fake-google';

const SCOPE = 'https://www.googleapis.com/auth/calendar';
const READ_SCOPES = [SCOPE, `${SCOPE}.readonly`];
const WRITE_SCOPES = [SCOPE, `${SCOPE}.events`];
const FREEBUSY_SCOPES = [...READ_SCOPES, `${SCOPE}.freebusy`, `${SCOPE}.events.freebusy`];
const BASE = '/calendar/v3';

function apiError(status: number, reason: string, message: string, grpc: string): never {
  const domain = /rateLimit|quota|accessNotConfigured/i.test(reason) ? 'usageLimits' : 'global';
  return fail(status, {
    error: { code: status, message, errors: [{ message, domain, reason }], status: grpc },
  });
}

const CALENDAR_SERVICE = 'calendar-json.googleapis.com';

/** What Google answers when the Calendar API is disabled in the Cloud project of the caller's service account. */
export function calendarApiDisabled(projectNumber: string): never {
  const url = `https://console.developers.google.com/apis/api/${CALENDAR_SERVICE}/overview?project=${projectNumber}`;
  const message =
    `Google Calendar API has not been used in project ${projectNumber} before or it is disabled. Enable it by ` +
    `visiting ${url} then retry. If you enabled this API recently, wait a few minutes for the action to ` +
    `propagate to our systems and retry.`;
  return fail(403, {
    error: {
      code: 403,
      message,
      errors: [
        {
          message,
          domain: 'usageLimits',
          reason: 'accessNotConfigured',
          extendedHelp: 'https://console.developers.google.com',
        },
      ],
      status: 'PERMISSION_DENIED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.Help',
          links: [{ description: 'Google developers console API activation', url }],
        },
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'SERVICE_DISABLED',
          domain: 'googleapis.com',
          metadata: { service: CALENDAR_SERVICE, consumer: `projects/${projectNumber}` },
        },
      ],
    },
  });
}

interface GoogleEventBody {
  id?: string;
  summary?: string;
  description?: string;
  location?: string;
  start?: { dateTime?: string; date?: string; timeZone?: string };
  end?: { dateTime?: string; date?: string; timeZone?: string };
  attendees?: { email?: string; displayName?: string }[];
  transparency?: string;
  conferenceData?: { createRequest?: { requestId?: string; conferenceSolutionKey?: { type?: string } } };
}

/** Google Calendar v3, the endpoints the provider uses, answering as the token's subject (`users/me`). */
export function googleCalendarRoutes(google: FakeGoogle): Route[] {
  const { store } = google;

  /** The subject of a live Google token that carries one of `scopes`. */
  function subjectOf(req: FakeRequest, scopes: string[]): string {
    const grant = google.tokens.lookup(bearerToken(req));
    if (!grant || grant === 'expired' || grant.platform !== 'google') {
      apiError(
        401,
        'authError',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        'UNAUTHENTICATED',
      );
    }
    const project = google.projectOfClient(grant.clientId);
    if (project && !project.calendarApiEnabled) calendarApiDisabled(project.projectNumber);
    if (!grant.scopes.some((s) => scopes.includes(s))) {
      apiError(
        403,
        'insufficientPermissions',
        'Request had insufficient authentication scopes.',
        'PERMISSION_DENIED',
      );
    }
    return grant.subject;
  }

  function calendarFor(subject: string, calendarId: string, write: boolean): FakeCalendar {
    const id = calendarId === 'primary' ? subject : calendarId.toLowerCase();
    const role = store.roleOf(subject, id);
    const calendar = store.calendar(id);
    if (!role || !calendar) apiError(404, 'notFound', 'Not Found', 'NOT_FOUND');
    if (write && role !== 'owner' && role !== 'writer') {
      apiError(
        403,
        'requiredAccessLevel',
        'You need to have writer access to this calendar.',
        'PERMISSION_DENIED',
      );
    }
    return calendar;
  }

  function existingEvent(calendar: FakeCalendar, eventId: string): FakeEvent {
    const event = store.event(calendar.id, eventId);
    if (!event) apiError(404, 'notFound', 'Not Found', 'NOT_FOUND');
    if (event.deleted) apiError(410, 'deleted', 'Resource has been deleted', 'NOT_FOUND');
    return event;
  }

  function time(value: GoogleEventBody['start'], field: string): Date {
    const date = value?.dateTime
      ? new Date(value.dateTime)
      : value?.date
        ? new Date(`${value.date}T00:00:00Z`)
        : undefined;
    if (!date || Number.isNaN(date.getTime()))
      apiError(400, 'required', `Missing ${field} time.`, 'INVALID_ARGUMENT');
    return date;
  }

  function meetLink(): string {
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    return `https://meet.google.com/${randomId(3, letters)}-${randomId(4, letters)}-${randomId(3, letters)}`;
  }

  function toWire(event: FakeEvent): Record<string, unknown> {
    const calendar = store.calendar(event.calendarId);
    const conference = event.meetingUrl
      ? {
          hangoutLink: event.meetingUrl,
          conferenceData: {
            entryPoints: [
              {
                entryPointType: 'video',
                uri: event.meetingUrl,
                label: event.meetingUrl.replace('https://', ''),
              },
            ],
            conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Google Meet' },
            conferenceId: event.meetingUrl.split('/').pop(),
          },
        }
      : {};
    return {
      kind: 'calendar#event',
      etag: `"${event.updated.getTime()}"`,
      id: event.id,
      status: 'confirmed',
      htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${event.id} ${event.calendarId}`).toString('base64url')}`,
      created: event.created.toISOString(),
      updated: event.updated.toISOString(),
      summary: event.title,
      ...(event.description !== undefined ? { description: event.description } : {}),
      ...(event.location !== undefined ? { location: event.location } : {}),
      organizer: { email: calendar?.owner ?? event.calendarId, self: true },
      start: { dateTime: event.start.toISOString(), timeZone: event.timeZone },
      end: { dateTime: event.end.toISOString(), timeZone: event.timeZone },
      attendees: event.attendees.map((a) => ({
        email: a.email,
        ...(a.name ? { displayName: a.name } : {}),
        responseStatus: 'needsAction',
      })),
      iCalUID: `${event.id}@google.com`,
      ...conference,
    };
  }

  /** Fields of a body applied to an event (insert: all; patch: the ones present). */
  function apply(event: Partial<FakeEvent>, body: GoogleEventBody, req: FakeRequest): void {
    if (body.summary !== undefined) event.title = body.summary;
    if (body.description !== undefined) event.description = body.description;
    if (body.location !== undefined) event.location = body.location;
    if (body.start) event.start = time(body.start, 'start');
    if (body.end) event.end = time(body.end, 'end');
    if (body.start?.timeZone) event.timeZone = body.start.timeZone;
    if (body.attendees)
      event.attendees = body.attendees
        .filter((a) => a.email)
        .map((a) => ({ email: a.email ?? '', ...(a.displayName ? { name: a.displayName } : {}) }));
    if (body.transparency !== undefined) event.free = body.transparency === 'transparent';
    // Like Google: conference data is only read when the client declares conferenceDataVersion=1.
    const wantsMeet = body.conferenceData?.createRequest?.conferenceSolutionKey?.type === 'hangoutsMeet';
    if (wantsMeet && req.query.get('conferenceDataVersion') === '1' && !event.meetingUrl)
      event.meetingUrl = meetLink();
  }

  return [
    route('google.calendarList', 'GET', `${BASE}/users/me/calendarList`, (req) => {
      const subject = subjectOf(req, READ_SCOPES);
      const entries = google.store.listFor(subject);
      const max = Math.min(Number(req.query.get('maxResults') ?? 100), 250);
      // Tokens this fake did not issue (or a paging fault's) restart at the first page, as an opaque cursor would.
      const offset = Math.max(0, Number(req.query.get('pageToken') ?? 0) || 0);
      const page = entries.slice(offset, offset + max);
      return json(200, {
        kind: 'calendar#calendarList',
        etag: `"${Date.now()}"`,
        items: page.map(({ calendar, role, primary }) => ({
          kind: 'calendar#calendarListEntry',
          id: calendar.id,
          summary: calendar.name,
          timeZone: calendar.timeZone,
          accessRole: role,
          ...(primary ? { primary: true } : {}),
        })),
        ...(offset + max < entries.length ? { nextPageToken: String(offset + max) } : {}),
      });
    }),

    route('google.freeBusy', 'POST', `${BASE}/freeBusy`, (req) => {
      const subject = subjectOf(req, FREEBUSY_SCOPES);
      const body = parseJson<{ timeMin: string; timeMax: string; items: { id: string }[] }>(req);
      const from = new Date(body.timeMin ?? '');
      const to = new Date(body.timeMax ?? '');
      if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()))
        apiError(400, 'required', 'Missing timeMin or timeMax.', 'INVALID_ARGUMENT');
      if (to <= from)
        apiError(400, 'timeRangeEmpty', 'The specified time range is empty.', 'INVALID_ARGUMENT');
      const calendars: Record<string, unknown> = {};
      for (const { id } of body.items ?? []) {
        const calendarId = id === 'primary' ? subject : id.toLowerCase();
        // Own/listed calendars, and colleagues' primary calendars (Workspace shares free/busy in the domain).
        const visible =
          store.roleOf(subject, calendarId) !== undefined ||
          (google.users.has(calendarId) && domainOf(calendarId) === domainOf(subject));
        calendars[id] = visible
          ? {
              busy: store
                .busy(calendarId, from, to)
                .map((b) => ({ start: b.start.toISOString(), end: b.end.toISOString() })),
            }
          : { errors: [{ domain: 'global', reason: 'notFound' }], busy: [] };
      }
      return json(200, {
        kind: 'calendar#freeBusy',
        timeMin: from.toISOString(),
        timeMax: to.toISOString(),
        calendars,
      });
    }),

    route('google.events.insert', 'POST', `${BASE}/calendars/:calendarId/events`, (req) => {
      const calendar = calendarFor(subjectOf(req, WRITE_SCOPES), req.params.calendarId, true);
      const body = parseJson<GoogleEventBody>(req);
      if (body.id !== undefined) {
        if (!/^[a-v0-9]{5,1024}$/.test(body.id))
          apiError(400, 'invalid', 'Invalid resource id value.', 'INVALID_ARGUMENT');
        if (store.event(undefined, body.id))
          apiError(409, 'duplicate', 'The requested identifier already exists.', 'ALREADY_EXISTS');
      }
      const draft: Partial<FakeEvent> = { attendees: [], timeZone: 'UTC' };
      apply(draft, body, req);
      const event = store.addEvent({
        ...draft,
        id: body.id ?? randomId(26),
        calendarId: calendar.id,
        title: draft.title ?? '(No title)',
        start: draft.start ?? time(undefined, 'start'),
        end: draft.end ?? time(undefined, 'end'),
        timeZone: draft.timeZone ?? 'UTC',
        attendees: draft.attendees ?? [],
      });
      return json(200, toWire(event));
    }),

    route('google.events.get', 'GET', `${BASE}/calendars/:calendarId/events/:eventId`, (req) => {
      const calendar = calendarFor(subjectOf(req, READ_SCOPES), req.params.calendarId, false);
      return json(200, toWire(existingEvent(calendar, req.params.eventId)));
    }),

    route('google.events.patch', 'PATCH', `${BASE}/calendars/:calendarId/events/:eventId`, (req) => {
      const calendar = calendarFor(subjectOf(req, WRITE_SCOPES), req.params.calendarId, true);
      const event = existingEvent(calendar, req.params.eventId);
      apply(event, parseJson<GoogleEventBody>(req), req);
      event.updated = new Date();
      return json(200, toWire(event));
    }),

    route('google.events.delete', 'DELETE', `${BASE}/calendars/:calendarId/events/:eventId`, (req) => {
      const calendar = calendarFor(subjectOf(req, WRITE_SCOPES), req.params.calendarId, true);
      existingEvent(calendar, req.params.eventId).deleted = true;
      return { status: 204 };
    }),
  ];
}

/** Used by the control API to seed a secondary calendar. */
export function newGoogleCalendarId(): string {
  return `${randomUUID().replace(/-/g, '')}@group.calendar.google.com`;
}
