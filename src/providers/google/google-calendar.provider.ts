import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { calendar_v3 } from 'googleapis/build/src/apis/calendar';
import { AppConfigService } from '../../config/app-config.service';
import { providerTelemetry } from '../../observability/metrics/telemetry';
import { ClientCache, fingerprint } from '../client-cache';
import { ProviderError } from '../provider.errors';
import { busyWindowProblem, GOOGLE_FREEBUSY_MAX_DAYS, splitWindow } from '../busy-window';
import { PROVIDER_OPTIONS, type ProviderOptions, resolveProviderOptions } from '../provider-options';
import { PROVIDER_LIMITER, type ProviderLimiter } from '../provider-limiter';
import { noInlineRetry, withRetry } from '../provider-retry';
import {
  type AccessCheckResult,
  type BusyBlock,
  type CalendarProvider,
  type DelegatedCredential,
  type EventInput,
  GOOGLE_CALENDAR_SCOPE,
  type GoogleServiceAccountKey,
  type ProviderCalendar,
  type ProviderEvent,
} from '../provider.types';
import { normalizeSubjectEmail } from '../subject-email';
import { createGoogleClient, type GoogleClient } from './google-client.factory';
import {
  classifyGoogleError,
  freeBusyCalendarError,
  type GoogleErrorContext,
  googleStatus,
  isRejectedAccessToken,
} from './google-errors';
import { collectPages } from '../paging';
import { toGoogleEvent, toProviderCalendar, toProviderEvent } from './google-mappers';

type Target = { calendarId?: string; eventId?: string };

/** freebusy.query accepts at most 50 calendars per request. */
const FREEBUSY_MAX_ITEMS = 50;

type Call<T> = (
  calendar: calendar_v3.Calendar,
  subject: string,
  attempt: number,
  ctx: GoogleErrorContext,
) => Promise<T>;

/**
 * Google Workspace calendars through a service account with domain-wide delegation: a JWT that impersonates the
 * member (`sub`), scope https://www.googleapis.com/auth/calendar. One JWT client per (credential, key, subject)
 * lives in an LRU, so its access token is minted once per lifetime and shared by all requests of the process.
 */
@Injectable()
export class GoogleCalendarProvider implements CalendarProvider {
  readonly platform = 'google' as const;
  private readonly logger = new Logger(GoogleCalendarProvider.name);
  private readonly options: ProviderOptions;
  private readonly clients: ClientCache<GoogleClient>;

  constructor(
    @Inject(AppConfigService) private readonly config: Pick<AppConfigService, 'providerEndpoints'>,
    @Optional() @Inject(PROVIDER_OPTIONS) options?: Partial<ProviderOptions>,
    /** Shared per-user rate limit (ProvidersModule always provides one; without it nothing is limited). */
    @Optional() @Inject(PROVIDER_LIMITER) private readonly limiter?: ProviderLimiter,
  ) {
    this.options = resolveProviderOptions(options);
    this.clients = new ClientCache({
      max: this.options.clientCacheSize,
      ttlMs: this.options.clientIdleTtlMs,
    });
  }

  /** Drops every cached client (and token) of a credential: call on key rotation and when disabling it. */
  evict(credentialId: string): void {
    this.clients.evictCredential(credentialId);
  }

  checkAccess(credential: DelegatedCredential, subjectEmail: string): Promise<AccessCheckResult> {
    // Minting the impersonation token proves DWD + directory membership; listing calendars proves the scope works.
    return this.call(credential, subjectEmail, 'checking calendar access', {}, async (calendar, subject) => ({
      subject,
      calendarCount: (await this.fetchCalendars(calendar, subject)).length,
    }));
  }

  listCalendars(credential: DelegatedCredential, subjectEmail: string): Promise<ProviderCalendar[]> {
    return this.call(credential, subjectEmail, 'listing calendars', {}, (calendar, subject) =>
      this.fetchCalendars(calendar, subject),
    );
  }

  async getPrimaryCalendar(credential: DelegatedCredential, subjectEmail: string): Promise<ProviderCalendar> {
    const calendars = await this.listCalendars(credential, subjectEmail);
    const subject = normalizeSubjectEmail(subjectEmail);
    // The primary calendar's id is the user's email; it is always there even if hidden from the list.
    return (
      calendars.find((c) => c.primary) ?? {
        externalId: subject,
        name: subject,
        primary: true,
        readOnly: false,
        email: subject,
      }
    );
  }

  getBusyTimes(
    credential: DelegatedCredential,
    subjectEmail: string,
    calendarIds: string[],
    from: Date,
    to: Date,
  ): Promise<BusyBlock[]> {
    const refused = busyWindowProblem(this.platform, from, to);
    if (refused) return Promise.reject(refused);
    return this.call(
      credential,
      subjectEmail,
      'reading busy times',
      {},
      async (calendar, subject, _attempt, ctx) => {
        const ids = calendarIds.length > 0 ? calendarIds : [subject];
        const blocks: BusyBlock[] = [];
        // freeBusy serves at most 50 calendars and 90 days per request: longer windows are read in 90-day parts
        // (a block crossing a boundary comes back in two touching pieces, merged by the caller).
        for (const window of splitWindow(from, to, GOOGLE_FREEBUSY_MAX_DAYS)) {
          for (let i = 0; i < ids.length; i += FREEBUSY_MAX_ITEMS) {
            const chunk = ids.slice(i, i + FREEBUSY_MAX_ITEMS);
            const { data } = await calendar.freebusy.query({
              requestBody: {
                timeMin: window.from.toISOString(),
                timeMax: window.to.toISOString(),
                items: chunk.map((id) => ({ id })),
              },
            });
            const answered = data.calendars ?? {};
            for (const id of chunk) {
              // A calendar Google could not read comes back inside the 200 with `errors`, or not at all: fail
              // closed rather than report it as free.
              const result = answered[id];
              const failure = result
                ? result.errors?.[0]
                : { reason: 'notFound', domain: 'missing from the answer' };
              if (failure) throw freeBusyCalendarError(id, failure, ctx);
              for (const busy of result?.busy ?? []) {
                blocks.push({ start: new Date(busy.start ?? 0), end: new Date(busy.end ?? 0), source: id });
              }
            }
          }
        }
        return blocks.sort((a, b) => a.start.getTime() - b.start.getTime());
      },
    );
  }

  createEvent(
    credential: DelegatedCredential,
    subjectEmail: string,
    calendarId: string,
    input: EventInput,
  ): Promise<ProviderEvent> {
    // A client-chosen id makes retries idempotent: if an attempt created the event but its answer was lost (5xx,
    // reset), the retry gets 409 and fetches the existing event instead of creating a duplicate.
    const id = randomUUID().replace(/-/g, '');
    const requestBody = toGoogleEvent(input, { id, conferenceRequestId: randomUUID() });
    const target = { calendarId };
    return this.call(
      credential,
      subjectEmail,
      'creating an event',
      target,
      async (calendar, subject, attempt) => {
        let data: calendar_v3.Schema$Event;
        try {
          ({ data } = await calendar.events.insert({
            calendarId,
            conferenceDataVersion: 1,
            sendUpdates: 'none',
            requestBody,
          }));
        } catch (error) {
          if (attempt === 0 || googleStatus(error) !== 409) throw error;
          ({ data } = await calendar.events.get({ calendarId, eventId: id }));
        }
        if (!input.conference) return toProviderEvent(data, calendarId);
        const event = await this.awaitConference(calendar, calendarId, id, data);
        if (event.conference?.status !== 'failed') return event;
        // An event whose Meet failed is not kept: the caller gets the error and may retry the whole create.
        await calendar.events
          .delete({ calendarId, eventId: id, sendUpdates: 'none' })
          .catch((error: unknown) => {
            this.logger.warn(`could not delete event ${id} after its Meet failed: ${String(error)}`);
          });
        throw conferenceFailed(subject, event.conference.reason, 'The event was not kept.');
      },
    );
  }

  getEvent(
    credential: DelegatedCredential,
    subjectEmail: string,
    calendarId: string,
    eventId: string,
  ): Promise<ProviderEvent> {
    return this.call(
      credential,
      subjectEmail,
      'reading an event',
      { calendarId, eventId },
      async (calendar) => {
        const { data } = await calendar.events.get({ calendarId, eventId });
        return toProviderEvent(data, calendarId);
      },
    );
  }

  updateEvent(
    credential: DelegatedCredential,
    subjectEmail: string,
    calendarId: string,
    eventId: string,
    input: Partial<EventInput>,
  ): Promise<ProviderEvent> {
    const requestBody = toGoogleEvent(input, { conferenceRequestId: randomUUID() });
    const target = { calendarId, eventId };
    return this.call(credential, subjectEmail, 'updating an event', target, async (calendar, subject) => {
      const { data } = await calendar.events.patch({
        calendarId,
        eventId,
        conferenceDataVersion: 1,
        sendUpdates: 'none',
        requestBody,
      });
      if (!input.conference) return toProviderEvent(data, calendarId);
      const event = await this.awaitConference(calendar, calendarId, eventId, data);
      if (event.conference?.status === 'failed')
        throw conferenceFailed(subject, event.conference.reason, 'The other changes were saved.');
      return event;
    });
  }

  /**
   * Google creates Meet links asynchronously: while the createRequest is `pending`, reads the event again (at most
   * `conferenceReadAttempts` times, waiting `conferenceReadDelayMs` doubling). Answers the event as it then stands:
   * `ready`, `failed`, or still `pending` (the caller fills the link in later).
   */
  private async awaitConference(
    calendar: calendar_v3.Calendar,
    calendarId: string,
    eventId: string,
    data: calendar_v3.Schema$Event,
  ): Promise<ProviderEvent> {
    const asked = (event: ProviderEvent): ProviderEvent =>
      event.conference ? event : { ...event, conference: { status: 'pending' } };
    let event = asked(toProviderEvent(data, calendarId));
    const { conferenceReadAttempts, conferenceReadDelayMs } = this.options;
    for (let read = 0; event.conference?.status === 'pending' && read < conferenceReadAttempts; read++) {
      await sleep(conferenceReadDelayMs * 2 ** read);
      event = asked(toProviderEvent((await calendar.events.get({ calendarId, eventId })).data, calendarId));
    }
    return event;
  }

  deleteEvent(
    credential: DelegatedCredential,
    subjectEmail: string,
    calendarId: string,
    eventId: string,
  ): Promise<void> {
    return this.call(credential, subjectEmail, 'deleting an event', { calendarId }, async (calendar) => {
      try {
        await calendar.events.delete({ calendarId, eventId, sendUpdates: 'none' });
      } catch (error) {
        // Already gone (410) or never there (404): the caller's goal is reached, and retries stay idempotent.
        const status = googleStatus(error);
        if (status !== 404 && status !== 410) throw error;
      }
    });
  }

  private fetchCalendars(calendar: calendar_v3.Calendar, subject: string): Promise<ProviderCalendar[]> {
    const page = async (pageToken?: string) => {
      const { data } = await calendar.calendarList.list({
        maxResults: 250,
        ...(pageToken ? { pageToken } : {}),
      });
      return {
        items: (data.items ?? []).map((entry) => toProviderCalendar(entry, subject)),
        next: data.nextPageToken,
      };
    };
    return collectPages(() => page(), page, {
      platform: 'google',
      what: `listing the calendars of ${subject}`,
      maxPages: this.options.maxPages,
    });
  }

  /** Runs one operation as `subjectEmail` with the shared client, error mapping and retry policy. */
  private async call<T>(
    credential: DelegatedCredential,
    subjectEmail: string,
    operation: string,
    target: Target,
    fn: Call<T>,
  ): Promise<T> {
    const key = googleKey(credential);
    const subject = normalizeSubjectEmail(subjectEmail);
    const ctx: GoogleErrorContext = {
      // The member's primary calendar ('primary', or their address) is the mailbox itself, not "one calendar".
      ...(target.calendarId && !['primary', subject].includes(target.calendarId.toLowerCase())
        ? { calendarId: target.calendarId }
        : {}),
      ...(target.eventId ? { eventId: target.eventId } : {}),
      operation,
      subject,
      clientId: key.client_id,
      clientEmail: key.client_email,
      scope: GOOGLE_CALENDAR_SCOPE,
      timeoutMs: this.options.requestTimeoutMs,
    };
    const cacheKey = ClientCache.key({
      credentialId: credential.id,
      keyFingerprint: credential.keyFingerprint,
      material: fingerprint(key.client_email, key.private_key),
      subject,
      scope: GOOGLE_CALENDAR_SCOPE,
    });
    const limiter = this.limiter;
    const client = (): GoogleClient =>
      this.clients.getOrCreate(cacheKey, () =>
        createGoogleClient({
          credentialId: credential.id,
          key,
          subject,
          scope: GOOGLE_CALENDAR_SCOPE,
          timeoutMs: this.options.requestTimeoutMs,
          baseUrl: this.config.providerEndpoints.googleApiBaseUrl,
          ...(limiter ? { beforeApiRequest: () => limiter.googleRequest(key.client_id, subject) } : {}),
        }),
      );

    const call = withRetry(
      async (attempt) => {
        const current = client();
        try {
          return await fn(current.calendar, subject, attempt, ctx);
        } catch (error) {
          if (!isRejectedAccessToken(error)) throw classifyGoogleError(error, ctx);
          // The cached token was revoked or expired early: mint a new one once before giving up.
          this.clients.delete(cacheKey, current);
          try {
            return await fn(client().calendar, subject, attempt, ctx);
          } catch (retryError) {
            throw classifyGoogleError(retryError, ctx);
          }
        }
      },
      this.options,
      (error, delayMs) =>
        this.logger.warn(`google ${operation} for ${subject}: ${error.type}, retrying in ${delayMs} ms`),
    );
    return await providerTelemetry.observe(this.platform, operation, call);
  }
}

function conferenceFailed(subject: string, reason: string | undefined, outcome: string): ProviderError {
  return noInlineRetry(
    new ProviderError(
      'CONFERENCE_FAILED',
      `Google could not create the Google Meet conference of the event for ${subject} (${reason ?? 'failure'}). ` +
        `${outcome} Retry, or check that Google Meet is on for the member (Google Admin console › Apps › Google ` +
        'Workspace › Google Meet).',
      'google',
    ),
  );
}

function googleKey(credential: DelegatedCredential): GoogleServiceAccountKey {
  if (credential.platform !== 'google') {
    throw new ProviderError(
      'INVALID_KEY',
      `Credential ${credential.id} is not a Google credential.`,
      'google',
    );
  }
  return credential.key;
}
