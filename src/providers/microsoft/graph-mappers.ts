import { noInlineRetry } from '../provider-retry';
import { ProviderError } from '../provider.errors';
import type { EventInput, ProviderCalendar, ProviderConference, ProviderEvent } from '../provider.types';
import { hasOffset, ianaTimeZone, wallTimeIn, wallTimeToInstant } from '../time-zones';

/** The few Graph resource fields we use (microsoft-graph-types is not a dependency). */
export interface GraphUser {
  id: string;
  mail?: string | null;
  userPrincipalName?: string | null;
  displayName?: string | null;
}

export interface GraphCalendar {
  id: string;
  name?: string;
  canEdit?: boolean;
  isDefaultCalendar?: boolean;
  owner?: { address?: string; name?: string };
}

export interface GraphDateTime {
  dateTime: string;
  timeZone: string;
}

export interface GraphEvent {
  id: string;
  subject?: string;
  start?: GraphDateTime;
  end?: GraphDateTime;
  showAs?: string;
  isCancelled?: boolean;
  isAllDay?: boolean;
  /** The mailbox owner's own response (`none`, `organizer`, `tentativelyAccepted`, `accepted`, `declined`, …). */
  responseStatus?: { response?: string } | null;
  /** The Windows (or IANA) zone the event was created in. */
  originalStartTimeZone?: string;
  webLink?: string;
  isOnlineMeeting?: boolean;
  onlineMeeting?: { joinUrl?: string } | null;
}

export function toProviderCalendar(calendar: GraphCalendar): ProviderCalendar {
  return {
    externalId: calendar.id,
    name: calendar.name ?? calendar.id,
    primary: calendar.isDefaultCalendar === true,
    readOnly: calendar.canEdit === false,
    ...(calendar.owner?.address ? { email: calendar.owner.address } : {}),
  };
}

/**
 * The instant of a Graph `{dateTime, timeZone}`: `dateTime` is a wall-clock time (`2024-05-01T10:00:00.0000000`) in
 * the zone its `timeZone` label names — UTC with our `Prefer: outlook.timezone="UTC"`, but any IANA or Windows name
 * (`Pacific Standard Time`) is read as that zone. A label that names no known zone is refused (PROVIDER_UNAVAILABLE):
 * the time is never guessed as this server's local time or UTC. Throws ProviderError.
 */
export function fromGraphDateTime(value: GraphDateTime | undefined, what = 'an event time'): Date {
  if (!value?.dateTime) throw unreadableTime(`${what} without a dateTime`);
  if (hasOffset(value.dateTime)) {
    const instant = new Date(value.dateTime);
    if (!Number.isNaN(instant.getTime())) return instant;
  }
  const zone = ianaTimeZone(value.timeZone);
  if (!zone) {
    throw unreadableTime(
      `${what} labelled with the time zone "${value.timeZone}", which is neither an IANA nor a Windows time zone`,
    );
  }
  const instant = wallTimeToInstant(value.dateTime.replace(/(Z|[+-]\d\d:?\d\d)$/i, ''), zone);
  if (!instant) throw unreadableTime(`${what} "${value.dateTime}" that is not a date-time`);
  return instant;
}

/**
 * The span of an all-day Graph event: Graph answers it as midnight to midnight whatever zone Prefer asks for, so
 * only the dates are read, and they are the member's local day: midnight of each date in `zone` (the mailbox's).
 */
export function allDaySpan(event: GraphEvent, zone: string): { start: Date; end: Date } {
  const date = (value: GraphDateTime | undefined, what: string): string => {
    const day = /^(\d{4}-\d{2}-\d{2})/.exec(value?.dateTime ?? '')?.[1];
    if (!day) throw unreadableTime(`the ${what} of all-day event ${event.id} has no date`);
    return day;
  };
  const start = wallTimeToInstant(date(event.start, 'start'), zone);
  const end = wallTimeToInstant(date(event.end, 'end'), zone);
  if (!start || !end) throw unreadableTime(`all-day event ${event.id} has no readable dates`);
  return { start, end };
}

function unreadableTime(detail: string): ProviderError {
  return noInlineRetry(
    new ProviderError('PROVIDER_UNAVAILABLE', `Microsoft Graph answered ${detail}.`, 'office365'),
  );
}

/**
 * Wall-clock time of `date` in `timeZone` (`YYYY-MM-DDTHH:mm:ss`), the form Graph expects next to a timeZone, so
 * the event keeps its organizer's zone (what Outlook shows, and what recurrence rules would follow).
 */
export function toGraphDateTime(date: Date, timeZone: string): GraphDateTime {
  if (timeZone === 'UTC') return { dateTime: date.toISOString().slice(0, 19), timeZone };
  return { dateTime: wallTimeIn(date, timeZone), timeZone };
}

/** Body for create (all fields) or PATCH (only given fields). `transactionId` makes create retries idempotent. */
export function toGraphEvent(input: Partial<EventInput>, transactionId?: string): Record<string, unknown> {
  const timeZone = input.timeZone ?? 'UTC';
  const event: Record<string, unknown> = {};
  if (transactionId) event.transactionId = transactionId;
  if (input.title !== undefined) event.subject = input.title;
  if (input.description !== undefined) event.body = { contentType: 'text', content: input.description };
  if (input.location !== undefined) event.location = { displayName: input.location };
  if (input.start) event.start = toGraphDateTime(input.start, timeZone);
  if (input.end) event.end = toGraphDateTime(input.end, timeZone);
  if (input.attendees) {
    event.attendees = input.attendees.map((a) => ({
      emailAddress: { address: a.email, ...(a.name ? { name: a.name } : {}) },
      type: 'required',
    }));
  }
  if (input.conference !== undefined) {
    event.isOnlineMeeting = input.conference;
    if (input.conference) event.onlineMeetingProvider = 'teamsForBusiness';
  }
  return event;
}

/**
 * Where the event's Teams meeting stands: `ready` with its joinUrl; `pending` while Graph answers `isOnlineMeeting`
 * with `onlineMeeting: null` (the meeting is created after the event). Undefined for an event without one.
 */
export function conferenceOf(event: GraphEvent): ProviderConference | undefined {
  const url = event.onlineMeeting?.joinUrl;
  if (url) return { status: 'ready', url };
  return event.isOnlineMeeting ? { status: 'pending' } : undefined;
}

export function toProviderEvent(event: GraphEvent, calendarId: string): ProviderEvent {
  const meetingUrl = event.onlineMeeting?.joinUrl;
  const conference = conferenceOf(event);
  return {
    id: event.id,
    calendarId,
    title: event.subject ?? '',
    start: fromGraphDateTime(event.start, `the start of event ${event.id}`),
    end: fromGraphDateTime(event.end, `the end of event ${event.id}`),
    ...(meetingUrl ? { meetingUrl } : {}),
    ...(conference ? { conference } : {}),
    ...(event.webLink ? { htmlLink: event.webLink } : {}),
  };
}
