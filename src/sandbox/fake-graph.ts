import { randomBytes } from 'node:crypto';
import type { FakeCalendar, FakeEvent } from './fake-calendar-store';
import {
  type GraphEventBody,
  answerZone,
  apply,
  graphDateTime,
  graphError,
  readEvent,
  toWire,
  when,
} from './fake-graph-events';
import {
  type FakeRequest,
  type FakeResponse,
  type Route,
  bearerToken,
  json,
  parseJson,
  route,
} from './fake-http';
import type { FakeMicrosoft, FakeMicrosoftUser, FakeTenant } from './fake-microsoft';
import type { MicrosoftTokenGrant } from './fake-tokens';

const USER_READ = [
  'User.Read.All',
  'User.ReadWrite.All',
  'User.ReadBasic.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
const CALENDAR_READ = ['Calendars.Read', 'Calendars.ReadWrite'];
const CALENDAR_WRITE = ['Calendars.ReadWrite'];
const MAILBOX_SETTINGS_READ = ['MailboxSettings.Read', 'MailboxSettings.ReadWrite'];
/** The longest calendarView window, in days (Exchange answers 400 ErrorInvalidRequest beyond it). */
const CALENDAR_VIEW_MAX_DAYS = 1825;

/** Graph's default page size for calendars and calendarView. */
const DEFAULT_PAGE = 10;

/** Microsoft Graph v1.0: directory lookup, calendars, calendarView and events, app-only tokens with roles. */
export function graphRoutes(microsoft: FakeMicrosoft): Route[] {
  const { store } = microsoft;

  function grantOf(req: FakeRequest, roles: string[]): MicrosoftTokenGrant & { tenant: FakeTenant } {
    const grant = microsoft.tokens.lookup(bearerToken(req));
    if (grant === 'expired')
      graphError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
    if (!grant || grant.platform !== 'microsoft')
      graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
    const tenant = microsoft.findTenant(grant.tenantId);
    if (!tenant)
      graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid tenant.');
    // An app-only token of an app no admin consented to (or whose consent was revoked) carries no roles at all.
    if (grant.roles.length === 0)
      graphError(401, 'AccessDenied', 'Either scp or roles claim need to be present in the token.');
    if (!grant.roles.some((r) => roles.includes(r))) {
      if (roles === USER_READ)
        graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
      graphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    }
    return { ...grant, tenant };
  }

  /** `/users/{id | userPrincipalName}` with a mailbox. */
  function mailboxOf(req: FakeRequest, roles: string[]): { user: FakeMicrosoftUser; tenant: FakeTenant } {
    const { tenant, clientId } = grantOf(req, roles);
    const key = req.params.user.toLowerCase();
    const user = [...tenant.users.values()].find((u) => u.id === key || u.userPrincipalName === key);
    if (!user) graphError(404, 'ErrorInvalidUser', `The requested user '${req.params.user}' is invalid.`);
    // Exchange evaluates application access policies before anything else about the mailbox.
    if (microsoft.deniedByPolicy(tenant, clientId, user))
      graphError(403, 'ErrorAccessDenied', 'Access to OData is disabled.');
    if (!user.hasMailbox)
      graphError(
        404,
        'MailboxNotEnabledForRESTAPI',
        'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
      );
    return { user, tenant };
  }

  function calendarOf(req: FakeRequest, user: FakeMicrosoftUser, write: boolean): FakeCalendar {
    const calendar = req.params.calendarId ? store.calendar(req.params.calendarId) : store.primaryOf(user.id);
    const role = calendar ? store.roleOf(user.id, calendar.id) : undefined;
    if (!calendar || !role)
      graphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    if (write && role !== 'owner' && role !== 'writer')
      graphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    return calendar;
  }

  function eventOf(user: FakeMicrosoftUser, eventId: string): FakeEvent {
    const event = store.event(undefined, eventId);
    if (!event || event.deleted || store.roleOf(user.id, event.calendarId) === undefined) {
      graphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    }
    return event;
  }

  function page<T>(req: FakeRequest, items: T[]): FakeResponse {
    const top = Math.min(Number(req.query.get('$top') ?? DEFAULT_PAGE), microsoft.maxPageSize);
    const skip = Number(req.query.get('$skip') ?? 0);
    const next = new URLSearchParams(req.query);
    next.set('$skip', String(skip + top));
    return json(200, {
      value: items.slice(skip, skip + top),
      ...(skip + top < items.length
        ? { '@odata.nextLink': `${req.origin}${req.path}?${next.toString()}` }
        : {}),
    });
  }

  const calendarFields = (calendar: FakeCalendar, user: FakeMicrosoftUser) => ({
    id: calendar.id,
    name: calendar.name,
    color: 'auto',
    canEdit: ['owner', 'writer'].includes(store.roleOf(user.id, calendar.id) ?? ''),
    isDefaultCalendar: store.primaryOf(user.id)?.id === calendar.id,
    owner: { name: user.displayName, address: user.mail ?? user.userPrincipalName },
  });

  /**
   * Every event of the window (cancelled and declined ones included, with `showAs`, `isAllDay`, `isCancelled` and the
   * owner's `responseStatus`: deciding what is busy is the client's job), in the Prefer zone; seeded busy blocks as
   * `showAs: busy` events.
   */
  const calendarView = (req: FakeRequest): FakeResponse => {
    const { user, tenant } = mailboxOf(req, CALENDAR_READ);
    const calendar = calendarOf(req, user, false);
    const zone = answerZone(req);
    const from = new Date(req.query.get('startDateTime') ?? '');
    const to = new Date(req.query.get('endDateTime') ?? '');
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
      graphError(
        400,
        'ErrorInvalidParameter',
        'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
      );
    }
    if (to.getTime() - from.getTime() > CALENDAR_VIEW_MAX_DAYS * 86_400_000) {
      graphError(
        400,
        'ErrorInvalidRequest',
        `The range between the start and end dates is greater than the allowed range. Maximum number of days: ${CALENDAR_VIEW_MAX_DAYS}`,
      );
    }
    const items = [
      ...store
        .eventsIn(calendar.id, from, to)
        .map((e) => ({ at: e.start, wire: toWire(e, tenant, store, zone) })),
      ...store.blocksIn(calendar.id, from, to).map((b, i) => ({
        at: b.start,
        wire: {
          id: `busy-${i}`,
          subject: 'Busy',
          start: graphDateTime(b.start, zone),
          end: graphDateTime(b.end, zone),
          isAllDay: false,
          showAs: 'busy',
          isCancelled: false,
          responseStatus: { response: 'organizer', time: '0001-01-01T00:00:00Z' },
          originalStartTimeZone: 'UTC',
        },
      })),
    ]
      .sort((a, b) => a.at.getTime() - b.at.getTime())
      .map((item) => item.wire);
    return page(req, items);
  };

  const createEvent = (req: FakeRequest): FakeResponse => {
    const { user, tenant } = mailboxOf(req, CALENDAR_WRITE);
    const calendar = calendarOf(req, user, true);
    const body = parseJson<GraphEventBody>(req);
    if (body.transactionId) {
      // Documented purpose of transactionId: a retried create does not make a second event.
      const existing = store.findByTransaction([calendar.id], body.transactionId);
      if (existing) return json(201, toWire(existing, tenant, store, answerZone(req)));
    }
    const draft: Partial<FakeEvent> = { attendees: [], timeZone: 'UTC' };
    apply(draft, body, user, tenant, { teamsReadyAfterReads: microsoft.onlineMeetings.readyAfterReads });
    const event = store.addEvent({
      ...draft,
      id: `AAMkAD${randomBytes(45).toString('base64url')}=`,
      calendarId: calendar.id,
      title: draft.title ?? '',
      start: draft.start ?? when(undefined, 'start'),
      end: draft.end ?? when(undefined, 'end'),
      timeZone: draft.timeZone ?? 'UTC',
      attendees: draft.attendees ?? [],
      ...(body.transactionId ? { transactionId: body.transactionId } : {}),
    });
    return json(201, toWire(event, tenant, store, answerZone(req)));
  };

  const updateEvent = (req: FakeRequest): FakeResponse => {
    const { user, tenant } = mailboxOf(req, CALENDAR_WRITE);
    const event = eventOf(user, req.params.eventId);
    apply(event, parseJson<GraphEventBody>(req), user, tenant, {
      teamsReadyAfterReads: microsoft.onlineMeetings.readyAfterReads,
    });
    store.retime(event);
    event.updated = new Date();
    return json(200, toWire(event, tenant, store, answerZone(req)));
  };

  const deleteEvent = (req: FakeRequest): FakeResponse => {
    const { user } = mailboxOf(req, CALENDAR_WRITE);
    eventOf(user, req.params.eventId).deleted = true;
    return { status: 204 };
  };

  const V = '/v1.0/users';
  return [
    route('graph.users', 'GET', V, (req) => {
      const { tenant } = grantOf(req, USER_READ);
      const filter = /^\s*(mail|userPrincipalName)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(
        req.query.get('$filter') ?? '',
      );
      if (!filter) graphError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
      const property = filter[1].toLowerCase() === 'mail' ? 'mail' : 'userPrincipalName';
      const value = filter[2].replace(/''/g, "'").toLowerCase();
      const users = [...tenant.users.values()].filter((u) => u[property] === value);
      return json(200, {
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users',
        value: users.map(({ id, mail, userPrincipalName, displayName }) => ({
          id,
          mail,
          userPrincipalName,
          displayName,
        })),
      });
    }),
    route('graph.calendars', 'GET', `${V}/:user/calendars`, (req) => {
      const { user } = mailboxOf(req, CALENDAR_READ);
      return page(
        req,
        store.listFor(user.id).map(({ calendar }) => calendarFields(calendar, user)),
      );
    }),
    route('graph.calendar', 'GET', `${V}/:user/calendar`, (req) => {
      const { user } = mailboxOf(req, CALENDAR_READ);
      return json(200, calendarFields(calendarOf(req, user, false), user));
    }),
    route('graph.calendarView', 'GET', `${V}/:user/calendar/calendarView`, calendarView),
    route('graph.calendarView', 'GET', `${V}/:user/calendars/:calendarId/calendarView`, calendarView),
    route('graph.events.create', 'POST', `${V}/:user/calendar/events`, createEvent),
    route('graph.events.create', 'POST', `${V}/:user/calendars/:calendarId/events`, createEvent),
    route('graph.events.get', 'GET', `${V}/:user/events/:eventId`, (req) => {
      const { user, tenant } = mailboxOf(req, CALENDAR_READ);
      const event = readEvent(eventOf(user, req.params.eventId), tenant, user);
      return json(200, toWire(event, tenant, store, answerZone(req)));
    }),
    route('graph.mailboxSettings', 'GET', `${V}/:user/mailboxSettings`, (req) => {
      const { user } = mailboxOf(req, MAILBOX_SETTINGS_READ);
      return json(200, {
        '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#users('${user.id}')/mailboxSettings`,
        timeZone: user.timeZone,
        dateFormat: 'M/d/yyyy',
        timeFormat: 'h:mm tt',
        delegateMeetingMessageDeliveryOptions: 'sendToDelegateOnly',
      });
    }),
    route('graph.events.update', 'PATCH', `${V}/:user/events/:eventId`, updateEvent),
    route('graph.events.update', 'PATCH', `${V}/:user/calendars/:calendarId/events/:eventId`, updateEvent),
    route('graph.events.delete', 'DELETE', `${V}/:user/events/:eventId`, deleteEvent),
    route('graph.events.delete', 'DELETE', `${V}/:user/calendars/:calendarId/events/:eventId`, deleteEvent),
  ];
}

/**
 * Puts an event into a Microsoft 365 calendar as Outlook (or an organizer's invitation) would, including what only
 * Exchange sets (`isCancelled`, attendees' `status.response`, another organizer); returns it as Graph shows it.
 */
export function seedGraphEvent(
  microsoft: FakeMicrosoft,
  user: FakeMicrosoftUser,
  tenant: FakeTenant,
  calendar: FakeCalendar,
  body: GraphEventBody,
): Record<string, unknown> {
  const { store } = microsoft;
  const draft: Partial<FakeEvent> = { attendees: [], timeZone: user.timeZone };
  apply(draft, body, user, tenant, {
    teamsReadyAfterReads: microsoft.onlineMeetings.readyAfterReads,
    seeding: true,
  });
  if (!draft.allDay && (!draft.start || !draft.end))
    graphError(400, 'ErrorInvalidRequest', 'The start and end properties are required.');
  const event = store.addEvent({
    ...draft,
    id: `AAMkAD${randomBytes(45).toString('base64url')}=`,
    calendarId: calendar.id,
    title: draft.title ?? '',
    start: draft.start ?? new Date(0),
    end: draft.end ?? new Date(0),
    timeZone: draft.timeZone ?? user.timeZone,
    attendees: draft.attendees ?? [],
  });
  return toWire(event, tenant, store);
}
