import { randomUUID } from 'node:crypto';
import {
  type AttendeeResponse,
  type FakeCalendar,
  type FakeConference,
  type FakeEvent,
  randomId,
} from './fake-calendar-store';
import { type FakeRequest, type Route, bearerToken, fail, json, parseJson, route } from './fake-http';
import type { FakeGoogle } from './fake-google';
import { domainOf } from './fake-google';

/** The longest window one freeBusy request may ask for, in days (Google answers 400 beyond it). */
const FREEBUSY_MAX_DAYS = 90;

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

/** An event body as the Calendar API takes it (insert, patch) — and as the sandbox's control API seeds events. */
export interface GoogleEventBody {
  id?: string;
  summary?: string;
  description?: string;
  location?: string;
  start?: { dateTime?: string; date?: string; timeZone?: string };
  end?: { dateTime?: string; date?: string; timeZone?: string };
  attendees?: { email?: string; displayName?: string; responseStatus?: string }[];
  organizer?: { email?: string };
  transparency?: string;
  status?: string;
  conferenceData?: { createRequest?: { requestId?: string; conferenceSolutionKey?: { type?: string } } };
}

const RESPONSES: readonly string[] = ['needsAction', 'accepted', 'tentative', 'declined'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** What the control API uses to put events into calendars the way the Calendar API would. */
const seeders = new WeakMap<
  FakeGoogle,
  {
    insert(calendar: FakeCalendar, body: GoogleEventBody): FakeEvent;
    toWire(event: FakeEvent): Record<string, unknown>;
  }
>();

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
    const date = value?.dateTime ? new Date(value.dateTime) : undefined;
    if (!date || Number.isNaN(date.getTime()))
      apiError(400, 'required', `Missing ${field} time.`, 'INVALID_ARGUMENT');
    return date;
  }

  function meetLink(): string {
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    return `https://meet.google.com/${randomId(3, letters)}-${randomId(4, letters)}-${randomId(3, letters)}`;
  }

  /** Reading an event moves its pending Meet conference along (it is ready on the n-th read). */
  function read(event: FakeEvent): FakeEvent {
    const conference = event.conference;
    if (conference?.status === 'pending' && --conference.readsLeft <= 0) {
      conference.status = 'success';
      conference.url = meetLink();
      event.meetingUrl = conference.url;
    }
    return event;
  }

  function conferenceData(conference: FakeConference): Record<string, unknown> {
    const createRequest = {
      requestId: conference.requestId,
      conferenceSolutionKey: { type: 'hangoutsMeet' },
      status: { statusCode: conference.status },
    };
    if (conference.status !== 'success' || !conference.url) return { conferenceData: { createRequest } };
    return {
      hangoutLink: conference.url,
      conferenceData: {
        createRequest,
        entryPoints: [
          { entryPointType: 'video', uri: conference.url, label: conference.url.replace('https://', '') },
        ],
        conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Google Meet' },
        conferenceId: conference.url.split('/').pop(),
      },
    };
  }

  function toWire(event: FakeEvent): Record<string, unknown> {
    const calendar = store.calendar(event.calendarId);
    const owner = calendar?.owner ?? event.calendarId;
    const organizer = event.organizer ?? owner;
    const when = (instant: Date, date: string | undefined) =>
      date ? { date } : { dateTime: instant.toISOString(), timeZone: event.timeZone };
    return {
      kind: 'calendar#event',
      etag: `"${event.updated.getTime()}"`,
      id: event.id,
      status: event.cancelled ? 'cancelled' : 'confirmed',
      htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${event.id} ${event.calendarId}`).toString('base64url')}`,
      created: event.created.toISOString(),
      updated: event.updated.toISOString(),
      summary: event.title,
      ...(event.description !== undefined ? { description: event.description } : {}),
      ...(event.location !== undefined ? { location: event.location } : {}),
      organizer: { email: organizer, ...(organizer === owner ? { self: true } : {}) },
      start: when(event.start, event.allDay?.startDate),
      end: when(event.end, event.allDay?.endDate),
      // Google leaves the default (opaque) out of its answers.
      ...(event.showAs === 'free' ? { transparency: 'transparent' } : {}),
      attendees: event.attendees.map((a) => ({
        email: a.email,
        ...(a.name ? { displayName: a.name } : {}),
        ...(a.email === owner ? { self: true } : {}),
        responseStatus: a.response ?? 'needsAction',
      })),
      iCalUID: `${event.id}@google.com`,
      ...(event.conference ? conferenceData(event.conference) : {}),
    };
  }

  /** A start or end: `dateTime` (an instant) or `date` (all-day, both ends alike). */
  function applyTimes(event: Partial<FakeEvent>, body: GoogleEventBody): void {
    if (!body.start && !body.end) return;
    const startDate = body.start?.date ?? (body.start ? undefined : event.allDay?.startDate);
    const endDate = body.end?.date ?? (body.end ? undefined : event.allDay?.endDate);
    if (startDate !== undefined || endDate !== undefined) {
      if (!startDate || !endDate || !DATE.test(startDate) || !DATE.test(endDate))
        apiError(
          400,
          'invalid',
          'The start and end of an all-day event must both be dates.',
          'INVALID_ARGUMENT',
        );
      if (endDate <= startDate)
        apiError(400, 'timeRangeEmpty', 'The specified time range is empty.', 'INVALID_ARGUMENT');
      event.allDay = { startDate, endDate };
      return;
    }
    event.allDay = undefined;
    if (body.start) event.start = time(body.start, 'start');
    if (body.end) event.end = time(body.end, 'end');
  }

  /** Fields of a body applied to an event (insert: all; patch: the ones present). */
  function apply(event: Partial<FakeEvent>, body: GoogleEventBody, req?: FakeRequest): void {
    if (body.summary !== undefined) event.title = body.summary;
    if (body.description !== undefined) event.description = body.description;
    if (body.location !== undefined) event.location = body.location;
    applyTimes(event, body);
    if (body.start?.timeZone) event.timeZone = body.start.timeZone;
    if (body.attendees)
      event.attendees = body.attendees
        .filter((a) => a.email)
        .map((a) => ({
          email: (a.email ?? '').toLowerCase(),
          ...(a.displayName ? { name: a.displayName } : {}),
          ...(RESPONSES.includes(a.responseStatus ?? '')
            ? { response: a.responseStatus as AttendeeResponse }
            : {}),
        }));
    if (body.organizer?.email) event.organizer = body.organizer.email.toLowerCase();
    if (body.transparency !== undefined) event.showAs = body.transparency === 'transparent' ? 'free' : 'busy';
    if (body.status !== undefined) event.cancelled = body.status === 'cancelled';
    // Like Google: conference data is only read when the client declares conferenceDataVersion=1, and the Meet
    // link is created asynchronously (see FakeGoogle.meet).
    const request = body.conferenceData?.createRequest;
    const wantsMeet = request?.conferenceSolutionKey?.type === 'hangoutsMeet';
    if (wantsMeet && req?.query.get('conferenceDataVersion') === '1' && !event.conference) {
      const { readyAfterReads, failure } = google.meet;
      event.conference = {
        status: failure ? 'failure' : readyAfterReads > 0 ? 'pending' : 'success',
        readsLeft: readyAfterReads,
        ...(request?.requestId ? { requestId: request.requestId } : {}),
      };
      if (event.conference.status === 'success') event.meetingUrl = event.conference.url = meetLink();
    }
  }

  /** An event put into a calendar (insert, or the control API seeding what a calendar app would have made). */
  function insert(calendar: FakeCalendar, body: GoogleEventBody, req?: FakeRequest): FakeEvent {
    const draft: Partial<FakeEvent> = { attendees: [], timeZone: calendar.timeZone };
    apply(draft, body, req);
    return store.addEvent({
      ...draft,
      id: body.id ?? randomId(26),
      calendarId: calendar.id,
      title: draft.title ?? '(No title)',
      start: draft.start ?? (draft.allDay ? new Date(0) : time(undefined, 'start')),
      end: draft.end ?? (draft.allDay ? new Date(0) : time(undefined, 'end')),
      timeZone: draft.timeZone ?? 'UTC',
      attendees: draft.attendees ?? [],
    });
  }
  seeders.set(google, { insert, toWire });

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
      // Google serves at most 90 days per freeBusy request (Cal.com splits longer windows for this reason).
      if (to.getTime() - from.getTime() > FREEBUSY_MAX_DAYS * 86_400_000)
        apiError(400, 'timeRangeTooLong', 'The requested time range is too long.', 'INVALID_ARGUMENT');
      const calendars: Record<string, unknown> = {};
      for (const { id } of body.items ?? []) {
        const calendarId = id === 'primary' ? subject : id.toLowerCase();
        // Own/listed calendars, and colleagues' primary calendars (Workspace shares free/busy in the domain).
        const visible =
          store.roleOf(subject, calendarId) !== undefined ||
          (google.users.has(calendarId) && domainOf(calendarId) === domainOf(subject));
        const failure = visible ? google.takeFreeBusyError(calendarId) : 'notFound';
        calendars[id] = !failure
          ? {
              busy: store
                .busy(calendarId, from, to)
                .map((b) => ({ start: b.start.toISOString(), end: b.end.toISOString() })),
            }
          : {
              errors: [{ domain: failure === 'notFound' ? 'global' : 'calendar', reason: failure }],
              busy: [],
            };
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
      const event = insert(calendar, body, req);
      return json(200, toWire(event));
    }),

    route('google.events.get', 'GET', `${BASE}/calendars/:calendarId/events/:eventId`, (req) => {
      const calendar = calendarFor(subjectOf(req, READ_SCOPES), req.params.calendarId, false);
      return json(200, toWire(read(existingEvent(calendar, req.params.eventId))));
    }),

    route('google.events.patch', 'PATCH', `${BASE}/calendars/:calendarId/events/:eventId`, (req) => {
      const calendar = calendarFor(subjectOf(req, WRITE_SCOPES), req.params.calendarId, true);
      const event = existingEvent(calendar, req.params.eventId);
      apply(event, parseJson<GoogleEventBody>(req), req);
      store.retime(event);
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

/** Puts an event into a Google calendar as a calendar app (or an invitation) would; returns it as the API shows it. */
export function seedGoogleEvent(
  google: FakeGoogle,
  calendar: FakeCalendar,
  body: GoogleEventBody,
): Record<string, unknown> {
  const seeder = seeders.get(google);
  if (!seeder) throw new Error('Google calendar routes are not installed');
  return seeder.toWire(seeder.insert(calendar, body));
}

/** Used by the control API to seed a secondary calendar. */
export function newGoogleCalendarId(): string {
  return `${randomUUID().replace(/-/g, '')}@group.calendar.google.com`;
}
