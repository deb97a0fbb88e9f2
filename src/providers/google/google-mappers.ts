import type { calendar_v3 } from 'googleapis/build/src/apis/calendar';
import { noInlineRetry } from '../provider-retry';
import { ProviderError } from '../provider.errors';
import type { EventInput, ProviderCalendar, ProviderConference, ProviderEvent } from '../provider.types';
import { hasOffset, ianaTimeZone, wallTimeToInstant } from '../time-zones';

const WRITE_ROLES = new Set(['owner', 'writer']);

export function toProviderCalendar(
  entry: calendar_v3.Schema$CalendarListEntry,
  subject: string,
): ProviderCalendar {
  const id = entry.id ?? '';
  // A primary calendar's id is its owner's email; other calendars have opaque ids (…@group.calendar.google.com).
  const ownedMailbox = entry.primary ? subject : /@(?!.*calendar\.google\.com$)/.test(id) ? id : undefined;
  return {
    externalId: id,
    name: entry.summaryOverride ?? entry.summary ?? id,
    primary: entry.primary === true,
    readOnly: !WRITE_ROLES.has(entry.accessRole ?? ''),
    ...(ownedMailbox ? { email: ownedMailbox } : {}),
    ...(entry.timeZone ? { timeZone: entry.timeZone } : {}),
  };
}

/**
 * Request body for insert (all fields) or patch (only the given fields). Times are sent as UTC instants; the
 * time zone only tells Google how to display the event.
 */
export function toGoogleEvent(
  input: Partial<EventInput>,
  extra: { id?: string; conferenceRequestId?: string } = {},
): calendar_v3.Schema$Event {
  const timeZone = input.timeZone ?? 'UTC';
  const event: calendar_v3.Schema$Event = {};
  if (extra.id) event.id = extra.id;
  if (input.title !== undefined) event.summary = input.title;
  if (input.description !== undefined) event.description = input.description;
  if (input.location !== undefined) event.location = input.location;
  if (input.start) event.start = { dateTime: input.start.toISOString(), timeZone };
  if (input.end) event.end = { dateTime: input.end.toISOString(), timeZone };
  if (input.attendees) {
    event.attendees = input.attendees.map((a) => ({
      email: a.email,
      ...(a.name ? { displayName: a.name } : {}),
    }));
  }
  if (input.conference && extra.conferenceRequestId) {
    // Meet links are created asynchronously by Google from this request (needs conferenceDataVersion=1).
    event.conferenceData = {
      createRequest: {
        requestId: extra.conferenceRequestId,
        conferenceSolutionKey: { type: 'hangoutsMeet' },
      },
    };
  }
  return event;
}

/**
 * The instant of a Google event time, read with its own zone: a `dateTime` (RFC 3339, with its offset; without one,
 * in its `timeZone`), or an all-day `date` — midnight of that date in the event's `timeZone`, else the calendar's
 * (`calendarZone`). Never read as UTC or this server's zone by default: without a usable zone it is refused
 * (PROVIDER_UNAVAILABLE). Throws ProviderError.
 */
export function eventTime(
  time: calendar_v3.Schema$EventDateTime | undefined,
  what: string,
  calendarZone?: string,
): Date {
  if (time?.dateTime && hasOffset(time.dateTime)) {
    const instant = new Date(time.dateTime);
    if (!Number.isNaN(instant.getTime())) return instant;
  }
  const wall = time?.dateTime ?? time?.date;
  const label = time?.timeZone ?? calendarZone;
  const zone = ianaTimeZone(label);
  const instant = wall && zone ? wallTimeToInstant(wall, zone) : undefined;
  if (instant) return instant;
  throw noInlineRetry(
    new ProviderError(
      'PROVIDER_UNAVAILABLE',
      `Google Calendar answered ${what} as "${wall ?? ''}" in time zone "${label ?? ''}", which cannot be read as an ` +
        'instant.',
      'google',
    ),
  );
}

export function meetingUrlOf(event: calendar_v3.Schema$Event): string | undefined {
  const video = event.conferenceData?.entryPoints?.find((entry) => entry.entryPointType === 'video')?.uri;
  return event.hangoutLink ?? video ?? undefined;
}

/**
 * Where the event's Meet conference stands: `ready` with its link; `pending` while Google's createRequest is
 * `pending` (Meet links are created asynchronously); `failed` for `failure`. Undefined for an event without one.
 */
export function conferenceOf(event: calendar_v3.Schema$Event): ProviderConference | undefined {
  const url = meetingUrlOf(event);
  if (url) return { status: 'ready', url };
  const statusCode = event.conferenceData?.createRequest?.status?.statusCode;
  if (statusCode === 'failure') {
    return {
      status: 'failed',
      reason: 'Google answered conferenceData.createRequest.status.statusCode "failure"',
    };
  }
  return event.conferenceData ? { status: 'pending' } : undefined;
}

export function toProviderEvent(event: calendar_v3.Schema$Event, calendarId: string): ProviderEvent {
  const meetingUrl = meetingUrlOf(event);
  const conference = conferenceOf(event);
  return {
    id: event.id ?? '',
    calendarId,
    title: event.summary ?? '',
    start: eventTime(event.start, `the start of event ${event.id ?? ''}`),
    end: eventTime(event.end, `the end of event ${event.id ?? ''}`),
    ...(meetingUrl ? { meetingUrl } : {}),
    ...(conference ? { conference } : {}),
    ...(event.htmlLink ? { htmlLink: event.htmlLink } : {}),
  };
}
