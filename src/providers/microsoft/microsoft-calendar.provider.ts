import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Client } from '@microsoft/microsoft-graph-client';
import { AppConfigService } from '../../config/app-config.service';
import { providerTelemetry } from '../../observability/metrics/telemetry';
import { ClientCache, fingerprint } from '../client-cache';
import { ProviderError } from '../provider.errors';
import { busyWindowProblem } from '../busy-window';
import { PROVIDER_OPTIONS, type ProviderOptions, resolveProviderOptions } from '../provider-options';
import { PROVIDER_LIMITER, type ProviderLimiter } from '../provider-limiter';
import { withRetry } from '../provider-retry';
import {
  type AccessCheckResult,
  type BusyBlock,
  type CalendarProvider,
  type DelegatedCredential,
  type EventInput,
  MICROSOFT_GRAPH_DEFAULT_SCOPE,
  type MicrosoftServiceAccountKey,
  type ProviderCalendar,
  type ProviderEvent,
} from '../provider.types';
import { normalizeSubjectEmail } from '../subject-email';
import { GraphError } from '@microsoft/microsoft-graph-client';
import { GRAPH_ORIGIN, GraphApi, createGraphClient, seg } from './graph-api';
import { graphEventBlocks } from '../busy-semantics';
import { noInlineRetry } from '../provider-retry';
import { ianaTimeZone } from '../time-zones';
import {
  type GraphCalendar,
  type GraphEvent,
  allDaySpan,
  fromGraphDateTime,
  toGraphEvent,
  toProviderCalendar,
  toProviderEvent,
} from './graph-mappers';
import { createMsalClient, type MsalClient, rememberUserId } from './msal-client.factory';
import { acquireGraphToken } from './msal-token';
import {
  classifyGraphError,
  graphStatus,
  isRejectedGraphToken,
  type MicrosoftErrorContext,
} from './microsoft-errors';
import { resolveGraphUser } from './graph-users';
import { isGuid, tenantIdProblem } from './tenant-id';

const CALENDAR_FIELDS = 'id,name,canEdit,isDefaultCalendar,owner';
/** What the busy semantics (src/providers/busy-semantics.ts) and all-day events need of each event. */
const BUSY_FIELDS = 'start,end,showAs,isCancelled,isAllDay,responseStatus,originalStartTimeZone';
/** What an event read needs (ProviderEvent). */
const EVENT_FIELDS = 'id,subject,start,end,webLink,isOnlineMeeting,onlineMeeting';

/** What an operation gets: Graph with a valid token, and the member's `/users/{id}` path (resolved once). */
interface Session {
  graph: GraphApi;
  subject: string;
  attempt: number;
  userPath(options?: { fresh?: boolean }): Promise<string>;
  /**
   * Runs a request aimed at one calendar: its refusals (not found, not shared, read-only) are about that calendar
   * (CALENDAR_NOT_ACCESSIBLE, member scope), not about the app's permissions. `primary` is the mailbox itself.
   */
  onCalendar<T>(calendarId: string, run: () => Promise<T>): Promise<T>;
}

/**
 * Microsoft 365 calendars through an Entra app with application permissions (client credentials): one app-only
 * Graph token per (credential, tenant, client id, secret), cached by its MSAL client in an LRU; members are
 * addressed as `/users/{id}`, resolved from their email through the directory.
 */
@Injectable()
export class MicrosoftCalendarProvider implements CalendarProvider {
  readonly platform = 'office365' as const;
  private readonly logger = new Logger(MicrosoftCalendarProvider.name);
  private readonly options: ProviderOptions;
  private readonly clients: ClientCache<MsalClient>;
  private readonly graphClient: Client;
  private readonly graphOrigin: string;

  constructor(
    @Inject(AppConfigService) private readonly config: Pick<AppConfigService, 'providerEndpoints'>,
    @Optional() @Inject(PROVIDER_OPTIONS) options?: Partial<ProviderOptions>,
    /** Shared per-mailbox limits (ProvidersModule always provides one; without it nothing is limited). */
    @Optional() @Inject(PROVIDER_LIMITER) limiter?: ProviderLimiter,
  ) {
    this.options = resolveProviderOptions(options);
    this.clients = new ClientCache<MsalClient>({
      max: this.options.clientCacheSize,
      ttlMs: this.options.clientIdleTtlMs,
      // Drop tokens (and MSAL's throttle state) with the client, not only the reference.
      onDispose: (client) => client.cca.clearCache(),
    });
    this.graphOrigin = config.providerEndpoints.microsoftGraphBaseUrl ?? GRAPH_ORIGIN;
    this.graphClient = createGraphClient(this.graphOrigin, limiter);
  }

  evict(credentialId: string): void {
    this.clients.evictCredential(credentialId);
  }

  checkAccess(credential: DelegatedCredential, subjectEmail: string): Promise<AccessCheckResult> {
    // Token (app + secret + consent) → directory lookup (user exists) → calendars (mailbox + Calendars permission).
    return this.call(credential, subjectEmail, 'checking calendar access', async (s) => {
      const user = await s.userPath({ fresh: true });
      const calendars = await s.graph.getAll<GraphCalendar>(`${user}/calendars`, {
        $select: CALENDAR_FIELDS,
        $top: '100',
      });
      return { subject: s.subject, calendarCount: calendars.length };
    });
  }

  listCalendars(credential: DelegatedCredential, subjectEmail: string): Promise<ProviderCalendar[]> {
    return this.call(credential, subjectEmail, 'listing calendars', async (s) => {
      const calendars = await s.graph.getAll<GraphCalendar>(`${await s.userPath()}/calendars`, {
        $select: CALENDAR_FIELDS,
        $top: '100',
      });
      return calendars.map(toProviderCalendar);
    });
  }

  getPrimaryCalendar(credential: DelegatedCredential, subjectEmail: string): Promise<ProviderCalendar> {
    return this.call(credential, subjectEmail, 'reading the primary calendar', async (s) => {
      const calendar = await s.graph.get<GraphCalendar>(`${await s.userPath()}/calendar`, {
        $select: CALENDAR_FIELDS,
      });
      return { ...toProviderCalendar(calendar), primary: true };
    });
  }

  getBusyTimes(
    credential: DelegatedCredential,
    subjectEmail: string,
    calendarIds: string[],
    from: Date,
    to: Date,
  ): Promise<BusyBlock[]> {
    // calendarView per calendar (getSchedule only covers a mailbox's default calendar); each event is judged by the
    // Graph busy rules. Timed events are read with their own zone label; all-day events are the mailbox's local day.
    const refused = busyWindowProblem(this.platform, from, to);
    if (refused) return Promise.reject(refused);
    return this.call(credential, subjectEmail, 'reading busy times', async (s) => {
      const user = await s.userPath();
      const ids = calendarIds.length > 0 ? calendarIds : ['primary'];
      const blocks: BusyBlock[] = [];
      let mailboxZone: Promise<string | undefined> | undefined;
      const allDayZone = async (event: GraphEvent): Promise<string> => {
        mailboxZone ??= this.mailboxTimeZone(s.graph, user);
        const zone = (await mailboxZone) ?? ianaTimeZone(event.originalStartTimeZone);
        if (zone) return zone;
        throw noInlineRetry(
          new ProviderError(
            'PROVIDER_UNAVAILABLE',
            `Microsoft Graph answered all-day event ${event.id} of ${s.subject} without a time zone that can be ` +
              `read (mailbox settings not readable, originalStartTimeZone "${event.originalStartTimeZone ?? ''}"): ` +
              'its day cannot be placed.',
            'office365',
          ),
        );
      };
      for (const id of ids) {
        // A calendar that cannot be read fails the request (never reported as free).
        const events = await s.onCalendar(id, () =>
          s.graph.getAll<GraphEvent>(
            `${calendarPath(user, id)}/calendarView`,
            {
              startDateTime: from.toISOString(),
              endDateTime: to.toISOString(),
              $select: BUSY_FIELDS,
              $top: '250',
            },
            `reading busy times of calendar ${id} of ${s.subject}`,
          ),
        );
        for (const event of events) {
          if (!graphEventBlocks(event)) continue;
          const span = event.isAllDay
            ? allDaySpan(event, await allDayZone(event))
            : {
                start: fromGraphDateTime(event.start, `the start of event ${event.id}`),
                end: fromGraphDateTime(event.end, `the end of event ${event.id}`),
              };
          blocks.push({ ...span, source: id });
        }
      }
      return blocks.sort((a, b) => a.start.getTime() - b.start.getTime());
    });
  }

  /**
   * The mailbox's time zone (Outlook settings › time zone, usually a Windows name) as an IANA zone. Reading it needs
   * the application permission MailboxSettings.Read; without it (403 ErrorAccessDenied) or when the setting names no
   * known zone, undefined: all-day events then fall back to their own originalStartTimeZone.
   */
  private async mailboxTimeZone(graph: GraphApi, user: string): Promise<string | undefined> {
    try {
      const settings = await graph.get<{ timeZone?: string }>(`${user}/mailboxSettings`, {
        $select: 'timeZone',
      });
      return ianaTimeZone(settings.timeZone);
    } catch (error) {
      const denied =
        error instanceof GraphError &&
        error.statusCode === 403 &&
        error.code === 'ErrorAccessDenied' &&
        !/OData is disabled/i.test(error.message);
      if (denied) return undefined;
      throw error;
    }
  }

  createEvent(
    credential: DelegatedCredential,
    subjectEmail: string,
    calendarId: string,
    input: EventInput,
  ): Promise<ProviderEvent> {
    // transactionId lets Graph recognise a retried create whose first answer was lost, instead of duplicating it.
    const body = toGraphEvent({ conference: false, ...input }, randomUUID());
    return this.call(credential, subjectEmail, 'creating an event', async (s) => {
      const user = await s.userPath();
      const created = await s.onCalendar(calendarId, () =>
        s.graph.post<GraphEvent>(`${calendarPath(user, calendarId)}/events`, body),
      );
      const event = toProviderEvent(created, calendarId);
      return input.conference ? this.awaitConference(s, user, calendarId, event) : event;
    });
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
      async (s) => {
        const user = await s.userPath();
        const event = await s.onCalendar(calendarId, () =>
          s.graph.get<GraphEvent>(`${user}/events/${seg(eventId)}`, { $select: EVENT_FIELDS }),
        );
        return toProviderEvent(event, calendarId);
      },
      { eventId },
    );
  }

  updateEvent(
    credential: DelegatedCredential,
    subjectEmail: string,
    calendarId: string,
    eventId: string,
    input: Partial<EventInput>,
  ): Promise<ProviderEvent> {
    const body = toGraphEvent(input);
    return this.call(
      credential,
      subjectEmail,
      'updating an event',
      async (s) => {
        const user = await s.userPath();
        const patched = await s.onCalendar(calendarId, () =>
          s.graph.patch<GraphEvent>(`${user}/events/${seg(eventId)}`, body),
        );
        const event = toProviderEvent(patched, calendarId);
        return input.conference ? this.awaitConference(s, user, calendarId, event) : event;
      },
      { eventId },
    );
  }

  /**
   * Graph answers a new online meeting with `onlineMeeting: null` until Teams has created it: reads the event again
   * (at most `conferenceReadAttempts` times, waiting `conferenceReadDelayMs` doubling) and answers it as it then
   * stands, `ready` or still `pending` (the caller fills the link in later).
   */
  private async awaitConference(
    s: Session,
    user: string,
    calendarId: string,
    created: ProviderEvent,
  ): Promise<ProviderEvent> {
    const asked = (event: ProviderEvent): ProviderEvent =>
      event.conference ? event : { ...event, conference: { status: 'pending' } };
    let event = asked(created);
    const { conferenceReadAttempts, conferenceReadDelayMs } = this.options;
    for (let read = 0; event.conference?.status === 'pending' && read < conferenceReadAttempts; read++) {
      await sleep(conferenceReadDelayMs * 2 ** read);
      const current = await s.onCalendar(calendarId, () =>
        s.graph.get<GraphEvent>(`${user}/events/${seg(created.id)}`, { $select: EVENT_FIELDS }),
      );
      event = asked(toProviderEvent(current, calendarId));
    }
    return event;
  }

  deleteEvent(
    credential: DelegatedCredential,
    subjectEmail: string,
    calendarId: string,
    eventId: string,
  ): Promise<void> {
    return this.call(credential, subjectEmail, 'deleting an event', async (s) => {
      const user = await s.userPath();
      await s.onCalendar(calendarId, async () => {
        try {
          await s.graph.delete(`${user}/events/${seg(eventId)}`);
        } catch (error) {
          // Already deleted: the goal is reached, and a retried delete stays idempotent.
          const gone =
            graphStatus(error) === 404 && (error as { code?: string }).code === 'ErrorItemNotFound';
          if (!gone) throw error;
        }
      });
    });
  }

  private async call<T>(
    credential: DelegatedCredential,
    subjectEmail: string,
    operation: string,
    fn: (session: Session) => Promise<T>,
    target: { eventId?: string } = {},
  ): Promise<T> {
    const key = microsoftKey(credential);
    const subject = normalizeSubjectEmail(subjectEmail);
    const ctx: MicrosoftErrorContext = {
      ...(target.eventId ? { eventId: target.eventId } : {}),
      operation,
      subject,
      tenantId: key.tenant_id,
      clientId: key.client_id,
      timeoutMs: this.options.requestTimeoutMs,
      graphOrigin: this.graphOrigin,
      // Only whether it has the shape of a secret ID, for the hint; the value never leaves the key.
      secretLooksLikeId: isGuid(key.private_key.trim()),
    };
    const cacheKey = ClientCache.key({
      credentialId: credential.id,
      keyFingerprint: credential.keyFingerprint,
      material: fingerprint(key.tenant_id, key.client_id, key.private_key),
      subject: '*', // app-only token: one per app and tenant, whoever the member is
      scope: MICROSOFT_GRAPH_DEFAULT_SCOPE,
    });
    const client = this.clients.getOrCreate(cacheKey, () =>
      createMsalClient({
        credentialId: credential.id,
        key,
        timeoutMs: this.options.requestTimeoutMs,
        loginBaseUrl: this.config.providerEndpoints.microsoftLoginBaseUrl,
      }),
    );

    const mailbox = { appKey: `${key.client_id}@${key.tenant_id}`, address: subject };
    const session = (graph: GraphApi, attempt: number): Session => ({
      graph,
      subject,
      attempt,
      userPath: async ({ fresh = false } = {}) => {
        let id = fresh ? undefined : client.userIds.get(subject);
        if (!id) {
          id = (await resolveGraphUser(graph, subject, ctx)).id;
          rememberUserId(client, subject, id);
        }
        return `/users/${seg(id)}`;
      },
      onCalendar: async (calendarId, run) => {
        try {
          return await run();
        } catch (error) {
          if (calendarId === 'primary' || isRejectedGraphToken(error)) throw error;
          throw this.graphError(error, { ...ctx, calendarId }, client);
        }
      },
    });

    const call = withRetry(
      async (attempt) => {
        const token = await acquireGraphToken(client, ctx);
        try {
          return await fn(
            session(
              new GraphApi(this.graphClient, token, ctx.timeoutMs, this.options.maxPages, mailbox),
              attempt,
            ),
          );
        } catch (error) {
          if (!isRejectedGraphToken(error)) throw this.graphError(error, ctx, client);
          // Graph rejected a token MSAL still considers valid (revoked, clock skew): get a new one, once.
          const fresh = await acquireGraphToken(client, ctx, true);
          try {
            return await fn(
              session(
                new GraphApi(this.graphClient, fresh, ctx.timeoutMs, this.options.maxPages, mailbox),
                attempt,
              ),
            );
          } catch (retryError) {
            throw this.graphError(retryError, ctx, client);
          }
        }
      },
      this.options,
      (error, delayMs) =>
        this.logger.warn(`office365 ${operation} for ${subject}: ${error.type}, retrying in ${delayMs} ms`),
    );
    return await providerTelemetry.observe(this.platform, operation, call);
  }

  private graphError(error: unknown, ctx: MicrosoftErrorContext, client: MsalClient): ProviderError {
    const classified = classifyGraphError(error, ctx);
    // A cached user id that no longer resolves must be looked up again next time.
    if (classified.type === 'USER_NOT_IN_DIRECTORY') client.userIds.delete(ctx.subject);
    return classified;
  }
}

/** `primary` addresses the mailbox's default calendar, as on Google. */
function calendarPath(userPath: string, calendarId: string): string {
  return calendarId === 'primary' ? `${userPath}/calendar` : `${userPath}/calendars/${seg(calendarId)}`;
}

function microsoftKey(credential: DelegatedCredential): MicrosoftServiceAccountKey {
  if (credential.platform !== 'office365') {
    throw new ProviderError(
      'INVALID_KEY',
      `Credential ${credential.id} is not a Microsoft 365 credential.`,
      'office365',
    );
  }
  // Keys stored before input validation existed (or written around the API) are checked again, with no request.
  const problem = tenantIdProblem(credential.key.tenant_id);
  if (problem) throw new ProviderError('TENANT_NOT_FOUND', `The tenant ID ${problem}.`, 'office365');
  return credential.key;
}
