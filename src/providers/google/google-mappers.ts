import type { calendar_v3 } from 'googleapis/build/src/apis/calendar';
import type { EventInput, ProviderCalendar, ProviderEvent } from '../provider.types';

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

function eventTime(time: calendar_v3.Schema$EventDateTime | undefined): Date {
  // All-day events carry `date` (YYYY-MM-DD) instead of `dateTime`.
  return new Date(time?.dateTime ?? `${time?.date ?? '1970-01-01'}T00:00:00Z`);
}

export function meetingUrlOf(event: calendar_v3.Schema$Event): string | undefined {
  const video = event.conferenceData?.entryPoints?.find((entry) => entry.entryPointType === 'video')?.uri;
  return event.hangoutLink ?? video ?? undefined;
}

export function toProviderEvent(event: calendar_v3.Schema$Event, calendarId: string): ProviderEvent {
  const meetingUrl = meetingUrlOf(event);
  return {
    id: event.id ?? '',
    calendarId,
    title: event.summary ?? '',
    start: eventTime(event.start),
    end: eventTime(event.end),
    ...(meetingUrl ? { meetingUrl } : {}),
    ...(event.htmlLink ? { htmlLink: event.htmlLink } : {}),
  };
}
