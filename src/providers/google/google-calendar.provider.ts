import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { calendar_v3 } from 'googleapis/build/src/apis/calendar';
import { AppConfigService } from '../../config/app-config.service';
import { providerTelemetry } from '../../observability/metrics/telemetry';
import { ClientCache, fingerprint } from '../client-cache';
import { ProviderError } from '../provider.errors';
import { PROVIDER_OPTIONS, type ProviderOptions, resolveProviderOptions } from '../provider-options';
import { withRetry } from '../provider-retry';
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
  type GoogleErrorContext,
  googleStatus,
  isRejectedAccessToken,
} from './google-errors';
import { toGoogleEvent, toProviderCalendar, toProviderEvent } from './google-mappers';

/** freebusy.query accepts at most 50 calendars per request. */
const FREEBUSY_MAX_ITEMS = 50;

type Call<T> = (calendar: calendar_v3.Calendar, subject: string, attempt: number) => Promise<T>;

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
    return this.call(credential, subjectEmail, 'checking calendar access', async (calendar, subject) => ({
      subject,
      calendarCount: (await this.fetchCalendars(calendar, subject)).length,
    }));
  }

  listCalendars(credential: DelegatedCredential, subjectEmail: string): Promise<ProviderCalendar[]> {
    return this.call(credential, subjectEmail, 'listing calendars', (calendar, subject) =>
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
    return this.call(credential, subjectEmail, 'reading busy times', async (calendar, subject) => {
      const ids = calendarIds.length > 0 ? calendarIds : [subject];
      const blocks: BusyBlock[] = [];
      for (let i = 0; i < ids.length; i += FREEBUSY_MAX_ITEMS) {
        const items = ids.slice(i, i + FREEBUSY_MAX_ITEMS).map((id) => ({ id }));
        const { data } = await calendar.freebusy.query({
          requestBody: { timeMin: from.toISOString(), timeMax: to.toISOString(), items },
        });
        for (const [id, result] of Object.entries(data.calendars ?? {})) {
          // Per-calendar errors come back inside a 200: fail closed rather than report a calendar as free.
          const failure = result.errors?.[0];
          if (failure) {
            throw new ProviderError(
              'PERMISSION_DENIED',
              `Google cannot read free/busy of calendar ${id} for ${subject} (${failure.reason ?? 'error'}).`,
              'google',
            );
          }
          for (const busy of result.busy ?? []) {
            blocks.push({ start: new Date(busy.start ?? 0), end: new Date(busy.end ?? 0), source: id });
          }
        }
      }
      return blocks.sort((a, b) => a.start.getTime() - b.start.getTime());
    });
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
    return this.call(credential, subjectEmail, 'creating an event', async (calendar, _subject, attempt) => {
      try {
        const { data } = await calendar.events.insert({
          calendarId,
          conferenceDataVersion: 1,
          sendUpdates: 'none',
          requestBody,
        });
        return toProviderEvent(data, calendarId);
      } catch (error) {
        if (attempt === 0 || googleStatus(error) !== 409) throw error;
        const { data } = await calendar.events.get({ calendarId, eventId: id });
        return toProviderEvent(data, calendarId);
      }
    });
  }

  updateEvent(
    credential: DelegatedCredential,
    subjectEmail: string,
    calendarId: string,
    eventId: string,
    input: Partial<EventInput>,
  ): Promise<ProviderEvent> {
    const requestBody = toGoogleEvent(input, { conferenceRequestId: randomUUID() });
    return this.call(credential, subjectEmail, 'updating an event', async (calendar) => {
      const { data } = await calendar.events.patch({
        calendarId,
        eventId,
        conferenceDataVersion: 1,
        sendUpdates: 'none',
        requestBody,
      });
      return toProviderEvent(data, calendarId);
    });
  }

  deleteEvent(
    credential: DelegatedCredential,
    subjectEmail: string,
    calendarId: string,
    eventId: string,
  ): Promise<void> {
    return this.call(credential, subjectEmail, 'deleting an event', async (calendar) => {
      try {
        await calendar.events.delete({ calendarId, eventId, sendUpdates: 'none' });
      } catch (error) {
        // Already gone (410) or never there (404): the caller's goal is reached, and retries stay idempotent.
        const status = googleStatus(error);
        if (status !== 404 && status !== 410) throw error;
      }
    });
  }

  private async fetchCalendars(calendar: calendar_v3.Calendar, subject: string): Promise<ProviderCalendar[]> {
    const calendars: ProviderCalendar[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await calendar.calendarList.list({
        maxResults: 250,
        ...(pageToken ? { pageToken } : {}),
      });
      calendars.push(...(data.items ?? []).map((entry) => toProviderCalendar(entry, subject)));
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    return calendars;
  }

  /** Runs one operation as `subjectEmail` with the shared client, error mapping and retry policy. */
  private async call<T>(
    credential: DelegatedCredential,
    subjectEmail: string,
    operation: string,
    fn: Call<T>,
  ): Promise<T> {
    const key = googleKey(credential);
    const subject = normalizeSubjectEmail(subjectEmail);
    const ctx: GoogleErrorContext = {
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
    const client = (): GoogleClient =>
      this.clients.getOrCreate(cacheKey, () =>
        createGoogleClient({
          credentialId: credential.id,
          key,
          subject,
          scope: GOOGLE_CALENDAR_SCOPE,
          timeoutMs: this.options.requestTimeoutMs,
          baseUrl: this.config.providerEndpoints.googleApiBaseUrl,
        }),
      );

    const call = withRetry(
      async (attempt) => {
        const current = client();
        try {
          return await fn(current.calendar, subject, attempt);
        } catch (error) {
          if (!isRejectedAccessToken(error)) throw classifyGoogleError(error, ctx);
          // The cached token was revoked or expired early: mint a new one once before giving up.
          this.clients.delete(cacheKey, current);
          try {
            return await fn(client().calendar, subject, attempt);
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
