import { randomBytes } from 'node:crypto';
import {
  type AttendeeResponse,
  type CalendarStore,
  type FakeEvent,
  SHOW_AS,
  type ShowAs,
} from './fake-calendar-store';
import { type FakeRequest, fail } from './fake-http';
import type { FakeMicrosoftUser, FakeTenant } from './fake-microsoft';
import { graphZone, wallClock, zonedWallTimeToUtc } from './fake-time';

/** Graph's error body: `{ error: { code, message, innerError } }`. */
export function graphError(status: number, code: string, message: string): never {
  return fail(status, {
    error: {
      code,
      message,
      innerError: { date: new Date().toISOString(), 'request-id': randomBytes(16).toString('hex') },
    },
  });
}

/**
 * The zone answers are written in: `Prefer: outlook.timezone="…"` (a Windows or IANA name, echoed as the label),
 * UTC without it — as Graph does for events, calendarView and their create/update answers. An unknown zone in the
 * header is refused (400), as Exchange refuses it in an event body.
 */
export interface AnswerZone {
  label: string;
  zone: string;
}

export function answerZone(req: FakeRequest): AnswerZone {
  const header = req.headers.prefer;
  const prefer = Array.isArray(header) ? header.join(',') : (header ?? '');
  const label = /outlook\.timezone\s*=\s*"([^"]*)"/i.exec(prefer)?.[1];
  if (label === undefined) return { label: 'UTC', zone: 'UTC' };
  const zone = graphZone(label);
  if (!zone) {
    graphError(
      400,
      'TimeZoneNotSupportedException',
      `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${label}'.`,
    );
  }
  return { label, zone };
}

/** `2024-05-01T10:00:00.0000000` in the answer's zone, with its label. */
export function graphDateTime(
  date: Date,
  zone: AnswerZone = { label: 'UTC', zone: 'UTC' },
): { dateTime: string; timeZone: string } {
  return { dateTime: `${wallClock(date, zone.zone)}.0000000`, timeZone: zone.label };
}

export interface GraphEventBody {
  subject?: string;
  body?: { contentType?: string; content?: string };
  start?: { dateTime?: string; timeZone?: string };
  end?: { dateTime?: string; timeZone?: string };
  location?: { displayName?: string };
  attendees?: { emailAddress?: { address?: string; name?: string }; status?: { response?: string } }[];
  organizer?: { emailAddress?: { address?: string } };
  isOnlineMeeting?: boolean;
  onlineMeetingProvider?: string;
  showAs?: string;
  isAllDay?: boolean;
  /** Read-only in Graph (set when the organizer cancels): only the control API seeds it. */
  isCancelled?: boolean;
  transactionId?: string;
}

/** Graph attendee responses ⇄ the store's (Google's) terms. */
const FROM_GRAPH_RESPONSE: Record<string, AttendeeResponse> = {
  none: 'needsAction',
  notResponded: 'needsAction',
  accepted: 'accepted',
  tentativelyAccepted: 'tentative',
  declined: 'declined',
};
const TO_GRAPH_RESPONSE: Record<AttendeeResponse | 'organizer', string> = {
  organizer: 'organizer',
  needsAction: 'notResponded',
  accepted: 'accepted',
  tentative: 'tentativelyAccepted',
  declined: 'declined',
};

export function when(value: GraphEventBody['start'], field: string): Date {
  if (!value?.dateTime || !value.timeZone)
    graphError(400, 'ErrorInvalidRequest', `The ${field} property is required.`);
  const zone = graphZone(value.timeZone);
  try {
    if (!zone) throw new RangeError(value.timeZone);
    return zonedWallTimeToUtc(value.dateTime, zone);
  } catch {
    return graphError(
      400,
      'TimeZoneNotSupportedException',
      `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${value.timeZone}'.`,
    );
  }
}

/**
 * An event as Graph returns it: timed events in the answer's zone; all-day events as midnight to midnight of their
 * dates whatever zone was asked (labelled with it) — Graph does not convert them.
 */
export function toWire(
  event: FakeEvent,
  tenant: FakeTenant,
  store: CalendarStore,
  zone?: AnswerZone,
): Record<string, unknown> {
  const label = zone?.label ?? 'UTC';
  const allDay = event.allDay;
  const owner = ownerAddress(tenant, store.calendar(event.calendarId)?.owner);
  const response = store.responseOf(event, owner);
  const joinUrl = event.conference?.status === 'success' ? event.conference.url : undefined;
  return {
    '@odata.etag': `W/"${event.updated.getTime()}"`,
    id: event.id,
    createdDateTime: event.created.toISOString(),
    lastModifiedDateTime: event.updated.toISOString(),
    transactionId: event.transactionId ?? null,
    subject: event.title,
    body: { contentType: 'text', content: event.description ?? '' },
    start: allDay
      ? { dateTime: `${allDay.startDate}T00:00:00.0000000`, timeZone: label }
      : graphDateTime(event.start, zone),
    end: allDay
      ? { dateTime: `${allDay.endDate}T00:00:00.0000000`, timeZone: label }
      : graphDateTime(event.end, zone),
    isAllDay: allDay !== undefined,
    originalStartTimeZone: event.timeZone,
    originalEndTimeZone: event.timeZone,
    location: { displayName: event.location ?? '' },
    organizer: {
      emailAddress: { address: event.organizer ?? owner },
    },
    isOrganizer: response === 'organizer',
    responseStatus: { response: TO_GRAPH_RESPONSE[response], time: '0001-01-01T00:00:00Z' },
    attendees: event.attendees.map((a) => ({
      type: 'required',
      status: { response: TO_GRAPH_RESPONSE[a.response ?? 'needsAction'], time: '0001-01-01T00:00:00Z' },
      emailAddress: { address: a.email, name: a.name ?? a.email },
    })),
    isOnlineMeeting: event.conference !== undefined,
    onlineMeetingProvider: event.conference ? 'teamsForBusiness' : 'unknown',
    onlineMeeting: joinUrl ? { joinUrl } : null,
    showAs: event.showAs ?? 'busy',
    isCancelled: event.cancelled === true,
    webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(event.id)}&exvsurl=1&path=/calendar/item&tenant=${tenant.id}`,
  };
}

function ownerAddress(tenant: FakeTenant, ownerId: string | undefined): string {
  const user = ownerId ? tenant.users.get(ownerId) : undefined;
  return user?.mail ?? user?.userPrincipalName ?? '';
}

/** Reading an event moves its pending Teams meeting along (its joinUrl appears on the n-th read). */
export function readEvent(event: FakeEvent, tenant: FakeTenant, owner: FakeMicrosoftUser): FakeEvent {
  const conference = event.conference;
  if (conference?.status === 'pending' && --conference.readsLeft <= 0) {
    conference.status = 'success';
    conference.url = teamsLink(tenant, owner);
    event.meetingUrl = conference.url;
  }
  return event;
}

function teamsLink(tenant: FakeTenant, owner: FakeMicrosoftUser): string {
  const thread = `19%3ameeting_${randomBytes(24).toString('base64url')}%40thread.v2`;
  const context = encodeURIComponent(JSON.stringify({ Tid: tenant.id, Oid: owner.id }));
  return `https://teams.microsoft.com/l/meetup-join/${thread}/0?context=${context}`;
}

/**
 * Applies a create/PATCH body. An all-day event (`isAllDay`) keeps only the dates of its start and end. A Teams
 * meeting is created when one is asked for: at once, or after `teamsReadyAfterReads` reads. `seeding` (the control
 * API) also takes what only Exchange sets: `isCancelled`, attendees' responses, another organizer.
 */
export function apply(
  event: Partial<FakeEvent>,
  body: GraphEventBody,
  owner: FakeMicrosoftUser,
  tenant: FakeTenant,
  options: { teamsReadyAfterReads: number; seeding?: boolean },
): void {
  if (body.subject !== undefined) event.title = body.subject;
  if (body.body?.content !== undefined) event.description = body.body.content;
  if (body.location?.displayName !== undefined) event.location = body.location.displayName;
  const allDay = body.isAllDay ?? event.allDay !== undefined;
  if (allDay && (body.start || body.end || body.isAllDay)) {
    const day = (value: GraphEventBody['start'], fallback: string | undefined, field: string): string => {
      if (value) when(value, field); // the zone must still be one Exchange knows
      const date = value?.dateTime
        ? /^(\d{4}-\d{2}-\d{2})T00:00(:00(\.0+)?)?$/.exec(value.dateTime)?.[1]
        : fallback;
      if (!date) {
        graphError(
          400,
          'ErrorPropertyValidationFailure',
          `The ${field} of an all-day event must be midnight (the date without a time).`,
        );
      }
      return date;
    };
    const startDate = day(body.start, event.allDay?.startDate, 'start');
    const endDate = day(body.end, event.allDay?.endDate, 'end');
    if (endDate <= startDate)
      graphError(400, 'ErrorInvalidRequest', 'The end of an all-day event must be after its start.');
    event.allDay = { startDate, endDate };
  } else {
    if (body.isAllDay === false) event.allDay = undefined;
    if (body.start) event.start = when(body.start, 'start');
    if (body.end) event.end = when(body.end, 'end');
  }
  if (body.start?.timeZone) event.timeZone = body.start.timeZone;
  if (body.showAs !== undefined) {
    if (!(SHOW_AS as readonly string[]).includes(body.showAs))
      graphError(400, 'ErrorInvalidRequest', `Invalid showAs value '${body.showAs}'.`);
    event.showAs = body.showAs as ShowAs;
  }
  if (body.attendees) {
    event.attendees = body.attendees
      .filter((a) => a.emailAddress?.address)
      .map((a) => {
        const response = options.seeding ? FROM_GRAPH_RESPONSE[a.status?.response ?? ''] : undefined;
        return {
          email: (a.emailAddress?.address ?? '').toLowerCase(),
          ...(a.emailAddress?.name ? { name: a.emailAddress.name } : {}),
          ...(response ? { response } : {}),
        };
      });
  }
  if (options.seeding) {
    if (body.isCancelled !== undefined) event.cancelled = body.isCancelled;
    const organizer = body.organizer?.emailAddress?.address?.toLowerCase();
    if (organizer) event.organizer = organizer;
  }
  if (body.isOnlineMeeting === false) {
    event.conference = undefined;
    event.meetingUrl = undefined;
  }
  if (body.isOnlineMeeting && body.onlineMeetingProvider === 'teamsForBusiness' && !event.conference) {
    const readsLeft = options.teamsReadyAfterReads;
    event.conference = { status: readsLeft > 0 ? 'pending' : 'success', readsLeft };
    if (readsLeft <= 0) event.meetingUrl = event.conference.url = teamsLink(tenant, owner);
  }
}
