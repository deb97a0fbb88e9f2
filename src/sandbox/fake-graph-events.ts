import { randomBytes } from 'node:crypto';
import type { FakeEvent } from './fake-calendar-store';
import { fail } from './fake-http';
import type { FakeMicrosoftUser, FakeTenant } from './fake-microsoft';
import { zonedWallTimeToUtc } from './fake-time';

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

/** `2024-05-01T10:00:00.0000000` (what Graph returns with timeZone UTC). */
export function graphDateTime(date: Date): { dateTime: string; timeZone: string } {
  return { dateTime: date.toISOString().replace(/\.\d{3}Z$/, '.0000000'), timeZone: 'UTC' };
}

export interface GraphEventBody {
  subject?: string;
  body?: { contentType?: string; content?: string };
  start?: { dateTime?: string; timeZone?: string };
  end?: { dateTime?: string; timeZone?: string };
  location?: { displayName?: string };
  attendees?: { emailAddress?: { address?: string; name?: string } }[];
  isOnlineMeeting?: boolean;
  onlineMeetingProvider?: string;
  showAs?: string;
  transactionId?: string;
}

export function when(value: GraphEventBody['start'], field: string): Date {
  if (!value?.dateTime || !value.timeZone)
    graphError(400, 'ErrorInvalidRequest', `The ${field} property is required.`);
  try {
    return zonedWallTimeToUtc(value.dateTime, value.timeZone);
  } catch {
    return graphError(
      400,
      'TimeZoneNotSupportedException',
      `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${value.timeZone}'.`,
    );
  }
}

/** An event as Graph returns it (times in UTC). */
export function toWire(event: FakeEvent, tenant: FakeTenant): Record<string, unknown> {
  return {
    '@odata.etag': `W/"${event.updated.getTime()}"`,
    id: event.id,
    createdDateTime: event.created.toISOString(),
    lastModifiedDateTime: event.updated.toISOString(),
    transactionId: event.transactionId ?? null,
    subject: event.title,
    body: { contentType: 'text', content: event.description ?? '' },
    start: graphDateTime(event.start),
    end: graphDateTime(event.end),
    originalStartTimeZone: event.timeZone,
    location: { displayName: event.location ?? '' },
    attendees: event.attendees.map((a) => ({
      type: 'required',
      status: { response: 'none' },
      emailAddress: { address: a.email, name: a.name ?? a.email },
    })),
    isOnlineMeeting: event.meetingUrl !== undefined,
    onlineMeetingProvider: event.meetingUrl ? 'teamsForBusiness' : 'unknown',
    onlineMeeting: event.meetingUrl ? { joinUrl: event.meetingUrl } : null,
    showAs: event.free ? 'free' : 'busy',
    isCancelled: false,
    webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(event.id)}&exvsurl=1&path=/calendar/item&tenant=${tenant.id}`,
  };
}

/** Applies a create/PATCH body; a Teams joinUrl appears when an online meeting is asked for. */
export function apply(
  event: Partial<FakeEvent>,
  body: GraphEventBody,
  owner: FakeMicrosoftUser,
  tenant: FakeTenant,
): void {
  if (body.subject !== undefined) event.title = body.subject;
  if (body.body?.content !== undefined) event.description = body.body.content;
  if (body.location?.displayName !== undefined) event.location = body.location.displayName;
  if (body.start) event.start = when(body.start, 'start');
  if (body.end) event.end = when(body.end, 'end');
  if (body.start?.timeZone) event.timeZone = body.start.timeZone;
  if (body.showAs !== undefined) event.free = body.showAs === 'free';
  if (body.attendees) {
    event.attendees = body.attendees
      .filter((a) => a.emailAddress?.address)
      .map((a) => ({
        email: a.emailAddress?.address ?? '',
        ...(a.emailAddress?.name ? { name: a.emailAddress.name } : {}),
      }));
  }
  if (body.isOnlineMeeting === false) event.meetingUrl = undefined;
  if (body.isOnlineMeeting && body.onlineMeetingProvider === 'teamsForBusiness' && !event.meetingUrl) {
    const thread = `19%3ameeting_${randomBytes(24).toString('base64url')}%40thread.v2`;
    const context = encodeURIComponent(JSON.stringify({ Tid: tenant.id, Oid: owner.id }));
    event.meetingUrl = `https://teams.microsoft.com/l/meetup-join/${thread}/0?context=${context}`;
  }
}
