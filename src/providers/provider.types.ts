/**
 * The provider layer's contract: one interface per capability, implemented for Google Workspace (`google`) and
 * Microsoft 365 (`office365`). Callers (delegation API checks, member jobs, member-facing calendar endpoints) only
 * see these types; SDK details stay inside the implementations.
 */

export const WORKSPACE_PLATFORM_SLUGS = ['google', 'office365'] as const;
export type WorkspacePlatformSlug = (typeof WORKSPACE_PLATFORM_SLUGS)[number];

export const GOOGLE_CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';
export const MICROSOFT_GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

/** A Google service account key (extra fields of a downloaded JSON key are dropped before it gets here). */
export interface GoogleServiceAccountKey {
  private_key: string;
  client_email: string;
  client_id: string;
}

/** A Microsoft Entra app: `private_key` is the client secret. */
export interface MicrosoftServiceAccountKey {
  private_key: string;
  tenant_id: string;
  client_id: string;
}

interface CredentialBase {
  /** DelegationCredential id. */
  id: string;
  /** Changes whenever the service account key changes (e.g. sha256 of it): part of every token cache key. */
  keyFingerprint: string;
}

/** A delegation credential with its decrypted key, as the repository hands it to the provider layer. */
export type DelegatedCredential =
  | (CredentialBase & { platform: 'google'; key: GoogleServiceAccountKey })
  | (CredentialBase & { platform: 'office365'; key: MicrosoftServiceAccountKey });

export interface ProviderCalendar {
  /** Google calendar id / Graph calendar id. For a Google primary calendar this is the user's email. */
  externalId: string;
  name: string;
  primary: boolean;
  readOnly: boolean;
  /** Mailbox the calendar belongs to. */
  email?: string;
  timeZone?: string;
}

export interface BusyBlock {
  start: Date;
  end: Date;
  /** Calendar the block came from. */
  source?: string;
}

export interface EventAttendee {
  email: string;
  name?: string;
}

export interface EventInput {
  title: string;
  description?: string;
  start: Date;
  end: Date;
  /** IANA time zone of the event, default UTC. */
  timeZone?: string;
  attendees?: EventAttendee[];
  location?: string;
  /** Ask for an online meeting: Google Meet (conferenceData) or Microsoft Teams (isOnlineMeeting). */
  conference?: boolean;
}

/**
 * The online meeting of an event. Google creates Meet links asynchronously (`createRequest.status.statusCode`
 * `pending`, then `success` or `failure`); Graph answers `onlineMeeting: null` until the Teams meeting exists.
 */
export interface ProviderConference {
  status: 'ready' | 'pending' | 'failed';
  /** The join URL, once `ready`. */
  url?: string;
  /** Why it `failed`, in the provider's terms. */
  reason?: string;
}

export interface ProviderEvent {
  /** Provider event id (Google event id / Graph event id). */
  id: string;
  calendarId: string;
  title: string;
  start: Date;
  end: Date;
  /** Google Meet or Teams join URL, when a conference was requested and created. */
  meetingUrl?: string;
  /** Present when the event has (or was asked for) an online meeting. */
  conference?: ProviderConference;
  htmlLink?: string;
}

export interface AccessCheckResult {
  /** The mailbox that was impersonated / read (alias-stripped). */
  subject: string;
  /** How many calendars the check could see (proves calendar access, not only a token). */
  calendarCount: number;
}

export interface CalendarProvider {
  readonly platform: WorkspacePlatformSlug;
  /** Proves the credential can act for `subjectEmail`: token + directory lookup + calendar read. Throws ProviderError. */
  checkAccess(credential: DelegatedCredential, subjectEmail: string): Promise<AccessCheckResult>;
  getPrimaryCalendar(credential: DelegatedCredential, subjectEmail: string): Promise<ProviderCalendar>;
  listCalendars(credential: DelegatedCredential, subjectEmail: string): Promise<ProviderCalendar[]>;
  getBusyTimes(
    credential: DelegatedCredential,
    subjectEmail: string,
    calendarIds: string[],
    from: Date,
    to: Date,
  ): Promise<BusyBlock[]>;
  /**
   * Creates an event. With `conference`, reads the event again (bounded, with backoff: ProviderOptions
   * `conferenceReadAttempts` / `conferenceReadDelayMs`) until the Meet / Teams link exists; still without one it is
   * answered with `conference.status: 'pending'`. A Google `failure` status deletes the event again and throws
   * CONFERENCE_FAILED. Throws ProviderError.
   */
  createEvent(
    credential: DelegatedCredential,
    subjectEmail: string,
    calendarId: string,
    input: EventInput,
  ): Promise<ProviderEvent>;
  /** One read of an event (its conference as it stands now). A deleted event: EVENT_GONE. Throws ProviderError. */
  getEvent(
    credential: DelegatedCredential,
    subjectEmail: string,
    calendarId: string,
    eventId: string,
  ): Promise<ProviderEvent>;
  /**
   * Changes the given fields. An event deleted at the provider (Google 410/404, Graph 404 ErrorItemNotFound):
   * EVENT_GONE. A conference asked for here is awaited as in createEvent (a `failure` throws CONFERENCE_FAILED).
   */
  updateEvent(
    credential: DelegatedCredential,
    subjectEmail: string,
    calendarId: string,
    eventId: string,
    input: Partial<EventInput>,
  ): Promise<ProviderEvent>;
  deleteEvent(
    credential: DelegatedCredential,
    subjectEmail: string,
    calendarId: string,
    eventId: string,
  ): Promise<void>;
}
