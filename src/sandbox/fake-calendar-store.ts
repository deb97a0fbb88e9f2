import { randomBytes } from 'node:crypto';
import { midnightIn } from './fake-time';

export type AccessRole = 'owner' | 'writer' | 'reader' | 'freeBusyReader';

export interface FakeCalendar {
  id: string;
  name: string;
  /** IANA zone: all-day events of the calendar are its local days (Google: the calendar's; Graph: the mailbox's). */
  timeZone: string;
  /** Mailbox that owns it. */
  owner: string;
}

/** An attendee's answer, in Google's terms (Graph: none/notResponded, accepted, tentativelyAccepted, declined). */
export type AttendeeResponse = 'needsAction' | 'accepted' | 'tentative' | 'declined';

export interface FakeAttendee {
  email: string;
  name?: string;
  response?: AttendeeResponse;
}

/** Graph's freeBusyStatus; Google's transparency is `free` (transparent) or `busy` (opaque). */
export const SHOW_AS = ['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown'] as const;
export type ShowAs = (typeof SHOW_AS)[number];

/**
 * An online meeting of an event (Google Meet `conferenceData`, Teams `onlineMeeting`). Created asynchronously when
 * the platform is told to: `pending` until `readsLeft` more reads of the event, then `success` with its `url`;
 * `failure` (Google's createRequest status) never gets one.
 */
export interface FakeConference {
  status: 'pending' | 'success' | 'failure';
  requestId?: string;
  /** Reads (events.get) still answered `pending`; the read that brings it to 0 answers `success`. */
  readsLeft: number;
  url?: string;
}

export interface FakeEvent {
  id: string;
  calendarId: string;
  title: string;
  description?: string;
  location?: string;
  start: Date;
  end: Date;
  timeZone: string;
  attendees: FakeAttendee[];
  /** The organizer's address (default: the calendar's owner, who then is no attendee of their own event). */
  organizer?: string;
  meetingUrl?: string;
  /** The online meeting being created for the event (absent when none was asked for). */
  conference?: FakeConference;
  /** Graph create retries with the same transactionId return this event. */
  transactionId?: string;
  /** Graph showAs (default busy); Google transparency: `free` = transparent, anything else opaque. */
  showAs?: ShowAs;
  /**
   * An all-day event: its dates (`YYYY-MM-DD`, end exclusive). `start`/`end` are then midnight of those dates in the
   * calendar's time zone (kept in step when that zone changes).
   */
  allDay?: { startDate: string; endDate: string };
  /** Cancelled by its organizer but still in this calendar (Google status=cancelled, Graph isCancelled). */
  cancelled?: boolean;
  /** Deleted from the calendar (Google answers 410, Graph 404 from then on). */
  deleted?: boolean;
  created: Date;
  updated: Date;
}

export interface BusyInterval {
  start: Date;
  end: Date;
}

interface ListEntry {
  role: AccessRole;
  primary: boolean;
}

/**
 * Calendars, per-mailbox calendar lists (a calendar can be listed for several mailboxes with different roles),
 * events and seeded busy blocks of one fake platform.
 */
export class CalendarStore {
  private readonly calendars = new Map<string, FakeCalendar>();
  private readonly lists = new Map<string, Map<string, ListEntry>>();
  private readonly events = new Map<string, FakeEvent>();
  private readonly blocks = new Map<string, BusyInterval[]>();

  addCalendar(calendar: FakeCalendar, options: { primary?: boolean } = {}): FakeCalendar {
    this.calendars.set(calendar.id, calendar);
    this.share(calendar.id, calendar.owner, 'owner', options.primary ?? false);
    return calendar;
  }

  share(calendarId: string, mailbox: string, role: AccessRole, primary = false): void {
    const list = this.lists.get(mailbox) ?? new Map<string, ListEntry>();
    list.set(calendarId, { role, primary });
    this.lists.set(mailbox, list);
  }

  calendar(calendarId: string): FakeCalendar | undefined {
    return this.calendars.get(calendarId);
  }

  /** The calendars `mailbox` sees, with its role on each. */
  listFor(mailbox: string): { calendar: FakeCalendar; role: AccessRole; primary: boolean }[] {
    return [...(this.lists.get(mailbox) ?? new Map<string, ListEntry>())]
      .map(([id, entry]) => ({ calendar: this.calendars.get(id), ...entry }))
      .filter(
        (e): e is { calendar: FakeCalendar; role: AccessRole; primary: boolean } => e.calendar !== undefined,
      );
  }

  roleOf(mailbox: string, calendarId: string): AccessRole | undefined {
    return this.lists.get(mailbox)?.get(calendarId)?.role;
  }

  primaryOf(mailbox: string): FakeCalendar | undefined {
    return this.listFor(mailbox).find((e) => e.primary)?.calendar;
  }

  addEvent(event: Omit<FakeEvent, 'created' | 'updated'>): FakeEvent {
    const now = new Date();
    const stored = { ...event, created: now, updated: now };
    this.retime(stored);
    this.events.set(event.id, stored);
    return stored;
  }

  /** An all-day event's instants: midnight of its dates in its calendar's time zone. */
  retime(event: FakeEvent): void {
    if (!event.allDay) return;
    const zone = this.calendars.get(event.calendarId)?.timeZone ?? 'UTC';
    event.start = midnightIn(event.allDay.startDate, zone);
    event.end = midnightIn(event.allDay.endDate, zone);
  }

  /** Changes a calendar's time zone; its all-day events move to the new local days. */
  setTimeZone(calendarId: string, timeZone: string): void {
    const calendar = this.calendars.get(calendarId);
    if (!calendar) throw new Error(`No calendar ${calendarId}`);
    calendar.timeZone = timeZone;
    for (const event of this.events.values()) if (event.calendarId === calendarId) this.retime(event);
  }

  /**
   * The owner's answer to an event of their calendar: `organizer` when they organized it (or nobody did).
   * `ownerAddress`: the owner's email where calendars are owned by ids (Graph); Google calendars by the email.
   */
  responseOf(event: FakeEvent, ownerAddress?: string): AttendeeResponse | 'organizer' {
    const owner = ownerAddress ?? this.calendars.get(event.calendarId)?.owner;
    if (!event.organizer || event.organizer === owner) return 'organizer';
    return event.attendees.find((a) => a.email === owner)?.response ?? 'needsAction';
  }

  event(calendarId: string | undefined, eventId: string): FakeEvent | undefined {
    const event = this.events.get(eventId);
    return event && (calendarId === undefined || event.calendarId === calendarId) ? event : undefined;
  }

  findByTransaction(calendarIds: string[], transactionId: string): FakeEvent | undefined {
    return [...this.events.values()].find(
      (e) => !e.deleted && e.transactionId === transactionId && calendarIds.includes(e.calendarId),
    );
  }

  eventsIn(calendarId: string, from: Date, to: Date): FakeEvent[] {
    return [...this.events.values()]
      .filter((e) => e.calendarId === calendarId && !e.deleted && e.start < to && e.end > from)
      .sort((a, b) => a.start.getTime() - b.start.getTime());
  }

  /** Events of the calendars a mailbox owns (what tests and the control API show). */
  eventsOf(mailbox: string): FakeEvent[] {
    const owned = new Set([...this.calendars.values()].filter((c) => c.owner === mailbox).map((c) => c.id));
    return [...this.events.values()].filter((e) => owned.has(e.calendarId) && !e.deleted);
  }

  addBusy(calendarId: string, interval: BusyInterval): void {
    this.blocks.set(calendarId, [...(this.blocks.get(calendarId) ?? []), interval]);
  }

  blocksIn(calendarId: string, from: Date, to: Date): BusyInterval[] {
    return (this.blocks.get(calendarId) ?? []).filter((b) => b.start < to && b.end > from);
  }

  /**
   * Busy time of a calendar in [from, to) as Google's freeBusy reports it: seeded blocks plus the events that block
   * time — not transparent (`showAs: free`), not cancelled, not declined by the calendar's owner; all-day events
   * cover their dates in the calendar's time zone. Overlaps merged.
   */
  busy(calendarId: string, from: Date, to: Date): BusyInterval[] {
    const intervals = [
      ...this.blocksIn(calendarId, from, to),
      ...this.eventsIn(calendarId, from, to).filter(
        (e) => e.showAs !== 'free' && !e.cancelled && this.responseOf(e) !== 'declined',
      ),
    ]
      .map((i) => ({ start: i.start, end: i.end }))
      .sort((a, b) => a.start.getTime() - b.start.getTime());
    const merged: BusyInterval[] = [];
    for (const interval of intervals) {
      const last = merged.at(-1);
      if (last && interval.start <= last.end) {
        if (interval.end > last.end) last.end = interval.end;
      } else {
        merged.push({ ...interval });
      }
    }
    return merged;
  }

  clear(): void {
    this.calendars.clear();
    this.lists.clear();
    this.events.clear();
    this.blocks.clear();
  }
}

/** Random id from an alphabet (Google: base32hex, lowercase). */
export function randomId(length: number, alphabet = '0123456789abcdefghijklmnopqrstuv'): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}
