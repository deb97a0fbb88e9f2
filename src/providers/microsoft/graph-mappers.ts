import type { EventInput, ProviderCalendar, ProviderEvent } from '../provider.types';

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
  webLink?: string;
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

/** Graph answers (with `Prefer: outlook.timezone="UTC"`) carry `2024-05-01T10:00:00.0000000` + timeZone UTC. */
export function fromGraphDateTime(value: GraphDateTime | undefined): Date {
  if (!value) return new Date(0);
  const hasOffset = /(Z|[+-]\d\d:\d\d)$/.test(value.dateTime);
  return new Date(hasOffset || value.timeZone !== 'UTC' ? value.dateTime : `${value.dateTime}Z`);
}

/**
 * Wall-clock time of `date` in `timeZone` (`YYYY-MM-DDTHH:mm:ss`), the form Graph expects next to a timeZone, so
 * the event keeps its organizer's zone (what Outlook shows, and what recurrence rules would follow).
 */
export function toGraphDateTime(date: Date, timeZone: string): GraphDateTime {
  if (timeZone === 'UTC') return { dateTime: date.toISOString().slice(0, 19), timeZone };
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  return {
    dateTime: `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`,
    timeZone,
  };
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

export function toProviderEvent(event: GraphEvent, calendarId: string): ProviderEvent {
  const meetingUrl = event.onlineMeeting?.joinUrl;
  return {
    id: event.id,
    calendarId,
    title: event.subject ?? '',
    start: fromGraphDateTime(event.start),
    end: fromGraphDateTime(event.end),
    ...(meetingUrl ? { meetingUrl } : {}),
    ...(event.webLink ? { htmlLink: event.webLink } : {}),
  };
}
