import { randomUUID } from 'node:crypto';
import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import type { CalendarEventReference, ConferenceStatus } from '../../generated/prisma/client';
import { ProviderError } from '../../providers/provider.errors';
import type { EventInput, ProviderEvent } from '../../providers/provider.types';
import { CALENDAR_APPS, type CalendarSlug, WORKSPACE_PLATFORM_OF } from '../shared/calendar-apps';
import { CalendarPreferencesRepository } from '../shared/calendar-preferences.repository';
import {
  type CalendarUser,
  DelegatedAccessService,
  type DelegatedConnection,
} from '../shared/delegated-access.service';
import { isValidTimeZone, parseInstant } from '../shared/time-zone';
import type { CreateCalendarEventInput, UpdateCalendarEventInput } from './dto/calendar-event.input';
import type {
  CalendarEventOutput,
  CalendarEventReferenceOutput,
  ConferenceState,
} from './dto/calendar-event.output';
import { type EventState, EventReferencesRepository } from './event-references.repository';

/** Checks what class-validator cannot: unambiguous instants, start < end, a real time zone. */
function toEventInput(body: UpdateCalendarEventInput): Partial<EventInput> {
  if ((body.start === undefined) !== (body.end === undefined))
    throw new BadRequestException('start and end must be given together');
  const start = body.start === undefined ? undefined : parseInstant(body.start);
  const end = body.end === undefined ? undefined : parseInstant(body.end);
  if (start === null)
    throw new BadRequestException('start must be an ISO 8601 date-time with Z or an offset');
  if (end === null) throw new BadRequestException('end must be an ISO 8601 date-time with Z or an offset');
  if (start && end && end <= start) throw new BadRequestException('end must be after start');
  if (body.timeZone !== undefined && !isValidTimeZone(body.timeZone))
    throw new BadRequestException(`Invalid time zone '${body.timeZone}'`);
  const { title, description, timeZone, attendees, location, conference } = body;
  if (body.recreateIfMissing && (title === undefined || start === undefined || end === undefined)) {
    throw new BadRequestException(
      'recreateIfMissing needs title, start and end: if the event is gone it is created again from this request',
    );
  }
  const input: Partial<EventInput> = {
    title,
    description,
    start,
    end,
    timeZone,
    attendees,
    location,
    conference,
  };
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

const CONFERENCE_STATE: Record<ConferenceStatus, ConferenceState> = {
  READY: 'ready',
  PENDING: 'pending',
  FAILED: 'failed',
};

function toReferenceOutput(ref: CalendarEventReference): CalendarEventReferenceOutput {
  return {
    uid: ref.uid,
    integration: ref.integration,
    credentialId: ref.credentialId,
    delegationCredentialId: ref.delegationCredentialId,
    calendarId: ref.externalCalendarId,
    externalEventId: ref.externalEventId,
    meetingUrl: ref.meetingUrl,
    conference: ref.conferenceStatus
      ? {
          status: CONFERENCE_STATE[ref.conferenceStatus],
          url: ref.meetingUrl,
          ...(ref.conferenceError ? { error: ref.conferenceError } : {}),
        }
      : null,
  };
}

function toEventOutput(
  ref: CalendarEventReference,
  event: ProviderEvent,
  recreated = false,
): CalendarEventOutput {
  return {
    ...toReferenceOutput(ref),
    title: event.title,
    start: event.start.toISOString(),
    end: event.end.toISOString(),
    ...(event.htmlLink ? { htmlLink: event.htmlLink } : {}),
    ...(recreated ? { recreated } : {}),
  };
}

/**
 * What a reference stores of the event as the provider answered it: its id, link and conference. Without a
 * conference in the answer, the previous one is kept (same event) unless the request turned it off.
 */
function eventState(
  event: ProviderEvent,
  previous: EventState | null,
  conferenceAsked: boolean | undefined,
): EventState {
  const conference = event.conference;
  if (conference) {
    return {
      externalEventId: event.id,
      meetingUrl: conference.url ?? event.meetingUrl ?? null,
      conferenceStatus:
        conference.status === 'ready' ? 'READY' : conference.status === 'pending' ? 'PENDING' : 'FAILED',
      conferenceError: conference.status === 'failed' ? (conference.reason ?? 'failed') : null,
    };
  }
  const keep = previous && previous.externalEventId === event.id && conferenceAsked !== false;
  return {
    externalEventId: event.id,
    meetingUrl: event.meetingUrl ?? (keep ? previous.meetingUrl : null),
    conferenceStatus: keep ? previous.conferenceStatus : null,
    conferenceError: keep ? previous.conferenceError : null,
  };
}

/**
 * Events written into a member's calendar through their delegated connection: to the destination calendar when it
 * belongs to that connection, else to the delegated primary. A reference is kept so only the owner can change them.
 */
@Injectable()
export class CalendarEventsService {
  constructor(
    private readonly access: DelegatedAccessService,
    private readonly preferences: CalendarPreferencesRepository,
    private readonly references: EventReferencesRepository,
  ) {}

  /**
   * Creates the event. With `conference`, a link the provider is still creating is answered `conference.status:
   * pending` and filled in by a fill-conference-link job recorded with the reference (never a silent null).
   */
  async create(
    user: CalendarUser,
    slug: CalendarSlug,
    body: CreateCalendarEventInput,
  ): Promise<CalendarEventOutput> {
    const input = toEventInput(body) as EventInput;
    const connection = await this.delegatedConnection(user, slug);
    const calendarId = await this.targetCalendar(user, connection);
    const event = await this.access.call(
      connection,
      (provider, credential) => provider.createEvent(credential, user.email, calendarId, input),
      'calendar',
    );
    const ref = await this.references.create({
      uid: randomUUID(),
      userId: user.id,
      integration: CALENDAR_APPS[slug].type,
      credentialId: connection.credential.id,
      delegationCredentialId: connection.delegationCredentialId,
      externalCalendarId: event.calendarId || calendarId,
      ...eventState(event, null, input.conference),
    });
    return toEventOutput(ref, event);
  }

  /** The stored reference of one of the caller's events (its conference as last known); no provider call. */
  async get(user: CalendarUser, slug: CalendarSlug, uid: string): Promise<CalendarEventReferenceOutput> {
    const ref = await this.references.findOwned(user.id, uid);
    if (!ref || ref.integration !== CALENDAR_APPS[slug].type)
      throw new NotFoundException(`Event ${uid} not found`);
    return toReferenceOutput(ref);
  }

  /**
   * Changes the event. An event deleted at the provider answers 404 EVENT_GONE — or, with `recreateIfMissing`, is
   * created again in the same calendar from this request (keeping its conference unless told otherwise), and the
   * reference points at the new event.
   */
  async update(
    user: CalendarUser,
    slug: CalendarSlug,
    uid: string,
    body: UpdateCalendarEventInput,
  ): Promise<CalendarEventOutput> {
    const input = toEventInput(body);
    const { ref, connection } = await this.owned(user, slug, uid);
    let recreated = false;
    let event: ProviderEvent;
    try {
      event = await this.access.call(
        connection,
        (provider, credential) =>
          provider.updateEvent(credential, user.email, ref.externalCalendarId, ref.externalEventId, input),
        'calendar',
      );
    } catch (error) {
      if (!(error instanceof ProviderError && error.type === 'EVENT_GONE' && body.recreateIfMissing))
        throw error;
      const again = { ...input, conference: input.conference ?? ref.conferenceStatus !== null } as EventInput;
      event = await this.access.call(
        connection,
        (provider, credential) => provider.createEvent(credential, user.email, ref.externalCalendarId, again),
        'calendar',
      );
      recreated = true;
    }
    const updated = await this.references.update(
      uid,
      eventState(event, recreated ? null : ref, input.conference),
    );
    return toEventOutput(updated, event, recreated);
  }

  /** Deletes the event; one already deleted at the provider counts as deleted (idempotent). */
  async remove(user: CalendarUser, slug: CalendarSlug, uid: string): Promise<CalendarEventReferenceOutput> {
    const { ref, connection } = await this.owned(user, slug, uid);
    await this.access.call(
      connection,
      (provider, credential) =>
        provider.deleteEvent(credential, user.email, ref.externalCalendarId, ref.externalEventId),
      'calendar',
    );
    await this.references.delete(uid);
    return toReferenceOutput(ref);
  }

  private async delegatedConnection(user: CalendarUser, slug: CalendarSlug): Promise<DelegatedConnection> {
    const platform = WORKSPACE_PLATFORM_OF[slug];
    const connection = platform
      ? (await this.access.connectionsFor(user)).find((c) => c.platform === platform)
      : undefined;
    if (!connection) {
      throw new BadRequestException(
        `No delegated ${CALENDAR_APPS[slug].type} connection: events are written through your organization's delegation credential`,
      );
    }
    return connection;
  }

  private async targetCalendar(user: CalendarUser, connection: DelegatedConnection): Promise<string> {
    const destination = await this.preferences.findDestination(user.id);
    const ofConnection =
      destination?.integration === connection.credential.type &&
      (destination.delegationCredentialId === connection.delegationCredentialId ||
        destination.credentialId === connection.credential.id);
    if (destination && ofConnection) return destination.externalId;
    const primary = await this.access.call(connection, (provider, credential) =>
      provider.getPrimaryCalendar(credential, user.email),
    );
    return primary.externalId;
  }

  /** The caller's event of this calendar app, and its (still usable) delegated connection. */
  private async owned(user: CalendarUser, slug: CalendarSlug, uid: string) {
    const ref = await this.references.findOwned(user.id, uid);
    if (!ref || ref.integration !== CALENDAR_APPS[slug].type)
      throw new NotFoundException(`Event ${uid} not found`);
    const connection = ref.delegationCredentialId
      ? await this.access.connectionFor(user, ref.delegationCredentialId)
      : null;
    if (!connection) {
      throw new NotFoundException(
        `The calendar connection of event ${uid} is not available any more (its delegation credential is disabled or no longer covers you)`,
      );
    }
    return { ref, connection };
  }
}
